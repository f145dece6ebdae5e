// `vodup urls`: the URLs of any number of videos' source files, streams, covers,
// snapshots and sprites, with when each expires, as CSV or JSON (engine/library/url-export.ts).
// No 200-video limit as in the console. Videos come from the arguments, from a file
// (`--from`: a results export, any CSV with a video_id column, a JSON array, or one id a
// line), from the queue (`--from-queue`: every job of the queue at --db that has a
// VideoId), or from a library search (`--match title=… --match tag=…`, as `vodup edit`). Exit 0 when every video resolved, 1 when one did not (its row says why), 2
// for bad input.

import fs from 'fs';
import { finished } from 'stream/promises';
import { parse } from 'csv-parse/sync';
import { parseDownloadWhat } from '../../../shared/validation';
import { writeUrlList, type UrlListFormat } from '../../engine/library/url-export';
import type { MediaOutputType } from '../../engine/vod/vod-client';
import { TencentProvider } from '../../engine/tencent/tencent-provider';
import { AliyunVodProvider } from '../../engine/vod/aliyun-provider';
import { loadCredentials } from '../credentials';
import { CliError, EXIT } from '../errors';
import { openLibrary, parseMatchFlags, queryOf } from '../library-session';
import { openQueueToRead } from './no-provider';

export interface UrlsFlags {
  what: string;
  /** The library's filters (library-session.ts): `title=episode`, `cate=…`, `tag=…`, … */
  match?: string[];
  from?: string;
  fromQueue?: boolean;
  db?: string;
  format?: 'csv' | 'json';
  out?: string;
  json?: boolean;
  outputType?: MediaOutputType;
  authTimeout?: number;
  concurrency?: number;
}

/** VOD's VideoIds are 32 hex digits; anything of letters and digits is let through (other id styles), not file names or URLs. */
const VIDEO_ID = /^[0-9A-Za-z]{8,64}$/;
const ID_COLUMNS = ['video_id', 'videoid', 'VideoId', 'videoId'];

/** VideoIds from a file: a CSV with a video_id/VideoId column (results export), a JSON array (of ids or rows), or one id a line. */
export function videoIdsFromFile(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    throw new CliError(`Cannot read ${file}: ${(err as Error).message}`);
  }
  const trimmed = text.trim();
  if (trimmed.startsWith('[')) {
    let data: unknown;
    try {
      data = JSON.parse(trimmed);
    } catch (err) {
      throw new CliError(`${file} is not valid JSON: ${(err as Error).message}`);
    }
    if (!Array.isArray(data)) throw new CliError(`${file}: a JSON list must be an array of VideoIds or of rows with video_id.`);
    return data.map((d) => (typeof d === 'string' ? d : typeof d === 'object' && d !== null ? ID_COLUMNS.map((c) => (d as Record<string, unknown>)[c]).find((v) => typeof v === 'string') : undefined))
      .filter((v): v is string => typeof v === 'string' && v !== '');
  }
  const firstLine = trimmed.split(/\r?\n/, 1)[0] ?? '';
  const header = firstLine.split(',').map((h) => h.trim().replace(/^"|"$/g, ''));
  const column = header.find((h) => ID_COLUMNS.includes(h));
  if (!column) {
    // One id a line (or the first field of each line).
    return trimmed.split(/\r?\n/).map((l) => l.split(',')[0].trim()).filter(Boolean);
  }
  let rows: Record<string, string>[];
  try {
    rows = parse(text, { columns: true, skip_empty_lines: true, relax_column_count: true }) as Record<string, string>[];
  } catch (err) {
    throw new CliError(`${file} is not a CSV this command can read: ${(err as Error).message}`);
  }
  return rows.map((r) => (r[column] ?? '').trim()).filter(Boolean);
}

/**
 * The VideoIds a --match search finds, a page at a time as the list is written (a
 * ScrollToken past VOD's 5,000-result window; LibraryService pages).
 */
async function* videoIdsMatching(db: string | undefined, match: readonly string[]): AsyncGenerator<string> {
  const query = { ...queryOf(parseMatchFlags(match)), pageSize: 100 };
  const lib = openLibrary(db);
  try {
    let cursor: string | undefined;
    do {
      const page = await lib.service.search({ ...query, cursor });
      for (const v of page.videos) yield v.videoId;
      cursor = page.next;
    } while (cursor);
  } finally {
    lib.close();
  }
}

async function videoIdsFromQueue(db: string | undefined): Promise<string[]> {
  const session = await openQueueToRead(db, 'vodup urls');
  try {
    const ids: string[] = [];
    const pageRows = 2000;
    for (let offset = 0; ; offset += pageRows) {
      const page = session.engine.queryJobs({ sort: 'id', offset, limit: pageRows });
      for (const j of page.rows) if (j.videoId) ids.push(j.videoId);
      if (page.rows.length < pageRows) return ids;
    }
  } finally {
    await session.close();
  }
}

/** A search's pages may shift while they are read (a new upload): a video listed twice is written once. */
async function* uniq(source: AsyncIterable<string>): AsyncGenerator<string> {
  const seen = new Set<string>();
  for await (const id of source) {
    if (seen.has(id)) continue;
    seen.add(id);
    yield id;
  }
}

export async function urlsCommand(args: string[], flags: UrlsFlags, stdout: NodeJS.WritableStream = process.stdout): Promise<number> {
  const { what, errors } = parseDownloadWhat(flags.what);
  if (errors.length > 0) throw new CliError(`--what: ${errors.join(' ')}`);
  if (flags.json && flags.format === 'csv') throw new CliError('Give --json (JSON lines on stdout) or --format csv, not both.');

  const all = [...args];
  if (flags.from) all.push(...videoIdsFromFile(flags.from));
  if (flags.fromQueue) all.push(...await videoIdsFromQueue(flags.db));
  const bad = all.filter((id) => !VIDEO_ID.test(id));
  if (bad.length > 0) {
    throw new CliError(`Not VideoIds: ${bad.slice(0, 5).map((b) => `"${b}"`).join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}. Give VideoIds (32 hex digits, as \`vodup status\` or the console shows them).`);
  }
  const ids = [...new Set(all)];
  if (flags.match?.length && ids.length > 0) throw new CliError('Give VideoIds (or --from, --from-queue) or --match filters, not both.');
  if (flags.match?.length) parseMatchFlags(flags.match);
  else if (ids.length === 0) throw new CliError('No videos: give VideoIds, --from <file>, --from-queue or --match filters.');

  const creds = loadCredentials();
  // Tencent (VOD_PROVIDER=tencent): URLs signed for the domain's Key hotlink protection for --auth-timeout seconds.
  const provider = creds.provider === 'tencent'
    ? new TencentProvider(creds, { mediaUrlTtlSec: flags.authTimeout })
    : Object.assign(new AliyunVodProvider(creds), { mediaOptions: { outputType: flags.outputType, authTimeoutSec: flags.authTimeout } });
  // --json without --out: JSON lines on stdout (a pipe reads rows as they come).
  const format: UrlListFormat = flags.json && !flags.out ? 'ndjson' : flags.format ?? (flags.json ? 'json' : 'csv');

  let out: NodeJS.WritableStream = stdout;
  let file: fs.WriteStream | undefined;
  if (flags.out) {
    try {
      file = fs.createWriteStream(flags.out, { flags: 'w' });
      await new Promise<void>((resolve, reject) => file!.once('open', () => resolve()).once('error', reject));
    } catch (err) {
      throw new CliError(`Cannot write ${flags.out}: ${(err as Error).message}`);
    }
    out = file;
  }
  const selection: Iterable<string> | AsyncIterable<string> = flags.match?.length ? uniq(videoIdsMatching(flags.db, flags.match)) : ids;
  const summary = await writeUrlList(provider, selection, {
    what, format, concurrency: flags.concurrency,
    onVideo: (videoId, outcome) => {
      if ('error' in outcome) process.stderr.write(`vodup: ${videoId}: ${outcome.error.code}: ${outcome.error.message}\n`);
    },
  }, out);
  if (file) {
    file.end();
    await finished(file);
  }
  const where = flags.out ? ` to ${flags.out}` : '';
  if (flags.json && flags.out) {
    stdout.write(`${JSON.stringify({ ...summary, out: flags.out, format })}\n`);
  } else {
    process.stderr.write(`vodup: ${summary.urls} URL${summary.urls === 1 ? '' : 's'} of ${summary.videos} video${summary.videos === 1 ? '' : 's'} written${where}`
      + `${summary.failed > 0 ? `; ${summary.failed} could not be resolved (their rows carry error_code and error_message)` : ''}. The URLs expire: see expires_at.\n`);
  }
  return summary.failed > 0 ? EXIT.jobsFailed : EXIT.ok;
}

// What `vodup library`, `vodup edit` and `vodup delete` share: the filters of a search
// (as flags, or as `--match key=value` for the commands whose own flags already use the
// names), the LibraryService on the credentials' account, and the queue only to link
// videos to jobs (read, never created).

import fs from 'fs';
import { InvalidArgumentError } from 'commander';
import type { LibraryQuery, LibraryVideo, VideoOpResult } from '../../shared/library';
import { LibraryService } from '../engine/library/library-service';
import { openQueueStore, type QueueStore } from '../engine/store';
import type { LibraryProvider } from '../engine/library/library-service';
import { createProvider, loadCredentials } from './credentials';
import { CliError, EXIT } from './errors';
import { resolveDbPath } from './paths';

export interface FilterFlags {
  title?: string;
  cate?: number;
  tag?: string[];
  status?: string[];
  from?: number;
  to?: number;
  storage?: string;
  app?: string;
  sort?: 'asc' | 'desc';
}

const DATE_ONLY = /^\d{4}-\d{2}-\d{2}$/;

/** `2024-01-31` (UTC midnight) or an ISO time with its zone; `--to` with a date alone means through that day. */
export function dateFlag(end: boolean): (value: string) => number {
  return (value) => {
    const v = value.trim();
    const t = DATE_ONLY.test(v) ? Date.parse(`${v}T00:00:00Z`) : Date.parse(v);
    if (!Number.isFinite(t) || !/^\d{4}-\d{2}-\d{2}/.test(v)) {
      throw new InvalidArgumentError('Give a date as 2024-01-31 (UTC) or a time as 2024-01-31T08:00:00+08:00.');
    }
    return end && DATE_ONLY.test(v) ? t + 86_400_000 : t;
  };
}

export function collect(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(',').map((s) => s.trim()).filter(Boolean)];
}

export function cateFlag(value: string): number {
  const n = Number(value);
  if (!/^\s*\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n <= 0) throw new InvalidArgumentError('A category is a numeric CateId (see `vodup catalog`).');
  return n;
}

export function queryOf(f: FilterFlags): LibraryQuery {
  return {
    ...(f.title ? { title: f.title } : {}),
    ...(f.cate !== undefined ? { cateId: f.cate } : {}),
    ...(f.tag?.length ? { tags: f.tag } : {}),
    ...(f.status?.length ? { statuses: f.status } : {}),
    ...(f.from !== undefined ? { createdFrom: f.from } : {}),
    ...(f.to !== undefined ? { createdTo: f.to } : {}),
    ...(f.storage ? { storageLocation: f.storage } : {}),
    ...(f.app ? { appId: f.app } : {}),
    sort: f.sort === 'asc' ? 'CreationTime:Asc' : 'CreationTime:Desc',
  };
}

const MATCH_KEYS = ['title', 'cate', 'tag', 'status', 'from', 'to', 'storage', 'app'] as const;

/** `--match title=episode --match tag=s1 …`: the library's filters for edit and delete. */
export function parseMatchFlags(items: readonly string[]): FilterFlags {
  const f: FilterFlags = {};
  for (const item of items) {
    const eq = item.indexOf('=');
    const key = eq > 0 ? item.slice(0, eq).trim().toLowerCase() : '';
    const value = eq > 0 ? item.slice(eq + 1).trim() : '';
    if (!(MATCH_KEYS as readonly string[]).includes(key) || value === '') {
      throw new CliError(`--match "${item}" is not a filter: give key=value with key one of ${MATCH_KEYS.join(', ')} (as \`vodup library\` takes them), e.g. --match title=episode --match tag=s1.`);
    }
    try {
      switch (key) {
        case 'title': f.title = value; break;
        case 'cate': f.cate = cateFlag(value); break;
        case 'tag': f.tag = collect(value, f.tag); break;
        case 'status': f.status = collect(value, f.status); break;
        case 'from': f.from = dateFlag(false)(value); break;
        case 'to': f.to = dateFlag(true)(value); break;
        case 'storage': f.storage = value; break;
        case 'app': f.app = value; break;
      }
    } catch (err) {
      throw new CliError(`--match ${key}=${value}: ${(err as Error).message}`);
    }
  }
  return f;
}

export interface LibrarySession {
  service: LibraryService;
  /** Which cloud: its words for a video that is not there (notFoundResult). */
  provider: 'aliyun' | 'tencent';
  close(): void;
}

/** The result of an id the service does not know, in its cloud's words (as its library port reports one). */
export function notFoundResult(provider: LibrarySession['provider'], videoId: string, verb: string): VideoOpResult {
  return provider === 'tencent'
    ? { videoId, ok: false, code: 'ResourceNotFound.FileNotExist', message: `Tencent VOD has no media with this FileId; nothing to ${verb}.`, notFound: true }
    : { videoId, ok: false, code: 'InvalidVideo.NotFound', message: `VOD has no video with this id; nothing to ${verb}.`, notFound: true };
}

/** The service on the credentials' account; the queue at --db (if there is one) for job links. */
export function openLibrary(db: string | undefined, onProgress?: (done: number, total: number) => void): LibrarySession {
  const creds = loadCredentials();
  // Alibaba's or Tencent's (VOD_PROVIDER=tencent): both implement the library port.
  const provider = createProvider(creds) as unknown as LibraryProvider;
  const dbPath = resolveDbPath(db);
  let store: QueueStore | undefined;
  if (fs.existsSync(dbPath)) {
    try {
      store = openQueueStore(dbPath);
    } catch (err) {
      process.stderr.write(`vodup: the queue at ${dbPath} could not be read (${(err as Error).message}); videos are shown without their jobs.\n`);
    }
  }
  const service = new LibraryService({
    providerFor: () => provider,
    jobIdsForVideos: (ids) => store?.jobIdsForVideos(ids) ?? new Map(),
    onProgress,
  });
  return { service, provider: creds.provider === 'tencent' ? 'tencent' : 'aliyun', close: () => store?.close() };
}

/** Positional VideoIds, or the videos a --match finds (all pages); never both, never neither. */
export async function selectVideos(
  service: LibraryService, ids: readonly string[], match: readonly string[] | undefined,
): Promise<{ ids: string[]; videos?: LibraryVideo[] }> {
  if (ids.length > 0 && match?.length) throw new CliError('Give VideoIds or --match filters, not both.');
  if (ids.length > 0) {
    const bad = ids.find((id) => !/^[0-9a-zA-Z]{1,64}$/.test(id));
    if (bad) throw new CliError(`"${bad}" is not a VideoId (32 letters and digits, as \`vodup library\` lists them).`);
    return { ids: [...new Set(ids)] };
  }
  if (!match?.length) throw new CliError('Say which videos: give their VideoIds, or --match filters (e.g. --match title=episode --match cate=1000001).');
  const found = await service.searchAll({ ...queryOf(parseMatchFlags(match)), pageSize: 100 });
  return { ids: found.videos.map((v) => v.videoId), videos: found.videos };
}

/** One line per video (JSON, or words), then the count on stderr; exit 1 if any failed. */
export function reportResults(
  results: readonly VideoOpResult[], flags: { json?: boolean }, verb: { done: string; doing: string },
  out: NodeJS.WritableStream = process.stdout,
): number {
  for (const r of results) {
    if (flags.json) out.write(`${JSON.stringify(r)}\n`);
    else out.write(r.ok ? `${verb.done.padEnd(8)} ${r.videoId}${r.message ? `  (${r.message})` : ''}\n` : `failed   ${r.videoId}  ${r.code}: ${r.message ?? ''}\n`);
  }
  const failed = results.filter((r) => !r.ok).length;
  process.stderr.write(`${results.length - failed} ${verb.done}, ${failed} failed${failed ? ` — the failed ones were not ${verb.doing}; see each line for why` : ''}.\n`);
  return failed > 0 ? EXIT.jobsFailed : EXIT.ok;
}

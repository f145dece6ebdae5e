// URL lists: the fetchable items of any number of videos (source, streams per definition,
// cover, snapshots, sprites) with their URLs and when each expires, as CSV or JSON. The
// VOD console exports only the first 200 videos' URLs ("Download media files"); this
// streams through any selection, resolving `concurrency` videos at a time and writing
// rows in the selection's order as soon as they are known, so 100,000 videos never sit
// in memory and a pipe's reader sees rows from the first second.
//
// A video that cannot be resolved (deleted, not Normal yet for streams, refused) gets one
// row with its error instead of URLs: every video of the selection appears in the list.
// The URLs expire (expires_at): the list is for handing on now, not for keeping.

import type { DownloadWhat, MediaUrl } from '../../../shared/library';
import { classifyError } from '../errors';
import { csvField, UTF8_BOM } from '../results-export';
import type { MediaLibraryPort } from './port';

/**
 * The columns, in order: the CSV header and the JSON keys. A contract with whoever
 * imports the file: add columns at the end, never rename.
 */
export const URL_COLUMNS = [
  'video_id', 'title', 'key', 'kind', 'definition', 'format', 'url', 'expires_at', 'size_bytes', 'md5', 'file_name', 'encrypted',
  'error_code', 'error_message',
] as const;
export type UrlColumn = (typeof URL_COLUMNS)[number];
export type UrlRow = Record<UrlColumn, string | number | boolean | null>;

/** `csv` (UTF-8 with BOM, for Excel), `json` (one array), `ndjson` (one object per line, for pipes). */
export type UrlListFormat = 'csv' | 'json' | 'ndjson';

export const DEFAULT_URL_CONCURRENCY = 8;

export interface UrlListOptions {
  what: DownloadWhat;
  format: UrlListFormat;
  /** Videos resolved at once (each takes one to four VOD calls). */
  concurrency?: number;
  /** Called once per video, in order, after its rows are written. */
  onVideo?: (videoId: string, outcome: { urls: number } | { error: { code: string; message: string } }) => void;
}

export interface UrlListSummary {
  videos: number;
  urls: number;
  failed: number;
}

export function urlRow(m: MediaUrl): UrlRow {
  return {
    video_id: m.videoId,
    title: m.title,
    key: m.key,
    kind: m.kind,
    definition: m.definition ?? null,
    format: m.format ?? null,
    url: m.url,
    expires_at: m.expiresAt === undefined ? null : new Date(m.expiresAt).toISOString(),
    size_bytes: m.size ?? null,
    md5: m.md5 ?? null,
    file_name: m.fileName ?? null,
    encrypted: m.encrypted ?? false,
    error_code: null,
    error_message: null,
  };
}

function errorRow(videoId: string, code: string, message: string): UrlRow {
  const row = Object.fromEntries(URL_COLUMNS.map((c) => [c, null])) as UrlRow;
  return { ...row, video_id: videoId, error_code: code, error_message: message };
}

const csvValue = (v: string | number | boolean | null) => csvField(typeof v === 'boolean' ? (v ? 'true' : 'false') : v);
const csvLine = (row: UrlRow) => `${URL_COLUMNS.map((c) => csvValue(row[c])).join(',')}\r\n`;

/**
 * Writes the URL list of `videoIds` to `out` with back-pressure. Videos are resolved
 * `concurrency` at a time; the rows keep the selection's order. Never throws for one
 * video: its error becomes its row (and counts in `failed`).
 */
export async function writeUrlList(
  port: Pick<MediaLibraryPort, 'mediaUrls'>,
  videoIds: Iterable<string> | AsyncIterable<string>,
  opts: UrlListOptions,
  out: NodeJS.WritableStream,
): Promise<UrlListSummary> {
  const concurrency = Math.max(1, opts.concurrency ?? DEFAULT_URL_CONCURRENCY);
  const summary: UrlListSummary = { videos: 0, urls: 0, failed: 0 };
  let firstJson = true;
  const write = async (text: string): Promise<void> => {
    if (text && !out.write(text)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  };
  const render = (row: UrlRow): string => {
    if (opts.format === 'csv') return csvLine(row);
    if (opts.format === 'ndjson') return `${JSON.stringify(row)}\n`;
    const text = `${firstJson ? '' : ','}\n${JSON.stringify(row)}`;
    firstJson = false;
    return text;
  };

  type Resolved = { videoId: string; urls: MediaUrl[] } | { videoId: string; error: { code: string; message: string } };
  const resolve = (videoId: string): Promise<Resolved> => port.mediaUrls(videoId, opts.what).then(
    (urls) => ({ videoId, urls }),
    (err: unknown) => {
      const e = classifyError(err);
      return { videoId, error: { code: e.code, message: e.message } };
    },
  );
  const flush = async (r: Resolved): Promise<void> => {
    summary.videos++;
    if ('error' in r) {
      summary.failed++;
      await write(render(errorRow(r.videoId, r.error.code, r.error.message)));
      opts.onVideo?.(r.videoId, { error: r.error });
      return;
    }
    summary.urls += r.urls.length;
    await write(r.urls.map((m) => render(urlRow(m))).join(''));
    opts.onVideo?.(r.videoId, { urls: r.urls.length });
  };

  await write(opts.format === 'csv' ? UTF8_BOM + URL_COLUMNS.join(',') + '\r\n' : opts.format === 'json' ? '[' : '');
  // A window of `concurrency` resolutions in flight; the oldest is written first.
  const inFlight: Promise<Resolved>[] = [];
  for await (const raw of videoIds) {
    const videoId = raw.trim();
    if (!videoId) continue;
    inFlight.push(resolve(videoId));
    if (inFlight.length >= concurrency) await flush(await inFlight.shift()!);
  }
  while (inFlight.length > 0) await flush(await inFlight.shift()!);
  if (opts.format === 'json') await write(firstJson ? ']\n' : '\n]\n');
  return summary;
}

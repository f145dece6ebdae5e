// The results of a queue as a file for the CMS team: one row per job with its VideoId,
// state, VOD status, CRC-64, times, error and the metadata it was sent with (category,
// template group, tags). Read-only: it only pages through
// queryJobs (the store or the engine), a page at a time, so 100,000 jobs never sit in
// memory as JobViews at once.
//
// CSV is written by hand (RFC 4180 is a dozen lines) rather than with a CSV library:
// we only write, never parse, and the one rule — quote a field holding a comma, quote,
// CR or LF, doubling its quotes — is `csvField` below.

import type { ExportOptions, JobPage, JobQuery, JobView } from '../../shared/types';

/** Anything with the queue's paged query: QueueStore or the engine. */
export interface JobSource {
  queryJobs(q: JobQuery): JobPage;
}

export const EXPORT_PAGE_ROWS = 2000;

/**
 * The columns, in order; these names are the CSV header and the JSON keys, and they are
 * a contract with whoever imports the file: add columns at the end, never rename.
 */
export const EXPORT_COLUMNS = [
  'job_id', 'path', 'file_name', 'title', 'video_id', 'state', 'vod_status', 'size_bytes', 'crc64_hex',
  'created_at', 'started_at', 'finished_at', 'upload_seconds', 'average_bytes_per_second',
  'error_code', 'error_message',
  'category_id', 'template_group_id', 'tags',
  // The second direction (downloads): which way the job went and which item of the video.
  'kind', 'item_key',
  // The second cloud: whose id video_id is (aliyun: a VideoId; tencent: a FileId; its
  // category_id is a ClassId and its template_group_id a task flow, Procedure).
  'provider',
] as const;
export type ExportColumn = (typeof EXPORT_COLUMNS)[number];
export type ExportRow = Record<ExportColumn, string | number | null>;

const iso = (ms: number | undefined): string | null => (ms === undefined ? null : new Date(ms).toISOString());

/**
 * upload_seconds: from the first start of the upload to the job's end (ready, failed or
 * canceled), so it includes waits for the network and, for ready jobs, the wait for VOD
 * status Normal. The average speed is given only for jobs whose bytes all arrived.
 */
export function exportRow(j: JobView): ExportRow {
  const seconds = j.startedAt !== undefined && j.finishedAt !== undefined && j.finishedAt >= j.startedAt
    ? (j.finishedAt - j.startedAt) / 1000
    : null;
  const complete = j.state === 'ready' || j.state === 'review' || j.state === 'uploaded' || j.state === 'downloaded';
  return {
    job_id: j.id,
    path: j.path,
    file_name: j.fileName,
    title: j.meta.title,
    video_id: j.videoId ?? null,
    state: j.state,
    vod_status: j.vodStatus ?? null,
    size_bytes: j.size,
    crc64_hex: j.crc64 ?? null,
    created_at: iso(j.createdAt),
    started_at: iso(j.startedAt),
    finished_at: iso(j.finishedAt),
    upload_seconds: seconds,
    average_bytes_per_second: complete && seconds ? Math.round(j.size / seconds) : null,
    error_code: j.error?.code ?? null,
    error_message: j.error?.message ?? null,
    category_id: j.meta.cateId ?? null,
    template_group_id: j.meta.templateGroupId ?? null,
    // VOD's own form: comma-separated (a tag may not hold a comma, shared/validation).
    tags: j.meta.tags.length > 0 ? j.meta.tags.join(',') : null,
    kind: j.kind,
    item_key: j.download?.itemKey ?? null,
    provider: j.provider ?? 'aliyun',
  };
}

/**
 * RFC 4180: quote when the field holds a comma, a quote, CR or LF; double the quotes
 * inside. A text that a spreadsheet would run as a formula (=, +, -, @ first; titles
 * default to file names, which come from whoever delivered the files) gets a leading
 * apostrophe, the usual neutralisation; numbers stay numbers. JSON keeps values as they are.
 */
export function csvField(v: string | number | null): string {
  if (v === null) return '';
  if (typeof v === 'number') return String(v);
  const s = /^[=+\-@\t\r]/.test(v) ? `'${v}` : v;
  return /[",\r\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

const csvLine = (values: readonly (string | number | null)[]): string => `${values.map(csvField).join(',')}\r\n`;

/**
 * Excel on Windows opens a CSV without a byte-order mark in the ANSI code page (GBK on a
 * Chinese Windows, cp1252 elsewhere) and shows UTF-8 titles like 新闻 as mojibake; the
 * BOM makes it read UTF-8. Other tools (pandas, LibreOffice, csvkit) skip it.
 */
export const UTF8_BOM = '\uFEFF';

/** The export as text chunks, a page of jobs per chunk, in job id order. */
export function* exportChunks(source: JobSource, opts: ExportOptions): Generator<string> {
  const csv = opts.format === 'csv';
  yield csv ? UTF8_BOM + csvLine(EXPORT_COLUMNS) : '[';
  let first = true;
  // A selection is filtered out of the pages: one pass over the queue, in id order like the rest.
  const only = opts.ids ? new Set(opts.ids) : undefined;
  // Offset paging in id order: a job that changes tab during the export may be missed or
  // repeated at a page boundary; an export taken while the queue runs is a snapshot anyway.
  for (let offset = 0; ; offset += EXPORT_PAGE_ROWS) {
    const page = source.queryJobs({ tab: opts.tab, sort: 'id', offset, limit: EXPORT_PAGE_ROWS });
    if (page.rows.length === 0) break;
    let chunk = '';
    for (const j of page.rows) {
      if (only && !only.has(j.id)) continue;
      const row = exportRow(j);
      if (csv) chunk += csvLine(EXPORT_COLUMNS.map((c) => row[c]));
      else {
        chunk += `${first ? '' : ','}\n${JSON.stringify(row)}`;
        first = false;
      }
    }
    yield chunk;
    if (page.rows.length < EXPORT_PAGE_ROWS) break;
  }
  if (!csv) yield first ? ']\n' : '\n]\n';
}

/**
 * The whole export as one string (what the UI saves). It yields to the event loop after
 * each page: 100,000 jobs take about 2 s here, and the engine running in the same
 * process (Electron main, web mode) must keep uploading meanwhile.
 */
export async function exportResults(source: JobSource, opts: ExportOptions): Promise<string> {
  let out = '';
  for (const chunk of exportChunks(source, opts)) {
    out += chunk;
    await new Promise<void>((resolve) => setImmediate(resolve));
  }
  return out;
}

/** Writes the export with back-pressure (a pipe or a slow disk must not buffer the queue). */
export async function writeResults(source: JobSource, opts: ExportOptions, out: NodeJS.WritableStream): Promise<void> {
  for (const chunk of exportChunks(source, opts)) {
    if (!out.write(chunk)) await new Promise<void>((resolve) => out.once('drain', () => resolve()));
  }
}

/** E.g. "vod-results-done-20260131-142500.csv", "vod-results-selected-…" (local time: the operator's clock). */
export function exportFileName(opts: ExportOptions, now = new Date()): string {
  const p = (n: number) => String(n).padStart(2, '0');
  const stamp = `${now.getFullYear()}${p(now.getMonth() + 1)}${p(now.getDate())}-${p(now.getHours())}${p(now.getMinutes())}${p(now.getSeconds())}`;
  return `vod-results-${opts.ids ? 'selected' : opts.tab ?? 'all'}-${stamp}.${opts.format}`;
}

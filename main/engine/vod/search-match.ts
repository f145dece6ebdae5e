// A LibraryQuery as SearchMedia's Match and SortBy, and the opaque cursor that pages it.
//
// Match is VOD's media search protocol (https://help.aliyun.com/document_detail/86991.html,
// examples in https://help.aliyun.com/document_detail/99179.html): `Title = 'words'`
// (full-text), `CateId = 1000001`, `Tags in ('a','b')`, `Status in ('Normal','Checking')`,
// `CreationTime = ['2024-01-01T00:00:00Z','2024-02-01T00:00:00Z')` (square bracket closed,
// round open; an empty side open-ended), `StorageLocation = '…'`, `AppId = '…'`, joined
// by `and`. String values are single-quoted; a quote or backslash inside is escaped with
// a backslash (what searchVideosByTitle in vod-client.ts has always sent).
//
// Paging: SearchMedia's PageNo reaches only the first 5,000 results; its ScrollToken,
// passed back with the next PageNo, reaches the rest (https://help.aliyun.com/document_detail/86044.html:
// "if you page through more than 1,000 results, use method 2", the ScrollToken). So the
// cursor always carries the last page's ScrollToken with the next page number, and names
// the search it belongs to, so a cursor is never applied to another query.

import crypto from 'crypto';
import type { LibraryQuery } from '../../../shared/library';
import { EngineError } from '../errors';

/** SearchMedia's largest page. */
export const MAX_SEARCH_PAGE_SIZE = 100;
export const DEFAULT_SEARCH_PAGE_SIZE = 50;

/** A value inside single quotes: backslashes and quotes escaped. */
export function quote(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
}

/** VOD writes times as ISO-8601 UTC without milliseconds. */
function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

function badQuery(message: string): EngineError {
  return new EngineError({ kind: 'parameter', code: 'InvalidLibraryQuery', message, retryable: false, hint: 'Correct the search and try again.' });
}

/** The Match of a query; '' matches every video. */
export function buildMatch(q: LibraryQuery): string {
  const clauses: string[] = [];
  const title = q.title?.trim();
  if (title) clauses.push(`Title = ${quote(title)}`);
  if (q.cateId !== undefined) {
    if (!Number.isSafeInteger(q.cateId)) throw badQuery(`A category is a whole number (CateId); got ${q.cateId}.`);
    clauses.push(`CateId = ${q.cateId}`);
  }
  const tags = (q.tags ?? []).map((t) => t.trim()).filter(Boolean);
  if (tags.length > 0) clauses.push(`Tags in (${tags.map(quote).join(',')})`);
  const statuses = (q.statuses ?? []).filter(Boolean);
  if (statuses.length > 0) clauses.push(`Status in (${statuses.map(quote).join(',')})`);
  if (q.createdFrom !== undefined || q.createdTo !== undefined) {
    for (const t of [q.createdFrom, q.createdTo]) {
      if (t !== undefined && !Number.isFinite(t)) throw badQuery('A creation time bound is not a valid time.');
    }
    if (q.createdFrom !== undefined && q.createdTo !== undefined && q.createdFrom >= q.createdTo) {
      throw badQuery(`The creation time range is empty: from ${isoSeconds(q.createdFrom)} is not before to ${isoSeconds(q.createdTo)}.`);
    }
    // From inclusive, to exclusive: two adjacent ranges never count a video twice.
    const from = q.createdFrom !== undefined ? quote(isoSeconds(q.createdFrom)) : '';
    const to = q.createdTo !== undefined ? quote(isoSeconds(q.createdTo)) : '';
    clauses.push(`CreationTime = [${from},${to})`);
  }
  if (q.storageLocation?.trim()) clauses.push(`StorageLocation = ${quote(q.storageLocation.trim())}`);
  if (q.appId?.trim()) clauses.push(`AppId = ${quote(q.appId.trim())}`);
  return clauses.join(' and ');
}

export function sortOf(q: LibraryQuery): 'CreationTime:Desc' | 'CreationTime:Asc' {
  return q.sort ?? 'CreationTime:Desc';
}

export function pageSizeOf(q: LibraryQuery): number {
  const n = q.pageSize ?? DEFAULT_SEARCH_PAGE_SIZE;
  if (!Number.isSafeInteger(n) || n < 1 || n > MAX_SEARCH_PAGE_SIZE) throw badQuery(`A page holds 1 to ${MAX_SEARCH_PAGE_SIZE} videos; got ${n}.`);
  return n;
}

export interface SearchCursor {
  pageNo: number;
  pageSize: number;
  scrollToken?: string;
  /** Which search the cursor belongs to (a hash of Match and SortBy). */
  search: string;
}

export function searchKey(match: string, sortBy: string): string {
  return crypto.createHash('sha256').update(`${match}\n${sortBy}`).digest('hex').slice(0, 16);
}

export function encodeCursor(c: SearchCursor): string {
  return Buffer.from(JSON.stringify({ p: c.pageNo, s: c.pageSize, t: c.scrollToken, k: c.search })).toString('base64url');
}

/** The cursor of `query`, checked against the query it is used with. */
export function decodeCursor(cursor: string, match: string, sortBy: string): SearchCursor {
  let raw: unknown;
  try {
    raw = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    raw = undefined;
  }
  const o = raw as { p?: unknown; s?: unknown; t?: unknown; k?: unknown } | undefined;
  if (!o || typeof o !== 'object' || !Number.isSafeInteger(o.p) || (o.p as number) < 1 || !Number.isSafeInteger(o.s)
    || (o.t !== undefined && typeof o.t !== 'string') || typeof o.k !== 'string') {
    throw badQuery('The page cursor is not one this app made; search again from the first page.');
  }
  if (o.k !== searchKey(match, sortBy)) {
    throw badQuery('The page cursor belongs to another search (its filters or order changed); search again from the first page.');
  }
  return { pageNo: o.p as number, pageSize: o.s as number, scrollToken: o.t as string | undefined, search: o.k };
}

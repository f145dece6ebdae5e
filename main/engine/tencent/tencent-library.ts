// The library side of the Tencent provider (MediaLibraryPort, main/engine/library/port.ts;
// docs/ARCHITECTURE.md §3 "Library", docs/tencent-vod-notes.md "Library"), over the
// official SDK client (tc-vod-client.ts), errors through the Tencent classifier:
//
// - search = SearchMedia (https://cloud.tencent.com/document/api/266/31813): the shared
//   LibraryQuery as Names / ClassIds (a class and its subclasses) / Tags / Status /
//   CreateTime {After >=, Before <} / StorageRegions / Sort {CreateTime}. Offset + Limit
//   may not pass 5,000 and TotalCount stops at 5,000 ("paged query is not supported for
//   the excessive part"; narrow the search). So paging walks CreateTime windows: when the
//   next page would leave the window, a new search starts at the last second reached
//   (CreateTime is whole seconds), skipping the FileIds of that second already listed.
//   The cursor (opaque) holds the window's edge, those FileIds and the offset in it. A
//   title search is ranked by relevance, not time (Sort is ignored with Names): it pages
//   within the first 5,000 only.
// - details = DescribeMediaInfos, 20 FileIds a call, with TranscodeInfo,
//   SnapshotByTimeOffsetInfo and ImageSpriteInfo (MediaInfo in vod_models.d.ts).
// - edit = ModifyMediaInfo, one call per FileId (ModifyMediaInfoRequest in vod_models.d.ts):
//   Name, Description, ClassId, tags as AddTags/DeleteTags against the current TagSet (or
//   ClearTags). Setting values, so a resend after a lost answer is harmless.
// - delete = DeleteMedia (https://cloud.tencent.com/document/api/266/31764), the whole media
//   or DeleteParts OriginalFiles (the source only).
// - transcode again = ProcessMediaByProcedure (https://www.tencentcloud.com/document/product/266/34124)
//   with a task flow; its SessionId de-duplicates for 7 days, so a request whose answer
//   was lost is sent again with the same SessionId and a refusal of it means the first
//   arrived.
// - mediaUrls: the source (BasicInfo.MediaUrl), transcodes (TranscodeInfo, per template
//   "definition" such as 100030), the cover, time-offset snapshots and sprites. VOD hands
//   out plain URLs; a distribution domain with Key hotlink protection
//   (https://cloud.tencent.com/document/product/266/14047) refuses them unsigned, so each is
//   signed here with the domain's key from DescribeVodDomains
//   (UrlSignatureAuthPolicy.EncryptedKey): `t` (hex expiry) and
//   `sign = md5(KEY + Dir + t)`. The URL then expires at `t`; unsigned URLs say nothing.

import crypto from 'node:crypto';
import type {
  DownloadWhat, LibraryPage, LibraryQuery, LibraryVideo, LibraryVideoDetails, MediaUrl, StreamInfo, VideoOpResult, VideoPatch,
} from '../../../shared/library';
import type { VodStatus } from '../../../shared/types';
import { EngineError } from '../errors';
import { fileNameOf, mapLimit } from '../library/adapter-util';
import { classifyTc, type TcVodClient } from './tc-vod-client';

/** SearchMedia: Offset + Limit at most this (the API reference's window). */
export const TC_SEARCH_WINDOW = 5000;
/** DescribeMediaInfos takes at most 20 FileIds. */
const DESCRIBE_BATCH = 20;
const DEFAULT_PAGE_SIZE = 50;
const MAX_PAGE_SIZE = 100;
/** Per-file writes (ModifyMediaInfo, DeleteMedia, ProcessMediaByProcedure) at once. */
const WRITE_CONCURRENCY = 4;
/** DescribeVodDomains' answer is kept this long (key changes are rare; a refused URL asks again). */
const DOMAIN_CACHE_MS = 10 * 60_000;
export const DEFAULT_TC_URL_TTL_SEC = 3600;
/** ProcessMediaByProcedure: sends of one request (the first, then resends after lost answers). */
const TRANSCODE_SENDS = 3;
export const TC_FILE_NOT_FOUND = 'ResourceNotFound.FileNotExist';

type Json = Record<string, unknown>;

interface TcMedia {
  FileId?: string;
  BasicInfo?: {
    Name?: string; Description?: string; CreateTime?: string; ClassId?: number; ClassName?: string; ClassPath?: string;
    CoverUrl?: string; Type?: string; MediaUrl?: string; StorageRegion?: string; TagSet?: string[]; Status?: string;
  } | null;
  MetaData?: { Size?: number; Duration?: number; Md5?: string; Container?: string } | null;
  TranscodeInfo?: { TranscodeSet?: Array<{ Url?: string; Definition?: number; Bitrate?: number; Height?: number; Width?: number; Size?: number; Duration?: number; Md5?: string; Container?: string }> } | null;
  SnapshotByTimeOffsetInfo?: { SnapshotByTimeOffsetSet?: Array<{ Definition?: number; PicInfoSet?: Array<{ TimeOffset?: number; Url?: string }> }> } | null;
  ImageSpriteInfo?: { ImageSpriteSet?: Array<{ Definition?: number; ImageUrlSet?: string[] }> } | null;
}

interface DomainPolicy { domain: string; key?: string }

function badQuery(message: string): EngineError {
  return new EngineError({ kind: 'parameter', code: 'InvalidLibraryQuery', message, retryable: false, hint: 'Correct the search and try again.' });
}

const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
const secondOf = (iso: string | undefined) => {
  const t = iso ? Date.parse(iso) : NaN;
  return Number.isFinite(t) ? Math.floor(t / 1000) : undefined;
};
const hexMd5 = (s: string | undefined) => (s && /^[0-9a-f]{32}$/i.test(s) ? s.toLowerCase() : undefined);
const num = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function extOf(url: string): string {
  const name = fileNameOf(url) ?? '';
  const dot = name.lastIndexOf('.');
  return dot < 0 ? '' : name.slice(dot + 1).toLowerCase();
}

/** Tencent's media Status onto the app's: Forbidden / SystemForbidden are Blocked. */
export function tencentMediaStatus(status: string | undefined): VodStatus {
  if (status === 'Forbidden' || status === 'SystemForbidden') return 'Blocked';
  return status ?? 'Normal';
}

/** The app's status filter as SearchMedia's Status (Normal, Forbidden, SystemForbidden are all there are). */
function statusFilter(statuses: readonly string[]): string[] {
  const out = new Set<string>();
  for (const s of statuses) {
    if (s === 'Normal' || s === 'Forbidden' || s === 'SystemForbidden') out.add(s);
    else if (s === 'Blocked') {
      out.add('Forbidden');
      out.add('SystemForbidden');
    } else {
      throw badQuery(`Tencent VOD filters media by status Normal or Blocked (Forbidden, SystemForbidden) only; "${s}" is not one.`);
    }
  }
  return [...out];
}

interface TcCursor {
  /** The search it belongs to. */
  k: string;
  /** Offset in the current window. */
  o: number;
  /** Page size. */
  l: number;
  /** The window's edge: a unix second (inclusive), absent for the first window. */
  e?: number;
  /** FileIds at the edge second already listed (skipped in this window). */
  x?: string[];
  /** Media listed in earlier windows (for the total). */
  n?: number;
  /** The last second listed in this window and its FileIds so far. */
  ls?: number;
  ly?: string[];
}

function encode(c: TcCursor): string {
  return Buffer.from(JSON.stringify(c)).toString('base64url');
}

function decode(cursor: string, key: string): TcCursor {
  let o: Partial<TcCursor> | undefined;
  try {
    o = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as Partial<TcCursor>;
  } catch {
    o = undefined;
  }
  if (!o || typeof o.k !== 'string' || !Number.isSafeInteger(o.o) || !Number.isSafeInteger(o.l)
    || (o.e !== undefined && !Number.isSafeInteger(o.e)) || (o.x !== undefined && !Array.isArray(o.x))) {
    throw badQuery('The page cursor is not one this app made; search again from the first page.');
  }
  if (o.k !== key) throw badQuery('The page cursor belongs to another search (its filters or order changed); search again from the first page.');
  return o as TcCursor;
}

/** A per-file failure as the one result of that file. */
function failed(fileId: string, err: unknown, opts: { resendSafe: boolean }): VideoOpResult {
  const e = classifyTc(err);
  if (e.code === TC_FILE_NOT_FOUND) {
    return { videoId: fileId, ok: false, code: e.code, message: 'Tencent VOD has no media with this FileId (deleted, or in another application).', notFound: true };
  }
  const unknown = e.kind === 'network';
  return {
    videoId: fileId, ok: false, code: e.code,
    message: unknown ? `${e.message} (the request may have reached Tencent VOD)` : e.message,
    retryable: e.retryable && (opts.resendSafe || !unknown),
    ...(unknown ? { outcomeUnknown: true } : {}),
  };
}

export interface TencentLibraryOptions {
  /** Seconds a signed media URL stays valid (default 3,600). */
  urlTtlSec?: number;
  now?: () => number;
}

export class TencentLibrary {
  private domains: { at: number; list: DomainPolicy[] } | undefined;
  private readonly now: () => number;

  constructor(private readonly client: TcVodClient, private readonly opts: TencentLibraryOptions = {}) {
    this.now = opts.now ?? Date.now;
  }

  // --- search ------------------------------------------------------------------

  /** SearchMedia's filters for a LibraryQuery (paging and the window's edge apart). */
  private filters(q: LibraryQuery): Json {
    const p: Json = {};
    if (q.title?.trim()) p.Names = [q.title.trim()];
    if (q.cateId !== undefined) p.ClassIds = [q.cateId];
    if (q.tags?.length) p.Tags = [...q.tags];
    if (q.statuses?.length) p.Status = statusFilter(q.statuses);
    if (q.storageLocation?.trim()) p.StorageRegions = [q.storageLocation.trim()];
    if (q.appId?.trim()) {
      const sub = Number(q.appId.trim());
      if (!Number.isSafeInteger(sub)) throw badQuery(`A Tencent application is its numeric SubAppId; "${q.appId}" is not one.`);
      p.SubAppId = sub;
    }
    return p;
  }

  async searchVideos(query: LibraryQuery): Promise<LibraryPage> {
    const pageSize = query.pageSize ?? DEFAULT_PAGE_SIZE;
    if (!Number.isSafeInteger(pageSize) || pageSize < 1 || pageSize > MAX_PAGE_SIZE) throw badQuery(`A page holds 1 to ${MAX_PAGE_SIZE} media; got ${pageSize}.`);
    const asc = query.sort === 'CreationTime:Asc';
    const base = this.filters(query);
    const byRelevance = base.Names !== undefined;
    // Times are whole seconds: [from, to) in ms is [ceil(from), ceil(to)) in seconds.
    const fromSec = query.createdFrom !== undefined ? Math.ceil(query.createdFrom / 1000) : undefined;
    const toSec = query.createdTo !== undefined ? Math.ceil(query.createdTo / 1000) : undefined;
    const key = crypto.createHash('sha256').update(JSON.stringify([base, fromSec, toSec, asc])).digest('hex').slice(0, 16);
    const at: TcCursor = query.cursor ? decode(query.cursor, key) : { k: key, o: 0, l: pageSize };
    // The window: the query's range, narrowed to start at the edge second (inclusive).
    let after = fromSec;
    let before = toSec;
    if (at.e !== undefined) {
      if (asc) after = Math.max(after ?? at.e, at.e);
      else before = Math.min(before ?? at.e + 1, at.e + 1);
    }
    const res = await this.client.call<{ TotalCount?: number; MediaInfoSet?: TcMedia[] }>('SearchMedia', {
      ...base,
      ...(after !== undefined || before !== undefined ? {
        CreateTime: { ...(after !== undefined ? { After: isoSeconds(after * 1000) } : {}), ...(before !== undefined ? { Before: isoSeconds(before * 1000) } : {}) },
      } : {}),
      ...(byRelevance ? {} : { Sort: { Field: 'CreateTime', Order: asc ? 'Asc' : 'Desc' } }),
      Filters: ['basicInfo', 'metaData'],
      Offset: at.o,
      Limit: at.l,
    });
    const raw = (res.MediaInfoSet ?? []).filter((m) => typeof m.FileId === 'string');
    const skip = new Set(at.x ?? []);
    const policies = await this.viewPolicies();
    const videos = raw.filter((m) => !skip.has(m.FileId!)).map((m) => this.toVideo(m, policies));
    const windowTotal = num(res.TotalCount) ?? raw.length;
    const listedBefore = at.n ?? 0;
    const total = listedBefore + windowTotal - skip.size;
    const reached = at.o + raw.length;
    // 5,000 means "5,000 or more": more may follow the window even when it is used up.
    const more = raw.length === at.l && (reached < windowTotal || windowTotal >= TC_SEARCH_WINDOW);
    if (!more) return { videos, total: Math.max(total, listedBefore + videos.length) };
    // The FileIds of the last second listed so far in this window (a second may span pages).
    const lastSec = secondOf(raw[raw.length - 1].BasicInfo?.CreateTime);
    if (lastSec === undefined) throw new EngineError({ kind: 'server', code: 'MalformedResponse', retryable: true, message: 'SearchMedia gave a media without CreateTime; the next page cannot be found.' });
    const atLast = raw.filter((m) => secondOf(m.BasicInfo?.CreateTime) === lastSec).map((m) => m.FileId!);
    const lastIds = [...new Set([...(at.ls === lastSec ? at.ly ?? [] : []), ...atLast])];
    let next: TcCursor;
    if (reached + at.l <= TC_SEARCH_WINDOW) {
      next = { ...at, o: reached, ls: lastSec, ly: lastIds };
    } else if (byRelevance) {
      // Ranked by relevance, not time: no window to move to (docs/tencent-vod-notes.md "Library").
      return { videos, total };
    } else {
      if (at.e === lastSec || lastIds.length >= TC_SEARCH_WINDOW - at.l) {
        throw new EngineError({
          kind: 'parameter', code: 'SearchWindowFull', retryable: false,
          message: `Too many media were created in the same second (${isoSeconds(lastSec * 1000)}) for Tencent's search to page past them (it reaches ${TC_SEARCH_WINDOW} results at a time).`,
          hint: 'Narrow the search (a class, tags or a title) to see the rest.',
        });
      }
      // A new window from the last second reached; what of that second is listed is skipped.
      next = { k: key, o: 0, l: at.l, e: lastSec, x: lastIds, n: listedBefore + reached - skip.size };
    }
    return { videos, total, next: encode(next) };
  }

  /**
   * The domains' keys for links the Library shows (cover, snapshots): a search or details
   * still answer when DescribeVodDomains is refused (a CAM user without it), links unsigned.
   */
  private viewPolicies(): Promise<DomainPolicy[]> {
    return this.domainPolicies().catch(() => []);
  }

  private toVideo(m: TcMedia, policies: readonly DomainPolicy[]): LibraryVideo {
    const b = m.BasicInfo ?? {};
    const created = b.CreateTime ? Date.parse(b.CreateTime) : NaN;
    const sub = this.client.subAppId;
    return {
      videoId: m.FileId!,
      title: b.Name ?? '',
      status: tencentMediaStatus(b.Status),
      ...(b.Description ? { description: b.Description } : {}),
      ...(num(b.ClassId) !== undefined ? { cateId: b.ClassId } : {}),
      ...(b.ClassPath || b.ClassName ? { cateName: b.ClassPath || b.ClassName } : {}),
      tags: [...(b.TagSet ?? [])],
      ...(num(m.MetaData?.Duration) ? { duration: m.MetaData!.Duration } : {}),
      ...(num(m.MetaData?.Size) !== undefined ? { size: m.MetaData!.Size } : {}),
      ...(b.CoverUrl ? { coverUrl: this.signUrl(b.CoverUrl, policies, this.opts.urlTtlSec ?? DEFAULT_TC_URL_TTL_SEC).url } : {}),
      createdAt: Number.isFinite(created) ? created : 0,
      ...(b.StorageRegion ? { storageLocation: b.StorageRegion } : {}),
      ...(sub !== undefined ? { appId: String(sub) } : {}),
    };
  }

  // --- details -----------------------------------------------------------------

  private async describe(fileIds: readonly string[], filters: string[]): Promise<Map<string, TcMedia | undefined>> {
    const out = new Map<string, TcMedia | undefined>();
    for (let i = 0; i < fileIds.length; i += DESCRIBE_BATCH) {
      const batch = fileIds.slice(i, i + DESCRIBE_BATCH);
      const res = await this.client.call<{ MediaInfoSet?: TcMedia[]; NotExistFileIdSet?: string[] }>('DescribeMediaInfos', { FileIds: batch, Filters: filters });
      for (const m of res.MediaInfoSet ?? []) if (m.FileId) out.set(m.FileId, m);
      for (const id of res.NotExistFileIdSet ?? []) out.set(id, undefined);
    }
    return out;
  }

  async getVideoDetails(fileIds: readonly string[], opts: { basicOnly?: boolean } = {}): Promise<Map<string, LibraryVideoDetails | undefined>> {
    const filters = opts.basicOnly ? ['basicInfo', 'metaData'] : ['basicInfo', 'metaData', 'transcodeInfo', 'snapshotByTimeOffsetInfo'];
    const [found, policies] = await Promise.all([this.describe(fileIds, filters), this.viewPolicies()]);
    const ttl = this.opts.urlTtlSec ?? DEFAULT_TC_URL_TTL_SEC;
    const out = new Map<string, LibraryVideoDetails | undefined>();
    for (const id of fileIds) {
      const m = found.get(id);
      if (!m) {
        out.set(id, undefined);
        continue;
      }
      const streams: StreamInfo[] = (m.TranscodeInfo?.TranscodeSet ?? []).filter((t) => t.Url && t.Definition).map((t) => ({
        definition: String(t.Definition), format: (t.Container || extOf(t.Url!)).toLowerCase(),
        ...(num(t.Size) ? { size: t.Size } : {}), ...(num(t.Bitrate) ? { bitrate: t.Bitrate } : {}),
        ...(num(t.Width) ? { width: t.Width } : {}), ...(num(t.Height) ? { height: t.Height } : {}), ...(num(t.Duration) ? { duration: t.Duration } : {}),
      }));
      const snapshots = (m.SnapshotByTimeOffsetInfo?.SnapshotByTimeOffsetSet ?? []).flatMap((s) => (s.PicInfoSet ?? []).map((p) => p.Url))
        .filter((u): u is string => !!u).map((u) => this.signUrl(u, policies, ttl).url);
      const mediaUrl = m.BasicInfo?.MediaUrl;
      const md5 = hexMd5(m.MetaData?.Md5 ?? undefined);
      out.set(id, {
        ...this.toVideo(m, policies), streams, snapshots,
        ...(mediaUrl ? { source: { ...(fileNameOf(mediaUrl) ? { fileName: fileNameOf(mediaUrl) } : {}), ...(num(m.MetaData?.Size) !== undefined ? { size: m.MetaData!.Size } : {}), ...(md5 ? { md5 } : {}) } } : {}),
      });
    }
    return out;
  }

  // --- bulk edit, delete, transcode ------------------------------------------------

  async updateVideos(patches: readonly VideoPatch[]): Promise<VideoOpResult[]> {
    // The current tags decide AddTags / DeleteTags (ModifyMediaInfo has no "set").
    let current: Map<string, TcMedia | undefined>;
    try {
      current = await this.describe(patches.filter((p) => p.tags !== undefined).map((p) => p.videoId), ['basicInfo']);
    } catch (err) {
      return patches.map((p) => failed(p.videoId, err, { resendSafe: true }));
    }
    return mapLimit(patches, WRITE_CONCURRENCY, async (p): Promise<VideoOpResult> => {
      if (p.coverUrl !== undefined) {
        return { videoId: p.videoId, ok: false, code: 'CoverUrlUnsupported', message: 'Tencent VOD takes a new cover as image bytes (CoverData), not a URL; the cover was not changed, nor anything else of this media.' };
      }
      if (p.tags !== undefined && current.has(p.videoId) && current.get(p.videoId) === undefined) {
        return { videoId: p.videoId, ok: false, code: TC_FILE_NOT_FOUND, message: 'Tencent VOD has no media with this FileId (deleted, or in another application).', notFound: true };
      }
      const params: Json = { FileId: p.videoId };
      if (p.title !== undefined) params.Name = p.title;
      if (p.description !== undefined) params.Description = p.description;
      if (p.cateId !== undefined) params.ClassId = p.cateId;
      if (p.tags !== undefined) {
        const want = [...new Set(p.tags)];
        const have = current.get(p.videoId)?.BasicInfo?.TagSet ?? [];
        if (want.length === 0) {
          if (have.length > 0) params.ClearTags = 1;
        } else {
          const add = want.filter((t) => !have.includes(t));
          const del = have.filter((t) => !want.includes(t));
          if (add.length) params.AddTags = add;
          if (del.length) params.DeleteTags = del;
        }
      }
      try {
        await this.client.call('ModifyMediaInfo', params, { once: true });
        return { videoId: p.videoId, ok: true };
      } catch (err) {
        return failed(p.videoId, err, { resendSafe: true });
      }
    });
  }

  async deleteVideos(fileIds: readonly string[], opts: { sourceOnly?: boolean } = {}): Promise<VideoOpResult[]> {
    return mapLimit(fileIds, WRITE_CONCURRENCY, async (id): Promise<VideoOpResult> => {
      try {
        await this.client.call('DeleteMedia', { FileId: id, ...(opts.sourceOnly ? { DeleteParts: [{ Type: 'OriginalFiles' }] } : {}) }, { once: true });
        return { videoId: id, ok: true };
      } catch (err) {
        return failed(id, err, { resendSafe: true });
      }
    });
  }

  async submitTranscode(fileIds: readonly string[], procedureName: string): Promise<VideoOpResult[]> {
    return mapLimit(fileIds, WRITE_CONCURRENCY, async (id): Promise<VideoOpResult> => {
      // One SessionId for every send of this request: the API refuses it again for 7 days.
      const sessionId = `vodup-${id}-${crypto.randomBytes(6).toString('hex')}`.slice(0, 50);
      let lost = false;
      for (let send = 1; ; send++) {
        try {
          await this.client.call('ProcessMediaByProcedure', { FileId: id, ProcedureName: procedureName, SessionId: sessionId }, { once: true });
          return { videoId: id, ok: true };
        } catch (err) {
          const e = classifyTc(err);
          if (lost && e.code === 'InvalidParameterValue.SessionId') {
            return { videoId: id, ok: true, message: 'A send whose answer was lost started the task flow (Tencent refused the same SessionId again).' };
          }
          if (e.kind === 'network' && send < TRANSCODE_SENDS) {
            lost = true;
            continue;
          }
          // Not resendable by the library service: a new request would have a new SessionId.
          return failed(id, err, { resendSafe: false });
        }
      }
    });
  }

  // --- media URLs ------------------------------------------------------------------

  /** The distribution domains and their Key hotlink protection keys (DescribeVodDomains, cached). */
  private async domainPolicies(): Promise<DomainPolicy[]> {
    if (this.domains && this.now() - this.domains.at < DOMAIN_CACHE_MS) return this.domains.list;
    const list: DomainPolicy[] = [];
    for (let offset = 0; ; offset += 100) {
      const res = await this.client.call<{ TotalCount?: number; DomainSet?: Array<{ Domain?: string; UrlSignatureAuthPolicy?: { Status?: string; EncryptedKey?: string } }> }>(
        'DescribeVodDomains', { Offset: offset, Limit: 100 },
      );
      const set = res.DomainSet ?? [];
      for (const d of set) {
        if (!d.Domain) continue;
        const p = d.UrlSignatureAuthPolicy;
        list.push({ domain: d.Domain.toLowerCase(), ...(p?.Status === 'Enabled' && p.EncryptedKey ? { key: p.EncryptedKey } : {}) });
      }
      if (set.length < 100 || list.length >= (res.TotalCount ?? 0)) break;
    }
    this.domains = { at: this.now(), list };
    return list;
  }

  /**
   * The URL signed for its domain when that domain has Key hotlink protection
   * (`?t=<hex expiry>&sign=md5(KEY + Dir + t)`, Dir = the path up to its last "/"), with
   * when it expires; as given otherwise.
   */
  signUrl(url: string, policies: readonly DomainPolicy[], ttlSec: number): { url: string; expiresAt?: number } {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      return { url };
    }
    const policy = policies.find((p) => p.domain === u.host.toLowerCase() || p.domain === u.hostname.toLowerCase());
    if (!policy?.key) return { url };
    const expires = Math.floor(this.now() / 1000) + ttlSec;
    const t = expires.toString(16);
    const dir = u.pathname.slice(0, u.pathname.lastIndexOf('/') + 1);
    const sign = crypto.createHash('md5').update(`${policy.key}${dir}${t}`).digest('hex');
    u.search = '';
    return { url: `${u.toString()}?t=${t}&sign=${sign}`, expiresAt: expires * 1000 };
  }

  async mediaUrls(fileId: string, what: DownloadWhat): Promise<MediaUrl[]> {
    const filters = ['basicInfo', 'metaData'];
    if (what.streams) filters.push('transcodeInfo');
    if (what.snapshots) filters.push('snapshotByTimeOffsetInfo');
    if (what.sprites) filters.push('imageSpriteInfo');
    const [found, policies] = await Promise.all([this.describe([fileId], filters), this.domainPolicies()]);
    const m = found.get(fileId);
    if (!m) throw new EngineError({ kind: 'notFound', code: 'FileIdNotFound', retryable: false, message: `Tencent VOD does not know FileId ${fileId} (it may have been deleted).` });
    const ttl = this.opts.urlTtlSec ?? DEFAULT_TC_URL_TTL_SEC;
    const base = { videoId: fileId, title: m.BasicInfo?.Name ?? '' };
    const item = (rest: Omit<MediaUrl, 'videoId' | 'title' | 'url' | 'expiresAt'>, plain: string): MediaUrl => {
      const signed = this.signUrl(plain, policies, ttl);
      return { ...base, ...rest, url: signed.url, ...(signed.expiresAt !== undefined ? { expiresAt: signed.expiresAt } : {}), fileName: rest.fileName ?? fileNameOf(plain) };
    };
    const out: MediaUrl[] = [];
    const source = m.BasicInfo?.MediaUrl;
    if (what.source && source) {
      const md5 = hexMd5(m.MetaData?.Md5 ?? undefined);
      out.push(item({ key: 'source', kind: 'source', ...(num(m.MetaData?.Size) ? { size: m.MetaData!.Size } : {}), ...(md5 ? { md5 } : {}) }, source));
    }
    if (what.streams) {
      const defs = what.streams.definitions?.length ? new Set(what.streams.definitions.map(String)) : undefined;
      const formats = what.streams.formats?.length ? new Set(what.streams.formats.map((f) => f.toLowerCase())) : undefined;
      for (const t of m.TranscodeInfo?.TranscodeSet ?? []) {
        // Definition 0 is the original file: that is `source`.
        if (!t.Url || !t.Definition) continue;
        const definition = String(t.Definition);
        const format = (t.Container || extOf(t.Url)).toLowerCase();
        if ((defs && !defs.has(definition)) || (formats && !formats.has(format))) continue;
        const md5 = hexMd5(t.Md5);
        out.push(item({ key: `stream:${definition}:${format}`, kind: 'stream', definition, format, ...(num(t.Size) ? { size: t.Size } : {}), ...(md5 ? { md5 } : {}) }, t.Url));
      }
    }
    if (what.cover && m.BasicInfo?.CoverUrl) out.push(item({ key: 'cover', kind: 'cover' }, m.BasicInfo.CoverUrl));
    if (what.snapshots) {
      let n = 0;
      for (const s of m.SnapshotByTimeOffsetInfo?.SnapshotByTimeOffsetSet ?? []) {
        for (const p of s.PicInfoSet ?? []) if (p.Url) out.push(item({ key: `snapshot:${++n}`, kind: 'snapshot' }, p.Url));
      }
    }
    if (what.sprites) {
      let n = 0;
      for (const s of m.ImageSpriteInfo?.ImageSpriteSet ?? []) {
        for (const u of s.ImageUrlSet ?? []) out.push(item({ key: `sprite:${++n}`, kind: 'sprite' }, u));
      }
    }
    return out;
  }
}

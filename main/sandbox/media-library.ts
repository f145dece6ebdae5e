// The sandbox's media library: SearchMedia over an index sorted by creation time (with
// its 5,000-result window and ScrollToken), UpdateVideoInfos, DeleteVideo,
// DeleteMezzanines, SubmitTranscodeJobs, and seeding many videos at once for tests and
// the UI. Kept apart from vod-api.ts (the upload actions); registered in its ACTIONS.
//
// Sources (official docs):
// - SearchMedia: https://help.aliyun.com/document_detail/86044.html and
//   https://www.alibabacloud.com/help/en/vod/developer-reference/api-vod-2017-03-21-searchmedia
//   PageSize ≤ 100; PageNo·PageSize reaches the first 5,000 results; past them
//   ("Method 2: traverse all data", video and audio only) PageNo, PageSize and ScrollToken,
//   moving at most 100 records forward from the current page per call. ScrollToken: 32
//   characters, "records the current position of queried data" (the SDKs' field docs,
//   alibabacloud-go/vod-20170321 SearchMediaRequest). SortBy CreationTime:Desc (default) or :Asc.
// - Match syntax: search-match.ts.
// - UpdateVideoInfos: https://help.aliyun.com/document_detail/86043.htm — UpdateContent, a
//   JSON array of at most 20 {VideoId, Title, Description, Tags, CoverURL, CateId};
//   more is refused with CountExceededMax; NonExistVideoIds / ForbiddenVideoIds answered.
// - DeleteVideo: https://www.alibabacloud.com/help/doc-detail/52837.htm (VideoIds, ≤ 20).
// - DeleteMezzanines: https://help.aliyun.com/document_detail/93109.html — VideoIds ≤ 20,
//   Force; a video played from its source (no transcoding) keeps it unless Force=true
//   (UnRemoveableVideoIds), NonExistVideoIds.

import { NO_TRANSCODE_GROUP_ID, TEMPLATE_GROUPS, DEFAULT_APP_ID } from './catalog';
import type { SandboxCore } from './core';
import { hexId, isoSeconds } from './ids';
import { compileMatch, creationWindow, parseMatch, type MatchSubject } from './search-match';
import type { VideoRecord } from './state';
import { category, checkDescription, checkTitle, parseTagList, videoView } from './vod-api';
import { RpcError } from './vod-signature';

type Params = Record<string, string | undefined>;
type Body = Record<string, unknown>;

/** PageNo·PageSize may reach this many results without a ScrollToken. */
export const SEARCH_WINDOW = 5_000;
/** With a ScrollToken, one call moves at most this many records past the current page. */
export const SCROLL_STEP = 100;
export const MAX_PAGE_SIZE = 100;
/** UpdateVideoInfos, DeleteVideo and DeleteMezzanines take at most 20 ids a call. */
export const MAX_IDS_PER_CALL = 20;
/**
 * An unused ScrollToken is forgotten after this long. VOD does not document a lifetime;
 * a search session that sits idle for minutes is what search engines (Elasticsearch's
 * scroll keep-alive) let expire, so a client must cope with a refused token.
 */
export const DEFAULT_SCROLL_TTL_MS = 10 * 60_000;
/** Scroll sessions kept at once (each holds its result list); the least recently used go first. */
const MAX_SCROLLS = 64;

const invalid = (message: string) => new RpcError(400, 'InvalidParameter', message);

/**
 * Title words as a full-text index sees them: runs of letters/digits, lower-cased, and
 * each CJK character on its own (no dictionary segmentation).
 */
export function words(s: string): string[] {
  return s.toLowerCase().match(/[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]|[\p{L}\p{N}]+/gu) ?? [];
}

/**
 * VOD's media search protocol matches Title fuzzily (a full-text field), not exactly:
 * `Title = 'clip 1'` also finds "clip 10" and "1 clip". A caller that needs one exact
 * title must compare the titles it gets back. Loose here means: the query is a
 * case-insensitive substring of the title, or every word of the query is a word of it.
 */
export function looseMatch(text: string, query: string): boolean {
  return looseMatcher(query)(text.toLowerCase(), () => new Set(words(text)));
}

/**
 * looseMatch with the query's words worked out once, for a scan of many titles: the
 * title comes lower-cased, and its word set only when the cheap substring tests pass.
 */
export function looseMatcher(query: string): (lowerText: string, textWords: () => ReadonlySet<string>) => boolean {
  const q = query.toLowerCase();
  const want = words(query);
  return (lower, textWords) => {
    if (lower.includes(q)) return true;
    if (want.length === 0 || !want.every((w) => lower.includes(w))) return false;
    const have = textWords();
    return want.every((w) => have.has(w));
  };
}

interface ScrollSession {
  token: string;
  /** Match + SortBy the session was made for: a token answers only its own search. */
  key: string;
  ids: string[];
  /** Start and end (exclusive) of the last page served. */
  pageStart: number;
  pageEnd: number;
  lastUsed: number;
}

export interface SeedOptions {
  count: number;
  titlePrefix?: string;
  cateId?: number;
  tags?: string[];
  /** A status to pin (default Normal, as if uploaded and transcoded). */
  status?: string;
  /** Creation times spread from here, `stepMs` apart (default: ending now, 1 s apart). */
  createdFrom?: number;
  stepMs?: number;
  appId?: string;
  description?: string;
  size?: number;
}

/**
 * The library half of the sandbox's state: the creation-time index over core.data.videos
 * and the live scroll sessions. Videos are added and removed through here so the index
 * stays sorted without re-sorting 100,000 records on every search.
 */
export class MediaLibrary {
  private index: VideoRecord[] | undefined;
  private readonly titleCache = new WeakMap<VideoRecord, { title: string; lower: string; words?: Set<string> }>();
  private readonly scrolls = new Map<string, ScrollSession>();

  constructor(private readonly core: SandboxCore, readonly scrollTtlMs = DEFAULT_SCROLL_TTL_MS) {}

  /** Oldest first, ties by VideoId: one order both sort directions read. */
  private sorted(): VideoRecord[] {
    if (!this.index) {
      this.index = Object.values(this.core.data.videos).sort((a, b) => a.createdAt - b.createdAt || (a.videoId < b.videoId ? -1 : 1));
    }
    return this.index;
  }

  /** A new video (CreateUploadVideo, seeding): inserted in place, usually at the end. */
  added(v: VideoRecord): void {
    if (!this.index) return;
    const idx = this.index;
    let lo = 0;
    let hi = idx.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      const m = idx[mid];
      if (m.createdAt < v.createdAt || (m.createdAt === v.createdAt && m.videoId < v.videoId)) lo = mid + 1;
      else hi = mid;
    }
    idx.splice(lo, 0, v);
  }

  removed(ids: ReadonlySet<string>): void {
    if (this.index && ids.size > 0) this.index = this.index.filter((v) => !ids.has(v.videoId));
  }

  private titleOf(v: VideoRecord): { title: string; lower: string; words?: Set<string> } {
    let c = this.titleCache.get(v);
    if (!c || c.title !== v.title) {
      c = { title: v.title, lower: v.title.toLowerCase() };
      this.titleCache.set(v, c);
    }
    return c;
  }

  /**
   * One subject object for a whole scan, pointed at each video in turn: a search over
   * 100,000 videos allocates nothing per video, and reads a status only if the Match asks.
   */
  private scanner(now: number, fuzzy: (q: string) => ReturnType<typeof looseMatcher>): { at(v: VideoRecord): MatchSubject } {
    const core = this.core;
    const titleOf = (v: VideoRecord) => this.titleOf(v);
    let v!: VideoRecord;
    const subject: MatchSubject = {
      get videoId() { return v.videoId; },
      get title() { return v.title; },
      get description() { return v.description; },
      get cateId() { return v.cateId; },
      get status() { return core.videoStatus(v, now); },
      get storageLocation() { return v.storageLocation; },
      get appId() { return v.appId; },
      get tags() { return v.tags; },
      get createdAt() { return v.createdAt; },
      get modifiedAt() { return v.modifiedAt; },
      titleHas(q) {
        const c = titleOf(v);
        const video = v;
        return fuzzy(q)(c.lower, () => (c.words ??= new Set(words(video.title))));
      },
    };
    return { at: (next) => { v = next; return subject; } };
  }

  /** Every searchable video matching, in the asked order: a binary search narrows by CreationTime first. */
  private matching(match: string | undefined, desc: boolean, now: number): VideoRecord[] {
    const node = parseMatch(match ?? '');
    const test = compileMatch(node, (text, q) => looseMatch(text, q));
    const matchers = new Map<string, ReturnType<typeof looseMatcher>>();
    const fuzzy = (q: string): ReturnType<typeof looseMatcher> => {
      let m = matchers.get(q);
      if (!m) matchers.set(q, (m = looseMatcher(q)));
      return m;
    };
    const { from, to } = creationWindow(node);
    const idx = this.sorted();
    const lower = (t: number): number => {
      let lo = 0;
      let hi = idx.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (idx[mid].createdAt < t) lo = mid + 1;
        else hi = mid;
      }
      return lo;
    };
    const start = from === -Infinity ? 0 : lower(from);
    const end = to === Infinity ? idx.length : lower(to + 1);
    const out: VideoRecord[] = [];
    const scan = this.scanner(now, fuzzy);
    const lagging = this.core.searchLagMs > 0;
    for (let i = start; i < end; i++) {
      const v = idx[i];
      if ((!lagging || this.core.searchable(v, now)) && test(scan.at(v))) out.push(v);
    }
    if (desc) out.reverse();
    return out;
  }

  private sweepScrolls(now: number): void {
    for (const [t, s] of this.scrolls) if (now - s.lastUsed >= this.scrollTtlMs) this.scrolls.delete(t);
    while (this.scrolls.size > MAX_SCROLLS) {
      let oldest: ScrollSession | undefined;
      for (const s of this.scrolls.values()) if (!oldest || s.lastUsed < oldest.lastUsed) oldest = s;
      this.scrolls.delete(oldest!.token);
    }
  }

  search(p: Params): Body {
    const type = p.SearchType || 'video';
    if (!['video', 'audio', 'image', 'attached'].includes(type)) throw invalid(`The parameter SearchType must be video, audio, image or attached; got "${type}".`);
    const pageNo = intParam(p, 'PageNo', 1, 1, 2_000_000);
    const pageSize = intParam(p, 'PageSize', 10, 1, MAX_PAGE_SIZE);
    const sortBy = p.SortBy || 'CreationTime:Desc';
    if (!/^CreationTime:(Desc|Asc)$/i.test(sortBy)) throw invalid(`The parameter SortBy must be CreationTime:Desc or CreationTime:Asc; got "${sortBy}".`);
    const desc = /:desc$/i.test(sortBy);
    const start = (pageNo - 1) * pageSize;
    const end = start + pageSize;
    const now = Date.now();
    this.sweepScrolls(now);
    // Only videos are kept here; audio shares the video index in VOD but the sandbox has none.
    if (type !== 'video') return { Total: 0, MediaList: [] };
    const key = `${p.Match ?? ''}\n${sortBy.toLowerCase()}`;
    let session: ScrollSession | undefined;
    let ids: string[];
    if (p.ScrollToken) {
      session = this.scrolls.get(p.ScrollToken);
      if (!session) {
        throw invalid(`The ScrollToken "${p.ScrollToken}" has expired or does not exist (a token is forgotten ${Math.round(this.scrollTtlMs / 60_000)} minutes after its last use); search again without it.`);
      }
      if (session.key !== key) throw invalid('The ScrollToken belongs to another search (Match or SortBy differ); search again without it.');
      // Forward at most SCROLL_STEP records past the current page; the current page may be read again (a lost answer).
      if (start < session.pageStart || end > session.pageEnd + SCROLL_STEP) {
        throw invalid(`With a ScrollToken a call reaches at most ${SCROLL_STEP} records past the current page (records ${session.pageStart + 1}-${session.pageEnd}); PageNo ${pageNo} × PageSize ${pageSize} asks for records ${start + 1}-${end}.`);
      }
      ids = session.ids;
    } else {
      if (end > SEARCH_WINDOW) {
        throw invalid(`PageNo ${pageNo} × PageSize ${pageSize} reaches past the first ${SEARCH_WINDOW} results, which is all paging reaches without a ScrollToken; pass the ScrollToken of the previous page to go on.`);
      }
      ids = this.matching(p.Match, desc, now).map((v) => v.videoId);
    }
    const pageIds = ids.slice(start, end);
    const list: Body[] = [];
    for (const id of pageIds) {
      const v = this.core.data.videos[id];
      // Deleted since the session began: left out, as a search index drops removed documents.
      if (!v) continue;
      list.push({ MediaType: 'video', MediaId: v.videoId, CreationTime: isoSeconds(v.createdAt), Video: videoView(this.core, v) });
    }
    if (!session) {
      session = { token: hexId(16), key, ids, pageStart: start, pageEnd: end, lastUsed: now };
      this.scrolls.set(session.token, session);
      this.sweepScrolls(now);
    } else {
      session.pageStart = start;
      session.pageEnd = Math.max(session.pageEnd, end);
      session.lastUsed = now;
    }
    return { Total: ids.length, ScrollToken: session.token, MediaList: list };
  }

  /** Many Normal videos without bytes, for tests and the UI (admin only). Returns their VideoIds, oldest first. */
  seed(o: SeedOptions): string[] {
    if (!Number.isSafeInteger(o.count) || o.count < 1 || o.count > 1_000_000) throw new Error('count must be a whole number from 1 to 1,000,000.');
    if (o.cateId !== undefined && !this.core.data.categories[String(o.cateId)]) throw new Error(`The category ${o.cateId} does not exist.`);
    const step = o.stepMs ?? 1000;
    if (!Number.isFinite(step) || step < 0) throw new Error('stepMs must be 0 or more milliseconds.');
    const from = o.createdFrom ?? Date.now() - (o.count - 1) * step;
    const prefix = o.titlePrefix ?? 'seeded';
    const loc = this.core.storageLocation();
    const random = Buffer.from(hexId(16 * o.count), 'hex');
    const ids: string[] = [];
    for (let i = 0; i < o.count; i++) {
      const videoId = random.subarray(i * 16, i * 16 + 16).toString('hex');
      const createdAt = from + i * step;
      const v: VideoRecord = {
        videoId,
        title: `${prefix} ${i + 1}`,
        fileName: `${prefix}-${i + 1}.mp4`,
        tags: [...(o.tags ?? [])],
        ...(o.cateId !== undefined ? { cateId: o.cateId } : {}),
        ...(o.description !== undefined ? { description: o.description } : {}),
        templateGroupId: NO_TRANSCODE_GROUP_ID,
        storageLocation: loc,
        appId: o.appId ?? DEFAULT_APP_ID,
        bucket: this.core.data.bucket,
        objectKey: `sv/seed/${videoId}.mp4`,
        createdAt,
        modifiedAt: createdAt,
        uploadedAt: createdAt,
        size: o.size ?? 1024,
        seeded: true,
        ...(o.status && o.status !== 'Normal' ? { statusOverride: o.status } : {}),
      };
      this.core.data.videos[videoId] = v;
      ids.push(videoId);
    }
    // Seeds usually come after everything there is: appended in order. Otherwise the
    // index is sorted again on the next search, once, instead of 100,000 insertions.
    const idx = this.index;
    const last = idx?.[idx.length - 1];
    if (idx && step > 0 && (!last || last.createdAt < from)) {
      for (const id of ids) idx.push(this.core.data.videos[id]);
    } else {
      this.index = undefined;
    }
    this.core.state.changed();
    return ids;
  }

  updateVideoInfos(p: Params): Body {
    const raw = p.UpdateContent;
    if (raw === undefined || raw === '') throw new RpcError(400, 'MissingUpdateContent', 'UpdateContent is mandatory for this action.');
    let items: unknown;
    try {
      items = JSON.parse(raw);
    } catch {
      throw invalid('The parameter UpdateContent must be a JSON array of {"VideoId", "Title", …} objects.');
    }
    if (!Array.isArray(items) || items.some((x) => typeof x !== 'object' || x === null || typeof (x as Body).VideoId !== 'string')) {
      throw invalid('The parameter UpdateContent must be a JSON array of objects, each with a VideoId.');
    }
    if (items.length > MAX_IDS_PER_CALL) {
      throw new RpcError(400, 'CountExceededMax', `UpdateContent lists ${items.length} videos; at most ${MAX_IDS_PER_CALL} can be updated in one call.`);
    }
    const patches = (items as Body[]).map((x) => {
      const str = (k: string): string | undefined => (x[k] === undefined || x[k] === null ? undefined : String(x[k]));
      const title = str('Title');
      if (title !== undefined) checkTitle(title);
      checkDescription(str('Description'));
      const tags = str('Tags') !== undefined ? parseTagList(str('Tags')) : undefined;
      const cateId = category(this.core, str('CateId'));
      return { videoId: String(x.VideoId), title, description: str('Description'), tags, cateId, coverURL: str('CoverURL') };
    });
    const nonExist: string[] = [];
    const forbidden: string[] = [];
    const now = Date.now();
    for (const u of patches) {
      const v = this.core.data.videos[u.videoId];
      if (!v) {
        nonExist.push(u.videoId);
        continue;
      }
      if (v.forbidden) {
        forbidden.push(u.videoId);
        continue;
      }
      if (u.title !== undefined) v.title = u.title;
      if (u.description !== undefined) v.description = u.description;
      if (u.tags) v.tags = u.tags;
      if (u.cateId !== undefined) v.cateId = u.cateId;
      if (u.coverURL !== undefined) v.coverURL = u.coverURL;
      v.modifiedAt = now;
    }
    this.core.state.changed();
    return { NonExistVideoIds: nonExist, ForbiddenVideoIds: forbidden };
  }

  async deleteVideos(p: Params): Promise<Body> {
    const ids = idList(p);
    const missing: string[] = [];
    const forbidden: string[] = [];
    const gone = new Set<string>();
    for (const id of ids) {
      const v = this.core.data.videos[id];
      if (!v) {
        missing.push(id);
        continue;
      }
      if (v.forbidden) {
        forbidden.push(id);
        continue;
      }
      delete this.core.data.videos[id];
      gone.add(id);
      await this.core.deleteObject(v.bucket, v.objectKey);
    }
    this.removed(gone);
    this.core.state.changed();
    return {
      ...(missing.length ? { NonExistVideoIds: missing } : {}),
      ...(forbidden.length ? { ForbiddenVideoIds: forbidden } : {}),
    };
  }

  async deleteMezzanines(p: Params): Promise<Body> {
    const ids = idList(p);
    const force = (p.Force ?? '').toLowerCase() === 'true';
    const missing: string[] = [];
    const unremovable: string[] = [];
    for (const id of ids) {
      const v = this.core.data.videos[id];
      if (!v) {
        missing.push(id);
        continue;
      }
      // Played from the source when nothing was transcoded: kept unless forced (the docs' UnRemoveableVideoIds).
      if (v.forbidden || (v.templateGroupId === NO_TRANSCODE_GROUP_ID && !force)) {
        unremovable.push(id);
        continue;
      }
      v.sourceDeleted = true;
      v.modifiedAt = Date.now();
      if (!v.seeded) await this.core.deleteObject(v.bucket, v.objectKey);
    }
    this.core.state.changed();
    return { NonExistVideoIds: missing, UnRemoveableVideoIds: unremovable };
  }

  /**
   * SubmitTranscodeJobs (VideoId, TemplateGroupId): the video transcodes again —
   * Transcoding for transcodeMs, then Normal (Checking in review mode). Refused for a
   * video without its source (nothing to transcode from) or not yet uploaded.
   */
  submitTranscodeJobs(p: Params): Body {
    const id = p.VideoId;
    if (!id) throw new RpcError(400, 'MissingVideoId', 'VideoId is mandatory for this action.');
    const v = this.core.data.videos[id];
    if (!v) throw new RpcError(404, 'InvalidVideo.NotFound', `The video ${id} does not exist.`);
    const group = p.TemplateGroupId;
    if (!group) throw new RpcError(400, 'MissingTemplateGroupId', 'TemplateGroupId is mandatory for this action.');
    if (!TEMPLATE_GROUPS.some((g) => g.TranscodeTemplateGroupId === group)) {
      throw new RpcError(404, 'InvalidTemplateGroupId.NotFound', `The transcode template group ${group} does not exist.`);
    }
    if (v.uploadedAt === undefined) throw new RpcError(403, 'Forbidden.IllegalStatus', `The video ${id} is still Uploading; transcode it once its source is complete.`);
    if (v.sourceDeleted) throw new RpcError(403, 'Forbidden.IllegalStatus', `The source file of ${id} was deleted; there is nothing to transcode.`);
    v.templateGroupId = group;
    v.transcodeStartedAt = Date.now();
    delete v.statusOverride;
    v.modifiedAt = v.transcodeStartedAt;
    this.core.state.changed();
    return { TranscodeTaskId: hexId(16) };
  }
}

function intParam(p: Params, name: string, def: number, min: number, max: number): number {
  const raw = p[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`The parameter ${name} must be an integer from ${min} to ${max}; got "${raw}".`);
  return n;
}

function idList(p: Params): string[] {
  const raw = p.VideoIds;
  if (raw === undefined || raw === '') throw new RpcError(400, 'MissingVideoIds', 'VideoIds is mandatory for this action.');
  const ids = raw.split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length > MAX_IDS_PER_CALL) throw invalid(`The parameter VideoIds lists ${ids.length} videos; at most ${MAX_IDS_PER_CALL} are allowed.`);
  return ids;
}

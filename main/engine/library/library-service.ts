// The media library service (docs/ARCHITECTURE.md §3 "Library"): what every shell calls to
// find, fix and clean up videos already in VOD. It links videos to the queue's jobs, checks
// each edit with shared/validation.ts before anything is sent, cuts work into VOD's batches,
// retries a batch that failed as a whole per retry.ts, and answers one result per video.

import type {
  LibraryPage, LibraryQuery, LibraryVideoDetails, VideoOpResult, VideoPatch,
} from '../../../shared/library';
import { formatProblems, validateVideoPatch } from '../../../shared/validation';
import { DEFAULT_CALL_POLICY, delayFor, realSleep, type RetryPolicy, type Sleep } from '../retry';
import type { MediaLibraryPort } from './port';

/** UpdateVideoInfos, DeleteVideo and DeleteMezzanines take at most 20 videos a call (VOD's API reference). */
export const LIBRARY_BATCH = 20;

/** What the service needs of a provider: the port, its URL side optional (not used here). */
export type LibraryProvider = Omit<MediaLibraryPort, 'mediaUrls'> & Partial<Pick<MediaLibraryPort, 'mediaUrls'>>;

export interface LibraryServiceDeps {
  /** The provider of a profile (undefined: the active one). */
  providerFor(profileId?: string): LibraryProvider;
  /** The queue job that uploaded each VideoId (QueueStore.jobIdsForVideos). */
  jobIdsForVideos(videoIds: readonly string[]): Map<string, number>;
  /** Retries of a batch that failed as a whole (default: the one-call policy). */
  policy?: RetryPolicy;
  sleep?: Sleep;
  /** Told after each batch, for progress (done so far, of all). */
  onProgress?: (done: number, total: number) => void;
}

export interface DeleteOptions {
  /** Delete only the source file (DeleteMezzanines); the video and its streams stay. */
  sourceOnly?: boolean;
}

export class LibraryService {
  private readonly policy: RetryPolicy;
  private readonly sleep: Sleep;

  constructor(private readonly deps: LibraryServiceDeps) {
    this.policy = deps.policy ?? DEFAULT_CALL_POLICY;
    this.sleep = deps.sleep ?? realSleep;
  }

  /** One page, each video linked to the job that uploaded it (if this queue did). */
  async search(query: LibraryQuery, profileId?: string): Promise<LibraryPage> {
    const page = await this.deps.providerFor(profileId).searchVideos(query);
    const jobs = this.deps.jobIdsForVideos(page.videos.map((v) => v.videoId));
    return { ...page, videos: page.videos.map((v) => (jobs.has(v.videoId) ? { ...v, jobId: jobs.get(v.videoId) } : v)) };
  }

  /** Every page of a search (for `--all` and bulk actions on a match), up to `limit` videos. */
  async searchAll(query: LibraryQuery, opts: { limit?: number; profileId?: string; onPage?: (page: LibraryPage) => void } = {}): Promise<LibraryPage> {
    const videos: LibraryPage['videos'] = [];
    let total = 0;
    let cursor: string | undefined;
    const limit = opts.limit ?? Number.POSITIVE_INFINITY;
    do {
      const page = await this.search({ ...query, pageSize: query.pageSize ?? 100, cursor }, opts.profileId);
      total = page.total;
      videos.push(...page.videos.slice(0, limit - videos.length));
      opts.onPage?.(page);
      cursor = page.next;
    } while (cursor && videos.length < limit);
    return { videos, total, ...(cursor ? { next: cursor } : {}) };
  }

  async details(videoIds: readonly string[], profileId?: string, opts?: { basicOnly?: boolean }): Promise<Map<string, LibraryVideoDetails | undefined>> {
    const map = await this.deps.providerFor(profileId).getVideoDetails(unique(videoIds), opts);
    const jobs = this.deps.jobIdsForVideos([...map.keys()]);
    for (const [id, d] of map) if (d && jobs.has(id)) map.set(id, { ...d, jobId: jobs.get(id) });
    return map;
  }

  /**
   * Bulk edit: each patch checked (an invalid one fails alone, with what is wrong, and is
   * not sent), the rest in batches of 20; one result per patch, in the patches' order.
   */
  async edit(patches: readonly VideoPatch[], profileId?: string): Promise<VideoOpResult[]> {
    const results = new Map<VideoPatch, VideoOpResult>();
    const valid: VideoPatch[] = [];
    const seen = new Set<string>();
    for (const p of patches) {
      const problems = validateVideoPatch(p);
      if (seen.has(p.videoId)) {
        results.set(p, { videoId: p.videoId, ok: false, code: 'DuplicateVideo', message: 'The same video is edited twice in one request; only its first edit was sent.' });
        continue;
      }
      seen.add(p.videoId);
      if (problems.length > 0) {
        results.set(p, { videoId: p.videoId, ok: false, code: problems.length === 1 ? problems[0].code : 'InvalidEdit', message: formatProblems(problems) });
      } else {
        valid.push(p);
      }
    }
    const provider = this.deps.providerFor(profileId);
    const byId = new Map(valid.map((p) => [p.videoId, p]));
    const done = await this.batched(valid.map((p) => p.videoId), (ids) => provider.updateVideos(ids.map((id) => byId.get(id)!)), patches.length - valid.length);
    for (const p of valid) results.set(p, done.get(p.videoId)!);
    return patches.map((p) => results.get(p)!);
  }

  /** Delete videos (or only their source files); one result per distinct VideoId. */
  async delete(videoIds: readonly string[], opts: DeleteOptions = {}, profileId?: string): Promise<VideoOpResult[]> {
    const ids = unique(videoIds);
    const provider = this.deps.providerFor(profileId);
    const done = await this.batched(ids, (batch) => provider.deleteVideos(batch, opts), 0, {
      // A resend after a lost answer finds the video gone: the lost call deleted it.
      resentAndGone: (r) => (opts.sourceOnly ? false : r.notFound === true || r.code === 'InvalidVideo.NotFound'),
    });
    return ids.map((id) => done.get(id)!);
  }

  /** Run a transcode template group (Tencent: a task flow) again on each video, if the provider can. */
  async transcode(videoIds: readonly string[], templateGroupId: string, profileId?: string): Promise<VideoOpResult[]> {
    const ids = unique(videoIds);
    const provider = this.deps.providerFor(profileId);
    const submit = provider.submitTranscode?.bind(provider);
    if (!submit) {
      return ids.map((videoId) => ({ videoId, ok: false, code: 'NotSupported', message: 'This cloud offers no way to transcode a video again.' }));
    }
    const done = await this.batched(ids, (batch) => submit(batch, templateGroupId), 0);
    return ids.map((id) => done.get(id)!);
  }

  /**
   * Runs `op` on batches of LIBRARY_BATCH ids. Results that failed retryably (the call as a
   * whole: throttled, network, 5xx) are sent again per the retry policy, alone in their
   * batch; the last answer of each id is its result. Every id gets exactly one result.
   */
  private async batched(
    ids: readonly string[],
    op: (batch: string[]) => Promise<VideoOpResult[]>,
    alreadyDone: number,
    opts: { resentAndGone?: (r: VideoOpResult) => boolean } = {},
  ): Promise<Map<string, VideoOpResult>> {
    const out = new Map<string, VideoOpResult>();
    const total = ids.length + alreadyDone;
    for (let i = 0; i < ids.length; i += LIBRARY_BATCH) {
      let pending = ids.slice(i, i + LIBRARY_BATCH);
      const uncertain = new Set<string>();
      for (let attempt = 1; pending.length > 0; attempt++) {
        const answered = new Map((await op(pending)).map((r) => [r.videoId, r]));
        const again: string[] = [];
        for (const id of pending) {
          const r = answered.get(id) ?? { videoId: id, ok: false, code: 'NoAnswer', message: 'The service answered nothing about this video.' };
          if (!r.ok && uncertain.has(id) && opts.resentAndGone?.(r)) {
            out.set(id, { videoId: id, ok: true, message: 'VOD no longer has it: an earlier attempt whose answer was lost did it (or it was never there).' });
          } else if (!r.ok && r.retryable && attempt < this.policy.maxAttempts) {
            if (r.outcomeUnknown) uncertain.add(id);
            again.push(id);
          } else {
            out.set(id, r);
          }
        }
        pending = again;
        if (pending.length > 0) await this.sleep(delayFor(this.policy, attempt));
      }
      this.deps.onProgress?.(Math.min(total, alreadyDone + i + LIBRARY_BATCH), total);
    }
    return out;
  }
}

function unique(ids: readonly string[]): string[] {
  return [...new Set(ids)];
}

// VOD status polling after the object is complete (DESIGN.md §3 "After upload"): one
// poller for the whole queue, asking GetVideoInfos for up to 20 videos a call, each
// video on its own backoff. Thousands of uploaded videos cost a few calls a second,
// not thousands of loops each calling GetVideoInfo.

import type { JobError, VodStatus } from '../../shared/types';
import { classifyError, EngineError, toJobError } from './errors';
import type { VideoProvider } from './provider';
import { delayFor, type RetryPolicy } from './retry';
import type { QueueStore } from './store';

const POLL_POLICY: RetryPolicy = { baseMs: 1_000, maxMs: 60_000, factor: 1.6, jitter: 0.3, maxAttempts: Infinity };
const FIRST_POLL_MS = 1_000;
const TICK_GAP_MS = 500;
/** Statuses after which nothing changes by itself. */
const FAILED_STATUSES: readonly VodStatus[] = ['TranscodeFail', 'Blocked', 'UploadFail'];

interface Entry {
  jobId: number;
  videoId: string;
  profileId: string | undefined;
  attempt: number;
  dueAt: number;
}

export interface StatusPollerDeps {
  store: QueueStore;
  providerFor: (profileId: string | undefined) => VideoProvider;
  changed: (jobId: number) => void;
  /** A job left `uploaded` (ready or failed). */
  settled: (jobId: number) => void;
}

function statusError(status: VodStatus, videoId: string): JobError {
  return toJobError(new EngineError({
    kind: 'unknown', code: status, retryable: false,
    message: `VOD reports ${status} for video ${videoId}.`,
    hint: status === 'TranscodeFail'
      ? 'The upload is complete but VOD could not transcode it. Check the template group and the source format in the VOD console.'
      : status === 'Blocked' ? 'VOD blocked the video (content review). See the VOD console.' : 'VOD marked the upload as failed. Retry the job.',
  }));
}

export class StatusPoller {
  private readonly entries = new Map<number, Entry>();
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private lastTick = 0;

  constructor(private readonly deps: StatusPollerDeps) {}

  has(jobId: number): boolean {
    return this.entries.has(jobId);
  }

  /** Starts polling a job that is `uploaded` with a VideoId; a no-op otherwise. */
  add(jobId: number): void {
    if (this.stopped || this.entries.has(jobId)) return;
    const rec = this.deps.store.getJob(jobId);
    if (!rec || rec.state !== 'uploaded' || !rec.videoId) return;
    // The first look after a short delay: VOD needs a moment anyway, and videos completed
    // close together then share one GetVideoInfos call.
    this.entries.set(jobId, { jobId, videoId: rec.videoId, profileId: rec.profileId, attempt: 0, dueAt: Date.now() + FIRST_POLL_MS });
    this.schedule();
  }

  remove(jobIds: Iterable<number>): void {
    for (const id of jobIds) this.entries.delete(id);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.ticking;
    this.entries.clear();
  }

  private schedule(): void {
    if (this.stopped || this.ticking) return;
    clearTimeout(this.timer);
    if (this.entries.size === 0) return;
    // A loop, not Math.min(...spread): a queue can hold more entries than a call has arguments.
    let next = Infinity;
    for (const e of this.entries.values()) if (e.dueAt < next) next = e.dueAt;
    // Ticks at most every TICK_GAP_MS, so that videos falling due close together are
    // asked about in one call.
    const at = Math.max(next, this.lastTick + TICK_GAP_MS);
    this.timer = setTimeout(() => {
      this.lastTick = Date.now();
      this.ticking = this.tick().finally(() => {
        this.ticking = undefined;
        this.schedule();
      });
    }, Math.max(0, at - Date.now()));
  }

  private async tick(): Promise<void> {
    const now = Date.now();
    const byProfile = new Map<string | undefined, Entry[]>();
    for (const e of this.entries.values()) {
      if (e.dueAt > now) continue;
      const list = byProfile.get(e.profileId) ?? [];
      list.push(e);
      byProfile.set(e.profileId, list);
    }
    for (const [profileId, due] of byProfile) {
      if (this.stopped) return;
      let statuses: Map<string, VodStatus | undefined>;
      try {
        const provider = this.deps.providerFor(profileId);
        statuses = provider.getVideoStatuses
          ? await provider.getVideoStatuses(due.map((e) => e.videoId))
          : new Map(await Promise.all(due.map(async (e) => [e.videoId, await provider.getVideoStatus(e.videoId)] as const)));
      } catch (err) {
        const e = classifyError(err);
        for (const entry of due) {
          if (e.retryable) this.later(entry);
          else this.settle(entry, 'failed', toJobError(e));
        }
        continue;
      }
      for (const entry of due) {
        try {
          this.apply(entry, statuses.get(entry.videoId), statuses.has(entry.videoId));
        } catch {
          // The queue could not take the new status (a full disk): ask again later.
          this.later(entry);
        }
      }
    }
  }

  private apply(entry: Entry, status: VodStatus | undefined, answered: boolean): void {
    if (!this.entries.has(entry.jobId) || this.stopped) return;
    const rec = this.deps.store.getJob(entry.jobId);
    if (!rec || rec.state !== 'uploaded') {
      this.entries.delete(entry.jobId);
      return;
    }
    if (!answered) return this.later(entry);
    if (status === undefined) {
      return this.settle(entry, 'failed', toJobError(new EngineError({
        kind: 'notFound', code: 'InvalidVideo.NotFound', retryable: false,
        message: `VOD no longer knows video ${entry.videoId}.`,
        hint: 'The video was deleted (in the console or by another tool). Cancel this job and add the file again to upload it anew.',
      })));
    }
    if (rec.vodStatus !== status) {
      this.deps.store.updateJob(entry.jobId, { vodStatus: status });
      this.deps.changed(entry.jobId);
    }
    if (status === 'Normal') return this.settle(entry, 'ready');
    if (FAILED_STATUSES.includes(status)) return this.settle(entry, 'failed', statusError(status, entry.videoId));
    this.later(entry);
  }

  private later(entry: Entry): void {
    entry.attempt++;
    entry.dueAt = Date.now() + delayFor(POLL_POLICY, entry.attempt);
  }

  private settle(entry: Entry, to: 'ready' | 'failed', error?: JobError): void {
    try {
      this.deps.store.transition(entry.jobId, to, to === 'failed' ? { error, finishedAt: Date.now() } : { finishedAt: Date.now() });
    } catch {
      // The queue could not take it (a full disk): ask again later.
      return this.later(entry);
    }
    this.entries.delete(entry.jobId);
    this.deps.changed(entry.jobId);
    this.deps.settled(entry.jobId);
  }
}

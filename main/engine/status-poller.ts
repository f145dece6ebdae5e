// VOD status polling after the object is complete (docs/ARCHITECTURE.md §3 "After upload"): one
// poller for the whole queue, asking GetVideoInfos for up to 20 videos a call, each
// video on its own backoff. Thousands of uploaded videos cost a few calls a second,
// not thousands of loops each calling GetVideoInfo.

import type { JobError, VodStatus } from '../../shared/types';
import { classifyError, EngineError, toJobError } from './errors';
import type { VideoProvider } from './provider';
import { delayFor, STATUS_POLL_POLICY } from './retry';
import type { QueueStore } from './store';

const FIRST_POLL_MS = 1_000;
const TICK_GAP_MS = 500;

/**
 * What the uploader does with each status GetVideoInfo documents (API reference, "Basic
 * data types: Status"): Normal is published (ready); Checking waits for a person
 * (review before publishing), so the upload is done and the job ends `review`; the
 * failure statuses do not change by themselves; the rest (Uploading, UploadSucc,
 * Transcoding, Preparing, and any status VOD adds later) are polled on.
 */
const FAILURE_HINTS: Readonly<Record<string, string>> = {
  UploadFail: 'VOD marked the upload as failed (a network problem or a damaged source file). Retry the job; if it fails again, check the source file.',
  TranscodeFail: 'The upload is complete but VOD could not transcode it. Check the template group and the source format in the VOD console.',
  PrepareFail: 'VOD could not prepare (pre-process) the video. Check the source file and the video in the VOD console; re-encode the file and add it again if it is damaged.',
  ProduceFail: 'VOD could not produce the video (editing or compositing failed). See the video in the VOD console.',
  Blocked: 'VOD blocked the video (content review, or an administrator). See the video in the VOD console.',
};

export type StatusOutcome = 'ready' | 'review' | 'failed' | 'poll';

export function statusOutcome(status: VodStatus): StatusOutcome {
  if (status === 'Normal') return 'ready';
  if (status === 'Checking') return 'review';
  if (Object.prototype.hasOwnProperty.call(FAILURE_HINTS, status)) return 'failed';
  return 'poll';
}

interface Entry {
  jobId: number;
  videoId: string;
  profileId: string | undefined;
  attempt: number;
  dueAt: number;
  /** The code of the last failed poll, so a run of failures is recorded once. */
  failing?: string;
}

export interface StatusPollerDeps {
  store: QueueStore;
  providerFor: (profileId: string | undefined) => VideoProvider;
  changed: (jobId: number) => void;
  /** A job left `uploaded` (ready, review or failed). */
  settled: (jobId: number) => void;
}

function statusError(status: VodStatus, videoId: string): JobError {
  return toJobError(new EngineError({
    kind: 'unknown', code: status, retryable: false,
    message: `VOD reports ${status} for video ${videoId}.`,
    hint: FAILURE_HINTS[status],
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
          if (e.retryable) this.pollFailed(entry, e);
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
    if (entry.failing !== undefined) {
      // Answered again after failed polls: the error shown meanwhile is no longer true.
      entry.failing = undefined;
      this.deps.store.updateJob(entry.jobId, { error: null });
      this.deps.changed(entry.jobId);
    }
    if (rec.vodStatus !== status) {
      // Any status is kept and shown as VOD sent it, one the app does not know included.
      this.deps.store.updateJob(entry.jobId, { vodStatus: status });
      this.deps.store.appendEvent(entry.jobId, 'vod-status', { status, from: rec.vodStatus });
      this.deps.changed(entry.jobId);
    }
    switch (statusOutcome(status)) {
      case 'ready': return this.settle(entry, 'ready');
      case 'review': return this.settle(entry, 'review');
      case 'failed': return this.settle(entry, 'failed', statusError(status, entry.videoId));
      default: return this.later(entry);
    }
  }

  /**
   * A poll that failed for a passing reason (network, throttling, a 5xx): the job keeps
   * its state and shows why its status is not moving; the event log gets the details
   * once per run of failures.
   */
  private pollFailed(entry: Entry, e: EngineError): void {
    if (entry.failing !== e.code) {
      entry.failing = e.code;
      try {
        this.deps.store.updateJob(entry.jobId, { error: toJobError(e) });
        this.deps.store.appendEvent(entry.jobId, 'poll-failed', { code: e.code, message: e.message, detail: e.detail });
        this.deps.changed(entry.jobId);
      } catch {
        // A full disk: the next poll tries again.
        entry.failing = undefined;
      }
    }
    this.later(entry);
  }

  private later(entry: Entry): void {
    entry.attempt++;
    entry.dueAt = Date.now() + delayFor(STATUS_POLL_POLICY, entry.attempt);
  }

  private settle(entry: Entry, to: 'ready' | 'review' | 'failed', error?: JobError): void {
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

// The upload engine: scheduler, commands, restore pass, status polling and events
// (DESIGN.md §3). The queue store is the only truth; this object holds only what is
// in flight (abort controllers, bytes in transit, timers).

import path from 'node:path';
import {
  DEFAULT_SETTINGS, TERMINAL_STATES, type EngineSettings, type JobMeta, type JobPage, type JobQuery,
  type JobError, type JobSelector, type JobState, type JobView, type NewJob, type ProgressBatch, type QueueTotals,
  type RejectedFile,
} from '../../shared/types';
import { formatProblems, validateFileName, validateFileSize, validateMetadata, type Problem } from '../../shared/validation';
import type { AddJobsOptions, AddJobsResult, CancelOptions, RetryOptions, UploadEngineApi } from './api';
import { BandwidthLimiter } from './bandwidth';
import { CredentialLease } from './credential-lease';
import { classifyError, EngineError, toJobError } from './errors';
import { Emitter } from './events';
import { fingerprint, fingerprintChange, statFile, type SampledFile } from './fingerprint';
import { isHlsPlaylist, readHlsPackage } from './hls';
import type { EngineOptions } from './index';
import { JobRunner } from './job-runner';
import { OssSession } from './oss/oss-session';
import { planParts } from './oss/part-plan';
import { ProgressTracker } from './progress';
import { acquireQueueLock, type QueueLock } from './queue-lock';
import { DEFAULT_JOB_POLICY, delayFor } from './retry';
import { checkWindow, isWindowOpen, nextWindowChange, type UploadWindow } from '../../shared/upload-window';
import { Semaphore } from './semaphore';
import { StatusPoller } from './status-poller';
import { openQueueStore, type QueueStore } from './store';
import type { JobRecord, NewJobRecord } from './store/records';

const PROGRESS_INTERVAL_MS = 250;
const CHANGE_FLUSH_MS = 50;
/** States in which a job makes progress on its own. */
const BUSY_STATES: readonly JobState[] = ['queued', 'creating', 'uploading', 'completing', 'uploaded', 'waiting'];
const INTERRUPTED_STATES: readonly JobState[] = ['creating', 'uploading', 'completing'];
/** How soon a state change the queue database refused (disk full) is tried again. */
const STORE_RETRY_MS = 5_000;

interface Running {
  ctrl: AbortController;
  done: Promise<void>;
}

export class UploadEngine implements UploadEngineApi {
  private readonly store: QueueStore;
  private settings: EngineSettings;
  private readonly partSlots: Semaphore;
  private readonly bandwidth: BandwidthLimiter;
  private readonly progress = new ProgressTracker();
  private readonly poller: StatusPoller;
  private readonly running = new Map<number, Running>();
  private readonly changedEmitter = new Emitter<JobView[]>();
  private readonly progressEmitter = new Emitter<ProgressBatch>();
  private readonly pendingChanges = new Set<number>();
  private changeTimer: NodeJS.Timeout | undefined;
  private progressTimer: NodeJS.Timeout | undefined;
  private wakeTimer: NodeJS.Timeout | undefined;
  private windowTimer: NodeJS.Timeout | undefined;
  private idleWaiters: (() => void)[] = [];
  /**
   * Jobs whose failure could not be written yet (see onRunError), with the error the
   * operator is shown meanwhile; not idle while any.
   */
  private readonly unrecorded = new Map<number, JobError>();
  private started = false;
  private lock: QueueLock | undefined;
  private stopping = false;

  readonly onDidChangeJobs = this.changedEmitter.event;
  readonly onDidProgress = this.progressEmitter.event;

  constructor(private readonly opts: EngineOptions & { stallMs?: number }) {
    this.store = openQueueStore(opts.dbPath);
    this.settings = { ...DEFAULT_SETTINGS, ...this.store.getSettings(), ...opts.settings };
    this.partSlots = new Semaphore(this.settings.partsInFlight);
    this.bandwidth = new BandwidthLimiter(this.settings.bandwidthLimit);
    this.poller = new StatusPoller({
      store: this.store,
      providerFor: (profileId) => this.opts.providerFor(profileId),
      changed: (id) => this.changed(id),
      settled: () => this.checkIdle(),
    });
  }

  // --- queries -----------------------------------------------------------

  private view(rec: JobRecord): JobView {
    return this.withLive(this.store.toView(rec));
  }

  queryJobs(query: JobQuery): JobPage {
    const page = this.store.queryJobs(query);
    return { total: page.total, rows: page.rows.map((r) => this.withLive(r)) };
  }

  /** What only memory knows: bytes in flight, and an error the disk could not take yet. */
  private withLive(v: JobView): JobView {
    const live = this.progress.bytesDone(v.id);
    const error = this.unrecorded.get(v.id);
    if (live === undefined && !error) return v;
    return { ...v, ...(live !== undefined ? { bytesDone: live } : {}), ...(error ? { state: 'waiting' as const, error } : {}) };
  }

  getJob(id: number): JobView | undefined {
    const rec = this.store.getJob(id);
    return rec ? this.view(rec) : undefined;
  }

  listEvents(jobId: number, limit?: number) {
    return this.store.listEvents(jobId, limit);
  }

  totals(): QueueTotals {
    return this.withWindow(this.progress.snapshot(this.store.totals()).totals);
  }

  /** Totals say when a closed upload window opens, so every shell can tell why nothing moves. */
  private withWindow(t: QueueTotals): QueueTotals {
    if (isWindowOpen(uploadWindow(this.settings), new Date())) return t;
    return { ...t, windowOpensAt: nextWindowChange(uploadWindow(this.settings), new Date())?.getTime() };
  }

  getSettings(): EngineSettings {
    return { ...this.settings };
  }

  updateSettings(patch: Partial<EngineSettings>): EngineSettings {
    const windowProblem = checkWindow(uploadWindow({ ...this.settings, ...patch }));
    if (windowProblem) {
      throw new EngineError({ kind: 'parameter', code: 'InvalidUploadWindow', retryable: false, message: windowProblem, hint: 'Give both times, or clear both for any time.' });
    }
    this.store.saveSettings(patch);
    this.settings = { ...this.settings, ...patch };
    this.partSlots.setLimit(this.settings.partsInFlight);
    this.bandwidth.setRate(this.settings.bandwidthLimit);
    this.pump();
    return this.getSettings();
  }

  // --- commands ----------------------------------------------------------

  async addJobs(items: NewJob[], opts: AddJobsOptions = {}): Promise<AddJobsResult> {
    const rejected: RejectedFile[] = [];
    const valid: NewJobRecord[] = [];
    for (const item of items) {
      const abs = path.resolve(item.path);
      const problems = [...validateFileName(abs), ...validateMetadata(item.meta)];
      let st: { size: number; mtimeMs: number } | undefined;
      try {
        st = await statFile(abs);
        // A playlist's job is its whole package: refused when a listed file is missing
        // (named), sized as playlist + files.
        if (problems.length === 0 && isHlsPlaylist(abs)) st = { ...st, size: (await readHlsPackage(abs)).totalSize };
        problems.push(...validateFileSize(st.size));
        if (item.meta.coverPath) problems.push(...(await coverProblems(item.meta.coverPath)));
        if (problems.length === 0) planParts(st.size, { partSizeMiB: this.settings.partSizeMiB || undefined });
      } catch (err) {
        const e = classifyError(err);
        rejected.push({ path: abs, reason: e.message });
        continue;
      }
      if (problems.length > 0) {
        rejected.push({ path: abs, reason: formatProblems(problems) });
        continue;
      }
      valid.push({
        path: abs,
        fileName: path.basename(abs),
        size: st.size,
        mtimeMs: st.mtimeMs,
        meta: normalizeMeta(item.meta),
        priority: item.priority ?? 0,
        state: opts.hold ? 'paused' : 'queued',
        profileId: opts.profileId,
      });
    }
    const ids = valid.length > 0 ? this.store.insertJobs(valid) : [];
    ids.forEach((id) => this.changed(id));
    this.pump();
    return { added: ids.map((id) => this.getJob(id)!).filter(Boolean), rejected };
  }

  async updateMeta(ids: number[], patch: Partial<JobMeta>): Promise<JobView[]> {
    for (const id of ids) {
      const rec = this.store.getJob(id);
      if (!rec) continue;
      const problems = validateMetadata({ ...rec.meta, ...patch });
      if (problems.length > 0) {
        throw new EngineError({ kind: 'parameter', code: 'InvalidMetadata', retryable: false, message: `Job ${id}: ${formatProblems(problems)}` });
      }
    }
    const res = this.store.updateMeta(ids, normalizePatch(patch));
    res.updated.forEach((id) => this.changed(id));
    if (res.refused.length > 0) {
      throw new EngineError({
        kind: 'parameter', code: 'MetadataLocked', retryable: false,
        message: `Jobs ${res.refused.join(', ')} already have a VideoId; their metadata is in VOD now and is not changed here.`,
      });
    }
    return res.updated.map((id) => this.getJob(id)!).filter(Boolean);
  }

  async start(): Promise<void> {
    if (this.started) return;
    this.lock = await acquireQueueLock(this.opts.dbPath);
    this.started = true;
    // Restore pass (habit 8): interrupted work goes back in line (or waits for the
    // operator when auto-resume is off); complete objects resume status polling.
    this.requeueInterrupted();
    for (const rec of this.store.jobsInStates(['uploaded'])) this.startPolling(rec.id);
    this.pump();
  }

  private requeueInterrupted(): void {
    for (const rec of this.store.jobsInStates(INTERRUPTED_STATES)) {
      this.store.transition(rec.id, this.settings.autoResume ? 'queued' : 'paused', {});
      this.store.appendEvent(rec.id, 'restored', { from: rec.state });
      this.changed(rec.id);
    }
  }

  private select(sel: JobSelector, states: readonly JobState[]): number[] {
    if (sel === 'all') return this.store.idsInStates(states);
    return sel.filter((id) => {
      const rec = this.store.getJob(id);
      return rec !== undefined && states.includes(rec.state);
    });
  }

  async pause(sel: JobSelector): Promise<void> {
    const ids = this.select(sel, ['queued', 'creating', 'uploading', 'completing', 'uploaded', 'waiting']);
    for (const id of ids) {
      this.store.transition(id, 'paused', { nextAttemptAt: null });
      this.changed(id);
    }
    await this.stopWork(ids);
    this.pump();
  }

  async resume(sel: JobSelector): Promise<void> {
    for (const id of this.select(sel, ['paused'])) {
      this.store.transition(id, 'queued', {});
      this.changed(id);
    }
    this.pump();
  }

  async retry(sel: JobSelector, opts: RetryOptions = {}): Promise<void> {
    const states: JobState[] = ['failed', 'canceled', 'waiting'];
    for (const id of this.select(sel, states)) {
      if (opts.restartChanged) {
        await this.restartChanged(id);
        if (!states.includes(this.store.getJob(id)?.state as JobState)) continue;
      }
      this.store.transition(id, 'queued', { error: null, attempts: 0, nextAttemptAt: null });
      this.changed(id);
    }
    this.pump();
  }

  /**
   * A job that failed because its file changed after its upload began was stopped
   * before CompleteMultipartUpload, so its VideoId is still unfinished and can take the
   * new version: the file is fingerprinted again, the old multipart upload and its parts
   * are forgotten (and aborted in OSS when it answers; it purges them in ~7 days
   * anyway), and the upload starts again from byte 0 on the same object. A job whose
   * file is the version it began with resumes as a plain retry would.
   * VOD documents RefreshUploadVideo for this (a new upload of a video's source keeps
   * its VideoId: alibabacloud.com/help/en/vod/api-refreshuploadvideo), and OSS's
   * AbortMultipartUpload deletes the uploaded parts of an upload that was never
   * completed (alibabacloud.com/help/doc-detail/31996.html).
   */
  private async restartChanged(id: number): Promise<void> {
    const rec = this.store.getJob(id);
    // Failed jobs are never scheduled, so nothing runs this job while we look at its file.
    if (!rec || rec.state !== 'failed' || !rec.videoId || rec.crc64 !== undefined) return;
    let now: SampledFile;
    try {
      now = await fingerprint(rec.path);
    } catch {
      return; // gone or unreadable: the retry fails with what is wrong
    }
    const same = rec.sampleHash
      ? fingerprintChange({ size: rec.size, mtimeMs: rec.mtimeMs, sampleHash: rec.sampleHash }, now) === undefined
      : rec.size === now.size && rec.mtimeMs === now.mtimeMs;
    if (same) return;
    this.store.clearParts(id);
    this.store.updateJob(id, { size: now.size, mtimeMs: now.mtimeMs, sampleHash: now.sampleHash, uploadId: null });
    this.store.appendEvent(id, 'restarted', {
      from: { size: rec.size, mtimeMs: rec.mtimeMs }, to: { size: now.size, mtimeMs: now.mtimeMs }, abandonedUploadId: rec.uploadId ?? null,
    });
    if (rec.uploadId) await this.abortUpload(rec, 'restart-cleanup-failed');
  }

  /**
   * Aborts a job's multipart upload in OSS. Best effort, so that it works offline: a
   * failure is recorded as `event` on the job, and OSS purges the upload in ~7 days.
   */
  private async abortUpload(rec: JobRecord, event: string): Promise<boolean> {
    if (!rec.videoId || !rec.uploadId || !rec.uploadAddress) return false;
    try {
      const provider = this.opts.providerFor(rec.profileId);
      const fresh = await provider.refreshUpload(rec.videoId);
      await new OssSession(new CredentialLease(provider, rec.videoId, fresh.address, fresh.credential)).abort(rec.uploadId);
      return true;
    } catch (err) {
      const e = classifyError(err);
      this.store.appendEvent(rec.id, event, { code: e.code, message: e.message });
      return false;
    }
  }

  async cancel(sel: JobSelector, opts: CancelOptions = {}): Promise<void> {
    const ids = this.select(sel, ['queued', 'creating', 'uploading', 'completing', 'uploaded', 'waiting', 'paused', 'failed']);
    await this.stopWork(ids);
    for (const id of ids) {
      const rec = this.store.getJob(id);
      if (!rec || TERMINAL_STATES.includes(rec.state) && rec.state !== 'failed') continue;
      const patch: Parameters<QueueStore['transition']>[2] = { nextAttemptAt: null, finishedAt: Date.now() };
      if (rec.videoId) {
        const provider = this.opts.providerFor(rec.profileId);
        try {
          if (rec.uploadId && rec.uploadAddress) {
            const fresh = await provider.refreshUpload(rec.videoId);
            await new OssSession(new CredentialLease(provider, rec.videoId, fresh.address, fresh.credential)).abort(rec.uploadId);
            patch.uploadId = null;
            this.store.clearParts(id);
          }
          if (opts.deleteVideo) {
            await provider.deleteVideo(rec.videoId);
            patch.videoId = null;
            patch.uploadAddress = null;
            patch.vodStatus = null;
            patch.crc64 = null;
            patch.partSize = null;
          }
        } catch (err) {
          // Canceling must work offline too; the service purges the upload in ~7 days.
          const e = classifyError(err);
          this.store.appendEvent(id, 'cancel-cleanup-failed', { code: e.code, message: e.message });
        }
      }
      this.store.transition(id, 'canceled', patch);
      this.changed(id);
    }
    this.pump();
  }

  async setPriority(ids: number[], priority: number): Promise<void> {
    this.store.setPriority(ids, priority);
    ids.forEach((id) => this.changed(id));
    this.pump();
  }

  whenIdle(): Promise<void> {
    if (this.isIdle()) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  private isIdle(): boolean {
    const by = this.store.totals().byState;
    return BUSY_STATES.every((s) => !by[s]) && this.running.size === 0 && this.unrecorded.size === 0;
  }

  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.wakeTimer);
    clearTimeout(this.windowTimer);
    await this.poller.stop();
    await this.stopWork([...this.running.keys()]);
    // A consistent checkpoint: interrupted work is back in line, as the restore pass
    // would put it, so `vodup status` run after us tells the truth. Only the engine
    // that ran the queue (and holds its lock) may do that.
    if (this.started) this.requeueInterrupted();
    this.flushChanges();
    clearInterval(this.progressTimer);
    clearTimeout(this.changeTimer);
    this.store.close();
    await this.lock?.release();
    this.changedEmitter.dispose();
    this.progressEmitter.dispose();
  }

  // --- scheduling --------------------------------------------------------

  private async stopWork(ids: number[]): Promise<void> {
    this.poller.remove(ids);
    const waits: Promise<void>[] = [];
    for (const id of ids) {
      const r = this.running.get(id);
      if (r) {
        r.ctrl.abort(new EngineError({ kind: 'canceled', code: 'Canceled', message: 'Stopped.' }));
        waits.push(r.done);
      }
    }
    await Promise.all(waits);
  }

  /** Starts as many runnable jobs as the limits allow. */
  private pump(): void {
    if (!this.started || this.stopping) return;
    clearTimeout(this.wakeTimer);
    clearTimeout(this.windowTimer);
    const now = new Date();
    const open = isWindowOpen(uploadWindow(this.settings), now);
    const change = nextWindowChange(uploadWindow(this.settings), now);
    if (change) {
      // Opening: start what waits. Closing: stop uploads at their last acknowledged part.
      this.windowTimer = setTimeout(() => (open ? void this.closeWindow() : this.pump()), Math.max(50, change.getTime() - Date.now()));
    }
    const free = this.settings.filesInFlight - this.running.size;
    if (open && free > 0) {
      const candidates = this.store.nextRunnable(free + this.running.size, Date.now());
      for (const rec of candidates) {
        if (this.running.size >= this.settings.filesInFlight) break;
        if (this.running.has(rec.id) || this.poller.has(rec.id)) continue;
        this.launch(rec);
      }
    }
    // Wake up for the earliest waiting job (one indexed query, however many wait).
    const next = this.store.nextWakeAt();
    if (next !== undefined) {
      this.wakeTimer = setTimeout(() => this.pump(), Math.max(50, next - Date.now()));
    }
    this.ensureProgressTimer();
    this.checkIdle();
  }

  /** The upload window closed: running uploads go back in line, to continue when it opens. */
  private async closeWindow(): Promise<void> {
    const ids = [...this.running.keys()];
    await this.stopWork(ids);
    for (const id of ids) {
      const rec = this.store.getJob(id);
      if (!rec || !INTERRUPTED_STATES.includes(rec.state)) continue;
      this.store.transition(id, 'queued', {});
      this.store.appendEvent(id, 'window-closed', { from: rec.state });
      this.changed(id);
    }
    this.pump();
  }

  private launch(rec: JobRecord): void {
    const ctrl = new AbortController();
    const runner = new JobRunner({
      store: this.store,
      providerFor: (job) => this.opts.providerFor(job.profileId),
      partSlots: this.partSlots,
      bandwidth: this.bandwidth,
      progress: this.progress,
      settings: () => this.settings,
      changed: (id) => this.changed(id),
      stallMs: this.opts.stallMs,
    }, rec.id, ctrl.signal);
    const done = (async () => {
      let bytesMoved = false;
      try {
        bytesMoved = (await runner.run()).bytesMoved;
        this.store.updateJob(rec.id, { attempts: 0, error: null });
        this.startPolling(rec.id);
      } catch (err) {
        if (!ctrl.signal.aborted) this.onRunError(rec.id, err, bytesMoved);
      } finally {
        this.progress.end(rec.id);
        this.running.delete(rec.id);
        this.changed(rec.id);
        this.pump();
      }
    })();
    this.running.set(rec.id, { ctrl, done });
  }

  /**
   * The one place a job's failure is turned into `waiting` or `failed`. When even that
   * cannot be written (the queue's disk is full), it is tried again later; the job is
   * not running meanwhile and its last committed part stays its checkpoint.
   */
  private onRunError(id: number, err: unknown, bytesMoved: boolean): void {
    try {
      this.recordRunError(id, err, bytesMoved);
    } catch (writeErr) {
      if (this.stopping) return;
      const w = classifyError(writeErr);
      process.emitWarning(`Job ${id}: could not record its error (${w.code}: ${w.message}); trying again in ${STORE_RETRY_MS / 1000} s.`);
      this.unrecorded.set(id, toJobError(w));
      this.changed(id);
      setTimeout(() => {
        this.unrecorded.delete(id);
        this.onRunError(id, err, bytesMoved);
        this.pump();
      }, STORE_RETRY_MS).unref();
    }
  }

  private recordRunError(id: number, err: unknown, bytesMoved: boolean): void {
    const e = classifyError(err);
    const rec = this.store.getJob(id);
    if (!rec || TERMINAL_STATES.includes(rec.state) || rec.state === 'paused') return;
    // The counter resets when bytes moved: a flaky network that still makes progress
    // never exhausts the job.
    const attempts = (bytesMoved ? 0 : rec.attempts) + 1;
    if (e.retryable) {
      const delay = delayFor(DEFAULT_JOB_POLICY, attempts);
      this.store.transition(id, 'waiting', { attempts, nextAttemptAt: Date.now() + delay, error: toJobError(e) });
      this.store.appendEvent(id, 'waiting', { code: e.code, message: e.message, delayMs: delay });
    } else {
      this.store.transition(id, 'failed', { attempts, error: toJobError(e), finishedAt: Date.now(), nextAttemptAt: null });
      this.store.appendEvent(id, 'failed', { code: e.code, message: e.message, requestId: e.requestId });
    }
    this.changed(id);
  }

  // --- VOD status polling (status-poller.ts) ---------------------------------

  private startPolling(id: number): void {
    this.poller.add(id);
  }

  // --- events --------------------------------------------------------------

  private changed(id: number): void {
    this.pendingChanges.add(id);
    if (!this.changeTimer) this.changeTimer = setTimeout(() => this.flushChanges(), CHANGE_FLUSH_MS);
  }

  private flushChanges(): void {
    clearTimeout(this.changeTimer);
    this.changeTimer = undefined;
    if (this.pendingChanges.size === 0) return;
    const views: JobView[] = [];
    for (const id of this.pendingChanges) {
      const rec = this.store.getJob(id);
      if (rec) views.push(this.view(rec));
    }
    this.pendingChanges.clear();
    this.changedEmitter.fire(views);
    this.checkIdle();
  }

  private ensureProgressTimer(): void {
    if (this.running.size > 0 && !this.progressTimer) {
      this.progressTimer = setInterval(() => {
        const batch = this.progress.snapshot(this.store.totals());
        this.progressEmitter.fire({ ...batch, totals: this.withWindow(batch.totals) });
        if (this.running.size === 0) {
          clearInterval(this.progressTimer);
          this.progressTimer = undefined;
        }
      }, PROGRESS_INTERVAL_MS);
    }
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    const waiters = this.idleWaiters;
    this.idleWaiters = [];
    waiters.forEach((w) => w());
  }
}

/** A cover must be an image VOD takes, and be there. */
async function coverProblems(coverPath: string): Promise<Problem[]> {
  const problems = validateFileName(coverPath, ['image']).map((p) => ({ ...p, message: `Cover: ${p.message}` }));
  if (problems.length > 0) return problems;
  try {
    await statFile(coverPath);
    return [];
  } catch (err) {
    return [{ field: 'file', code: 'CoverUnreadable', message: `Cover: ${classifyError(err).message}` }];
  }
}

const uploadWindow = (s: EngineSettings): UploadWindow => ({ start: s.windowStart, end: s.windowEnd });

function normalizeMeta(meta: JobMeta): JobMeta {
  return {
    ...meta,
    title: meta.title.trim(),
    tags: meta.tags.map((t) => t.trim()).filter(Boolean),
    ...(meta.coverPath ? { coverPath: path.resolve(meta.coverPath) } : {}),
  };
}

function normalizePatch(patch: Partial<JobMeta>): Partial<JobMeta> {
  const out = { ...patch };
  if (out.title !== undefined) out.title = out.title.trim();
  if (out.tags) out.tags = out.tags.map((t) => t.trim()).filter(Boolean);
  return out;
}

export async function openEngine(opts: EngineOptions & { stallMs?: number }): Promise<UploadEngine> {
  const engine = new UploadEngine(opts);
  try {
    await engine.start();
  } catch (err) {
    await engine.shutdown();
    throw err;
  }
  return engine;
}

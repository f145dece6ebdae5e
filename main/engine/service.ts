// The engine: one scheduler over job kinds, commands, restore pass, status polling and
// events (docs/ARCHITECTURE.md §3). The queue store is the only truth; this object holds only
// what is in flight (abort controllers, bytes in transit, timers). What a job of one kind
// does when it runs is its driver's (drivers/job-driver.ts): uploads (drivers/upload-driver.ts)
// and downloads (download/download-driver.ts).

import path from 'node:path';
import {
  DEFAULT_SETTINGS, DONE_STATES, TERMINAL_STATES, type DuplicateFile, type DuplicatePolicy, type EngineSettings, type LedgerRow,
  type JobMeta, type JobPage, type JobQuery, isTabSelector, type JobError, type JobSelector, type JobState, type JobView,
  type NewJob, type ProgressBatch, type QueueTotals,
  type RejectedFile,
} from '../../shared/types';
import { formatProblems, validateFileName, validateFileSize, validateMetadata, validateNoTranscodeFormat, type Problem } from '../../shared/validation';
import type { AddDownloadsResult, AddJobsOptions, AddJobsResult, CancelOptions, RetryOptions, UploadEngineApi } from './api';
import type { DownloadRequest } from '../../shared/library';
import { AdaptiveConcurrency } from './adaptive';
import { BandwidthLimiter } from './bandwidth';
import { DownloadDriver } from './download/download-driver';
import { enqueueDownloads } from './download/enqueue';
import type { JobDriver } from './drivers/job-driver';
import { UploadDriver } from './drivers/upload-driver';
import { classifyError, EngineError, isQueueStoreError, toJobError } from './errors';
import { Emitter } from './events';
import { fingerprint, statFile } from './fingerprint';
import { isHlsPlaylist, readHlsPackage } from './hls';
import type { EngineOptions } from './index';
import type { MediaLibraryPort } from './library/port';
import { planParts } from './oss/part-plan';
import { ProgressTracker } from './progress';
import { acquireQueueLock, type QueueLock } from './queue-lock';
import { DEFAULT_JOB_POLICY, delayFor, STORE_RETRY_POLICY } from './retry';
import { checkWindow, isWindowOpen, nextWindowChange, type UploadWindow } from '../../shared/upload-window';
import { Semaphore } from './semaphore';
import { StatusPoller } from './status-poller';
import { openQueueStore, type QueueStore } from './store';
import type { JobKind } from '../../shared/types';
import type { JobRecord, NewJobRecord } from './store/records';

const PROGRESS_INTERVAL_MS = 250;
const CHANGE_FLUSH_MS = 50;

interface Running {
  ctrl: AbortController;
  done: Promise<void>;
}

export class UploadEngine implements UploadEngineApi {
  private readonly store: QueueStore;
  private settings: EngineSettings;
  private readonly partSlots: Semaphore;
  private readonly bandwidth: BandwidthLimiter;
  /** Files and parts in flight, measured per destination; the settings are its upper limits. */
  private readonly adaptive: AdaptiveConcurrency;
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
  /** The one pending try per job to record a failure the queue refused… */
  private readonly storeRetries = new Map<number, NodeJS.Timeout>();
  /** …and how many tries it took so far (for the backoff). */
  private readonly storeRetryAttempts = new Map<number, number>();
  /** One driver per kind of job; the scheduler below is the same for all. */
  private readonly drivers: Readonly<Record<JobKind, JobDriver>>;
  /** States a run is in while it runs, of every kind: put back in line when interrupted. */
  private readonly interruptedStates: readonly JobState[];
  /** States in which a job makes progress on its own. */
  private readonly busyStates: readonly JobState[];
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
    this.adaptive = new AdaptiveConcurrency({ files: this.settings.filesInFlight, parts: this.settings.partsInFlight });
    this.poller = new StatusPoller({
      store: this.store,
      providerFor: (profileId) => this.opts.providerFor(profileId),
      changed: (id) => this.changed(id),
      settled: () => this.checkIdle(),
    });
    const runnerDeps = {
      store: this.store,
      partSlots: this.partSlots,
      bandwidth: this.bandwidth,
      progress: this.progress,
      settings: () => this.settings,
      changed: (id: number) => this.changed(id),
      stallMs: this.opts.stallMs,
    };
    this.drivers = {
      upload: new UploadDriver({
        ...runnerDeps,
        // Request slots per destination host for uploads (adaptive.ts).
        adaptive: this.adaptive,
        providerFor: (job) => this.opts.providerFor(job.profileId),
        providerOf: (profileId) => this.opts.providerFor(profileId),
        recordUploaded: (id) => this.recordUploaded(id),
        startPolling: (id) => this.startPolling(id),
      }),
      download: new DownloadDriver({ ...runnerDeps, libraryFor: (profileId) => this.libraryFor(profileId) }),
    };
    this.interruptedStates = Object.values(this.drivers).flatMap((d) => d.runningStates);
    // `uploaded`: the object is complete and VOD's status is polled (status-poller.ts).
    this.busyStates = ['queued', 'waiting', 'uploaded', ...this.interruptedStates];
  }

  /** The library side of a profile's account: given, or the provider itself when it has mediaUrls. */
  private libraryFor(profileId: string | undefined): MediaLibraryPort {
    if (this.opts.libraryFor) return this.opts.libraryFor(profileId);
    const provider = this.opts.providerFor(profileId) as unknown as Partial<MediaLibraryPort>;
    if (typeof provider.mediaUrls !== 'function') {
      throw new EngineError({
        kind: 'parameter', code: 'DownloadUnsupported', retryable: false,
        message: 'This account\'s provider cannot list media URLs, so nothing can be downloaded with it.',
      });
    }
    return provider as MediaLibraryPort;
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
    return { ...this.withWindow(this.progress.snapshot(this.store.totals()).totals), concurrency: this.adaptive.current() };
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
    this.adaptive.setLimits({ files: this.settings.filesInFlight, parts: this.settings.partsInFlight });
    this.pump();
    return this.getSettings();
  }

  // --- commands ----------------------------------------------------------

  async addJobs(items: NewJob[], opts: AddJobsOptions = {}): Promise<AddJobsResult> {
    const rejected: RejectedFile[] = [];
    const valid: NewJobRecord[] = [];
    const partSizeMiB = opts.partSizeMiB || this.settings.partSizeMiB || undefined;
    const policy: DuplicatePolicy = opts.duplicates ?? 'upload';
    for (const item of items) {
      const abs = path.resolve(item.path);
      const problems = [...validateFileName(abs), ...validateMetadata(item.meta), ...validateNoTranscodeFormat(abs, item.meta)];
      let st: { size: number; mtimeMs: number } | undefined;
      let partSize: number | undefined;
      let sampleHash: string | undefined;
      try {
        st = await statFile(abs);
        // A playlist's job is its whole package: refused when a listed file is missing
        // (named), sized as playlist + files.
        if (problems.length === 0 && isHlsPlaylist(abs)) st = { ...st, size: (await readHlsPackage(abs)).totalSize };
        problems.push(...validateFileSize(st.size));
        if (item.meta.coverPath) problems.push(...(await coverProblems(item.meta.coverPath)));
        if (problems.length === 0) partSize = planParts(st.size, { partSizeMiB }).partSize;
        // Reading samples of every file costs 320 KiB each: only when duplicates matter.
        if (problems.length === 0 && policy !== 'upload') sampleHash = (await fingerprint(abs)).sampleHash;
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
        ...(sampleHash ? { sampleHash } : {}),
        meta: normalizeMeta(item.meta),
        priority: item.priority ?? 0,
        state: opts.hold ? 'paused' : 'queued',
        profileId: opts.profileId,
        // A part size chosen for these jobs is theirs (job-runner.plan keeps a stored one).
        ...(opts.partSizeMiB ? { partSize } : {}),
      });
    }
    // Matched against what the account had before this call: copies of one file within
    // a call (the same clip in two folders of a delivery) are each added, as they were.
    const duplicates: DuplicateFile[] = [];
    const keep: NewJobRecord[] = [];
    if (policy === 'upload') keep.push(...valid);
    else {
      const account = this.accountOf(opts.profileId);
      for (const v of valid) {
        const dup = this.duplicateOf(account, opts.profileId, v.path, v.size, v.sampleHash!);
        if (dup) duplicates.push(dup);
        else keep.push(v);
      }
    }
    // `fail`: all or nothing.
    if (policy === 'fail' && duplicates.length > 0) return { added: [], rejected, duplicates };
    const ids = keep.length > 0 ? this.store.insertJobs(keep) : [];
    ids.forEach((id) => this.changed(id));
    this.pump();
    return { added: ids.map((id) => this.getJob(id)!).filter(Boolean), rejected, duplicates };
  }

  /**
   * One download job per item of each video (download/enqueue.ts): the items are listed
   * now with mediaUrls, but only their keys and metadata are kept, never a URL. An item
   * already in the queue for the same folder is not added again (`existing`).
   */
  async addDownloads(req: DownloadRequest, opts: { hold?: boolean } = {}): Promise<AddDownloadsResult> {
    const res = await enqueueDownloads(this.store, this.libraryFor(req.profileId), req, opts);
    res.added.forEach((id) => this.changed(id));
    this.pump();
    const views = (ids: number[]) => ids.map((id) => this.getJob(id)).filter((j): j is JobView => j !== undefined);
    return { added: views(res.added), existing: views(res.existing), rejected: res.rejected };
  }

  private accountOf(profileId: string | undefined): string {
    return this.opts.accountOf ? this.opts.accountOf(profileId) : profileId ?? '';
  }

  /** What the account has of this file: a VideoId in the ledger, else a job of the queue. */
  private duplicateOf(account: string, profileId: string | undefined, abs: string, size: number, sampleHash: string): DuplicateFile | undefined {
    // Every empty file has the same "content": no sign that two are the same video.
    if (size === 0) return undefined;
    const elsewhere = (p: string) => (p !== abs ? { previousPath: p } : {});
    const [hit] = this.store.ledger.find(account, size, sampleHash);
    if (hit) {
      const job = hit.jobId !== undefined && this.store.getJob(hit.jobId) ? { jobId: hit.jobId } : {};
      return { path: abs, kind: 'uploaded', videoId: hit.videoId, uploadedAt: hit.uploadedAt, title: hit.title, ...job, ...elsewhere(hit.path) };
    }
    const [job] = this.store.ledger.queued(profileId, size, sampleHash);
    if (!job) return undefined;
    const rec = this.store.getJob(job.jobId);
    // A job done before the ledger existed has no row there: its VideoId still counts.
    if (DONE_STATES.includes(job.state as JobState) && job.videoId) {
      return { path: abs, kind: 'uploaded', videoId: job.videoId, jobId: job.jobId, uploadedAt: job.finishedAt, title: rec?.meta.title, ...elsewhere(job.path) };
    }
    return {
      path: abs, kind: 'queued', jobId: job.jobId, title: rec?.meta.title,
      ...(job.videoId ? { videoId: job.videoId } : {}), ...elsewhere(job.path),
    };
  }

  async findDuplicates(paths: string[], opts: { profileId?: string } = {}): Promise<DuplicateFile[]> {
    const account = this.accountOf(opts.profileId);
    const found: DuplicateFile[] = [];
    for (const p of paths) {
      const abs = path.resolve(p);
      try {
        let size = (await statFile(abs)).size;
        if (isHlsPlaylist(abs)) size = (await readHlsPackage(abs)).totalSize;
        const dup = this.duplicateOf(account, opts.profileId, abs, size, (await fingerprint(abs)).sampleHash);
        if (dup) found.push(dup);
      } catch {
        // Unreadable or gone: not a duplicate; adding it says what is wrong.
      }
    }
    return found;
  }

  listLedger(opts: { profileId?: string; all?: boolean } = {}): LedgerRow[] {
    const entries = this.store.ledger.list(opts.all ? undefined : this.accountOf(opts.profileId));
    return entries.map((e) => ({
      account: e.account, videoId: e.videoId, title: e.title, path: e.path, size: e.size, sampleHash: e.sampleHash,
      ...(e.crc64 !== undefined ? { crc64: BigInt(e.crc64).toString(16).padStart(16, '0') } : {}),
      uploadedAt: e.uploadedAt, ...(e.jobId !== undefined ? { jobId: e.jobId } : {}),
    }));
  }

  /**
   * The one place the ledger is written: a job whose object is complete (its CRC-64
   * known) records its VideoId for its account. A failure to write is noted on the job,
   * never a failure of the upload.
   */
  private recordUploaded(id: number): void {
    const rec = this.store.getJob(id);
    if (!rec?.videoId || rec.crc64 === undefined || !rec.sampleHash) return;
    if (!['uploaded', ...DONE_STATES].includes(rec.state)) return;
    try {
      this.store.ledger.record({
        account: this.accountOf(rec.profileId), size: rec.size, sampleHash: rec.sampleHash, mtimeMs: rec.mtimeMs,
        crc64: rec.crc64, videoId: rec.videoId, title: rec.meta.title, path: rec.path, jobId: rec.id,
      });
    } catch (err) {
      const e = classifyError(err);
      try {
        this.store.appendEvent(id, 'ledger-failed', { code: e.code, message: e.message });
      } catch {
        // The disk refuses everything: the job's own state is what matters.
      }
    }
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
    for (const rec of this.store.jobsInStates(this.interruptedStates)) {
      this.store.transition(rec.id, this.settings.autoResume ? 'queued' : 'paused', {});
      this.store.appendEvent(rec.id, 'restored', { from: rec.state });
      this.changed(rec.id);
    }
  }

  /** The jobs a command acts on, among those in `states`; a tab selector is resolved in SQL now. */
  private select(sel: JobSelector, states: readonly JobState[]): number[] {
    if (sel === 'all') return this.store.idsInStates(states);
    if (isTabSelector(sel)) return this.store.idsInView(sel.tab, sel.search, states);
    return sel.filter((id) => {
      const rec = this.store.getJob(id);
      return rec !== undefined && states.includes(rec.state);
    });
  }

  /**
   * A complete object (`uploaded`, VOD processing it) has nothing left to pause: it stays
   * in Processing rather than turning into a "paused 100%" row that waits for a file slot.
   * A paused job keeps the bytes of its acknowledged parts; only bytes in flight go.
   */
  async pause(sel: JobSelector): Promise<void> {
    const ids = this.select(sel, ['queued', 'waiting', ...this.interruptedStates]);
    for (const id of ids) {
      this.store.transition(id, 'paused', { nextAttemptAt: null });
      this.changed(id);
    }
    await this.stopWork(ids);
    this.pump();
  }

  clearFinished(): number {
    const ids = this.store.clearFinished();
    for (const id of ids) this.changed(id);
    return ids.length;
  }

  async resume(sel: JobSelector): Promise<void> {
    for (const id of this.select(sel, ['paused'])) {
      this.store.transition(id, 'queued', {});
      this.changed(id);
    }
    this.pump();
  }

  /**
   * Failed, canceled and waiting jobs go back in line (with restartChanged, a job whose
   * file changed after its upload began starts again from byte 0 on its VideoId). A job
   * awaiting review (VOD status Checking) has nothing to upload: "retry" asks VOD for its
   * status again, so a video someone approved becomes ready (and one rejected, failed).
   */
  async retry(sel: JobSelector, opts: RetryOptions = {}): Promise<void> {
    const states: JobState[] = ['failed', 'canceled', 'waiting'];
    for (const id of this.select(sel, states)) {
      if (opts.restartChanged) {
        const rec = this.store.getJob(id);
        if (rec) await this.drivers[rec.kind].restart(rec);
        if (!states.includes(this.store.getJob(id)?.state as JobState)) continue;
      }
      this.store.transition(id, 'queued', { error: null, attempts: 0, nextAttemptAt: null });
      this.changed(id);
    }
    for (const id of this.select(sel, ['review'])) {
      this.store.transition(id, 'uploaded', {});
      this.store.appendEvent(id, 'recheck');
      this.changed(id);
      // Not started (a CLI control command): the next run's restore pass polls it.
      if (this.started) this.startPolling(id);
    }
    this.pump();
  }

  async cancel(sel: JobSelector, opts: CancelOptions = {}): Promise<void> {
    const ids = this.select(sel, ['queued', 'uploaded', 'waiting', 'paused', 'failed', ...this.interruptedStates]);
    await this.stopWork(ids);
    for (const id of ids) {
      const rec = this.store.getJob(id);
      if (!rec || TERMINAL_STATES.includes(rec.state) && rec.state !== 'failed') continue;
      const cleanup = await this.drivers[rec.kind].cancel(rec, opts);
      this.store.transition(id, 'canceled', { nextAttemptAt: null, finishedAt: Date.now(), ...cleanup });
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
    return this.busyStates.every((s) => !by[s]) && this.running.size === 0 && this.unrecorded.size === 0;
  }

  async shutdown(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    clearTimeout(this.wakeTimer);
    clearTimeout(this.windowTimer);
    for (const timer of this.storeRetries.values()) clearTimeout(timer);
    this.storeRetries.clear();
    await this.poller.stop();
    await this.stopWork([...this.running.keys()]);
    // A consistent checkpoint: interrupted work is back in line, as the restore pass
    // would put it, so `vodup status` run after us tells the truth. Only the engine
    // that ran the queue (and holds its lock) may do that.
    if (this.started) this.requeueInterrupted();
    this.flushChanges();
    clearInterval(this.progressTimer);
    clearTimeout(this.changeTimer);
    this.adaptive.stop();
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
    const filesLimit = this.adaptive.files();
    const free = filesLimit - this.running.size;
    if (open && free > 0) {
      const candidates = this.store.nextRunnableKeys(free + this.running.size + 1, Date.now());
      for (const rec of candidates) {
        // A job whose last failure is not written yet waits for that first (onRunError).
        if (this.running.has(rec.id) || this.poller.has(rec.id) || this.storeRetries.has(rec.id)) continue;
        if (this.running.size >= filesLimit) {
          // Work is waiting for a file slot: adaptive concurrency may open another.
          this.adaptive.filesWaited();
          break;
        }
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
      if (!rec || !this.interruptedStates.includes(rec.state)) continue;
      this.store.transition(id, 'queued', {});
      this.store.appendEvent(id, 'window-closed', { from: rec.state });
      this.changed(id);
    }
    this.pump();
  }

  private launch(rec: Pick<JobRecord, 'id' | 'kind'>): void {
    const ctrl = new AbortController();
    const driver = this.drivers[rec.kind];
    const done = (async () => {
      let bytesMoved = false;
      try {
        bytesMoved = (await driver.run(rec.id, ctrl.signal)).bytesMoved;
        // The retry count starts again; a job that succeeded at its first try has nothing
        // to reset (a commit saved per file).
        const after = this.store.getJob(rec.id);
        if (after && (after.attempts !== 0 || after.error)) this.store.updateJob(rec.id, { attempts: 0, error: null });
        driver.succeeded(rec.id);
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
   * cannot be written because the queue database refused the write (a full disk), it
   * is tried again later, with at most one pending try per job; the job is not run
   * meanwhile and its last committed part stays its checkpoint. Any other failure to
   * record is a bug: it is reported once, never retried in a loop.
   */
  private onRunError(id: number, err: unknown, bytesMoved: boolean): void {
    try {
      this.recordRunError(id, err, bytesMoved);
      this.storeRetryAttempts.delete(id);
      this.unrecorded.delete(id);
    } catch (writeErr) {
      if (this.stopping) return;
      const w = classifyError(writeErr);
      if (!isQueueStoreError(writeErr)) {
        this.storeRetryAttempts.delete(id);
        this.unrecorded.delete(id);
        this.failUnrecordable(id, err, w);
        return;
      }
      this.unrecorded.set(id, toJobError(w));
      this.changed(id);
      if (this.storeRetries.has(id)) return;
      const attempt = (this.storeRetryAttempts.get(id) ?? 0) + 1;
      this.storeRetryAttempts.set(id, attempt);
      const timer = setTimeout(() => {
        this.storeRetries.delete(id);
        this.onRunError(id, err, bytesMoved);
        this.pump();
      }, delayFor(STORE_RETRY_POLICY, attempt));
      timer.unref();
      this.storeRetries.set(id, timer);
    }
  }

  /**
   * Recording a failure broke for a reason that is not the disk: a bug. The job is
   * failed with both errors rather than left to be picked up again in a loop, and the
   * bug is reported once.
   */
  private failUnrecordable(id: number, err: unknown, w: EngineError): void {
    const e = classifyError(err);
    process.emitWarning(`Job ${id}: its error (${e.code}) could not be recorded (${w.code}: ${w.message}). This is a bug; please report it.`);
    try {
      this.store.transition(id, 'failed', {
        finishedAt: Date.now(), nextAttemptAt: null,
        error: toJobError(new EngineError({
          kind: 'unknown', code: 'InternalError', retryable: false,
          message: `${e.code}: ${e.message} (and recording it failed: ${w.message})`,
          hint: 'This is a bug; please report it with this message. Retrying the job may work.',
        })),
      });
      this.changed(id);
    } catch {
      // Nothing more can be written for this job now; the restore pass of the next run puts it back in line.
    }
  }

  private recordRunError(id: number, err: unknown, bytesMoved: boolean): void {
    const e = classifyError(err);
    const rec = this.store.getJob(id);
    if (!rec || TERMINAL_STATES.includes(rec.state) || rec.state === 'paused') return;
    // The counter resets when bytes moved: a flaky network that still makes progress
    // never exhausts the job.
    const attempts = (bytesMoved ? 0 : rec.attempts) + 1;
    // The library's own words (URL, headers…) go to the event log, not to the operator.
    const detail = e.detail !== undefined ? { detail: e.detail } : {};
    if (e.retryable) {
      const delay = delayFor(DEFAULT_JOB_POLICY, attempts);
      const patch = { attempts, nextAttemptAt: Date.now() + delay, error: toJobError(e) };
      // A waiting job whose retry failed before it moved on (the network is still down)
      // stays waiting: that is an update of its error and retry time, not a transition.
      if (rec.state === 'waiting') this.store.updateJob(id, patch);
      else this.store.transition(id, 'waiting', patch);
      this.store.appendEvent(id, 'waiting', { code: e.code, message: e.message, delayMs: delay, ...detail });
    } else {
      this.store.transition(id, 'failed', { attempts, error: toJobError(e), finishedAt: Date.now(), nextAttemptAt: null });
      this.store.appendEvent(id, 'failed', { code: e.code, message: e.message, requestId: e.requestId, ...detail });
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
    // Totals first, on the same channel as ever: whoever shows these changes (the upload
    // list, a watch folder's takes) finds the counts already current. Left to the next
    // progress tick or a shell's re-read, the header said "1 uploading" beside a job Done.
    this.emitProgress();
    this.changedEmitter.fire(views);
    this.checkIdle();
  }

  private emitProgress(): void {
    const batch = this.progress.snapshot(this.store.totals());
    this.progressEmitter.fire({ ...batch, totals: { ...this.withWindow(batch.totals), concurrency: this.adaptive.current() } });
  }

  private ensureProgressTimer(): void {
    if (this.running.size > 0 && !this.progressTimer) {
      this.progressTimer = setInterval(() => {
        this.emitProgress();
        if (this.running.size === 0) {
          clearInterval(this.progressTimer);
          this.progressTimer = undefined;
        }
      }, PROGRESS_INTERVAL_MS);
    }
  }

  private checkIdle(): void {
    if (this.idleWaiters.length === 0 || !this.isIdle()) return;
    // Whoever hears "idle" reads the queue next: subscribers must have heard every job's
    // last change first, not 50 ms later (a `vodup run` whose jobs all failed at once
    // used to count none of them). flushChanges comes back here with nothing pending.
    if (this.pendingChanges.size > 0) return this.flushChanges();
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

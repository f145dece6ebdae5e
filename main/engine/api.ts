// The engine's public surface: what every shell (Electron, web mode, CLI) uses.
// The IPC contract (shared/ipc.ts) is implemented on top of this.

import type {
  DuplicateFile, DuplicatePolicy, EngineSettings, JobMeta, LedgerRow, JobPage, JobQuery, JobSelector, JobView, NewJob, ProgressBatch,
  QueueTotals, RejectedFile,
} from '../../shared/types';
import type { JobEvent } from '../../shared/ipc';
import type { DownloadRequest } from '../../shared/library';
import type { Event } from './events';

export interface AddJobsResult {
  added: JobView[];
  rejected: RejectedFile[];
  /**
   * Files this account already has (uploaded, or in the queue) that were not added:
   * all of them with `duplicates: 'skip'` and `'fail'`; none with `'upload'`.
   */
  duplicates: DuplicateFile[];
}

export interface AddDownloadsResult {
  /** One job per item of each video, queued (or paused with `hold`). */
  added: JobView[];
  /**
   * Items already in the queue for the same folder (the same command run again): not
   * added twice; the caller decides whether to retry the failed among them.
   */
  existing: JobView[];
  /** Videos (or items) that could not be enqueued, with why: `path` names the VideoId (and item). */
  rejected: RejectedFile[];
}

export interface AddJobsOptions {
  /** Enqueue as `paused`: staged for editing until the operator presses Start (resume). */
  hold?: boolean;
  /** The profile whose account uploads these jobs (see EngineOptions.providerFor). */
  profileId?: string;
  /**
   * The part size chosen for these jobs, in MiB (0 or absent: the engine's setting when
   * each job starts). Kept with each job, so a held job uploads with it later.
   */
  partSizeMiB?: number;
  /**
   * What to do with a file the account already has (shared/types DuplicatePolicy).
   * Absent: `upload`, as before there was a ledger; the shells pass `skip`. Files are
   * matched against what the account had before the call (copies within one call are
   * each added).
   */
  duplicates?: DuplicatePolicy;
}

export interface RetryOptions {
  /**
   * A failed job whose file changed after its upload began takes the file as it is now:
   * its old multipart upload is abandoned (aborted in OSS when reachable) and it starts
   * again from byte 0 under the same VideoId (the object was never completed). Other
   * jobs are retried as without it.
   */
  restartChanged?: boolean;
}

export interface CancelOptions {
  /** Also delete the VideoId from VOD (DeleteVideo). */
  deleteVideo?: boolean;
}

export interface UploadEngineApi {
  /** Validates and enqueues; nothing invalid enters the queue. */
  addJobs(items: NewJob[], opts?: AddJobsOptions): Promise<AddJobsResult>;
  /** Changes metadata of jobs that have no VideoId yet; others are refused. */
  /** Which of these files the account (of this profile) already has; nothing is added. */
  findDuplicates(paths: string[], opts?: { profileId?: string }): Promise<DuplicateFile[]>;
  /** The ledger: what this app uploaded, of one profile's account or of all, oldest first. */
  listLedger(opts?: { profileId?: string; all?: boolean }): LedgerRow[];
  updateMeta(ids: number[], patch: Partial<JobMeta>): Promise<JobView[]>;
  /**
   * Enqueues downloads: one job per item of each video, resolved now with the
   * provider's mediaUrls but stored as keys and metadata only (URLs expire).
   */
  addDownloads(req: DownloadRequest, opts?: { hold?: boolean }): Promise<AddDownloadsResult>;
  queryJobs(query: JobQuery): JobPage;
  getJob(id: number): JobView | undefined;
  /** The job's latest `limit` events (default 200), oldest first. */
  listEvents(jobId: number, limit?: number): JobEvent[];
  totals(): QueueTotals;

  /** Restore pass, then schedule queued work. Idempotent. */
  start(): Promise<void>;
  pause(sel: JobSelector): Promise<void>;
  resume(sel: JobSelector): Promise<void>;
  retry(sel: JobSelector, opts?: RetryOptions): Promise<void>;
  cancel(sel: JobSelector, opts?: CancelOptions): Promise<void>;
  /** Higher runs first. */
  setPriority(ids: number[], priority: number): Promise<void>;
  /** Takes completed and canceled jobs out of the views and totals (CLEARABLE_STATES); returns how many. */
  clearFinished(): number;

  getSettings(): EngineSettings;
  updateSettings(patch: Partial<EngineSettings>): EngineSettings;

  /** Resolves when no job is in a state that makes progress on its own. */
  whenIdle(): Promise<void>;
  /** Stops scheduling, lets parts in flight settle or abort, leaves a consistent checkpoint. */
  shutdown(): Promise<void>;

  readonly onDidChangeJobs: Event<JobView[]>;
  /** Batched: a few times a second at most. */
  readonly onDidProgress: Event<ProgressBatch>;
}

// One scheduler over job kinds (docs/ARCHITECTURE.md §3, "Second direction"). The
// scheduler (service.ts) owns what every job shares: file slots, the transfer window,
// wake-ups, the failure policy (waiting or failed), pause, resume, retry, cancel and
// priority. A driver owns what one kind does with a job it is given: its states, its
// run from wherever its checkpoint says it is, what follows a success, its cleanup on
// cancel and its restart.

import type { JobKind, JobState } from '../../../shared/types';
import type { CancelOptions } from '../api';
import type { JobPatch, JobRecord } from '../store/records';

export interface RunOutcome {
  /** True when bytes were checkpointed in this run (resets the retry counter). */
  bytesMoved: boolean;
}

export interface JobDriver {
  readonly kind: JobKind;
  /**
   * The states a run of this kind is in while it runs: the ones the restore pass, a
   * closing transfer window and shutdown put back in line.
   */
  readonly runningStates: readonly JobState[];
  /** Drives the job as far as it goes; throws what stopped it (the scheduler classifies it). */
  run(jobId: number, signal: AbortSignal): Promise<RunOutcome>;
  /** After a run that resolved: an upload records its VideoId and polls VOD; a download is done. */
  succeeded(jobId: number): void;
  /**
   * Best-effort cleanup before the job is canceled (it works offline too: a failure is
   * an event on the job). Returns what to change on the job with the cancel.
   */
  cancel(rec: JobRecord, opts: CancelOptions): Promise<JobPatch>;
  /**
   * `retry --restart` of a failed job whose source changed: forget the checkpoint so
   * the next run starts from byte 0. Nothing when the source is as it was.
   */
  restart(rec: JobRecord): Promise<void>;
}

// The job state machine (docs/ARCHITECTURE.md §3): the one place that says which state may
// follow which. The store checks every state change against this table, so no other
// module decides it again.
//
//   queued → creating → uploading → completing → uploaded → ready | review
//   plus paused (operator), waiting (offline/throttled, retries on its own),
//   failed (error with code, message, retryable) and canceled (operator).
//
// VOD's own status (Uploading, Transcoding, Normal…) is a separate column: a job
// stays `uploaded` while the engine polls it, and moves to `ready` on Normal, or to
// `review` on Checking (review before publishing: a person decides, not time).
//
// A download job (the second direction, main/engine/download) has states of its own:
//
//   queued → downloading → verifying → downloaded
//   with the same paused, waiting, failed and canceled.
//
// One table holds both kinds; JOB_KIND_STATES says which states each kind may enter,
// so an upload never becomes `downloading` nor a download `uploaded`.

import { JOB_STATES, TERMINAL_STATES, type JobKind, type JobState } from '../../shared/types';

/** The states each kind of job may be in; the shared ones (queued, paused…) are in both. */
export const JOB_KIND_STATES: Readonly<Record<JobKind, readonly JobState[]>> = {
  upload: ['queued', 'creating', 'uploading', 'completing', 'uploaded', 'ready', 'review', 'paused', 'waiting', 'failed', 'canceled'],
  download: ['queued', 'downloading', 'verifying', 'downloaded', 'paused', 'waiting', 'failed', 'canceled'],
};

/** Each allowed transition with the reason it exists. A pair that is absent is refused. */
export const JOB_TRANSITIONS: Readonly<Record<JobState, Readonly<Partial<Record<JobState, string>>>>> = {
  queued: {
    // The scheduler picks the job and enters the first step that is still to do, so a
    // resumed job does not repeat what is done: creating when it has no VideoId,
    // uploading when it has one, completing when all parts are acknowledged, uploaded
    // when the object is complete and only VOD's status is awaited.
    creating: 'scheduler starts a job without a VideoId',
    uploading: 'scheduler resumes a job that already has a VideoId',
    completing: 'scheduler resumes a job whose parts are all acknowledged',
    uploaded: 'scheduler resumes polling VOD status of a complete object',
    downloading: 'scheduler starts or resumes a download (ranges checkpointed are not fetched again; one whose ranges are all written goes on to verifying)',
    paused: 'operator pauses',
    waiting: 'scheduler holds it back: offline or throttled before it could start',
    failed: 'a check before starting failed (file changed or gone)',
    canceled: 'operator cancels',
  },
  creating: {
    uploading: 'CreateUploadVideo answered; the VideoId is stored',
    queued: 'restore pass or shutdown puts interrupted work back in line',
    paused: 'operator pauses',
    waiting: 'offline or throttled; retries on its own',
    failed: 'a non-retryable error, or retries exhausted',
    canceled: 'operator cancels',
  },
  uploading: {
    completing: 'every part is acknowledged',
    queued: 'restore pass or shutdown puts interrupted work back in line',
    paused: 'operator pauses',
    waiting: 'offline or throttled; retries on its own',
    failed: 'a non-retryable error, or retries exhausted',
    canceled: 'operator cancels',
  },
  completing: {
    uploaded: 'CompleteMultipartUpload succeeded and the object CRC-64 matched',
    uploading: 'the server lacks a part (reconciled with ListParts): upload it again',
    queued: 'restore pass or shutdown puts interrupted work back in line',
    paused: 'operator pauses',
    waiting: 'offline or throttled; retries on its own',
    failed: 'a non-retryable error, or the object CRC-64 did not match',
    canceled: 'operator cancels',
  },
  uploaded: {
    ready: 'VOD status reached Normal',
    review: 'VOD status reached Checking: the video waits for review before publishing',
    queued: 'restore pass or shutdown puts interrupted polling back in line',
    paused: 'operator pauses the polling',
    waiting: 'offline or throttled while polling; retries on its own',
    failed: 'VOD reported a failure status (UploadFail, TranscodeFail, PrepareFail, ProduceFail, Blocked), or polling gave up',
    canceled: 'operator cancels',
  },
  downloading: {
    verifying: 'every range is written and fsynced',
    queued: 'restore pass, shutdown or a closing transfer window puts interrupted work back in line',
    paused: 'operator pauses',
    waiting: 'offline, throttled, URL refused, or the disk is full; retries on its own',
    failed: 'a non-retryable error (the remote object changed, the item is gone), or retries exhausted',
    canceled: 'operator cancels',
  },
  verifying: {
    downloaded: 'the whole file matched the object (CRC-64, or size and MD5) and took its final name, or the destination already held this very file',
    queued: 'restore pass or shutdown puts interrupted work back in line',
    paused: 'operator pauses',
    waiting: 'the disk is full or busy; retries on its own',
    failed: 'the file did not match the object',
    canceled: 'operator cancels',
  },
  downloaded: {
    // Terminal: the verified file is in place. Fetching it again is a new job.
  },
  ready: {
    // Terminal: the video exists in VOD. Uploading it again would make a second VideoId.
  },
  review: {
    // Done for the uploader: the video exists in VOD. Nothing is uploaded again; the
    // operator may only ask for VOD's status once more (after someone reviewed it).
    uploaded: 'operator asks to check the VOD status again',
  },
  paused: {
    queued: 'operator resumes; the scheduler continues from the step it had reached',
    failed: 'the file was found changed or gone while paused',
    canceled: 'operator cancels',
  },
  waiting: {
    // A retry continues at the step the job had reached (or goes through queued when
    // the scheduler has to wait for a free slot).
    queued: 'retry time came but no slot is free, or operator retries now',
    creating: 'retry of CreateUploadVideo',
    uploading: 'retry of the upload',
    completing: 'retry of CompleteMultipartUpload',
    uploaded: 'retry of VOD status polling',
    downloading: 'retry of a download',
    paused: 'operator pauses',
    failed: 'a non-retryable error, or retries exhausted',
    canceled: 'operator cancels',
  },
  failed: {
    queued: 'operator retries; the job resumes from its checkpoint and keeps its VideoId',
    canceled: 'operator discards the failed job (optionally deleting its VideoId)',
  },
  canceled: {
    queued: 'operator retries a canceled job; a deleted VideoId must have been cleared first',
  },
};

export class IllegalTransitionError extends Error {
  constructor(
    readonly from: JobState,
    readonly to: JobState,
    readonly jobId?: number,
    detail?: string,
  ) {
    const allowed = allowedTransitions(from);
    const subject = jobId === undefined ? 'A job' : `Job ${jobId}`;
    super(
      detail ??
        `${subject} cannot go from "${from}" to "${to}". ` +
          (allowed.length > 0
            ? `From "${from}" it may go to: ${allowed.join(', ')}.`
            : `"${from}" is final; nothing follows it.`),
    );
    this.name = 'IllegalTransitionError';
  }
}

export function isJobState(s: unknown): s is JobState {
  return typeof s === 'string' && (JOB_STATES as readonly string[]).includes(s);
}

/**
 * Staying in the same state is not a transition (an update is not a state change). With
 * a kind, the target must also be one of that kind's states.
 */
export function canTransition(from: JobState, to: JobState, kind?: JobKind): boolean {
  if (kind !== undefined && !JOB_KIND_STATES[kind].includes(to)) return false;
  return Object.prototype.hasOwnProperty.call(JOB_TRANSITIONS[from], to);
}

export function assertTransition(from: JobState, to: JobState, jobId?: number, kind?: JobKind): void {
  if (!canTransition(from, to, kind)) {
    if (kind !== undefined && !JOB_KIND_STATES[kind].includes(to) && canTransition(from, to)) {
      const subject = jobId === undefined ? 'A job' : `Job ${jobId}`;
      throw new IllegalTransitionError(from, to, jobId, `${subject} is ${kind === 'upload' ? 'an upload' : 'a download'}; "${to}" is not one of its states.`);
    }
    throw new IllegalTransitionError(from, to, jobId);
  }
}

export function allowedTransitions(from: JobState, kind?: JobKind): JobState[] {
  return JOB_STATES.filter((to) => canTransition(from, to, kind));
}

/** Nothing more happens without the operator. */
export function isTerminal(state: JobState): boolean {
  return TERMINAL_STATES.includes(state);
}

/** Work in progress: the job holds a slot (files in flight). */
export function isActive(state: JobState): boolean {
  return state === 'creating' || state === 'uploading' || state === 'completing' || state === 'uploaded'
    || state === 'downloading' || state === 'verifying';
}

/**
 * The scheduler may pick it now: queued, or waiting whose retry time has come.
 * A waiting job without a retry time is due at once; the scheduler holds jobs back
 * while offline, so no time is needed to wait for the network.
 */
export function isRunnable(job: { state: JobState; nextAttemptAt?: number | null }, now: number): boolean {
  if (job.state === 'queued') return true;
  if (job.state !== 'waiting') return false;
  return job.nextAttemptAt == null || job.nextAttemptAt <= now;
}

// The retry policy as data (docs/ARCHITECTURE.md §3, habit 7): how long to wait before attempt n,
// and one loop that retries only what classifyError calls retryable.

import { classifyError, EngineError } from './errors';

export interface RetryPolicy {
  /** Delay before the first retry, before jitter. */
  baseMs: number;
  /** No delay is longer than this. */
  maxMs: number;
  /** Growth per attempt. */
  factor: number;
  /**
   * Share of the delay that is random: 0 = exact exponential backoff, 1 = "full jitter"
   * (uniform in [0, delay]). Spreads retries of many jobs so they don't arrive together.
   */
  jitter: number;
  /** Attempts in all, the first included (for single calls; jobs reset their counter when bytes move). */
  maxAttempts: number;
}

/** One OpenAPI or OSS request: a few quick retries, then the job decides. */
export const DEFAULT_CALL_POLICY: Readonly<RetryPolicy> = Object.freeze({
  baseMs: 500,
  maxMs: 20_000,
  factor: 2,
  jitter: 0.5,
  maxAttempts: 6,
});

/**
 * A job in `waiting` (offline, throttled, service trouble): keeps trying on its own, at most
 * every 5 minutes. The caller resets its attempt counter when bytes move again.
 */
export const DEFAULT_JOB_POLICY: Readonly<RetryPolicy> = Object.freeze({
  baseMs: 5_000,
  maxMs: 300_000,
  factor: 2,
  jitter: 0.5,
  maxAttempts: Number.POSITIVE_INFINITY,
});

/**
 * VOD status polling after the object is complete: soon at first (transcoding often
 * takes seconds), then at most once a minute per video for as long as it takes.
 */
export const STATUS_POLL_POLICY: Readonly<RetryPolicy> = Object.freeze({
  baseMs: 1_000,
  maxMs: 60_000,
  factor: 1.6,
  jitter: 0.3,
  maxAttempts: Number.POSITIVE_INFINITY,
});

/**
 * Writing a job's outcome to the queue when the queue's disk refused it (full): tried
 * again, each job with at most one pending try, until the disk takes it.
 */
export const STORE_RETRY_POLICY: Readonly<RetryPolicy> = Object.freeze({
  baseMs: 5_000,
  maxMs: 60_000,
  factor: 2,
  jitter: 0.2,
  maxAttempts: Number.POSITIVE_INFINITY,
});

/**
 * Looking for the video a lost CreateUploadVideo may have made: SearchMedia's index lags
 * a new video by seconds, so an empty answer is trusted only once ADOPTION_SEARCH_SETTLE_MS
 * have passed since the lost request; until then the search is repeated on this policy.
 */
export const ADOPTION_SEARCH_POLICY: Readonly<RetryPolicy> = Object.freeze({
  baseMs: 1_000,
  maxMs: 8_000,
  factor: 2,
  jitter: 0.3,
  maxAttempts: Number.POSITIVE_INFINITY,
});
/** How long after a lost create an empty SearchMedia answer is believed (see ADOPTION_SEARCH_POLICY). */
export const ADOPTION_SEARCH_SETTLE_MS = 30_000;

/**
 * Delay before retry number `attempt` (1 = after the first failure):
 * min(maxMs, baseMs·factor^(attempt−1)), of which the share `jitter` is drawn at random.
 */
export function delayFor(policy: RetryPolicy, attempt: number, random: () => number = Math.random): number {
  const n = Math.max(1, Math.floor(attempt));
  const jitter = Math.min(1, Math.max(0, policy.jitter));
  // Exponent capped so factor^n cannot overflow to Infinity/NaN for a job retried for weeks.
  const exp = Math.min(policy.maxMs, policy.baseMs * Math.pow(policy.factor, Math.min(n - 1, 64)));
  const r = Math.min(1, Math.max(0, random()));
  return Math.round(exp * (1 - jitter) + exp * jitter * r);
}

export type Sleep = (ms: number, signal?: AbortSignal) => Promise<void>;

function canceled(): EngineError {
  return new EngineError({ kind: 'canceled', code: 'Canceled', message: 'The operation was canceled.' });
}

/** setTimeout as a promise that rejects with a `canceled` EngineError on abort. */
export const realSleep: Sleep = (ms, signal) => new Promise<void>((resolve, reject) => {
  if (signal?.aborted) {
    reject(canceled());
    return;
  }
  const onAbort = (): void => {
    clearTimeout(timer);
    reject(canceled());
  };
  const timer = setTimeout(() => {
    signal?.removeEventListener('abort', onAbort);
    resolve();
  }, ms);
  signal?.addEventListener('abort', onAbort, { once: true });
});

export interface RetryInfo {
  error: EngineError;
  /** The attempt that just failed (1-based). */
  attempt: number;
  delayMs: number;
}

export interface RetryingOptions {
  policy: RetryPolicy;
  classify?: (err: unknown) => EngineError;
  signal?: AbortSignal;
  sleep?: Sleep;
  random?: () => number;
  /** Awaited before the wait: a place to refresh a credential or log. */
  onRetry?: (info: RetryInfo) => void | Promise<void>;
}

/**
 * Runs fn until it succeeds, fails with an error that is not retryable, runs out of
 * attempts, or the signal aborts. Always rejects with an EngineError.
 */
export async function retrying<T>(fn: (attempt: number) => Promise<T>, opts: RetryingOptions): Promise<T> {
  const classify = opts.classify ?? classifyError;
  const sleep = opts.sleep ?? realSleep;
  for (let attempt = 1; ; attempt++) {
    if (opts.signal?.aborted) throw canceled();
    let error: EngineError;
    try {
      return await fn(attempt);
    } catch (err) {
      error = classify(err);
    }
    // An abort during the attempt shows up as whatever the transport threw; report it as such.
    if (opts.signal?.aborted) throw error.kind === 'canceled' ? error : canceled();
    if (!error.retryable || attempt >= opts.policy.maxAttempts) throw error;
    const delayMs = delayFor(opts.policy, attempt, opts.random);
    await opts.onRetry?.({ error, attempt, delayMs });
    await sleep(delayMs, opts.signal);
  }
}

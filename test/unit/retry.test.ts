import { describe, expect, it } from 'vitest';
import { EngineError } from '../../main/engine/errors';
import {
  DEFAULT_CALL_POLICY, DEFAULT_JOB_POLICY, delayFor, realSleep, retrying, type RetryInfo, type RetryPolicy,
} from '../../main/engine/retry';

const policy: RetryPolicy = { baseMs: 100, maxMs: 1000, factor: 2, jitter: 0, maxAttempts: 5 };

describe('delayFor', () => {
  it('grows exponentially from baseMs without jitter', () => {
    expect([1, 2, 3, 4].map((n) => delayFor(policy, n))).toEqual([100, 200, 400, 800]);
  });

  it('is capped at maxMs', () => {
    expect(delayFor(policy, 5)).toBe(1000);
    expect(delayFor(policy, 50)).toBe(1000);
    // A job retried for weeks: no overflow to Infinity or NaN.
    expect(delayFor(DEFAULT_JOB_POLICY, 10_000, () => 1)).toBe(DEFAULT_JOB_POLICY.maxMs);
    expect(Number.isFinite(delayFor(DEFAULT_JOB_POLICY, 10_000))).toBe(true);
  });

  it('full jitter spans [0, delay] by the random draw', () => {
    const full = { ...policy, jitter: 1 };
    expect(delayFor(full, 3, () => 0)).toBe(0);
    expect(delayFor(full, 3, () => 0.5)).toBe(200);
    expect(delayFor(full, 3, () => 0.999999)).toBe(400);
  });

  it('partial jitter keeps a floor of (1 − jitter)·delay', () => {
    const half = { ...policy, jitter: 0.5 };
    expect(delayFor(half, 2, () => 0)).toBe(100);
    expect(delayFor(half, 2, () => 1)).toBe(200);
    expect(delayFor(half, 10, () => 0)).toBe(500);
  });

  it('stays within bounds for any random draw', () => {
    let seed = 7;
    const lcg = (): number => ((seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
    for (let attempt = 1; attempt <= 30; attempt++) {
      const d = delayFor(DEFAULT_CALL_POLICY, attempt, lcg);
      const ceiling = Math.min(DEFAULT_CALL_POLICY.maxMs, DEFAULT_CALL_POLICY.baseMs * 2 ** (attempt - 1));
      expect(d).toBeGreaterThanOrEqual(ceiling * (1 - DEFAULT_CALL_POLICY.jitter) - 1);
      expect(d).toBeLessThanOrEqual(ceiling);
    }
  });

  it('the job policy waits at most 5 minutes and never gives up by itself', () => {
    expect(DEFAULT_JOB_POLICY.maxMs).toBe(300_000);
    expect(DEFAULT_JOB_POLICY.maxAttempts).toBe(Number.POSITIVE_INFINITY);
  });
});

const throttled = (): EngineError => new EngineError({ kind: 'throttled', code: 'Throttling', message: 'slow down' });
const forbidden = (): EngineError => new EngineError({ kind: 'permission', code: 'Forbidden.RAM', message: 'no' });

/** Records the waits instead of waiting. */
function recordingSleep(): { sleep: (ms: number) => Promise<void>; waits: number[] } {
  const waits: number[] = [];
  return { waits, sleep: async (ms) => { waits.push(ms); } };
}

describe('retrying', () => {
  it('retries retryable errors with the policy\'s delays until success', async () => {
    const { sleep, waits } = recordingSleep();
    const seen: RetryInfo[] = [];
    let calls = 0;
    const result = await retrying(async (attempt) => {
      calls++;
      expect(attempt).toBe(calls);
      if (attempt < 3) throw throttled();
      return 'ok';
    }, { policy, sleep, onRetry: (i) => { seen.push(i); } });
    expect(result).toBe('ok');
    expect(calls).toBe(3);
    expect(waits).toEqual([100, 200]);
    expect(seen.map((i) => [i.attempt, i.error.code, i.delayMs])).toEqual([[1, 'Throttling', 100], [2, 'Throttling', 200]]);
  });

  it('does not retry errors that are not retryable', async () => {
    const { sleep, waits } = recordingSleep();
    let calls = 0;
    const err = await retrying(async () => { calls++; throw forbidden(); }, { policy, sleep }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect((err as EngineError).kind).toBe('permission');
    expect(calls).toBe(1);
    expect(waits).toEqual([]);
  });

  it('classifies raw errors (ECONNRESET is retried, ENOENT is not)', async () => {
    const { sleep } = recordingSleep();
    let calls = 0;
    await retrying(async () => {
      calls++;
      if (calls === 1) throw Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
      return 1;
    }, { policy, sleep });
    expect(calls).toBe(2);

    calls = 0;
    const err = await retrying(async () => {
      calls++;
      throw Object.assign(new Error('no such file'), { code: 'ENOENT', syscall: 'open', path: '/x' });
    }, { policy, sleep }).catch((e: unknown) => e);
    expect((err as EngineError).kind).toBe('file');
    expect(calls).toBe(1);
  });

  it('gives up after maxAttempts with the last error', async () => {
    const { sleep, waits } = recordingSleep();
    let calls = 0;
    const err = await retrying(async () => { calls++; throw throttled(); }, { policy, sleep }).catch((e: unknown) => e);
    expect((err as EngineError).code).toBe('Throttling');
    expect(calls).toBe(policy.maxAttempts);
    expect(waits).toHaveLength(policy.maxAttempts - 1);
  });

  it('uses a custom classifier', async () => {
    const { sleep } = recordingSleep();
    let calls = 0;
    const err = await retrying(async () => { calls++; throw throttled(); }, {
      policy, sleep, classify: (e) => (e as EngineError).with({ retryable: false }),
    }).catch((e: unknown) => e);
    expect(calls).toBe(1);
    expect((err as EngineError).retryable).toBe(false);
  });

  it('stops when the signal aborts during the backoff wait', async () => {
    const ac = new AbortController();
    let calls = 0;
    const err = await retrying(async () => { calls++; throw throttled(); }, {
      policy: { ...policy, baseMs: 60_000, maxMs: 60_000 },
      signal: ac.signal,
      // The real sleep: the abort must cut a one-minute wait short.
      onRetry: () => { ac.abort(); },
    }).catch((e: unknown) => e);
    expect((err as EngineError).kind).toBe('canceled');
    expect(calls).toBe(1);
  });

  it('does not start when already aborted', async () => {
    const ac = new AbortController();
    ac.abort();
    let calls = 0;
    const err = await retrying(async () => { calls++; return 1; }, { policy, signal: ac.signal }).catch((e: unknown) => e);
    expect((err as EngineError).kind).toBe('canceled');
    expect(calls).toBe(0);
  });

  it('reports an abort during an attempt as canceled, not as the transport error', async () => {
    const ac = new AbortController();
    const { sleep } = recordingSleep();
    const err = await retrying(async () => {
      ac.abort();
      throw Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' });
    }, { policy, sleep, signal: ac.signal }).catch((e: unknown) => e);
    expect((err as EngineError).kind).toBe('canceled');
  });

  it('awaits an async onRetry (e.g. a credential refresh) before the next attempt', async () => {
    const { sleep } = recordingSleep();
    const order: string[] = [];
    await retrying(async (attempt) => {
      order.push(`attempt ${attempt}`);
      if (attempt === 1) throw new EngineError({ kind: 'credentialExpired', code: 'SecurityTokenExpired', message: 'expired' });
      return 1;
    }, {
      policy, sleep,
      onRetry: async () => {
        await Promise.resolve();
        order.push('refreshed');
      },
    });
    expect(order).toEqual(['attempt 1', 'refreshed', 'attempt 2']);
  });
});

describe('realSleep', () => {
  it('rejects with canceled when aborted', async () => {
    const ac = new AbortController();
    const p = realSleep(60_000, ac.signal);
    ac.abort();
    await expect(p).rejects.toMatchObject({ kind: 'canceled' });
  });

  it('resolves after the time', async () => {
    await expect(realSleep(1)).resolves.toBeUndefined();
  });
});

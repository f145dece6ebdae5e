import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { BandwidthLimiter, type LimiterTimers } from '../../main/engine/bandwidth';
import { Semaphore } from '../../main/engine/semaphore';

/** A clock and timers the test moves by hand: no wall time in any assertion. */
function manualClock(start = 1_000_000) {
  let now = start;
  const pending: { at: number; fn: () => void }[] = [];
  const timers: LimiterTimers = {
    set: (fn, ms) => {
      const t = { at: now + ms, fn };
      pending.push(t);
      return t;
    },
    clear: (h) => {
      const i = pending.indexOf(h as (typeof pending)[number]);
      if (i >= 0) pending.splice(i, 1);
    },
  };
  return {
    now: () => now,
    timers,
    advance(ms: number) {
      now += ms;
    },
    pending: () => pending.length,
    /** Moves the clock to the earliest timer and fires it; false when none is set. */
    fireNext(): boolean {
      if (pending.length === 0) return false;
      pending.sort((a, b) => a.at - b.at);
      const t = pending.shift()!;
      now = Math.max(now, t.at);
      t.fn();
      return true;
    },
  };
}

describe('BandwidthLimiter', () => {
  it('is not in the path at all without a cap, and grants at once', () => {
    const bw = new BandwidthLimiter(0);
    expect(bw.throttle()).toBeUndefined();
    let granted = false;
    bw.request(1, 1e9, () => (granted = true));
    expect(granted).toBe(true);
  });

  it('makes a taker wait for the bytes beyond its burst, at the set rate', () => {
    const clock = manualClock();
    const bw = new BandwidthLimiter(1_000_000, clock.now, clock.timers); // 1 MB/s, burst 250 kB
    clock.advance(10_000); // long enough to fill the bucket
    const granted: number[] = [];
    bw.request(1, 250_000, () => granted.push(1));
    bw.request(1, 100_000, () => granted.push(2)); // the bucket is at 0: may go into debt by one slice
    bw.request(1, 50_000, () => granted.push(3));
    expect(granted).toEqual([1, 2]);
    const before = clock.now();
    expect(clock.fireNext()).toBe(true);
    expect(granted).toEqual([1, 2, 3]);
    expect(clock.now() - before).toBe(100); // the 100 kB debt at 1 MB/s
  });

  it('serves jobs in turn: a small job is not stuck behind a big one', () => {
    const clock = manualClock();
    const bw = new BandwidthLimiter(1_000_000, clock.now, clock.timers);
    const order: string[] = [];
    // The big job asks first, for ten slices; the small one then for two.
    for (let i = 0; i < 10; i++) bw.request('big', 100_000, () => order.push('big'));
    for (let i = 0; i < 2; i++) bw.request('small', 100_000, () => order.push('small'));
    while (clock.fireNext()) { /* run the limiter's timers */ }
    expect(order).toHaveLength(12);
    // FIFO would give the small job slices 11 and 12; in turns it has both within the first five.
    expect(order.slice(0, 5).filter((o) => o === 'small')).toHaveLength(2);
    expect(order.indexOf('small')).toBeLessThanOrEqual(2);
    // The cap still holds for both together: 1.2 MB at 1 MB/s from an empty bucket.
    expect(clock.now() - 1_000_000).toBeGreaterThanOrEqual(1_100);
  });

  it('gives a canceled request no bytes and lets the others go on', () => {
    const clock = manualClock();
    const bw = new BandwidthLimiter(1_000_000, clock.now, clock.timers);
    const order: string[] = [];
    bw.request('a', 100_000, () => order.push('a1'));
    const cancel = bw.request('a', 100_000, () => order.push('a2'));
    bw.request('b', 100_000, () => order.push('b1'));
    cancel();
    while (clock.fireNext()) { /* run */ }
    expect(order).toEqual(['a1', 'b1']);
  });

  it('lets every waiter go when the cap is lifted', () => {
    const clock = manualClock();
    const bw = new BandwidthLimiter(1_000, clock.now, clock.timers);
    const order: string[] = [];
    for (const k of ['a', 'b', 'c']) bw.request(k, 100_000, () => order.push(k));
    expect(order).toEqual(['a']);
    bw.setRate(0);
    expect(order).toEqual(['a', 'b', 'c']);
    expect(clock.pending()).toBe(0);
  });

  it('meters two jobs\' streams in turn: the small stream ends while the big one still sends', async () => {
    const clock = manualClock();
    const bw = new BandwidthLimiter(1_000_000, clock.now, clock.timers); // slices of 50 kB
    const big = bw.forJob(1).throttle()!;
    const small = bw.forJob(2).throttle()!;
    let bigOut = 0;
    let smallEnded = false;
    let bigAtSmallEnd = -1;
    big.on('data', (c: Buffer) => (bigOut += c.length));
    small.on('data', () => undefined);
    small.on('end', () => {
      smallEnded = true;
      bigAtSmallEnd = bigOut;
    });
    const bigEnded = new Promise((resolve) => big.on('end', resolve));
    big.end(Buffer.alloc(2_000_000, 1));
    small.end(Buffer.alloc(150_000, 2));
    let done = false;
    void bigEnded.then(() => (done = true));
    // Drive the limiter's clock until both streams have drained (a deadline in steps, not time).
    for (let step = 0; step < 10_000 && !done; step++) {
      await new Promise((resolve) => setImmediate(resolve));
      clock.fireNext();
    }
    expect(done).toBe(true);
    expect(smallEnded).toBe(true);
    expect(bigOut).toBe(2_000_000);
    // In turns the small job's three slices go within its first turns, long before the big one is through.
    expect(bigAtSmallEnd).toBeGreaterThan(0);
    expect(bigAtSmallEnd).toBeLessThan(500_000);
  });

  it('passes bytes unchanged, cut into small slices', async () => {
    const bw = new BandwidthLimiter(20 * 1024 * 1024);
    const input = Buffer.from(Array.from({ length: 3 * 1024 * 1024 + 7 }, (_, i) => (i * 31) & 0xff));
    const out: Buffer[] = [];
    const throttle = bw.throttle()!;
    throttle.on('data', (chunk: Buffer) => out.push(chunk));
    const ended = new Promise((resolve) => throttle.on('end', resolve));
    Readable.from([input.subarray(0, 2 * 1024 * 1024), input.subarray(2 * 1024 * 1024)]).pipe(throttle);
    await ended;
    expect(Buffer.concat(out).equals(input)).toBe(true);
    expect(Math.max(...out.map((c) => c.length))).toBeLessThanOrEqual(1024 * 1024);
    expect(out.length).toBeGreaterThan(3);
  });
});

describe('Semaphore (part slots)', () => {
  it('gives a freed slot to the job holding the fewest, not to the first in line', async () => {
    const slots = new Semaphore(2);
    const bigA = await slots.acquire(undefined, 'big');
    await slots.acquire(undefined, 'big');
    const granted: string[] = [];
    // The big job asks for more slots before the small job asks for its first.
    void slots.acquire(undefined, 'big').then(() => granted.push('big'));
    void slots.acquire(undefined, 'small').then(() => granted.push('small'));
    bigA();
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).toEqual(['small']);
  });

  it('serves one owner first come, first served', async () => {
    const slots = new Semaphore(1);
    const first = await slots.acquire(undefined, 1);
    const granted: number[] = [];
    void slots.acquire(undefined, 1).then((r) => { granted.push(1); r(); });
    void slots.acquire(undefined, 1).then((r) => { granted.push(2); r(); });
    first();
    await new Promise((resolve) => setImmediate(resolve));
    await new Promise((resolve) => setImmediate(resolve));
    expect(granted).toEqual([1, 2]);
  });
});

import { describe, expect, it } from 'vitest';
import { Readable } from 'node:stream';
import { BandwidthLimiter } from '../../main/engine/bandwidth';

describe('BandwidthLimiter', () => {
  it('is not in the path at all without a cap', () => {
    expect(new BandwidthLimiter(0).throttle()).toBeUndefined();
    expect(new BandwidthLimiter(0).reserve(1e9)).toBe(0);
  });

  it('makes a taker wait for the bytes beyond its burst, at the set rate', () => {
    let t = 1_000_000;
    const bw = new BandwidthLimiter(1_000_000, () => t); // 1 MB/s, burst 250 kB
    t += 10_000; // long enough to fill the bucket
    expect(bw.reserve(250_000)).toBe(0);
    expect(bw.reserve(100_000)).toBe(100); // 100 kB at 1 MB/s
    t += 100;
    expect(bw.reserve(50_000)).toBe(50);
  });

  it('is one bucket for every stream: two takers share the rate', () => {
    let t = 0;
    const bw = new BandwidthLimiter(1_000_000, () => t);
    t += 10_000;
    bw.reserve(250_000);
    expect(bw.reserve(500_000)).toBe(500);
    expect(bw.reserve(500_000)).toBe(1000);
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

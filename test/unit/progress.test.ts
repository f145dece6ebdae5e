import { describe, expect, it } from 'vitest';
import { ProgressTracker } from '../../main/engine/progress';

// A job's live progress is its acknowledged bytes plus the bytes of parts in flight;
// stopping (pause, a failed attempt) drops only what OSS did not acknowledge.

const TOTALS = { jobs: 1, byState: {}, bytesTotal: 10_000, bytesDone: 0, speed: 0 };

describe('ProgressTracker', () => {
  it('counts acknowledged parts and bytes in flight, and a stop keeps only the acknowledged', () => {
    const p = new ProgressTracker();
    p.begin(1, 2_000, 10_000); // two parts of 1,000 acknowledged before this run
    p.add(1, 3, 600);
    p.add(1, 4, 300);
    expect(p.bytesDone(1)).toBe(2_900);
    // Part 3 is acknowledged and stored: the store's bytes_done is now 3,000.
    p.commit(1, 3, 3_000);
    expect(p.bytesDone(1)).toBe(3_300);
    // The job is paused: part 4's attempt is aborted, its bytes did not count.
    p.discard(1, 4);
    expect(p.bytesDone(1)).toBe(3_000);
    expect(p.snapshot(TOTALS).jobs).toEqual([expect.objectContaining({ id: 1, bytesDone: 3_000 })]);
    p.end(1);
    expect(p.bytesDone(1)).toBeUndefined();
  });

  it('starts a retried part from zero, not on top of its failed attempt', () => {
    const p = new ProgressTracker();
    p.begin(1, 0, 10_000);
    p.add(1, 1, 800);
    p.discard(1, 1);
    p.add(1, 1, 100);
    expect(p.bytesDone(1)).toBe(100);
  });
});

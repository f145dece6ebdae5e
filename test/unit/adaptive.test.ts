// Adaptive concurrency (main/engine/adaptive.ts), fed synthetic throughput samples: no
// timing, no network. A "network" here is a function from level to bytes per second.

import { describe, expect, it } from 'vitest';
import { AdaptiveConcurrency, ConcurrencyController, FILES_PER_SLOT, INITIAL_LEVEL, MEMORY_BOUND } from '../../main/engine/adaptive';

/** Per-connection cap `per`, link `link`: rate = min(level × per, link). */
const wan = (per: number, link: number) => (level: number): number => Math.min(level * per, link);

/** Runs the controller against a network for `n` samples; returns the levels it chose. */
function drive(c: ConcurrencyController, net: (level: number) => number, n: number, errorsAt: Set<number> = new Set()): number[] {
  const levels: number[] = [];
  for (let i = 0; i < n; i++) {
    levels.push(c.sample({ bytesPerSecond: net(c.level), errors: errorsAt.has(i) ? 1 : 0, saturated: true }));
  }
  return levels;
}

describe('ConcurrencyController', () => {
  it('climbs while throughput grows and settles where the link is full', () => {
    // 12.5 MB/s per connection, 125 MB/s link: 10 connections fill it.
    const c = new ConcurrencyController({ initial: 2, max: 64 });
    const levels = drive(c, wan(12.5e6, 125e6), 40);
    expect(Math.max(...levels)).toBeGreaterThan(2);
    // Settled at a level that fills the link, and not past the step that stopped helping
    // (8 → 12 helped, 12 → 18 did not; probes to 19 are undone).
    expect(wan(12.5e6, 125e6)(c.level)).toBe(125e6);
    expect(c.level).toBeLessThanOrEqual(18);
    expect(c.level).toBeGreaterThanOrEqual(10);
    expect(Math.max(...levels)).toBeLessThanOrEqual(19);
  });

  it('never goes past its upper limit (the setting), and follows a lowered one at once', () => {
    const c = new ConcurrencyController({ initial: 4, max: 6 });
    const levels = drive(c, wan(1e6, 1e9), 30);
    expect(Math.max(...levels)).toBe(6);
    c.setMax(3);
    expect(c.level).toBe(3);
    expect(Math.max(...drive(c, wan(1e6, 1e9), 30))).toBe(3);
  });

  it('halves on errors and climbs back only by probing', () => {
    const c = new ConcurrencyController({ initial: 16, max: 16, probeEvery: 3 });
    const net = wan(1e6, 1e9);
    drive(c, net, 3);
    expect(c.level).toBe(16);
    const after = drive(c, net, 1, new Set([0]));
    expect(after[0]).toBe(8);
    // Then one at a time (additive increase), not straight back to 16.
    const next = drive(c, net, 30);
    for (let i = 1; i < next.length; i++) expect(next[i] - next[i - 1]).toBeLessThanOrEqual(1);
    expect(c.level).toBeGreaterThan(8);
  });

  it('does not grow when more requests stop helping (a shared bottleneck)', () => {
    // The link is full at 4: every level beyond gives the same rate. 2 → 3 → 5 helped,
    // 5 → 8 did not (kept: not worse); probes to 9 are undone.
    const c = new ConcurrencyController({ initial: 2, max: 64, probeEvery: 2 });
    const levels = drive(c, wan(10e6, 40e6), 120);
    expect(c.level).toBeLessThanOrEqual(8);
    expect(Math.max(...levels)).toBeLessThanOrEqual(9);
  });

  it('goes back from a step that made things worse', () => {
    // More than 4 requests congest this path: the rate falls.
    const c = new ConcurrencyController({ initial: 4, max: 64, probeEvery: 100 });
    drive(c, (l) => (l <= 4 ? 40e6 * (l / 4) : 20e6), 20);
    expect(c.level).toBe(4);
  });

  it('ignores windows with too little work to use the level, and gives the window after a change a second look', () => {
    const c = new ConcurrencyController({ initial: 4, max: 64 });
    // The very first window is a transition (connections opening, the upload initiated).
    c.sample({ bytesPerSecond: 99e6, errors: 0, saturated: true });
    expect(c.level).toBe(4);
    for (let i = 0; i < 10; i++) c.sample({ bytesPerSecond: 1e6 * (i + 1), errors: 0, saturated: false });
    expect(c.level).toBe(4);
    c.sample({ bytesPerSecond: 4e6, errors: 0, saturated: true });
    expect(c.level).toBe(6);
    // The first window at the new level shows no gain (the new requests still ramping):
    // not a verdict yet…
    c.sample({ bytesPerSecond: 4e6, errors: 0, saturated: true });
    expect(c.level).toBe(6);
    // …the second does, and the climb goes on.
    c.sample({ bytesPerSecond: 6e6, errors: 0, saturated: true });
    expect(c.level).toBe(9);
  });

  it('reaches the level that fills the link within two samples of the first measure (slow start)', () => {
    // The benchmark's 20 ms profile: 12.5 MB/s per connection, 125 MB/s link; the engine
    // starts at INITIAL_LEVEL within the memory bound.
    const net = wan(12.5e6, 125e6);
    const c = new ConcurrencyController({ initial: INITIAL_LEVEL, max: 16 });
    const levels = drive(c, net, 3);
    // Sample 0 is the skipped first window; 1 measures 8 and climbs; 2 sees the gain.
    expect(net(levels[1])).toBe(125e6);
  });

  it('climbs through a network whose new requests need a window to ramp', () => {
    // Each new level shows only the old level's rate in its first window (the new
    // connections' own slow start), the full rate after: a real WAN's lag.
    const per = 12.5e6;
    const link = 125e6;
    const c = new ConcurrencyController({ initial: 2, max: 64 });
    let prev = c.level;
    const levels: number[] = [];
    for (let i = 0; i < 30; i++) {
      const lvl = c.level;
      const rate = Math.min(link, per * (lvl === prev ? lvl : prev));
      levels.push(c.sample({ bytesPerSecond: rate, errors: 0, saturated: true }));
      prev = lvl;
    }
    expect(wan(per, link)(c.level)).toBe(link);
    expect(c.level).toBeLessThanOrEqual(18);
  });

  it('does not oscillate once settled: only probes of one more, each undone when it does not pay', () => {
    const net = wan(12.5e6, 125e6);
    const c = new ConcurrencyController({ initial: INITIAL_LEVEL, max: 16 });
    drive(c, net, 10);
    const settled = c.level;
    expect(net(settled)).toBe(125e6);
    const later = drive(c, net, 200);
    for (const l of later) expect([settled, settled + 1]).toContain(l);
    expect(c.level).toBe(settled);
  });

  it('halves on errors during slow start too, and leaves it', () => {
    const c = new ConcurrencyController({ initial: 8, max: 64 });
    const net = wan(1e6, 1e9);
    drive(c, net, 2);
    expect(c.level).toBe(12);
    drive(c, net, 1, new Set([0]));
    expect(c.level).toBe(6);
    // No more doubling-like steps: one at a time from here.
    const next = drive(c, net, 40);
    for (let i = 1; i < next.length; i++) expect(next[i] - next[i - 1]).toBeLessThanOrEqual(1);
  });
});

describe('AdaptiveConcurrency (per destination host)', () => {
  it('keeps a level per host within the settings and the memory bound, and files follow it', () => {
    const a = new AdaptiveConcurrency({ files: 100, parts: 100 });
    try {
      expect(a.current()).toEqual({ files: FILES_PER_SLOT * INITIAL_LEVEL, parts: INITIAL_LEVEL });
      let now = 0;
      // A changed file or a refused credential says nothing about the path…
      a.error('slow.example:80', 'file');
      a.error('slow.example:80', 'auth');
      a.tick((now += 1000));
      expect(a.current().parts).toBe(INITIAL_LEVEL);
      // …a reset or throttling does.
      a.error('slow.example:80', 'network');
      a.tick((now += 1000));
      // Halved for the host that failed.
      expect(a.current()).toEqual({ files: FILES_PER_SLOT * (INITIAL_LEVEL / 2), parts: INITIAL_LEVEL / 2 });
      a.setLimits({ files: 3, parts: 2 });
      expect(a.current()).toEqual({ files: 3, parts: 2 });
      a.setLimits({ files: 100, parts: 1000 });
      // Whatever the setting, no more than the memory bound.
      for (let i = 0; i < 50; i++) {
        a.bytes('slow.example:80', 1e6 * (i + 1));
        a.filesWaited();
        a.tick((now += 1000));
      }
      expect(a.current().parts).toBeLessThanOrEqual(MEMORY_BOUND);
    } finally {
      a.stop();
    }
  });
});

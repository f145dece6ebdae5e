// The short kill -9 soak (issue 7), CI's version of `npm run soak`: the same runner
// (bench/soak) with 3 kills and a few small files, faults on throughout. SOAK_SEED=N
// repeats a run; the seed is printed first.
import { describe, expect, it } from 'vitest';
import { SHORT } from '../../bench/soak/presets';
import { newSeed } from '../../bench/soak/rng';
import { formatSummary, runSoak } from '../../bench/soak/soak';
import { ensureBuilt } from '../fixtures/cli-harness';

describe('short kill -9 soak', () => {
  it('ends with every file intact, one VideoId each, every job ready and every fault fired', async () => {
    ensureBuilt();
    const seed = process.env.SOAK_SEED ? Number(process.env.SOAK_SEED) : newSeed();
    expect(Number.isSafeInteger(seed) && seed > 0, `SOAK_SEED must be a whole number ≥ 1, got "${process.env.SOAK_SEED}"`).toBe(true);
    const report = await runSoak({ preset: SHORT, seed, log: (line) => process.stdout.write(`${line}\n`) });
    const summary = formatSummary(report);
    process.stdout.write(`${summary}\n`);

    expect(report.violations, summary).toEqual([]);
    expect(report.kills, summary).toHaveLength(SHORT.kills);
    expect(report.finalExit, summary).toBe(0);
    expect(report.createUploadVideo, summary).toBe(SHORT.files.length);
    expect(report.videos, summary).toBe(SHORT.files.length);
    for (const [fault, value] of Object.entries(SHORT.faults)) {
      if (value > 0) expect(report.fired[fault], `${fault} never fired\n${summary}`).toBeGreaterThan(0);
    }
  }, 240_000);
});

// The part size of a new upload (main/engine/part-size.ts): pure, so every rule is
// checked with numbers, then through planParts, which applies the object store's limits.

import { describe, expect, it } from 'vitest';
import { MAX_PARTS, MIN_PART_BYTES } from '../../shared/limits';
import { planParts } from '../../main/engine/oss/part-plan';
import { AUTO_MAX_PART_MIB, AUTO_MIN_PART_MIB, choosePartSizeMiB, MIN_ROUNDS, SINGLE_REQUEST_MAX_MIB, TARGET_PART_SECONDS } from '../../main/engine/part-size';

const MiB = 1024 * 1024;
const GiB = 1024 * MiB;
/** COS: every part but the last at least 1 MB. */
const COS_MIN_PART = 1_000_000;

describe('choosePartSizeMiB', () => {
  it('takes the operator\'s setting as it is', () => {
    expect(choosePartSizeMiB({ size: 10 * GiB, settingMiB: 8, perRequestBps: 500e6, level: 12 })).toBe(8);
    expect(choosePartSizeMiB({ size: 10 * GiB, settingMiB: 0, perRequestBps: 500e6, level: 12 })).not.toBe(0);
  });

  it('keeps a file up to the default part size in one part (one PutObject)', () => {
    for (const size of [1, 256 * 1024, SINGLE_REQUEST_MAX_MIB * MiB]) {
      const mib = choosePartSizeMiB({ size, perRequestBps: 100e3, level: 12 });
      expect(planParts(size, { partSizeMiB: mib }).partCount).toBe(1);
    }
  });

  it('sizes parts so one takes a few seconds on one connection: bigger on fast paths, smaller on slow ones', () => {
    const size = 100 * GiB;
    const slow = choosePartSizeMiB({ size, perRequestBps: 1.5 * MiB, level: 12 });
    const wan = choosePartSizeMiB({ size, perRequestBps: 10 * MiB, level: 12 });
    const lan = choosePartSizeMiB({ size, perRequestBps: 400 * MiB, level: 12 });
    expect(slow).toBe(Math.floor(1.5 * TARGET_PART_SECONDS));
    expect(wan).toBe(10 * TARGET_PART_SECONDS);
    expect(lan).toBe(AUTO_MAX_PART_MIB);
    expect(slow).toBeLessThan(wan);
    // Never below the floor, however slow.
    expect(choosePartSizeMiB({ size, perRequestBps: 10_000, level: 12 })).toBe(AUTO_MIN_PART_MIB);
  });

  it('keeps at least MIN_ROUNDS parts per request in flight, for an even finish', () => {
    // 1 GiB at 12 in flight, unmeasured (the default would be 16 MiB: 64 parts, 5.3 rounds).
    const mib = choosePartSizeMiB({ size: GiB, level: 12 });
    expect(mib).toBe(Math.floor(1024 / (12 * MIN_ROUNDS)));
    expect(planParts(GiB, { partSizeMiB: mib }).partCount).toBeGreaterThanOrEqual(12 * MIN_ROUNDS);
    // A fast path does not make a small file's parts so big that few requests carry it.
    const fast = choosePartSizeMiB({ size: 2 * GiB, perRequestBps: 400 * MiB, level: 12 });
    expect(planParts(2 * GiB, { partSizeMiB: fast }).partCount).toBeGreaterThanOrEqual(12 * MIN_ROUNDS);
  });

  it('stays within the providers\' limits and never below what 10,000 parts need', () => {
    const cases = [
      { size: SINGLE_REQUEST_MAX_MIB * MiB + 1, perRequestBps: 1 },
      { size: 200 * MiB, perRequestBps: 50 * MiB },
      { size: 1.5 * GiB, perRequestBps: undefined },
      { size: 900 * GiB, perRequestBps: 1 * MiB },
      { size: 48e12, perRequestBps: 300 * MiB },
    ];
    for (const c of cases) {
      for (const level of [1, 4, 12, 16]) {
        const plan = planParts(c.size, { partSizeMiB: choosePartSizeMiB({ ...c, level }) });
        expect(plan.partCount).toBeLessThanOrEqual(MAX_PARTS);
        if (plan.partCount > 1) {
          expect(plan.partSize).toBeGreaterThanOrEqual(MIN_PART_BYTES);
          expect(plan.partSize).toBeGreaterThanOrEqual(COS_MIN_PART);
        }
      }
    }
    // 900 GiB on a slow path: the rate asks for 4 MiB, 10,000 parts need 93 MiB.
    expect(planParts(900 * GiB, { partSizeMiB: choosePartSizeMiB({ size: 900 * GiB, perRequestBps: MiB, level: 12 }) }).partSize).toBe(Math.ceil((900 * GiB) / MAX_PARTS / MiB) * MiB);
  });
});

import { describe, expect, it } from 'vitest';
import { DEFAULT_PART_SIZE_MIB, PartPlanError, planParts, type PartPlan } from '../../main/engine/oss/part-plan';
import { MAX_FILE_BYTES, MAX_PART_BYTES, MAX_PARTS, MIN_PART_BYTES } from '../../shared/limits';

const KiB = 1024;
const MiB = 1024 * KiB;
const GiB = 1024 * MiB;
const DEFAULT = DEFAULT_PART_SIZE_MIB * MiB;

/** Checks the plan against OSS's rules by walking every part; returns the first violation. */
function violation(plan: PartPlan, size: number): string | undefined {
  if (plan.size !== size) return `size ${plan.size}`;
  if (plan.partSize % MiB !== 0 || plan.partSize > MAX_PART_BYTES) return `part size ${plan.partSize}`;
  if (plan.partCount > MAX_PARTS) return `${plan.partCount} parts`;
  let expectedStart = 0;
  let n = 0;
  for (const p of plan.parts()) {
    n++;
    if (p.partNumber !== n || p.start !== expectedStart || p.end <= p.start) return `part ${n}: ${JSON.stringify(p)}`;
    const len = p.end - p.start;
    if (n < plan.partCount && (len !== plan.partSize || len < MIN_PART_BYTES)) return `part ${n} has ${len} bytes`;
    if (len > plan.partSize) return `last part has ${len} bytes`;
    expectedStart = p.end;
  }
  if (n !== plan.partCount) return `iterated ${n} of ${plan.partCount} parts`;
  if (expectedStart !== size) return `parts cover ${expectedStart} of ${size} bytes`;
  if (plan.partCount > 0 && plan.part(plan.partCount).end !== size) return 'part(last) does not end at size';
  return undefined;
}

function checkPlan(plan: PartPlan, size: number): void {
  expect(violation(plan, size)).toBeUndefined();
}

describe('planParts', () => {
  it('an empty file has no parts (uploaded with PutObject instead)', () => {
    const plan = planParts(0);
    expect(plan.partCount).toBe(0);
    expect([...plan.parts()]).toEqual([]);
    expect(() => plan.part(1)).toThrow(RangeError);
  });

  it('small files are one part of the default size', () => {
    for (const size of [1, 100 * KiB - 1, 100 * KiB, DEFAULT - 1, DEFAULT]) {
      const plan = planParts(size);
      expect(plan.partSize).toBe(DEFAULT);
      expect(plan.partCount).toBe(1);
      expect(plan.part(1)).toEqual({ partNumber: 1, start: 0, end: size });
      checkPlan(plan, size);
    }
  });

  it('exact multiples of the part size have no short last part', () => {
    const plan = planParts(3 * DEFAULT);
    expect(plan.partCount).toBe(3);
    expect(plan.part(3)).toEqual({ partNumber: 3, start: 2 * DEFAULT, end: 3 * DEFAULT });
    checkPlan(plan, 3 * DEFAULT);
    const plus1 = planParts(3 * DEFAULT + 1);
    expect(plus1.partCount).toBe(4);
    expect(plus1.part(4)).toEqual({ partNumber: 4, start: 3 * DEFAULT, end: 3 * DEFAULT + 1 });
  });

  it('grows the part size to stay within 10,000 parts', () => {
    const atLimit = planParts(MAX_PARTS * DEFAULT);
    expect(atLimit.partSize).toBe(DEFAULT);
    expect(atLimit.partCount).toBe(MAX_PARTS);
    checkPlan(atLimit, MAX_PARTS * DEFAULT);

    const over = planParts(MAX_PARTS * DEFAULT + 1);
    expect(over.partSize).toBe(DEFAULT + MiB); // ceil(size / 10,000) rounded up to a MiB
    expect(over.partCount).toBe(Math.ceil((MAX_PARTS * DEFAULT + 1) / (DEFAULT + MiB)));
    checkPlan(over, MAX_PARTS * DEFAULT + 1);
  });

  it('is exact past 2^32', () => {
    const size = 4 * GiB + 1;
    const plan = planParts(size);
    expect(plan.partSize).toBe(DEFAULT);
    const count = 4 * GiB / DEFAULT + 1;
    expect(plan.partCount).toBe(count);
    expect(plan.part(count)).toEqual({ partNumber: count, start: 4 * GiB, end: size });
    checkPlan(plan, size);
  });

  it('handles the 5 GiB × 10,000 boundary: over 48.8 TB, refused', () => {
    expect(5 * GiB * MAX_PARTS).toBeGreaterThan(MAX_FILE_BYTES);
    expect(() => planParts(5 * GiB * MAX_PARTS)).toThrow(PartPlanError);
  });

  it('plans the largest allowed file (48.8 TB) with parts ≤ 5 GiB', () => {
    const plan = planParts(MAX_FILE_BYTES);
    expect(plan.partSize).toBe(4654 * MiB); // ceil(48.8e12 / 10,000 / 2^20) MiB
    expect(plan.partSize).toBeLessThanOrEqual(MAX_PART_BYTES);
    expect(plan.partCount).toBe(MAX_PARTS);
    const last = plan.part(MAX_PARTS);
    expect(last.start).toBe(9999 * 4654 * MiB);
    expect(last.end).toBe(MAX_FILE_BYTES);
    checkPlan(plan, MAX_FILE_BYTES);
  });

  it('refuses a file over 48.8 TB with a typed, explanatory error', () => {
    let err: unknown;
    try {
      planParts(MAX_FILE_BYTES + 1);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(PartPlanError);
    expect((err as PartPlanError).code).toBe('FileTooLarge');
    expect((err as PartPlanError).message).toMatch(/48\.8 TB/);
  });

  it('uses a chosen part size, still growing it for big files', () => {
    const plan = planParts(100 * MiB, { partSizeMiB: 16 });
    expect(plan.partSize).toBe(16 * MiB);
    expect(plan.partCount).toBe(7);
    checkPlan(plan, 100 * MiB);
    // 1 TB with 1 MiB parts would be ~953,675 parts: grows to ceil(1e12 / 10,000) → 96 MiB.
    const big = planParts(1e12, { partSizeMiB: 1 });
    expect(big.partSize).toBe(96 * MiB);
    checkPlan(big, 1e12);
    // A fractional choice rounds up to a whole MiB; 0 or undefined means the default.
    expect(planParts(10 * MiB, { partSizeMiB: 1.5 }).partSize).toBe(2 * MiB);
    expect(planParts(10 * MiB, { partSizeMiB: 0 }).partSize).toBe(DEFAULT);
    expect(planParts(10 * MiB, {}).partSize).toBe(DEFAULT);
  });

  it('refuses a chosen part size over 5 GiB', () => {
    expect(planParts(1, { partSizeMiB: 5120 }).partSize).toBe(MAX_PART_BYTES);
    try {
      planParts(1, { partSizeMiB: 5121 });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PartPlanError);
      expect((e as PartPlanError).code).toBe('PartTooLarge');
      expect((e as PartPlanError).message).toMatch(/5120 MiB/);
    }
  });

  it('refuses sizes that are not whole, non-negative, safe integers', () => {
    for (const bad of [-1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53]) {
      expect(() => planParts(bad)).toThrow(PartPlanError);
    }
  });

  it('part(n) rejects numbers outside 1..partCount', () => {
    const plan = planParts(2 * DEFAULT + 4 * MiB);
    expect(() => plan.part(0)).toThrow(/1\.\.3/);
    expect(() => plan.part(4)).toThrow(RangeError);
    expect(() => plan.part(1.5)).toThrow(RangeError);
  });

  it('matches ceil(size / partSize) across many sizes', () => {
    for (let i = 0; i < 2000; i++) {
      const size = Math.floor(Math.random() * MAX_FILE_BYTES) + 1;
      const plan = planParts(size);
      const expectedPartSize = Math.max(DEFAULT, Math.ceil(Math.ceil(size / MAX_PARTS) / MiB) * MiB);
      expect(plan.partSize).toBe(expectedPartSize);
      expect(plan.partCount).toBe(Math.ceil(size / expectedPartSize));
      expect(plan.partCount).toBeLessThanOrEqual(MAX_PARTS);
      expect(plan.part(plan.partCount).end).toBe(size);
      expect(plan.part(plan.partCount).start).toBeLessThan(size);
    }
  });
});

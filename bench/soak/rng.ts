// Seeded randomness for the soak: one number picks every file's bytes and every kill
// point, so a failing run can be repeated with the same seed.

import crypto from 'crypto';

/** A small, fast PRNG (mulberry32): good enough to pick sizes and kill points, and reproducible. */
export class Rng {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Whole number in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** One of the items, weighted. */
  pick<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((s, [, w]) => s + w, 0);
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    return items[items.length - 1][0];
  }
}

/** A fresh seed when none is given: printed, so the run can be repeated. */
export function newSeed(): number {
  return crypto.randomInt(1, 2 ** 31 - 1);
}

/**
 * `size` incompressible bytes determined by (seed, name): AES-128-CTR keystream, so tens
 * of MiB cost milliseconds and every file differs from every other.
 */
export function seededBytes(seed: number, name: string, size: number): Buffer {
  const key = crypto.createHash('sha256').update(`soak:${seed}:${name}`).digest();
  const cipher = crypto.createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  return Buffer.concat([cipher.update(Buffer.alloc(size)), cipher.final()]);
}

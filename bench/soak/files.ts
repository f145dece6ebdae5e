// The soak's media: a seeded mix of sizes (empty, under 100 KiB, a few MiB, tens of MiB
// spanning many parts), random bytes, written once into a folder `vodup upload` takes.

import fs from 'fs';
import path from 'path';
import { Rng, seededBytes } from './rng';

/** A file of the mix: its name and the range its size is drawn from (bytes, inclusive). */
export interface FileClass {
  name: string;
  min: number;
  max: number;
}

export interface SoakFile {
  path: string;
  name: string;
  size: number;
}

/** Draws each size from the seed and writes the files; the bytes are seeded too. */
export function writeSoakFiles(dir: string, seed: number, classes: readonly FileClass[]): SoakFile[] {
  fs.mkdirSync(dir, { recursive: true });
  const rng = new Rng(seed ^ 0x5eed_f11e);
  return classes.map((c) => {
    const size = rng.int(c.min, c.max);
    const p = path.join(dir, c.name);
    fs.writeFileSync(p, seededBytes(seed, c.name, size));
    return { path: p, name: c.name, size };
  });
}

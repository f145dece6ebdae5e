// A file's fingerprint: size, mtime and a hash of sampled ranges. Checked before any
// byte of a resumed upload is sent, so a file changed between sessions stops the
// job instead of producing an object that mixes old and new bytes.

import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';

export interface Fingerprint {
  size: number;
  mtimeMs: number;
  sampleHash: string;
}

const SAMPLE_BYTES = 64 * 1024;
const SAMPLES = 5;

export async function statFile(path: string): Promise<{ size: number; mtimeMs: number }> {
  const st = await fsp.stat(path);
  if (!st.isFile()) {
    const err = new Error(`${path} is not a regular file`) as NodeJS.ErrnoException;
    err.code = 'EISDIR';
    err.path = path;
    throw err;
  }
  return { size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
}

/** SHA-1 over the size and SAMPLES evenly spread 64 KiB windows (start and end included). */
export async function fingerprint(path: string): Promise<Fingerprint> {
  const { size, mtimeMs } = await statFile(path);
  const h = createHash('sha1');
  h.update(String(size));
  const fh = await fsp.open(path, 'r');
  try {
    const buf = Buffer.allocUnsafe(SAMPLE_BYTES);
    const offsets = new Set<number>();
    for (let i = 0; i < SAMPLES; i++) {
      offsets.add(Math.max(0, Math.floor(((size - SAMPLE_BYTES) * i) / (SAMPLES - 1))));
    }
    for (const off of [...offsets].sort((a, b) => a - b)) {
      const { bytesRead } = await fh.read(buf, 0, Math.min(SAMPLE_BYTES, size), off);
      h.update(buf.subarray(0, bytesRead));
    }
  } finally {
    await fh.close();
  }
  return { size, mtimeMs, sampleHash: h.digest('hex') };
}

/** Why two fingerprints differ, in words for the operator; undefined when equal. */
export function fingerprintChange(stored: Fingerprint, now: Fingerprint): string | undefined {
  if (stored.size !== now.size) return `its size changed from ${stored.size} to ${now.size} bytes`;
  if (stored.sampleHash !== now.sampleHash) return 'its content changed';
  if (stored.mtimeMs !== now.mtimeMs) return 'its modification time changed';
  return undefined;
}

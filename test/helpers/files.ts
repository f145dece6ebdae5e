// Test files: random content (seeded) or sparse, written to a temp folder.

import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { crc64, crc64Combine } from '../../main/engine/oss/crc64';

export async function tempDir(prefix = 'vodup-test-'): Promise<string> {
  return fsp.mkdtemp(path.join(os.tmpdir(), prefix));
}

export async function randomFile(dir: string, name: string, size: number): Promise<string> {
  const p = path.join(dir, name);
  const fh = await fsp.open(p, 'w');
  try {
    const chunk = 4 * 1024 * 1024;
    for (let off = 0; off < size; off += chunk) {
      await fh.write(randomBytes(Math.min(chunk, size - off)));
    }
  } finally {
    await fh.close();
  }
  return p;
}

export async function sparseFile(dir: string, name: string, size: number): Promise<string> {
  const p = path.join(dir, name);
  const fh = await fsp.open(p, 'w');
  await fh.truncate(size);
  await fh.close();
  return p;
}

/** CRC-64 of `size` zero bytes, by combining doubled blocks, without touching that many bytes. */
export function zerosCrc(size: number): bigint {
  const unit = 1024 * 1024;
  let blockCrc = crc64(Buffer.alloc(unit));
  let blockLen = unit;
  let crc = 0n;
  for (let n = Math.floor(size / unit); n > 0; n = Math.floor(n / 2)) {
    if (n % 2 === 1) crc = crc64Combine(crc, blockCrc, blockLen);
    blockCrc = crc64Combine(blockCrc, blockCrc, blockLen);
    blockLen *= 2;
  }
  return crc64(Buffer.alloc(size % unit), crc);
}

export async function fileCrc(p: string): Promise<bigint> {
  return crc64(await fsp.readFile(p));
}

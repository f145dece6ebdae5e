import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { PassThrough, Readable } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { drainToFile } from '../../main/engine/download/range-writer';
import { crc64 } from '../../main/engine/oss/crc64';

// The coalescing writer gathers socket chunks into large positioned writes: whatever the
// chunks' sizes and however they straddle the batch boundaries, the range's bytes must land
// exactly at its offset, nothing around it touched, with the CRC-64 of exactly those bytes.

let dir: string;
let file: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-range-writer-'));
  file = path.join(dir, 'f.vodpart');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A source that hands `data` over in chunks of the given sizes (cycled), asynchronously. */
function chunked(data: Buffer, sizes: number[], counter?: { pauses: number }): Readable {
  const out = new PassThrough({ highWaterMark: 1 });
  if (counter) {
    const pause = out.pause.bind(out);
    out.pause = () => {
      counter.pauses++;
      return pause();
    };
  }
  void (async () => {
    let at = 0;
    let i = 0;
    while (at < data.length) {
      const n = Math.min(sizes[i++ % sizes.length], data.length - at);
      if (!out.write(data.subarray(at, at + n))) await new Promise((r) => out.once('drain', r));
      at += n;
    }
    out.end();
  })();
  return out;
}

describe('drainToFile', () => {
  it('writes chunks of odd sizes that straddle batch boundaries at the exact offset, and hashes exactly them', async () => {
    const before = randomBytes(777);
    const after = randomBytes(555);
    const body = randomBytes(100_003);
    const offset = before.length;
    // The range's neighbours are already on disk (other ranges): they must stay as they are.
    fs.writeFileSync(file, Buffer.concat([before, Buffer.alloc(body.length, 0xee), after]));
    const fd = fs.openSync(file, 'r+');
    let reported = 0;
    try {
      const got = await drainToFile(chunked(body, [1, 4093, 10_007, 3, 65_536, 999]), fd, offset, {
        limit: body.length, batchBytes: 4096, onBytes: (n) => (reported += n),
      });
      expect(got.bytes).toBe(body.length);
      expect(got.crc64).toBe(crc64(body));
    } finally {
      fs.closeSync(fd);
    }
    expect(reported).toBe(body.length);
    expect(fs.readFileSync(file).equals(Buffer.concat([before, body, after]))).toBe(true);
  });

  it('pauses the source while the bounded buffer is full, and still writes every byte', async () => {
    const body = randomBytes(300_000);
    fs.writeFileSync(file, '');
    const fd = fs.openSync(file, 'r+');
    const counter = { pauses: 0 };
    try {
      const got = await drainToFile(chunked(body, [50_000], counter), fd, 0, { limit: body.length, batchBytes: 1000 });
      expect(got.bytes).toBe(body.length);
    } finally {
      fs.closeSync(fd);
    }
    expect(fs.readFileSync(file).equals(body)).toBe(true);
    // The bound was reached and the source held back (what keeps memory flat).
    expect(counter.pauses).toBeGreaterThan(0);
  });

  it('refuses more bytes than the range asked for, and settles only after its write returned', async () => {
    const body = randomBytes(10_000);
    fs.writeFileSync(file, '');
    const fd = fs.openSync(file, 'r+');
    const src = chunked(body, [3000]);
    try {
      await expect(drainToFile(src, fd, 0, { limit: 9_999, batchBytes: 1000 })).rejects.toMatchObject({ code: 'RangeTooLong' });
    } finally {
      fs.closeSync(fd);
    }
    expect(src.destroyed).toBe(true);
    // What was written before the refusal is a prefix of the body, never past the limit.
    const written = fs.readFileSync(file);
    expect(written.length).toBeLessThanOrEqual(9_999);
    expect(written.equals(body.subarray(0, written.length))).toBe(true);
  });

  it('rejects with the source\'s error (a cut connection)', async () => {
    fs.writeFileSync(file, '');
    const fd = fs.openSync(file, 'r+');
    const src = new PassThrough();
    src.write(randomBytes(5000));
    setImmediate(() => src.destroy(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' })));
    try {
      await expect(drainToFile(src, fd, 0, { limit: 1e6, batchBytes: 1000 })).rejects.toMatchObject({ code: 'ECONNRESET' });
    } finally {
      fs.closeSync(fd);
    }
  });

  it('rejects with the file\'s error (a file it cannot write) and destroys the source', async () => {
    fs.writeFileSync(file, '');
    const fd = fs.openSync(file, 'r'); // read-only: the first write fails with EBADF
    const src = chunked(randomBytes(50_000), [7000]);
    try {
      await expect(drainToFile(src, fd, 0, { limit: 1e6, batchBytes: 1000 })).rejects.toMatchObject({ code: 'EBADF' });
    } finally {
      fs.closeSync(fd);
    }
    expect(src.destroyed).toBe(true);
  });

  it('resolves an empty body with nothing written', async () => {
    fs.writeFileSync(file, 'keep');
    const fd = fs.openSync(file, 'r+');
    try {
      const got = await drainToFile(Readable.from([]), fd, 2, { limit: 0 });
      expect(got).toEqual({ bytes: 0, crc64: 0n });
    } finally {
      fs.closeSync(fd);
    }
    expect(fs.readFileSync(file, 'utf8')).toBe('keep');
  });
});

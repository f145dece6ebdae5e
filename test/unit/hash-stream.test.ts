import { createHash, randomBytes } from 'crypto';
import { createReadStream, promises as fsp } from 'fs';
import os from 'os';
import path from 'path';
import { PassThrough, Readable, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { describe, expect, it } from 'vitest';
import { crc64, crc64Js } from '../../main/engine/oss/crc64';
import { classifyError, EngineError } from '../../main/engine/errors';
import { PartHashStream } from '../../main/engine/oss/hash-stream';

const md5 = (b: Uint8Array): string => createHash('md5').update(b).digest('base64');

/** Collects what comes out, keeping the chunk objects themselves. */
function sink(): { stream: Writable; chunks: Buffer[] } {
  const chunks: Buffer[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      chunks.push(chunk);
      cb();
    },
  });
  return { stream, chunks };
}

describe('PartHashStream', () => {
  it('passes every byte through unchanged, as the same chunk objects, and hashes them', async () => {
    const input: Buffer[] = [];
    for (let i = 0; i < 50; i++) input.push(randomBytes(Math.floor(Math.random() * 70_000)));
    const all = Buffer.concat(input);
    const seen: number[] = [];
    const hash = new PartHashStream({ md5: true, onBytes: (n) => seen.push(n) });
    const out = sink();
    await pipeline(Readable.from(input), hash, out.stream);

    expect(Buffer.concat(out.chunks).equals(all)).toBe(true);
    const nonEmpty = input.filter((c) => c.length > 0);
    expect(out.chunks.length).toBe(nonEmpty.length);
    out.chunks.forEach((c, i) => expect(c).toBe(nonEmpty[i])); // no copies
    expect(seen).toEqual(nonEmpty.map((c) => c.length));

    const r = hash.result();
    expect(r.bytes).toBe(all.length);
    expect(r.crc64).toBe(crc64Js(all));
    expect(r.md5Base64).toBe(md5(all));
  });

  it('hashes a byte range read from disk like the part upload does', async () => {
    const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'hash-stream-'));
    try {
      const file = path.join(dir, 'f.bin');
      const data = randomBytes(3 * 1024 * 1024 + 17);
      await fsp.writeFile(file, data);
      const start = 1_000_003;
      const end = 2_500_001; // exclusive
      const hash = new PartHashStream({});
      let reported = 0;
      const counted = new PartHashStream({ onBytes: (n) => (reported += n) });
      await pipeline(createReadStream(file, { start, end: end - 1, highWaterMark: 256 * 1024 }), hash, counted, sink().stream);
      const slice = data.subarray(start, end);
      expect(hash.result()).toEqual({ bytes: end - start, crc64: crc64(slice) });
      expect(hash.result().md5Base64).toBeUndefined();
      expect(counted.result().crc64).toBe(crc64Js(slice));
      expect(reported).toBe(end - start);
    } finally {
      await fsp.rm(dir, { recursive: true, force: true });
    }
  });

  it('an empty stream: zero bytes, CRC 0, MD5 of nothing', async () => {
    const hash = new PartHashStream({ md5: true });
    const out = sink();
    await pipeline(Readable.from([]), hash, out.stream);
    expect(out.chunks).toEqual([]);
    expect(hash.result()).toEqual({ bytes: 0, crc64: 0n, md5Base64: md5(new Uint8Array(0)) });
  });

  it('result() is exact once the consumer has every byte, even before the stream finished', async () => {
    const data = randomBytes(100_000);
    const hash = new PartHashStream({ md5: true });
    const got = new Promise<Buffer>((resolve) => hash.once('data', resolve));
    hash.write(data); // not ended: an HTTP response can arrive before our 'finish'
    expect((await got).length).toBe(data.length);
    expect(hash.result()).toEqual({ bytes: data.length, crc64: crc64(data), md5Base64: md5(data) });
    const more = randomBytes(10);
    hash.end(more);
    hash.resume();
    await new Promise((resolve) => hash.once('end', resolve));
    const all = Buffer.concat([data, more]);
    expect(hash.result()).toEqual({ bytes: all.length, crc64: crc64(all), md5Base64: md5(all) });
  });

  it('an error thrown by onBytes fails the stream', async () => {
    const hash = new PartHashStream({
      onBytes: () => {
        throw new Error('progress sink broke');
      },
    });
    const src = new PassThrough();
    src.end(Buffer.from('abc'));
    await expect(pipeline(src, hash, sink().stream)).rejects.toThrow('progress sink broke');
  });

  it('fails at once with a non-retryable FileChanged when the source ends short of expectBytes', async () => {
    const hash = new PartHashStream({ expectBytes: 1000 });
    const out = sink();
    const err = await pipeline(Readable.from([randomBytes(600)]), hash, out.stream).then(() => undefined, (e: unknown) => e);
    expect(err).toBeInstanceOf(EngineError);
    expect(err).toMatchObject({ code: 'FileChanged', retryable: false });
    expect((err as Error).message).toMatch(/600 of the 1000 bytes/);
    expect(classifyError(err).retryable).toBe(false);
  });

  it('ends normally with exactly expectBytes', async () => {
    const data = randomBytes(1000);
    const hash = new PartHashStream({ expectBytes: 1000 });
    const out = sink();
    await pipeline(Readable.from([data.subarray(0, 400), data.subarray(400)]), hash, out.stream);
    expect(Buffer.concat(out.chunks).equals(data)).toBe(true);
  });
});

// Read buffers lent to request bodies and given back after the socket wrote them
// (main/engine/read-buffers.ts). The sharp case: several bodies share one small pool and
// a server of the test's own reads nothing until every body has been held back by its
// socket (chunks queued in the request, the body paused), then reads slowly; meanwhile
// the pool lends buffers again, so a buffer given back before its write completed is
// overwritten by the next read and the server receives other bytes (this test fails so
// when the give-back is moved before the write's callback).
import { once } from 'node:events';
import { createHash } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { PassThrough, pipeline } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pipeReleasing, PooledFileRange, ReadBufferPool } from '../../main/engine/read-buffers';
import { randomFile, tempDir } from '../helpers/files';

const KiB = 1024;
const MiB = 1024 * KiB;
let dir: string;
let file: string;
let content: Buffer;
let server: http.Server;
let url: string;
/** Opened by a test when the server may start reading its requests. */
let gate: Promise<unknown> = Promise.resolve();

const sha = (b: Buffer): string => createHash('sha256').update(b).digest('hex');

/** Reads each request 16 KiB at a time, one read per turn of the event loop, and answers the body's SHA-256. */
function slowServer(): http.Server {
  return http.createServer((req, res) => {
    const hash = createHash('sha256');
    let bytes = 0;
    const step = (): void => {
      let chunk: Buffer | null;
      if ((chunk = req.read(16 * KiB) as Buffer | null) !== null) {
        hash.update(chunk);
        bytes += chunk.length;
        setImmediate(step);
        return;
      }
      req.once('readable', step);
    };
    req.once('end', () => res.end(JSON.stringify({ bytes, sha: hash.digest('hex') })));
    void gate.then(step);
  });
}

function put(body: NodeJS.ReadableStream, length: number): Promise<{ bytes: number; sha: string }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'PUT', headers: { 'content-length': length }, agent: false }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (d: string) => { text += d; }).on('end', () => resolve(JSON.parse(text) as { bytes: number; sha: string }));
    });
    req.on('error', reject);
    body.pipe(req);
  });
}

beforeAll(async () => {
  dir = await tempDir('vodup-readbuf-');
  file = await randomFile(dir, 'f.mp4', 48 * MiB);
  content = await fsp.readFile(file);
  server = slowServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
});

afterAll(async () => {
  await new Promise<void>((r) => server.close(() => r()));
  await fsp.rm(dir, { recursive: true, force: true });
});

describe('PooledFileRange', () => {
  it('reads exactly the range, in chunks no larger than asked, into lent buffers', async () => {
    const pool = new ReadBufferPool();
    const chunks: Buffer[] = [];
    const src = new PooledFileRange(file, { start: 1000, end: 1000 + 3 * MiB + 5 }, 256 * KiB, pool);
    for await (const c of src) chunks.push(Buffer.from(c as Buffer));
    expect(Buffer.concat(chunks).equals(content.subarray(1000, 1000 + 3 * MiB + 5))).toBe(true);
    expect(Math.max(...chunks.map((c) => c.length))).toBe(256 * KiB);
    expect(chunks.at(-1)!.length).toBe(5);
    expect(pool.counts.allocated).toBe(chunks.length);
  });

  it('ends early, without error, when the file ends inside the range', async () => {
    const short = await randomFile(dir, 'short.mp4', 300 * KiB);
    let bytes = 0;
    for await (const c of new PooledFileRange(short, { start: 0, end: MiB }, 256 * KiB, new ReadBufferPool())) bytes += (c as Buffer).length;
    expect(bytes).toBe(300 * KiB);
  });

  it('fails with the open error for a missing file', async () => {
    const src = new PooledFileRange(path.join(dir, 'missing.mp4'), { start: 0, end: 10 }, 4 * KiB, new ReadBufferPool());
    await expect((async () => { for await (const _ of src) void _; })()).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('pipeReleasing into an HTTP request', () => {
  it('gives each buffer back only after its write: 4 bodies held back by their sockets, through one pool, arrive byte-exact with buffers reused', async () => {
    const pool = new ReadBufferPool(2 * MiB);
    // 12 MiB each: more than a loopback socket takes in (4 MiB send buffer, a receiver that does not read).
    const ranges = Array.from({ length: 4 }, (_, i) => ({ start: i * 12 * MiB, end: (i + 1) * 12 * MiB }));
    const bodies = ranges.map((r) => {
      const body = new PooledFileRange(file, r, 64 * KiB, pool);
      pipeReleasing(body, pool);
      return body;
    });
    gate = Promise.all(bodies.map((b) => once(b, 'pause')));
    const results = await Promise.all(bodies.map((b, i) => put(b, ranges[i].end - ranges[i].start)));
    results.forEach((res, i) => {
      expect(res.bytes).toBe(12 * MiB);
      expect(res.sha).toBe(sha(content.subarray(ranges[i].start, ranges[i].end)));
    });
    // The pool was exercised: most reads went into buffers given back by earlier writes.
    expect(pool.counts.returned).toBe(4 * 192);
    expect(pool.counts.reused).toBeGreaterThan(pool.counts.allocated);
  }, 60_000);

  it('through a pipeline ending in the body, as the part writer builds it', async () => {
    const pool = new ReadBufferPool(MiB);
    const src = new PooledFileRange(file, { start: 0, end: 8 * MiB }, 128 * KiB, pool);
    const body = new PassThrough();
    pipeReleasing(body, pool);
    pipeline(src, body, () => undefined);
    const res = await put(body, 8 * MiB);
    expect(res.sha).toBe(sha(content.subarray(0, 8 * MiB)));
    expect(pool.counts.returned).toBe(64);
  }, 60_000);

  it('gives nothing back when the body is piped into another stream first (its callback is not the socket’s)', async () => {
    const pool = new ReadBufferPool();
    const body = new PooledFileRange(file, { start: 0, end: 2 * MiB }, 64 * KiB, pool);
    pipeReleasing(body, pool);
    const between = new PassThrough();
    body.pipe(between);
    const res = await put(between, 2 * MiB);
    expect(res.sha).toBe(sha(content.subarray(0, 2 * MiB)));
    expect(pool.counts).toMatchObject({ allocated: 32, reused: 0, returned: 0 });
  }, 60_000);

  it('gives back only what it lent, once', () => {
    const pool = new ReadBufferPool();
    const a = pool.take(4 * KiB);
    pool.give(a.subarray(0, 10));
    pool.give(a);
    pool.give(Buffer.alloc(4 * KiB));
    expect(pool.counts.returned).toBe(1);
    expect(pool.take(4 * KiB)).toBe(a);
    expect(pool.take(4 * KiB)).not.toBe(a);
  });
});

// Verification of a download where the server does not send OSS's CRC-64 (a CDN in front
// of the storage, say): the whole file against the MD5 the service reports, else its
// size; bytes that do not match are never given the final name. The server here is a
// plain Node HTTP server answering ranged GETs, as such a CDN would.

import { createHash } from 'node:crypto';
import fs, { promises as fsp } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { MediaUrl } from '../../shared/library';
import { openEngine } from '../../main/engine';
import type { MediaLibraryPort } from '../../main/engine/library/port';
import type { VideoProvider } from '../../main/engine/provider';
import { tempDir } from '../helpers/files';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** Serves `body` with Range, an ETag and no x-oss-hash-crc64ecma; `corruptAt` flips one byte of what it sends. */
async function rangeServer(body: Buffer, opts: { corruptAt?: number } = {}): Promise<{ url: string; ranges: string[] }> {
  const ranges: string[] = [];
  const server = http.createServer((req, res) => {
    const m = /^bytes=(\d+)-(\d+)$/.exec(req.headers.range ?? '');
    const start = m ? Number(m[1]) : 0;
    const end = m ? Math.min(Number(m[2]), body.length - 1) : body.length - 1;
    ranges.push(`${start}-${end}`);
    let chunk = Buffer.from(body.subarray(start, end + 1));
    if (opts.corruptAt !== undefined && opts.corruptAt >= start && opts.corruptAt <= end) {
      chunk = Buffer.from(chunk);
      chunk[opts.corruptAt - start] ^= 0xff;
    }
    res.writeHead(m ? 206 : 200, {
      'Content-Length': chunk.length, ETag: '"cdn-etag"',
      ...(m ? { 'Content-Range': `bytes ${start}-${end}/${body.length}` } : {}),
    });
    res.end(chunk);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanups.push(() => new Promise((r) => server.close(() => r())));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/media/file.mp4`, ranges };
}

async function engineFor(item: Omit<MediaUrl, 'videoId' | 'title' | 'key' | 'kind'>) {
  const dir = await tempDir();
  const lib = { mediaUrls: async (videoId: string) => [{ videoId, title: 'clip', key: 'source', kind: 'source', ...item }] } as unknown as MediaLibraryPort;
  const engine = await openEngine({
    dbPath: path.join(dir, 'queue.db'),
    providerFor: () => ({}) as VideoProvider, // no upload in these tests
    libraryFor: () => lib,
    settings: { partSizeMiB: 1, partsInFlight: 3 },
  });
  cleanups.push(async () => {
    await engine.shutdown();
    await fsp.rm(dir, { recursive: true, force: true });
  });
  const { added: [job] } = await engine.addDownloads({ videoIds: ['v0000000000000001'], what: { source: true }, outDir: path.join(dir, 'out') });
  await engine.whenIdle();
  return { engine, job: engine.getJob(job.id)!, events: engine.listEvents(job.id) };
}

const body = Buffer.from(Array.from({ length: 2 * MiB + 77 }, (_, i) => (i * 31 + 7) & 0xff));
const md5 = createHash('md5').update(body).digest('hex');

describe('download verification without a CRC-64 from the server', () => {
  it('checks the whole file against the MD5 the service reports', async () => {
    const { url } = await rangeServer(body);
    const { job, events } = await engineFor({ url, size: body.length, md5 });
    expect([job.state, job.error?.code]).toEqual(['downloaded', undefined]);
    expect(fs.readFileSync(job.path).equals(body)).toBe(true);
    expect(events.find((e) => e.type === 'verified')?.data).toMatchObject({ by: 'md5' });
  });

  it('refuses bytes that do not match the MD5: no final file, no temporary file, DownloadMismatch', async () => {
    const { url, ranges } = await rangeServer(body, { corruptAt: MiB + 5 });
    const { job } = await engineFor({ url, size: body.length, md5 });
    expect(ranges.length).toBeGreaterThan(1); // the corrupted range came as one of several
    expect(job.state).toBe('failed');
    expect(job.error).toMatchObject({ code: 'DownloadMismatch', retryable: false });
    expect(fs.existsSync(job.path)).toBe(false);
    expect(fs.existsSync(`${job.path}.vodpart`)).toBe(false);
    expect(job.bytesDone).toBe(0); // the checkpoint went with the file
  });

  it('with neither a CRC-64 nor an MD5, checks the size', async () => {
    const { url } = await rangeServer(body);
    const { job, events } = await engineFor({ url, size: body.length });
    expect(job.state).toBe('downloaded');
    expect(fs.readFileSync(job.path).equals(body)).toBe(true);
    expect(events.find((e) => e.type === 'verified')?.data).toMatchObject({ by: 'size' });
  });
});

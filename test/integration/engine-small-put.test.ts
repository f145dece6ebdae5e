// The small-file path (docs/ARCHITECTURE.md §3 "Adaptive concurrency and the small-file
// path"): a file of one part goes in one PutObject with the same guarantees as the
// multipart path — the object's CRC-64 equals the file's, and a file that changes while
// it is sent never becomes an object. Real sandbox, real ali-oss, real SQLite and files.

import { randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { withOssEndpoint } from '../../bench/util/oss-endpoint-proxy';
import { openEngine } from '../../main/engine';
import type { VideoProvider } from '../../main/engine/provider';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox, type SandboxOptions } from '../../main/sandbox';
import type { EngineSettings } from '../../shared/types';
import { fileCrc, randomFile, tempDir } from '../helpers/files';
import { waitForJob } from '../fixtures/engine-wait';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(
  sbOpts: SandboxOptions = {}, settings: Partial<EngineSettings> = {}, wrap: (p: VideoProvider) => VideoProvider = (p) => p,
  vodEndpoint: (sandboxUrl: string) => Promise<string> = async (u) => u,
) {
  const sb = await startSandbox({ transcodeMs: 100, ...sbOpts });
  const dir = await tempDir();
  const endpoint = await vodEndpoint(sb.url);
  const provider = wrap(new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint }));
  cleanups.push(async () => {
    await sb.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });
  const engine = await openEngine({ dbPath: path.join(dir, 'queue.db'), providerFor: () => provider, settings });
  cleanups.push(() => engine.shutdown());
  return { sb, dir, engine };
}

describe('small files in one PutObject', () => {
  it('uploads a file of one part without a multipart upload, its object equal to the file', async () => {
    const { sb, dir, engine } = await setup();
    const files = await Promise.all([1, 2, 3].map((i) => randomFile(dir, `s${i}.mp4`, 256 * 1024 + i)));
    // 16 MiB + 1 byte is two parts: the multipart path, as before.
    const big = await randomFile(dir, 'two-parts.mp4', 16 * MiB + 1);
    const { added } = await engine.addJobs([...files, big].map((p) => ({ path: p, meta: { title: path.basename(p), tags: [] } })));
    await engine.whenIdle();
    const req = sb.stats().requests;
    expect(req['oss:PutObject']).toBe(3);
    expect(req['oss:InitiateMultipartUpload']).toBe(1);
    expect(req['oss:CompleteMultipartUpload']).toBe(1);
    // No HEAD: the PutObject's and Complete's answers carried the CRC-64.
    expect(req['oss:HeadObject'] ?? 0).toBe(0);
    for (const [i, a] of added.entries()) {
      const j = engine.getJob(a.id)!;
      expect(j.state).toBe('ready');
      const file = [...files, big][i];
      expect(BigInt('0x' + j.crc64!)).toBe(await fileCrc(file));
      expect(j.bytesDone).toBe(j.size);
      const v = sb.video(j.videoId!)!;
      const stored = await sb.readObject(v.bucket, v.objectKey);
      expect(stored?.equals(await fsp.readFile(file))).toBe(true);
    }
    const events = engine.listEvents(added[0].id).map((e) => e.type);
    expect(events).toContain('completed');
    expect(events).not.toContain('initiated');
  });

  it('makes no object of a file that changed while it was being sent', async () => {
    // The engine's own cap (1 MiB/s) paces the reading of the file, so the change below
    // lands while it is still being read (a cap at the server would not: loopback socket
    // buffers take megabytes ahead of it).
    const { sb, dir, engine } = await setup({}, { bandwidthLimit: 1 * MiB });
    const p = await randomFile(dir, 'changing.mp4', 8 * MiB);
    const { added } = await engine.addJobs([{ path: p, meta: { title: 'changing', tags: [] } }]);
    const id = added[0].id;
    await waitForJob(engine, id, (j) => j.state === 'uploading' && j.bytesDone > 0);
    await fsp.appendFile(p, Buffer.from('more bytes'));
    await engine.whenIdle();
    const j = engine.getJob(id)!;
    expect(j.state).toBe('failed');
    expect(j.error?.code).toBe('FileChanged');
    expect(j.crc64).toBeUndefined();
    // The request was ended before its last byte: OSS made no object.
    const v = sb.video(j.videoId!)!;
    expect(await sb.readObject(v.bucket, v.objectKey)).toBeUndefined();
    expect(sb.stats().requests['oss:PutObject']).toBeGreaterThanOrEqual(1);
  });

  it('sends a small file from the bytes it read, and still makes no object once the file on disk changed', async () => {
    // A file this small is read whole with its fingerprint when the job starts and sent
    // from memory after CreateUploadVideo. Here the file is overwritten (same size, other
    // bytes) after that read and before the PutObject: the bytes in memory are no longer
    // the file, and the check before the request's last chunk must stop it.
    let reached!: () => void;
    const atOpen = new Promise<void>((r) => (reached = r));
    let release!: () => void;
    const released = new Promise<void>((r) => (release = r));
    const { sb, dir, engine } = await setup({}, {}, (p) => new Proxy(p, {
      get(target, prop, receiver) {
        const v = Reflect.get(target, prop, receiver) as unknown;
        if (prop !== 'open' || typeof v !== 'function') return typeof v === 'function' ? (v as (...a: unknown[]) => unknown).bind(target) : v;
        return async (...args: unknown[]) => {
          reached();
          await released;
          return (v as (...a: unknown[]) => unknown).apply(target, args);
        };
      },
    }));
    const p = await randomFile(dir, 'small.mp4', 200 * 1024);
    const { added } = await engine.addJobs([{ path: p, meta: { title: 'small', tags: [] } }]);
    await atOpen;
    await fsp.writeFile(p, randomBytes(200 * 1024));
    release();
    await engine.whenIdle();
    const j = engine.getJob(added[0].id)!;
    expect([j.state, j.error?.code]).toEqual(['failed', 'FileChanged']);
    expect(j.crc64).toBeUndefined();
    const v = sb.video(j.videoId!)!;
    expect(await sb.readObject(v.bucket, v.objectKey)).toBeUndefined();
    // The PutObject was under way (its body came from memory) when the check ended it.
    expect(sb.stats().requests['oss:PutObject']).toBeGreaterThanOrEqual(1);
  });

  it('keeps its connections alive across jobs: many small files, few TCP connections', async () => {
    // Every VOD and OSS request goes through a relay that counts the connections it is
    // asked to open. A client per job or per credential that opened its own connections
    // (ali-oss makes an agent per client unless given one) would open at least one per
    // file for CreateUploadVideo and one per file for its PutObject.
    // Eight files in flight at most; 40 files.
    const FILES = 40;
    let relay!: net.Server;
    let connections = 0;
    let relayUrl = '';
    const { sb, dir, engine } = await setup({}, { filesInFlight: 8 }, (p) => withOssEndpoint(p, () => relayUrl), (sandboxUrl) => {
      const up = new URL(sandboxUrl);
      relay = net.createServer((client) => {
        connections++;
        const server = net.connect(Number(up.port), up.hostname);
        client.pipe(server).pipe(client);
        client.on('error', () => server.destroy());
        server.on('error', () => client.destroy());
      });
      return new Promise<string>((resolve) => relay.listen(0, '127.0.0.1', () => {
        relayUrl = `http://127.0.0.1:${(relay.address() as net.AddressInfo).port}`;
        resolve(relayUrl);
      }));
    });
    cleanups.push(() => new Promise<void>((r) => relay.close(() => r())));
    const files = await Promise.all(Array.from({ length: FILES }, (_, i) => randomFile(dir, `k${i}.mp4`, 16 * 1024 + i)));
    const { added } = await engine.addJobs(files.map((p) => ({ path: p, meta: { title: path.basename(p), tags: [] } })));
    await engine.whenIdle();
    expect(added.map((a) => engine.getJob(a.id)!.state)).toEqual(added.map(() => 'ready'));
    const req = sb.stats().requests;
    expect(req['oss:PutObject']).toBe(FILES);
    // About one connection per request in flight at once (8 files, and the status
    // poller's), however many files: far fewer than the files, let alone their requests.
    expect(connections).toBeGreaterThan(0);
    expect(connections).toBeLessThanOrEqual(FILES / 2);
  });
});

// The part writer's bodies read into the engine's pooled buffers and give them back once
// the socket wrote them (main/engine/read-buffers.ts), through the real ali-oss and
// urllib against the sandbox: if a client update stopped piping bodies straight into the
// request, nothing would be given back and this test says so. Every part's CRC-64 is
// checked against OSS's by the writer, and the completed object against the parts.
import { promises as fsp } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BandwidthLimiter } from '../../main/engine/bandwidth';
import { CredentialLease } from '../../main/engine/credential-lease';
import { OssSession } from '../../main/engine/oss/oss-session';
import { readBuffers } from '../../main/engine/read-buffers';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox, type Sandbox } from '../../main/sandbox';
import { fileCrc, randomFile, tempDir } from '../helpers/files';

const KiB = 1024;
const MiB = 1024 * KiB;
let sb: Sandbox;
let dir: string;
let provider: AliyunVodProvider;

beforeAll(async () => {
  sb = await startSandbox({ transcodeMs: 100 });
  dir = await tempDir('vodup-readbuf-oss-');
  provider = new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
});

afterAll(async () => {
  await sb.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

async function session(name: string, size: number, opts: ConstructorParameters<typeof OssSession>[1] = {}): Promise<{ s: OssSession; uploadId: string; file: string }> {
  const file = await randomFile(dir, name, size);
  const created = await provider.createUpload({ meta: { title: name, tags: [] }, fileName: name, size });
  const s = new OssSession(new CredentialLease(provider, created.videoId, created.address, created.credential), { readChunkBytes: 256 * KiB, ...opts });
  return { s, uploadId: await s.initiate(), file };
}

describe('part bodies in pooled read buffers', () => {
  it('6 parts at once: every 256 KiB read given back after its write, buffers reused, the object whole', async () => {
    const { s, uploadId, file } = await session('pooled.mp4', 12 * MiB);
    const before = { ...readBuffers.counts };
    const parts = await Promise.all(Array.from({ length: 6 }, (_, i) =>
      s.uploadPart(uploadId, file, { partNumber: i + 1, start: i * 2 * MiB, end: (i + 1) * 2 * MiB })));
    const crc = await s.complete(uploadId, parts);
    expect(BigInt(crc)).toBe(await fileCrc(file));
    expect(readBuffers.counts.returned - before.returned).toBe(6 * 8);
    expect(readBuffers.counts.reused - before.reused).toBeGreaterThan(0);
  }, 60_000);

  it('no pooling for a whole object in one PutObject (ali-oss pipes it through a stream of its own)', async () => {
    const { s, file } = await session('whole.mp4', 3 * MiB);
    const before = { ...readBuffers.counts };
    const put = await s.putRange(file, { start: 0, end: 3 * MiB });
    expect(BigInt(put.crc64)).toBe(await fileCrc(file));
    expect(readBuffers.counts).toEqual(before);
  }, 60_000);

  it('no pooling under a bandwidth cap (its throttle cuts chunks into slices)', async () => {
    const { s, uploadId, file } = await session('capped.mp4', MiB, { bandwidth: new BandwidthLimiter(64 * MiB) });
    const before = { ...readBuffers.counts };
    const part = await s.uploadPart(uploadId, file, { partNumber: 1, start: 0, end: MiB });
    expect(part.size).toBe(MiB);
    expect(readBuffers.counts).toEqual(before);
  }, 60_000);
});

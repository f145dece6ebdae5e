// A part whose file ends inside its range (truncated under the upload): the part
// fails at once with a non-retryable FileChanged, and is not sent again. Real ali-oss
// against the sandbox; the stall watchdog is set far beyond this test's timeout, so a
// request left waiting for its missing bytes would fail the test by timing out.
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CredentialLease } from '../../main/engine/credential-lease';
import { OssSession } from '../../main/engine/oss/oss-session';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox, type Sandbox } from '../../main/sandbox';
import { randomFile, tempDir } from '../helpers/files';

const MiB = 1024 * 1024;
let sb: Sandbox;
let dir: string;
let session: OssSession;
let uploadId: string;

beforeAll(async () => {
  sb = await startSandbox({ transcodeMs: 100 });
  dir = await tempDir('vodup-short-');
  const provider = new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
  const created = await provider.createUpload({ meta: { title: 'short', tags: [] }, fileName: 'short.mp4', size: 4 * MiB });
  session = new OssSession(new CredentialLease(provider, created.videoId, created.address, created.credential), { stallMs: 600_000 });
  uploadId = await session.initiate();
});

afterAll(async () => {
  await sb.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

const uploadParts = (): number => sb.stats().requests['oss:UploadPart'] ?? 0;

describe('OssSession.uploadPart on a file shorter than the part', () => {
  it('fails with FileChanged when the file ends inside the range, sending the part once', async () => {
    const p = await randomFile(dir, 'a.mp4', 3 * MiB);
    await fsp.truncate(p, MiB + 100);
    const before = uploadParts();
    const err = await session.uploadPart(uploadId, p, { partNumber: 1, start: 0, end: 2 * MiB }).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'FileChanged', retryable: false });
    expect((err as Error).message).toBe(`part 1 (bytes 0–${2 * MiB - 1}): the file ended after ${MiB + 100} of the ${2 * MiB} bytes expected: it shrank while uploading`);
    expect(uploadParts() - before).toBe(1);
  }, 30_000);

  it('fails the same way, without retrying, when the range begins past the end of the file', async () => {
    const p = await randomFile(dir, 'b.mp4', MiB);
    const before = uploadParts();
    const err = await session.uploadPart(uploadId, p, { partNumber: 3, start: 2 * MiB, end: 3 * MiB }).then(() => undefined, (e: unknown) => e);
    expect(err).toMatchObject({ code: 'FileChanged', retryable: false });
    expect((err as Error).message).toMatch(/ended after 0 of the 1048576 bytes/);
    // The body fails before its first byte, often before the request reached the server.
    expect(uploadParts() - before).toBeLessThanOrEqual(1);
  }, 30_000);

  it('uploads a whole part of the same file normally (the check does not misfire)', async () => {
    const p = path.join(dir, 'a.mp4');
    const acked = await session.uploadPart(uploadId, p, { partNumber: 2, start: 0, end: MiB });
    expect(acked).toMatchObject({ partNumber: 2, size: MiB });
  }, 30_000);
});

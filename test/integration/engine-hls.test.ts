// HLS packages in the engine against the sandbox (real ali-oss, pop-core, SQLite and
// files): validation at addJobs, size and progress over the whole package, a package
// file changed during the upload, pause and resume.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/types';
import { openEngine, type UploadEngine } from '../../main/engine';
import type { CredentialLease } from '../../main/engine/credential-lease';
import { HlsPackageUpload } from '../../main/engine/hls-upload';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox, type Sandbox } from '../../main/sandbox';
import { tempDir } from '../helpers/files';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(): Promise<{ sb: Sandbox; dir: string; engine: UploadEngine }> {
  const sb = await startSandbox({ transcodeMs: 100 });
  const dir = await tempDir();
  const provider = new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
  const engine = await openEngine({ dbPath: path.join(dir, 'queue.db'), providerFor: () => provider, settings: { partsInFlight: 2 } });
  cleanups.push(async () => {
    await engine.shutdown();
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
  return { sb, dir, engine };
}

/** A playlist listing `count` segments of `size` random bytes each. */
function writePackage(dir: string, count: number, size: number): string {
  const names = Array.from({ length: count }, (_, i) => `seg${i}.ts`);
  for (const n of names) fs.writeFileSync(path.join(dir, n), Buffer.alloc(size, n));
  const playlist = path.join(dir, 'show.m3u8');
  fs.writeFileSync(playlist, `#EXTM3U\n${names.map((n) => `#EXTINF:2,\n${n}\n`).join('')}#EXT-X-ENDLIST\n`);
  return playlist;
}

/** Polls a condition of the sandbox (it has no events) until it holds, with a deadline. */
async function until(cond: () => boolean, what: string, limitMs = 20_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Resolves when `pred` holds for the job, checked on every change event. */
function waitForJob(engine: UploadEngine, id: number, pred: (j: JobView) => boolean): Promise<JobView> {
  return new Promise((resolve) => {
    const check = (): boolean => {
      const j = engine.getJob(id);
      if (!j || !pred(j)) return false;
      sub.dispose();
      resolve(j);
      return true;
    };
    const sub = engine.onDidChangeJobs(() => void check());
    check();
  });
}

describe('HLS packages in the engine', () => {
  it('sizes the job as the whole package, refuses one with a missing segment, and uploads it to ready', async () => {
    const { sb, dir, engine } = await setup();
    const playlist = writePackage(dir, 3, 50_000);
    const broken = path.join(dir, 'broken.m3u8');
    fs.writeFileSync(broken, '#EXTM3U\n#EXTINF:2,\nseg0.ts\n#EXTINF:2,\nnot-there.ts\n');
    const { added, rejected } = await engine.addJobs([
      { path: playlist, meta: { title: 'Show', tags: [] } },
      { path: broken, meta: { title: 'Broken', tags: [] } },
    ]);
    expect(rejected).toEqual([{ path: broken, reason: expect.stringContaining('"not-there.ts"') }]);
    expect(added).toHaveLength(1);
    expect(added[0].size).toBe(fs.statSync(playlist).size + 150_000);

    const done = await waitForJob(engine, added[0].id, (j) => j.state === 'ready' || j.state === 'failed');
    expect(done.state).toBe('ready');
    expect(done.bytesDone).toBe(done.size);
    expect(sb.video(done.videoId!)!.missingSegments).toBeUndefined();
    expect(engine.listEvents(done.id).map((e) => e.type)).toContain('hls-planned');
  });

  it('stops before the playlist when a segment already uploaded is modified, naming it', async () => {
    const { sb, dir, engine } = await setup();
    const playlist = writePackage(dir, 8, 40_000);
    sb.faults.set({ bandwidth: 200 * 1024 });
    const [job] = (await engine.addJobs([{ path: playlist, meta: { title: 'Changed', tags: [] } }])).added;
    // Once the first segment is acknowledged, it is re-exported under the upload.
    await waitForJob(engine, job.id, (j) => j.bytesDone >= 40_000 && j.state === 'uploading');
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(path.join(dir, 'seg0.ts'), later, later);
    const failed = await waitForJob(engine, job.id, (j) => j.state === 'failed' || j.state === 'ready');
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('FileChanged');
    expect(failed.error?.message).toContain(path.join(dir, 'seg0.ts'));
    // The playlist never went up: the video is not complete.
    expect(sb.video(failed.videoId!)!.status).toBe('Uploading');
  });

  it('refuses a segment that grew before its turn', async () => {
    const { sb, dir, engine } = await setup();
    const playlist = writePackage(dir, 6, 40_000);
    sb.faults.set({ bandwidth: 200 * 1024 });
    const [job] = (await engine.addJobs([{ path: playlist, meta: { title: 'Grown', tags: [] } }])).added;
    await waitForJob(engine, job.id, (j) => j.bytesDone >= 40_000 && j.state === 'uploading');
    fs.appendFileSync(path.join(dir, 'seg5.ts'), 'more');
    const failed = await waitForJob(engine, job.id, (j) => j.state === 'failed' || j.state === 'ready');
    expect(failed.error?.code).toBe('FileChanged');
    expect(failed.error?.message).toMatch(/seg5\.ts.*size changed from 40000 to 40004 bytes/);
  });

  it('pauses mid-package and resumes without sending acknowledged segments again', async () => {
    const { sb, dir, engine } = await setup();
    const playlist = writePackage(dir, 10, 40_000);
    sb.faults.set({ bandwidth: 200 * 1024 });
    const [job] = (await engine.addJobs([{ path: playlist, meta: { title: 'Paused', tags: [] } }])).added;
    await waitForJob(engine, job.id, (j) => j.bytesDone >= 80_000 && j.state === 'uploading');
    await engine.pause([job.id]);
    const paused = engine.getJob(job.id)!;
    const acknowledged = paused.bytesDone / 40_000;
    expect(Number.isInteger(acknowledged)).toBe(true);
    sb.faults.reset();
    const before = sb.stats().requests['oss:PutObject'] ?? 0;
    await engine.resume([job.id]);
    const done = await waitForJob(engine, job.id, (j) => j.state === 'ready' || j.state === 'failed');
    expect(done.state).toBe('ready');
    expect((sb.stats().requests['oss:PutObject'] ?? 0) - before).toBe(10 - acknowledged + 1);
    expect(sb.stats().createUploadVideo).toBe(1);
  });

  it('continues a big segment\'s multipart upload after a pause from the parts OSS lists', async () => {
    const { sb, dir, engine } = await setup();
    await engine.updateSettings({ partSizeMiB: 1, partsInFlight: 1 });
    const big = Buffer.alloc(4 * 1024 * 1024, 7);
    big.write('distinct head');
    fs.writeFileSync(path.join(dir, 'long.m4s'), big);
    const playlist = path.join(dir, 'long.m3u8');
    fs.writeFileSync(playlist, '#EXTM3U\n#EXTINF:60,\nlong.m4s\n#EXT-X-ENDLIST\n');
    sb.faults.set({ bandwidth: 2 * 1024 * 1024 });
    const uploadParts = (): number => sb.stats().requests['oss:UploadPart'] ?? 0;
    const initiates = (): number => sb.stats().requests['oss:InitiateMultipartUpload'] ?? 0;
    const [job] = (await engine.addJobs([{ path: playlist, meta: { title: 'Long', tags: [] } }])).added;
    // Part 3 started: parts 1 and 2 are in OSS.
    await until(() => uploadParts() >= 3, 'the third part to start');
    await engine.pause([job.id]);
    sb.faults.reset();
    const [partsBefore, initiatesBefore] = [uploadParts(), initiates()];
    await engine.resume([job.id]);
    const done = await waitForJob(engine, job.id, (j) => j.state === 'ready' || j.state === 'failed');
    expect(done.state, done.error?.message).toBe('ready');
    expect(initiates() - initiatesBefore).toBe(0);
    expect(uploadParts() - partsBefore).toBeLessThanOrEqual(2);
    const video = sb.video(done.videoId!)!;
    expect((await sb.readObject(video.bucket, `${video.objectPrefix}long.m4s`))!.equals(big)).toBe(true);
  });

  it('puts the files in FileName\'s folder when VOD gives no ObjectPrefix, as the C upload SDK does', () => {
    const lease = { address: { endpoint: 'https://oss', bucket: 'b', objectKey: 'sv/ab-cd/ab-cd.m3u8' } } as unknown as CredentialLease;
    const upload = new HlsPackageUpload({} as never, 1, '/m/show.m3u8', 1, lease, new AbortController().signal);
    expect(upload.prefix).toBe('sv/ab-cd/');
    lease.address.objectPrefix = 'sv/given/';
    expect(upload.prefix).toBe('sv/given/');
  });
});

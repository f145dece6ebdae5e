// HLS packages in the engine against the sandbox (real ali-oss, pop-core, SQLite and
// files): validation at addJobs, size and progress over the whole package, a package
// file changed during the upload, pause and resume.
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type UploadEngine } from '../../main/engine';
import type { CredentialLease } from '../../main/engine/credential-lease';
import { HlsPackageUpload } from '../../main/engine/hls-upload';
import { openQueueStore } from '../../main/engine/store';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox, type Sandbox } from '../../main/sandbox';
import { tempDir } from '../helpers/files';
import { waitForJob } from '../fixtures/engine-wait';

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


/** The job's HLS checkpoint as the queue file has it (a second connection, as `vodup watch` reads it). */
function checkpoint(dir: string, jobId: number) {
  const store = openQueueStore(path.join(dir, 'queue.db'));
  try {
    return store.hlsFiles.list(jobId);
  } finally {
    store.close();
  }
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

  it('retry with restartChanged takes the package as it is now: the changed segment goes again, the others stay, same VideoId', async () => {
    const { sb, dir, engine } = await setup();
    const playlist = writePackage(dir, 6, 40_000);
    sb.faults.set({ bandwidth: 200 * 1024 });
    const [job] = (await engine.addJobs([{ path: playlist, meta: { title: 'Re-exported', tags: [] } }])).added;
    await waitForJob(engine, job.id, (j) => j.bytesDone >= 80_000 && j.state === 'uploading');
    // seg0 (acknowledged) is re-exported with other bytes.
    const seg0 = Buffer.alloc(40_000, 'new');
    fs.writeFileSync(path.join(dir, 'seg0.ts'), seg0);
    const later = new Date(Date.now() + 5_000);
    fs.utimesSync(path.join(dir, 'seg0.ts'), later, later);
    const failed = await waitForJob(engine, job.id, (j) => j.state === 'failed' || j.state === 'ready');
    expect(failed.error?.code).toBe('FileChanged');
    expect(failed.error?.hint).toContain(`vodup retry --restart ${job.id}`);
    sb.faults.reset();
    const acknowledged = checkpoint(dir, job.id).filter((f) => f.done).map((f) => f.relPath);
    expect(acknowledged).toContain('seg0.ts');
    const putsBefore = sb.stats().requests['oss:PutObject'] ?? 0;

    await engine.retry([job.id], { restartChanged: true });
    const done = await waitForJob(engine, job.id, (j) => j.state === 'ready' || j.state === 'failed');
    expect(done.state, done.error?.message).toBe('ready');
    expect(done.videoId).toBe(failed.videoId);
    expect(done.size).toBe(fs.statSync(playlist).size + 6 * 40_000);
    expect(done.bytesDone).toBe(done.size);
    // seg0 again, the segments not acknowledged before, and the playlist.
    expect((sb.stats().requests['oss:PutObject'] ?? 0) - putsBefore).toBe(1 + (6 - acknowledged.length) + 1);
    const video = sb.video(done.videoId!)!;
    expect(video.missingSegments).toBeUndefined();
    expect((await sb.readObject(video.bucket, `${video.objectPrefix}seg0.ts`))!.equals(seg0)).toBe(true);
    expect(engine.listEvents(job.id).map((e) => e.type)).toContain('restarted');
    expect(sb.stats().createUploadVideo).toBe(1);
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

  /** A package of one small segment and one big file that goes up in 1 MiB parts, one at a time, over a slow link. */
  async function bigPackage(sb: Sandbox, dir: string, engine: UploadEngine): Promise<{ playlist: string; big: Buffer }> {
    await engine.updateSettings({ partSizeMiB: 1, partsInFlight: 1 });
    fs.writeFileSync(path.join(dir, 'intro.ts'), Buffer.alloc(60_000, 3));
    const big = Buffer.alloc(4 * 1024 * 1024, 9);
    big.write('the big one');
    fs.writeFileSync(path.join(dir, 'long.m4s'), big);
    const playlist = path.join(dir, 'pkg.m3u8');
    fs.writeFileSync(playlist, '#EXTM3U\n#EXTINF:2,\nintro.ts\n#EXTINF:60,\nlong.m4s\n#EXT-X-ENDLIST\n');
    sb.faults.set({ bandwidth: 2 * 1024 * 1024 });
    return { playlist, big };
  }

  it('cancel aborts the multipart upload of a package\'s big file in progress; a retry sends that file again', async () => {
    const { sb, dir, engine } = await setup();
    const { playlist, big } = await bigPackage(sb, dir, engine);
    const uploadParts = (): number => sb.stats().requests['oss:UploadPart'] ?? 0;
    const aborts = (): number => sb.stats().requests['oss:AbortMultipartUpload'] ?? 0;
    const [job] = (await engine.addJobs([{ path: playlist, meta: { title: 'Canceled', tags: [] } }])).added;
    await until(() => uploadParts() >= 2, 'the second part to start');
    expect(sb.stats().uploadsInProgress).toBe(1);
    expect(checkpoint(dir, job.id).find((f) => f.relPath === 'long.m4s')?.uploadId).toBeDefined();
    const abortsBefore = aborts();

    await engine.cancel([job.id]);
    const canceled = engine.getJob(job.id)!;
    expect(canceled.state).toBe('canceled');
    expect(aborts() - abortsBefore).toBe(1);
    expect(sb.stats().uploadsInProgress).toBe(0);
    const files = checkpoint(dir, job.id);
    expect(files.find((f) => f.relPath === 'long.m4s')).toMatchObject({ done: false });
    expect(files.find((f) => f.relPath === 'long.m4s')?.uploadId).toBeUndefined();
    // What was done stays done: the VideoId is kept, and so is its progress.
    expect(files.find((f) => f.relPath === 'intro.ts')?.done).toBe(true);
    expect(canceled.bytesDone).toBe(60_000);
    expect(engine.listEvents(job.id).map((e) => e.type)).not.toContain('cancel-cleanup-failed');

    sb.faults.reset();
    const initiates = sb.stats().requests['oss:InitiateMultipartUpload'] ?? 0;
    await engine.retry([job.id]);
    const done = await waitForJob(engine, job.id, (j) => j.state === 'ready' || j.state === 'failed');
    expect(done.state, done.error?.message).toBe('ready');
    expect(done.videoId).toBe(canceled.videoId);
    expect((sb.stats().requests['oss:InitiateMultipartUpload'] ?? 0) - initiates).toBe(1);
    const video = sb.video(done.videoId!)!;
    expect((await sb.readObject(video.bucket, `${video.objectPrefix}long.m4s`))!.equals(big)).toBe(true);
  });

  it('cancel with delete-video aborts the package\'s uploads and forgets its checkpoint at once; a retry starts anew', async () => {
    const { sb, dir, engine } = await setup();
    const { playlist } = await bigPackage(sb, dir, engine);
    const [job] = (await engine.addJobs([{ path: playlist, meta: { title: 'Deleted', tags: [] } }])).added;
    await until(() => (sb.stats().requests['oss:UploadPart'] ?? 0) >= 2, 'the second part to start');
    const videoId = engine.getJob(job.id)!.videoId!;
    expect(engine.getJob(job.id)!.bytesDone).toBeGreaterThanOrEqual(60_000);

    await engine.cancel([job.id], { deleteVideo: true });
    const canceled = engine.getJob(job.id)!;
    expect(canceled).toMatchObject({ state: 'canceled', bytesDone: 0 });
    expect(canceled.videoId).toBeUndefined();
    expect(sb.video(videoId)).toBeUndefined();
    expect(sb.stats().uploadsInProgress).toBe(0);
    expect(checkpoint(dir, job.id)).toEqual([]);

    sb.faults.reset();
    await engine.retry([job.id]);
    const done = await waitForJob(engine, job.id, (j) => j.state === 'ready' || j.state === 'failed');
    expect(done.state, done.error?.message).toBe('ready');
    expect(done.videoId).not.toBe(videoId);
    expect(done.bytesDone).toBe(done.size);
    expect(sb.stats().createUploadVideo).toBe(2);
  });

  it('puts the files in FileName\'s folder when VOD gives no ObjectPrefix, as the C upload SDK does', () => {
    const lease = { address: { endpoint: 'https://oss', bucket: 'b', objectKey: 'sv/ab-cd/ab-cd.m3u8' } } as unknown as CredentialLease;
    const upload = new HlsPackageUpload({} as never, 1, '/m/show.m3u8', 1, lease, new AbortController().signal);
    expect(upload.prefix).toBe('sv/ab-cd/');
    lease.address.objectPrefix = 'sv/given/';
    expect(upload.prefix).toBe('sv/given/');
  });
});

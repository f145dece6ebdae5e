// The engine against the sandbox: real ali-oss and pop-core over loopback, real
// SQLite on disk, real files.

import { execFileSync } from 'node:child_process';
import Database from 'better-sqlite3';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/types';
import { openEngine, type UploadEngine } from '../../main/engine';
import { crc64FromDecimal } from '../../main/engine/oss/crc64';
import { openQueueStore } from '../../main/engine/store';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox, type SandboxOptions } from '../../main/sandbox';
import type { EngineSettings } from '../../shared/types';
import { fileCrc, randomFile, sparseFile, tempDir, zerosCrc } from '../helpers/files';
import { waitForJob } from '../fixtures/engine-wait';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** A sandbox, a temp folder and a provider for it, all cleaned up after the test. */
async function sandboxAndDir(sbOpts: SandboxOptions = {}, secret?: string) {
  const sb = await startSandbox({ transcodeMs: 200, ...sbOpts });
  const dir = await tempDir();
  const provider = new AliyunVodProvider({
    accessKeyId: sb.accessKeyId,
    accessKeySecret: secret ?? sb.accessKeySecret,
    region: sb.region,
    endpoint: sb.url,
  });
  cleanups.push(async () => {
    await sb.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });
  return { sb, dir, provider };
}

/** …and a started engine on a queue in that folder (shut down before the rest is cleaned). */
async function setup(sbOpts: SandboxOptions = {}, settings: Partial<EngineSettings> = {}, secret?: string) {
  const { sb, dir, provider } = await sandboxAndDir(sbOpts, secret);
  const engine = await openEngine({
    dbPath: path.join(dir, 'queue.db'),
    providerFor: () => provider,
    settings: { filesInFlight: 3, partsInFlight: 4, ...settings },
  });
  cleanups.push(() => engine.shutdown());
  return { sb, dir, engine };
}

function meta(title: string, extra: Partial<JobView['meta']> = {}): JobView['meta'] {
  return { title, tags: ['test'], ...extra };
}

function allJobs(engine: UploadEngine): JobView[] {
  return engine.queryJobs({ offset: 0, limit: 10_000 }).rows;
}


describe('engine against the sandbox', () => {
  it('uploads several files, one past 4 GiB, each once, with matching CRC-64s', async () => {
    const { sb, dir, engine } = await setup({ store: 'null' }, { partSizeMiB: 64, partsInFlight: 4 });
    const big = await sparseFile(dir, 'big.mp4', 4 * 1024 * MiB + 3 * MiB + 17);
    const small = await Promise.all([
      randomFile(dir, 'a.mov', 3 * MiB + 5),
      randomFile(dir, 'b.mp3', 200 * 1024),
      randomFile(dir, 'c.mkv', 0),
    ]);
    const { added, rejected } = await engine.addJobs([big, ...small].map((p, i) => ({ path: p, meta: meta(`clip ${i}`, { cateId: 1000001 + i }) })));
    expect(rejected).toEqual([]);
    expect(added).toHaveLength(4);
    await engine.whenIdle();

    const jobs = allJobs(engine);
    expect(jobs.map((j) => [j.state, j.error?.message])).toEqual(jobs.map(() => ['ready', undefined]));
    expect(sb.stats().createUploadVideo).toBe(4);
    expect(new Set(jobs.map((j) => j.videoId)).size).toBe(4);
    // Status is polled in batches (GetVideoInfos), never one video per call.
    expect(sb.stats().requests['vod:GetVideoInfos']).toBeGreaterThan(0);
    expect(sb.stats().requests['vod:GetVideoInfo'] ?? 0).toBe(0);
    for (const j of jobs) {
      const expected = j.path === big ? zerosCrc(j.size) : await fileCrc(j.path);
      expect(BigInt('0x' + j.crc64!)).toBe(expected);
      const v = sb.video(j.videoId!)!;
      expect(v.status).toBe('Normal');
      expect(crc64FromDecimal(v.crc64!)).toBe(expected);
      expect(v.title).toBe(j.meta.title);
      expect(j.bytesDone).toBe(j.size);
    }
  });

  it('reports bytes of a part while it is in flight under the bandwidth cap', async () => {
    const { dir, engine } = await setup({}, { partSizeMiB: 8, bandwidthLimit: 2 * MiB });
    const p = await randomFile(dir, 'capped.mp4', 3 * MiB);
    const seen: number[] = [];
    engine.onDidProgress((b) => b.jobs.forEach((j) => seen.push(j.bytesDone)));
    await engine.addJobs([{ path: p, meta: meta('capped') }]);
    await engine.whenIdle();
    expect(allJobs(engine)[0].state).toBe('ready');
    // One part only: any value strictly between 0 and the size came from bytes in flight.
    expect(seen.some((n) => n > 0 && n < 3 * MiB)).toBe(true);
  });

  it('finishes when the upload credential lives shorter than a part takes', async () => {
    const { sb, dir, engine } = await setup(
      { faults: { credentialTtlSeconds: 2, bandwidth: 1 * MiB } },
      { partSizeMiB: 1, partsInFlight: 2, filesInFlight: 1 },
    );
    const p = await randomFile(dir, 'slow.mp4', 6 * MiB + 1);
    await engine.addJobs([{ path: p, meta: meta('slow') }]);
    await engine.whenIdle();
    const [job] = allJobs(engine);
    expect(job.state).toBe('ready');
    expect(BigInt('0x' + job.crc64!)).toBe(await fileCrc(p));
    expect(sb.stats().requests['vod:RefreshUploadVideo'] ?? 0).toBeGreaterThan(0);
    expect(sb.stats().createUploadVideo).toBe(1);
  });

  it('rides out 5xx errors, connection resets and a 20 s outage without failing a job', async () => {
    const { sb, dir, engine } = await setup(
      { faults: { errorRate: 0.1, resetRate: 0.1, resetAfterBytes: 64 * 1024 } },
      { partSizeMiB: 1, partsInFlight: 3 },
    );
    const files = await Promise.all([0, 1, 2].map((i) => randomFile(dir, `f${i}.mp4`, 5 * MiB + i)));
    const { added } = await engine.addJobs(files.map((p, i) => ({ path: p, meta: meta(`f${i}`) })));
    // The outage starts once bytes are moving.
    await waitForJob(engine, added[0].id, (j) => j.bytesDone > 0);
    sb.faults.set({ outageUntil: Date.now() + 20_000 });
    await engine.whenIdle();
    const jobs = allJobs(engine);
    expect(jobs.map((j) => j.state)).toEqual(['ready', 'ready', 'ready']);
    for (const j of jobs) expect(BigInt('0x' + j.crc64!)).toBe(await fileCrc(j.path));
    expect(sb.stats().createUploadVideo).toBe(3);
  });

  it('adopts the video a CreateUploadVideo made when its answer was lost, instead of making a second', async () => {
    const { sb, dir, engine } = await setup({ faults: { lostAnswerRate: 1 } }, { partSizeMiB: 1 });
    const p = await randomFile(dir, 'lost.mp4', 2 * MiB);
    const { added } = await engine.addJobs([{ path: p, meta: meta('lost answer') }]);
    const waiting = await waitForJob(engine, added[0].id, (j) => j.state === 'waiting');
    expect(waiting.error?.code).toBe('CreateOutcomeUnknown');
    expect(sb.stats().createUploadVideo).toBe(1);
    sb.faults.set({ lostAnswerRate: 0 });
    await engine.retry([added[0].id]);
    await engine.whenIdle();
    const done = engine.getJob(added[0].id)!;
    expect(done.state).toBe('ready');
    expect(sb.stats().createUploadVideo).toBe(1);
    expect(sb.videos()).toHaveLength(1);
    expect(done.videoId).toBe(sb.videos()[0].videoId);
  });

  it('sets the cover; a cover gone at upload time fails only that step, and a retry finishes it without re-sending the video', async () => {
    const { sb, dir, engine } = await setup({}, { partSizeMiB: 1 });
    const video = await randomFile(dir, 'with-cover.mp4', 3 * MiB);
    const cover = await randomFile(dir, 'cover.png', 20_000);
    const bad = await engine.addJobs([{ path: video, meta: meta('bad cover', { coverPath: path.join(dir, 'cover.txt') }) }]);
    expect(bad.rejected[0].reason).toMatch(/Cover: "\.txt" is not a format VOD accepts for image uploads/);

    const { added } = await engine.addJobs([{ path: video, meta: meta('with cover', { coverPath: cover }) }], { hold: true });
    const id = added[0].id;
    await fsp.rename(cover, `${cover}.away`);
    await engine.resume([id]);
    await engine.whenIdle();
    const failed = engine.getJob(id)!;
    expect(failed.state).toBe('failed');
    expect(failed.error?.message).toMatch(/cover\.png" is not there any more/);
    expect(BigInt('0x' + failed.crc64!)).toBe(await fileCrc(video));

    await fsp.rename(`${cover}.away`, cover);
    const bytesBefore = sb.stats().bytesReceived;
    await engine.retry([id]);
    await engine.whenIdle();
    const done = engine.getJob(id)!;
    expect(done.state).toBe('ready');
    expect(sb.stats().bytesReceived - bytesBefore).toBe(20_000);
    expect(sb.stats().createUploadVideo).toBe(1);
    expect(sb.video(done.videoId!)!.coverURL).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/__files\//);
  });

  it('refuses bad input with clear reasons and keeps the good jobs going', async () => {
    const { sb, dir, engine } = await setup({}, { partSizeMiB: 1 });
    const good = await randomFile(dir, 'good.mp4', 2 * MiB);
    const text = await randomFile(dir, 'notes.txt', 10);
    const folderNamedLikeVideo = path.join(dir, 'folder.mp4');
    await fsp.mkdir(folderNamedLikeVideo);
    const { added, rejected } = await engine.addJobs([
      { path: good, meta: meta('good') },
      { path: path.join(dir, 'missing.mp4'), meta: meta('missing') },
      { path: text, meta: meta('text') },
      { path: folderNamedLikeVideo, meta: meta('folder') },
      { path: good, meta: meta('x'.repeat(129)) },
      { path: good, meta: meta('tags', { tags: Array.from({ length: 17 }, (_, i) => `t${i}`) }) },
    ]);
    expect(added).toHaveLength(1);
    const reasons = Object.fromEntries(rejected.map((r) => [path.basename(r.path), r.reason]));
    expect(rejected).toHaveLength(5);
    expect(reasons['missing.mp4']).toMatch(/missing\.mp4" is not there any more \(moved, renamed or deleted\)/);
    expect(reasons['notes.txt']).toMatch(/\.txt/);
    expect(reasons['folder.mp4']).toMatch(/folder\.mp4" is a folder, not a file/);
    expect(rejected.map((r) => r.reason).join('\n')).toMatch(/129 characters; the limit is 128/);
    expect(rejected.map((r) => r.reason).join('\n')).toMatch(/17 tags; at most 16/);
    await engine.whenIdle();
    expect(allJobs(engine).map((j) => j.state)).toEqual(['ready']);
    expect(sb.stats().createUploadVideo).toBe(1);
  });

  it('tells subscribers every job\'s last state before whenIdle resolves, even when all fail at once', async () => {
    const { dir, engine } = await setup();
    const files = await Promise.all(['a', 'b', 'c'].map((n) => randomFile(dir, `${n}.mp4`, 1000)));
    const { added } = await engine.addJobs(files.map((p) => ({ path: p, meta: meta('gone') })), { hold: true });
    await Promise.all(files.map((p) => fsp.rm(p)));
    const heard = new Map<number, string>();
    const sub = engine.onDidChangeJobs((jobs) => jobs.forEach((j) => heard.set(j.id, j.state)));
    cleanups.push(async () => sub.dispose());
    await engine.resume('all');
    await engine.whenIdle();
    expect(added.map((j) => heard.get(j.id))).toEqual(['failed', 'failed', 'failed']);
  });

  it('keeps the part size a job was added with, whatever the engine\'s setting when it runs', async () => {
    const { sb, dir, engine } = await setup({}, { partSizeMiB: 0 });
    const p = await randomFile(dir, 'parts.mp4', 3 * MiB + 1);
    const before = sb.stats().requests['oss:UploadPart'] ?? 0;
    const { added } = await engine.addJobs([{ path: p, meta: meta('parts') }], { hold: true, partSizeMiB: 1 });
    engine.updateSettings({ partSizeMiB: 8 });
    await engine.resume('all');
    await engine.whenIdle();
    expect(engine.getJob(added[0].id)!.state).toBe('ready');
    expect((sb.stats().requests['oss:UploadPart'] ?? 0) - before).toBe(4);
  });

  it('waits out a full disk under the queue, telling why, and then finishes without losing a byte', async () => {
    // A real full disk: the queue lives on a 4 MiB tmpfs that a filler file fills up.
    const mnt = await tempDir('vodup-tmpfs-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    cleanups.push(async () => {
      execFileSync('umount', ['-l', mnt]);
    });
    const { sb, dir, provider } = await sandboxAndDir({ transcodeMs: 100, faults: { bandwidth: 2 * MiB } });
    const engine = await openEngine({ dbPath: path.join(mnt, 'queue.db'), providerFor: () => provider, settings: { partSizeMiB: 1, partsInFlight: 2 } });
    cleanups.push(() => engine.shutdown());
    const p = await randomFile(dir, 'full.mp4', 10 * MiB);
    const { added } = await engine.addJobs([{ path: p, meta: meta('disk full') }]);
    await waitForJob(engine, added[0].id, (j) => j.bytesDone >= 2 * MiB);

    const filler = path.join(mnt, 'filler');
    const fh = await fsp.open(filler, 'w');
    try {
      for (;;) await fh.write(Buffer.alloc(64 * 1024));
    } catch (err) {
      expect((err as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      await fh.close();
    }
    const stuck = await waitForJob(engine, added[0].id, (j) => j.error?.code === 'DiskFull');
    expect(stuck.state).toBe('waiting');
    expect(stuck.error?.hint).toMatch(/Free some space/);

    await fsp.rm(filler);
    await engine.whenIdle();
    const done = engine.getJob(added[0].id)!;
    expect(done.state).toBe('ready');
    expect(BigInt('0x' + done.crc64!)).toBe(await fileCrc(p));
    expect(sb.stats().createUploadVideo).toBe(1);
  });

  it('fails a job whose file changed while paused, and only that job', async () => {
    const { dir, engine } = await setup({ faults: { bandwidth: 2 * MiB } }, { partSizeMiB: 1, partsInFlight: 1, filesInFlight: 2 });
    const a = await randomFile(dir, 'changing.mp4', 8 * MiB);
    const b = await randomFile(dir, 'steady.mp4', 3 * MiB);
    const { added } = await engine.addJobs([{ path: a, meta: meta('changing') }, { path: b, meta: meta('steady') }]);
    const [ja, jb] = added;
    await waitForJob(engine, ja.id, (j) => j.state === 'uploading' && j.bytesDone >= 2 * MiB);
    await engine.pause([ja.id]);
    expect(engine.getJob(ja.id)!.state).toBe('paused');
    await fsp.appendFile(a, Buffer.from('more bytes'));
    await engine.resume([ja.id]);
    await engine.whenIdle();
    const failed = engine.getJob(ja.id)!;
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('FileChanged');
    expect(failed.error?.message).toContain('changing.mp4');
    expect(failed.error?.hint).toMatch(/Restore the original file/);
    expect(engine.getJob(jb.id)!.state).toBe('ready');
  });

  it('fails a job with the service\'s own error on a wrong AccessKey secret, keeping it in the queue', async () => {
    const { dir, engine } = await setup({}, {}, 'not-the-secret');
    const p = await randomFile(dir, 'k.mp4', 1 * MiB);
    const { added } = await engine.addJobs([{ path: p, meta: meta('k') }]);
    await engine.whenIdle();
    const j = engine.getJob(added[0].id)!;
    expect(j.state).toBe('failed');
    expect(j.error?.code).toBe('SignatureDoesNotMatch');
    expect(j.error?.retryable).toBe(false);
    expect(j.error?.hint).toMatch(/AccessKey/);
    expect(j.videoId).toBeUndefined();
  });

  it('recognises an upload completed by a run that died before recording it, and sends nothing again', async () => {
    const { sb, dir, provider } = await sandboxAndDir({ transcodeMs: 100 });
    const dbPath = path.join(dir, 'queue.db');
    const p = await randomFile(dir, 'completed.mp4', 5 * MiB + 3);
    const first = await openEngine({ dbPath, providerFor: () => provider, settings: { partSizeMiB: 1 } });
    const { added } = await first.addJobs([{ path: p, meta: meta('completed') }]);
    await first.whenIdle();
    await first.shutdown();

    // Rewind the queue to the moment before CompleteMultipartUpload's answer was stored
    // (raw SQL: the store itself rightly refuses to take a job back from ready).
    const store = openQueueStore(dbPath);
    const uploadId = (store.listEvents(added[0].id).find((e) => e.type === 'initiated')!.data as { uploadId: string }).uploadId;
    store.close();
    const db = new Database(dbPath);
    db.prepare(`UPDATE jobs SET state = 'completing', upload_id = ?, crc64 = NULL, vod_status = NULL WHERE id = ?`).run(uploadId, added[0].id);
    db.close();

    const bytesBefore = sb.stats().bytesReceived;
    const second = await openEngine({ dbPath, providerFor: () => provider, settings: { partSizeMiB: 1 } });
    cleanups.push(() => second.shutdown());
    await second.whenIdle();
    const done = second.getJob(added[0].id)!;
    expect(done.state).toBe('ready');
    expect(BigInt('0x' + done.crc64!)).toBe(await fileCrc(p));
    expect(sb.stats().bytesReceived).toBe(bytesBefore);
    expect(sb.stats().requests['oss:InitiateMultipartUpload']).toBe(1);
  });

  it('resumes after a restart from the parts OSS acknowledged, with the same VideoId', async () => {
    const { sb, dir, provider } = await sandboxAndDir({ transcodeMs: 100, faults: { bandwidth: 4 * MiB } });
    const dbPath = path.join(dir, 'queue.db');
    const p = await randomFile(dir, 'resume.mp4', 12 * MiB);
    const first = await openEngine({ dbPath, providerFor: () => provider, settings: { partSizeMiB: 1, partsInFlight: 2 } });
    const { added } = await first.addJobs([{ path: p, meta: meta('resume') }]);
    const mid = await waitForJob(first, added[0].id, (j) => j.bytesDone >= 4 * MiB);
    await first.shutdown();
    const bytesBefore = sb.stats().bytesReceived;

    const second = await openEngine({ dbPath, providerFor: () => provider, settings: { partSizeMiB: 1, partsInFlight: 2 } });
    cleanups.push(() => second.shutdown());
    await second.whenIdle();
    const done = second.getJob(added[0].id)!;
    expect(done.state).toBe('ready');
    expect(done.videoId).toBe(mid.videoId);
    expect(sb.stats().createUploadVideo).toBe(1);
    expect(BigInt('0x' + done.crc64!)).toBe(await fileCrc(p));
    // The second run sent the rest, not the whole file again.
    expect(sb.stats().bytesReceived - bytesBefore).toBeLessThan(12 * MiB - 2 * MiB);
    const obj = await sb.readObject(sb.video(done.videoId!)!.bucket, sb.video(done.videoId!)!.objectKey);
    expect(obj?.equals(await fsp.readFile(p))).toBe(true);
  });
});

describe('one engine per queue', () => {
  it('refuses a second engine on a running queue with a clear message, and takes over a dead owner\'s lock', async () => {
    const { dir, provider } = await sandboxAndDir();
    const dbPath = path.join(dir, 'queue.db');
    const first = await openEngine({ dbPath, providerFor: () => provider });
    const held = await first.addJobs([{ path: await randomFile(dir, 'held.mp4', 1000), meta: meta('held') }], { hold: true });

    const err = await openEngine({ dbPath, providerFor: () => provider }).then(() => undefined, (e: unknown) => e as { code: string; message: string; hint: string });
    expect(err?.code).toBe('QueueInUse');
    expect(err?.message).toContain(`pid ${process.pid}`);
    expect(err?.hint).toMatch(/--db/);
    // The refused engine changed nothing.
    expect(first.getJob(held.added[0].id)!.state).toBe('paused');

    await first.shutdown();
    // A lock left by a process that no longer exists (killed, rebooted) is taken over.
    await fsp.writeFile(`${dbPath}.lock`, JSON.stringify({ pid: 2 ** 22 + 12345, host: (await import('node:os')).hostname(), since: 1 }));
    const second = await openEngine({ dbPath, providerFor: () => provider });
    cleanups.push(() => second.shutdown());
    expect(second.getJob(held.added[0].id)!.state).toBe('paused');
  });
});

describe('upload window', () => {
  const hhmmss = (d: Date): string => [d.getHours(), d.getMinutes(), d.getSeconds()].map((n) => String(n).padStart(2, '0')).join(':');

  it('starts nothing outside the window, says when it opens, and uploads once it is open', async () => {
    const { sb, dir, engine } = await setup({}, { partSizeMiB: 1 });
    const now = Date.now();
    expect(() => engine.updateSettings({ windowStart: '22:00', windowEnd: '' })).toThrow(/needs a start and an end/);
    engine.updateSettings({ windowStart: hhmmss(new Date(now + 2 * 3600_000)), windowEnd: hhmmss(new Date(now + 3 * 3600_000)) });
    const p = await randomFile(dir, 'night.mp4', 1 * MiB);
    const { added } = await engine.addJobs([{ path: p, meta: meta('night') }]);
    const totals = engine.totals();
    expect(totals.windowOpensAt).toBeGreaterThan(now + 3600_000);
    expect(engine.getJob(added[0].id)!.state).toBe('queued');
    expect(sb.stats().createUploadVideo).toBe(0);

    engine.updateSettings({ windowStart: '', windowEnd: '' });
    await engine.whenIdle();
    expect(engine.getJob(added[0].id)!.state).toBe('ready');
    expect(engine.totals().windowOpensAt).toBeUndefined();
  });

  it('stops uploads at their last acknowledged part when the window closes, and goes on from there', async () => {
    const { sb, dir, engine } = await setup({ faults: { bandwidth: 2 * MiB } }, { partSizeMiB: 1, partsInFlight: 2 });
    const p = await randomFile(dir, 'closing.mp4', 12 * MiB);
    const start = new Date(Date.now() - 3600_000);
    const end = new Date(Date.now() + 2_500);
    engine.updateSettings({ windowStart: hhmmss(start), windowEnd: hhmmss(end) });
    const { added } = await engine.addJobs([{ path: p, meta: meta('closing') }]);
    // Back in line once the window has closed (before, it was open: no windowOpensAt).
    const stopped = await waitForJob(engine, added[0].id, (j) => j.state === 'queued' && engine.totals().windowOpensAt !== undefined);
    expect(stopped.bytesDone).toBeLessThan(12 * MiB);
    expect(stopped.videoId).toBeDefined();

    engine.updateSettings({ windowStart: '', windowEnd: '' });
    await engine.whenIdle();
    const done = engine.getJob(added[0].id)!;
    expect(done.state).toBe('ready');
    expect(BigInt('0x' + done.crc64!)).toBe(await fileCrc(p));
    expect(sb.stats().createUploadVideo).toBe(1);
    // Only the parts in flight at the close were sent twice.
    expect(sb.stats().bytesReceived).toBeLessThan(12 * MiB + 2 * MiB + 64 * 1024);
  });
});

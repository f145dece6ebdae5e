// Downloads in the engine against the sandbox: real pop-core for VOD's calls, real HTTP
// ranged GETs of the stored objects, real SQLite and real files. One scheduler runs
// uploads and downloads; a download's ranges are checkpointed only once fsynced, and a
// resumed download fetches nothing it had written.

import { execFileSync } from 'node:child_process';
import { promises as fsp } from 'node:fs';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { EngineSettings, JobView } from '../../shared/types';
import { openEngine, type UploadEngine } from '../../main/engine';
import { CredentialLease } from '../../main/engine/credential-lease';
import { OssSession } from '../../main/engine/oss/oss-session';
import { exportResults } from '../../main/engine/results-export';
import { openQueueStore } from '../../main/engine/store';
import type { MediaLibraryPort } from '../../main/engine/library/port';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox } from '../../main/sandbox';
import { randomFile, tempDir } from '../helpers/files';
import { waitForJob } from '../fixtures/engine-wait';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(settings: Partial<EngineSettings> = {}, libraryOf?: (provider: AliyunVodProvider) => MediaLibraryPort) {
  const sb = await startSandbox({ transcodeMs: 50 });
  const dir = await tempDir();
  const provider = new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
  const engine = await openEngine({
    dbPath: path.join(dir, 'queue.db'),
    providerFor: () => provider,
    ...(libraryOf ? { libraryFor: () => libraryOf(provider) } : {}),
    settings: { filesInFlight: 3, partsInFlight: 4, partSizeMiB: 1, ...settings },
  });
  cleanups.push(async () => {
    await engine.shutdown();
    await sb.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });
  return { sb, dir, engine, provider };
}

/** Uploads these files (name → size) and returns their VideoIds, in order. */
async function uploadAll(engine: UploadEngine, dir: string, files: [string, number][]): Promise<{ videoId: string; path: string }[]> {
  const src = path.join(dir, 'src');
  await fsp.mkdir(src, { recursive: true });
  const paths = await Promise.all(files.map(([name, size]) => randomFile(src, name, size)));
  const { added, rejected } = await engine.addJobs(paths.map((p) => ({ path: p, meta: { title: path.parse(p).name, tags: [] } })));
  expect(rejected).toEqual([]);
  expect(added).toHaveLength(files.length);
  await engine.whenIdle();
  return added.map((j) => {
    const done = engine.getJob(j.id)!;
    expect(done.state).toBe('ready');
    return { videoId: done.videoId!, path: done.path };
  });
}

function downloads(engine: UploadEngine): JobView[] {
  return engine.queryJobs({ offset: 0, limit: 1000, sort: 'id' }).rows.filter((j) => j.kind === 'download');
}

async function sameBytes(a: string, b: string): Promise<boolean> {
  return Buffer.compare(await fsp.readFile(a), await fsp.readFile(b)) === 0;
}

/** The one-byte GET that learns an object's size, ETag and CRC-64 before its ranges. */
const isProbe = (g: { start: number; end: number }): boolean => g.start === 0 && g.end === 0;

describe('downloads in the engine', () => {
  it('downloads sources in ranges, verifies each by CRC-64, names them, writes sidecars, and adds nothing twice', async () => {
    const { sb, dir, engine } = await setup();
    const videos = await uploadAll(engine, dir, [['clip one.mp4', 3 * MiB + 5], ['short.mov', 200 * 1024], ['empty.mp4', 0]]);
    const out = path.join(dir, 'out');
    const before = sb.servedGets().length;
    const res = await engine.addDownloads({ videoIds: videos.map((v) => v.videoId), what: { source: true }, outDir: out, sidecar: true });
    expect(res.rejected).toEqual([]);
    expect(res.added.map((j) => [j.kind, j.state, j.download?.itemKey])).toEqual(videos.map(() => ['download', 'queued', 'source']));
    await engine.whenIdle();
    const jobs = downloads(engine);
    expect(jobs.map((j) => [j.state, j.error?.code])).toEqual(videos.map(() => ['downloaded', undefined]));
    for (const [i, v] of videos.entries()) {
      const j = jobs[i];
      expect(path.dirname(j.path)).toBe(out);
      expect(j.fileName).toBe(path.basename(v.path)); // {title}.ext: the title is the source's name here
      expect(await sameBytes(j.path, v.path)).toBe(true);
      expect(fs.existsSync(`${j.path}.vodpart`)).toBe(false);
      const side = JSON.parse(await fsp.readFile(`${j.path}.json`, 'utf8')) as Record<string, unknown>;
      expect(side).toMatchObject({ videoId: v.videoId, item: 'source', file: j.fileName });
      expect(j.bytesDone).toBe(j.size);
    }
    // Ranges of 1 MiB: the 3 MiB file came in 4 GETs of bytes plus the one-byte probe.
    const gets = sb.servedGets().slice(before);
    const big = gets.filter((g) => !isProbe(g));
    expect(big.length).toBe(4 + 1); // 3 MiB + 5 → 4 ranges; 200 KiB → 1 range
    expect(sb.stats().bytesSent).toBeGreaterThanOrEqual(3 * MiB + 5 + 200 * 1024);

    // The same request again: every item is in the queue already, nothing is added or fetched.
    const again = await engine.addDownloads({ videoIds: videos.map((v) => v.videoId), what: { source: true }, outDir: out, sidecar: true });
    expect(again.added).toEqual([]);
    expect(again.existing.map((j) => j.id).sort()).toEqual(jobs.map((j) => j.id).sort());
    await engine.whenIdle();
    expect(sb.servedGets().length).toBe(before + gets.length);

    // The results export carries them like uploads, with their kind and item.
    const exported = JSON.parse(await exportResults(engine, { format: 'json' })) as Record<string, unknown>[];
    const rows = exported.filter((r) => r.kind === 'download');
    expect(rows.map((r) => [r.video_id, r.state, r.item_key, r.path])).toEqual(jobs.map((j, i) => [videos[i].videoId, 'downloaded', 'source', j.path]));

    // An unknown VideoId is rejected with the service's word; the others are unaffected.
    const bad = await engine.addDownloads({ videoIds: ['0000000000000000000000000000dead'], what: { source: true }, outDir: path.join(dir, 'out2') });
    expect(bad.added).toEqual([]);
    expect(bad.rejected[0].path).toBe('0000000000000000000000000000dead');
  });

  it('keeps a different file of the same name (the download takes " (2)") and counts an identical one as done without fetching it', async () => {
    const { sb, dir, engine } = await setup();
    const [a, b] = await uploadAll(engine, dir, [['alpha.mp4', MiB + 3], ['beta.mp4', 70_000]]);
    const out = path.join(dir, 'out');
    await fsp.mkdir(out);
    await fsp.writeFile(path.join(out, 'alpha.mp4'), 'another file');
    await fsp.copyFile(b.path, path.join(out, 'beta.mp4'));
    const before = sb.servedGets().length;
    await engine.addDownloads({ videoIds: [a.videoId, b.videoId], what: { source: true }, outDir: out });
    await engine.whenIdle();
    const [ja, jb] = downloads(engine);
    expect([ja.state, jb.state]).toEqual(['downloaded', 'downloaded']);
    expect(ja.fileName).toBe('alpha (2).mp4');
    expect(await fsp.readFile(path.join(out, 'alpha.mp4'), 'utf8')).toBe('another file');
    expect(await sameBytes(ja.path, a.path)).toBe(true);
    expect(jb.path).toBe(path.join(out, 'beta.mp4'));
    expect(engine.listEvents(jb.id).map((e) => e.type)).toContain('already-there');
    // beta: only its one-byte probe; alpha: its probe and two ranges.
    const gets = sb.servedGets().slice(before);
    expect(gets.filter((g) => g.key === gets.find((x) => x.end - x.start + 1 === 70_000)?.key)).toEqual([]);
    expect(gets.map((g) => g.end - g.start + 1).sort((x, y) => x - y)).toEqual([1, 1, 3, MiB]);
  });

  it('pauses mid-download and resumes without fetching a checkpointed range again', async () => {
    // Capped, so the pause lands while ranges are still to come.
    const { sb, dir, engine } = await setup({ bandwidthLimit: 4 * MiB, partsInFlight: 2 });
    const [v] = await uploadAll(engine, dir, [['long.mp4', 8 * MiB + 11]]);
    await engine.updateSettings({ bandwidthLimit: 4 * MiB });
    const out = path.join(dir, 'out');
    const { added: [job] } = await engine.addDownloads({ videoIds: [v.videoId], what: { source: true }, outDir: out });
    const store = () => engine.listEvents(job.id);
    await waitForJob(engine, job.id, (j) => j.state === 'downloading' && j.bytesDone >= 2 * MiB);
    await engine.pause([job.id]);
    const paused = engine.getJob(job.id)!;
    expect(paused.state).toBe('paused');
    const kept = paused.bytesDone;
    expect(kept % MiB).toBe(0); // whole ranges only: bytes in flight are not progress
    expect(kept).toBeGreaterThanOrEqual(MiB);
    const ourKey = sb.servedGets().find((g) => g.end - g.start + 1 === MiB)!.key;
    // Which ranges the checkpoint holds (whichever finished first under the cap), read
    // from the queue itself on a second connection.
    const peek = openQueueStore(path.join(dir, 'queue.db'));
    const checkpointed = new Set(peek.downloads.listRanges(job.id).map((r) => r.index * MiB));
    peek.close();
    expect(checkpointed.size * MiB).toBe(kept);
    const before = sb.servedGets().length;
    await engine.updateSettings({ bandwidthLimit: 0 });
    await engine.resume([job.id]);
    await engine.whenIdle();
    const done = engine.getJob(job.id)!;
    expect(done.state).toBe('downloaded');
    expect(await sameBytes(done.path, v.path)).toBe(true);
    // After the resume: the one-byte probe, then exactly the ranges not checkpointed.
    const after = sb.servedGets().slice(before).filter((g) => g.key === ourKey);
    const ranges = after.filter((g) => !isProbe(g));
    expect(after.length - ranges.length).toBe(1);
    for (const g of ranges) expect(checkpointed.has(g.start), `range at ${g.start} fetched again`).toBe(false);
    expect(ranges.reduce((n, g) => n + g.end - g.start + 1, 0)).toBe(8 * MiB + 11 - kept);
    expect(store().map((e) => e.type)).toContain('verified');
  });

  it('cancel mid-download leaves nothing half-written; a retry starts from byte 0', async () => {
    const { sb, dir, engine } = await setup({ bandwidthLimit: 4 * MiB, partsInFlight: 2 });
    const [v] = await uploadAll(engine, dir, [['dropped.mp4', 5 * MiB + 100]]);
    await engine.updateSettings({ bandwidthLimit: 4 * MiB });
    const { added: [job] } = await engine.addDownloads({ videoIds: [v.videoId], what: { source: true }, outDir: path.join(dir, 'out') });
    await waitForJob(engine, job.id, (j) => j.state === 'downloading' && j.bytesDone >= MiB);
    await engine.cancel([job.id]);
    const canceled = engine.getJob(job.id)!;
    expect([canceled.state, canceled.bytesDone]).toEqual(['canceled', 0]);
    expect(fs.existsSync(`${canceled.path}.vodpart`)).toBe(false);
    expect(fs.existsSync(canceled.path)).toBe(false);

    await engine.updateSettings({ bandwidthLimit: 0 });
    const before = sb.servedGets().length;
    await engine.retry([job.id]);
    await engine.whenIdle();
    const done = engine.getJob(job.id)!;
    expect(done.state).toBe('downloaded');
    expect(await sameBytes(done.path, v.path)).toBe(true);
    const ranges = sb.servedGets().slice(before).filter((g) => !isProbe(g));
    expect(ranges.reduce((n, g) => n + g.end - g.start + 1, 0)).toBe(5 * MiB + 100);
  });

  it('stops a download whose object changed since its ranges were written (RemoteChanged); retry --restart fetches the new one', async () => {
    const { sb, dir, engine, provider } = await setup({ bandwidthLimit: 4 * MiB, partsInFlight: 2 });
    const [v] = await uploadAll(engine, dir, [['moving.mp4', 6 * MiB]]);
    await engine.updateSettings({ bandwidthLimit: 4 * MiB });
    const out = path.join(dir, 'out');
    const { added: [job] } = await engine.addDownloads({ videoIds: [v.videoId], what: { source: true }, outDir: out });
    await waitForJob(engine, job.id, (j) => j.state === 'downloading' && j.bytesDone >= MiB);
    await engine.pause([job.id]);
    expect(engine.getJob(job.id)!.bytesDone).toBeGreaterThan(0);

    // A new version of the source, written to the same object with the official OSS client.
    const fresh = await provider.refreshUpload(v.videoId);
    const next = await randomFile(dir, 'next.mp4', 6 * MiB);
    await new OssSession(new CredentialLease(provider, v.videoId, fresh.address, fresh.credential)).putFile(next);

    await engine.updateSettings({ bandwidthLimit: 0 });
    await engine.resume([job.id]);
    await engine.whenIdle();
    const failed = engine.getJob(job.id)!;
    expect(failed.state).toBe('failed');
    expect(failed.error).toMatchObject({ code: 'RemoteChanged', retryable: false });
    expect(failed.error!.hint).toContain(`vodup retry --restart ${job.id}`);
    expect(fs.existsSync(failed.path)).toBe(false); // nothing of two versions is given the final name

    // A plain retry meets the same change; --restart starts over on the object as it is now.
    await engine.retry([job.id]);
    await engine.whenIdle();
    expect(engine.getJob(job.id)!.error?.code).toBe('RemoteChanged');
    await engine.retry([job.id], { restartChanged: true });
    await engine.whenIdle();
    const done = engine.getJob(job.id)!;
    expect(done.state).toBe('downloaded');
    expect(await sameBytes(done.path, next)).toBe(true);
    expect(engine.listEvents(job.id).map((e) => e.type)).toEqual(expect.arrayContaining(['remote-changed', 'restarted', 'verified']));
    expect(sb.stats().bytesSent).toBeGreaterThan(6 * MiB);
  });
});

describe('one scheduler over both kinds', () => {
  it('shares the file slots between uploads and downloads, and holds both outside the transfer window', async () => {
    const { dir, engine } = await setup({ filesInFlight: 1 });
    const [v] = await uploadAll(engine, dir, [['shared.mp4', 2 * MiB + 1]]);
    // A window that is closed now (it opens in an hour): nothing of either kind starts.
    const soon = new Date(Date.now() + 3600_000);
    const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
    await engine.updateSettings({ windowStart: hhmm(soon), windowEnd: hhmm(new Date(soon.getTime() + 60_000)) });
    const more = await randomFile(dir, 'more.mp4', MiB + 2);
    const { added: [up] } = await engine.addJobs([{ path: more, meta: { title: 'more', tags: [] } }]);
    const { added: [down] } = await engine.addDownloads({ videoIds: [v.videoId], what: { source: true }, outDir: path.join(dir, 'out') });
    expect(engine.totals().windowOpensAt).toBeDefined();
    expect([engine.getJob(up.id)!.state, engine.getJob(down.id)!.state]).toEqual(['queued', 'queued']);

    // One file slot: at no moment do the upload and the download move bytes together.
    const moving = new Set(['creating', 'uploading', 'completing', 'downloading', 'verifying']);
    let together = 0;
    const sub = engine.onDidChangeJobs(() => {
      const a = engine.getJob(up.id)!.state;
      const b = engine.getJob(down.id)!.state;
      if (moving.has(a) && moving.has(b)) together++;
    });
    await engine.updateSettings({ windowStart: '', windowEnd: '' });
    await engine.whenIdle();
    sub.dispose();
    expect(together).toBe(0);
    expect(engine.getJob(up.id)!.state).toBe('ready');
    const done = engine.getJob(down.id)!;
    expect(done.state).toBe('downloaded');
    expect(await sameBytes(done.path, v.path)).toBe(true);
  });
});

describe('downloads and expiring URLs', () => {
  it('resolves the item again when its URL is refused mid-download (403), and fetches nothing twice', async () => {
    // URLs whose lifetime the service does not state (MediaUrl.expiresAt absent, as for a
    // CDN URL with a TTL set in the CDN): the driver cannot renew them early, so a
    // refusal is what tells it; the sandbox's URLs live one second.
    const blind = (provider: AliyunVodProvider): MediaLibraryPort => ({
      mediaUrls: async (videoId, what) => (await provider.mediaUrls(videoId, what)).map(({ expiresAt: _gone, ...item }) => item),
    } as MediaLibraryPort);
    const { sb, dir, engine } = await setup({ bandwidthLimit: 2 * MiB, partsInFlight: 2 }, blind);
    const [v] = await uploadAll(engine, dir, [['expiring.mp4', 5 * MiB + 9]]);
    await engine.updateSettings({ bandwidthLimit: 2 * MiB });
    sb.faults.set({ urlTtlSeconds: 1 });
    const before = sb.servedGets().length;
    const { added: [job] } = await engine.addDownloads({ videoIds: [v.videoId], what: { source: true }, outDir: path.join(dir, 'out') });
    await engine.whenIdle();
    const done = engine.getJob(job.id)!;
    expect([done.state, done.error?.code]).toEqual(['downloaded', undefined]);
    expect(await sameBytes(done.path, v.path)).toBe(true);
    // The refusals happened, and each was answered with a new URL, not a failure.
    expect(sb.stats().errors.AccessDenied ?? 0).toBeGreaterThan(0);
    const resolved = engine.listEvents(job.id).filter((e) => e.type === 'url-resolved');
    expect(resolved.length).toBeGreaterThan(0);
    // A refused GET sends no bytes: every byte of the file was sent once.
    const ranges = sb.servedGets().slice(before).filter((g) => !isProbe(g));
    expect(ranges.reduce((n, g) => n + g.end - g.start + 1, 0)).toBe(5 * MiB + 9);
    expect(new Set(ranges.map((g) => g.start)).size).toBe(ranges.length);
  });
});

describe('downloads and a full disk', () => {
  /** A 4 MiB tmpfs: a real disk that fills up. */
  async function smallDisk(): Promise<string> {
    const mnt = await tempDir('dl-tmpfs-');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    cleanups.push(async () => {
      execFileSync('umount', ['-l', mnt]);
      await fsp.rm(mnt, { recursive: true, force: true });
    });
    return mnt;
  }

  function fill(file: string): void {
    const fh = fs.openSync(file, 'w');
    try {
      for (;;) fs.writeSync(fh, Buffer.alloc(64 * 1024));
    } catch (e) {
      expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
    } finally {
      fs.closeSync(fh);
    }
  }

  it('does not start a download the disk has no room for: it waits (DiskFull) before fetching a byte', async () => {
    const { sb, dir, engine } = await setup();
    const [v] = await uploadAll(engine, dir, [['huge.mp4', 6 * MiB]]);
    const mnt = await smallDisk();
    const before = sb.servedGets().length;
    const { added: [job] } = await engine.addDownloads({ videoIds: [v.videoId], what: { source: true }, outDir: mnt });
    const waiting = await waitForJob(engine, job.id, (j) => j.state === 'waiting');
    expect(waiting.error).toMatchObject({ code: 'DiskFull', retryable: true });
    expect(waiting.error!.message).toMatch(/is full: it needs 6291456 more bytes and \d+ are free/);
    // Only the one-byte probe that learned the size.
    expect(sb.servedGets().slice(before).map((g) => g.end - g.start + 1)).toEqual([1]);
    await engine.cancel([job.id]);
    expect(fs.readdirSync(mnt)).toEqual([]);
  });

  it('waits out a disk that fills up mid-download and goes on from its last checkpointed range', async () => {
    const { sb, dir, engine } = await setup({ bandwidthLimit: 2 * MiB, partsInFlight: 1 });
    const [v] = await uploadAll(engine, dir, [['tight.mp4', 3 * MiB + 7]]);
    await engine.updateSettings({ bandwidthLimit: 2 * MiB });
    const mnt = await smallDisk();
    const out = path.join(mnt, 'out');
    const { added: [job] } = await engine.addDownloads({ videoIds: [v.videoId], what: { source: true }, outDir: out });
    await waitForJob(engine, job.id, (j) => j.state === 'downloading' && j.bytesDone >= MiB + 1);
    fill(path.join(mnt, 'filler'));
    const waiting = await waitForJob(engine, job.id, (j) => j.state === 'waiting');
    expect(waiting.error).toMatchObject({ code: 'DiskFull', retryable: true });
    // The write itself met the full disk (ENOSPC), not the check before the start.
    expect(waiting.error!.message).not.toMatch(/needs/);
    expect(engine.listEvents(job.id).map((e) => e.type)).not.toContain('disk-full');
    const kept = waiting.bytesDone;
    expect(kept).toBeGreaterThanOrEqual(MiB);
    const peek = openQueueStore(path.join(dir, 'queue.db'));
    const checkpointed = new Set(peek.downloads.listRanges(job.id).map((r) => r.index * MiB));
    peek.close();

    fs.rmSync(path.join(mnt, 'filler'));
    await engine.updateSettings({ bandwidthLimit: 0 });
    const before = sb.servedGets().length;
    await engine.retry([job.id]); // the operator's "retry now"; on its own it retries after its backoff
    await engine.whenIdle();
    const done = engine.getJob(job.id)!;
    expect(done.state).toBe('downloaded');
    expect(await sameBytes(done.path, v.path)).toBe(true);
    const again = sb.servedGets().slice(before).filter((g) => !isProbe(g));
    for (const g of again) expect(checkpointed.has(g.start), `range at ${g.start} fetched again`).toBe(false);
    expect(again.reduce((n, g) => n + g.end - g.start + 1, 0)).toBe(3 * MiB + 7 - kept);
  });
});

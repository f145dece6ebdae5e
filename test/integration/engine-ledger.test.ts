// The ledger and the duplicates policy of addJobs, against the sandbox with the real
// clients, real SQLite and real files.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine, type UploadEngine } from '../../main/engine';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox } from '../../main/sandbox';
import type { JobMeta } from '../../shared/types';
import { randomFile, tempDir } from '../helpers/files';

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(account = 'AK@sandbox') {
  const sb = await startSandbox({ transcodeMs: 50 });
  const dir = await tempDir();
  const provider = new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
  cleanups.push(async () => {
    await sb.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });
  const open = async (acct = account): Promise<UploadEngine> => {
    const engine = await openEngine({ dbPath: path.join(dir, 'queue.db'), providerFor: () => provider, accountOf: () => acct });
    cleanups.push(() => engine.shutdown());
    return engine;
  };
  return { dir, open, engine: await open() };
}

const meta = (title: string): JobMeta => ({ title, tags: [] });

describe('ledger and duplicates', () => {
  it('skips a file uploaded before, even moved, with its VideoId; upload makes a new one; fail adds nothing', async () => {
    const { dir, engine } = await setup();
    const a = await randomFile(dir, 'a.mp4', 300_000);
    const b = await randomFile(dir, 'b.mp4', 200_000);
    const first = await engine.addJobs([{ path: a, meta: meta('A') }, { path: b, meta: meta('B') }], { duplicates: 'skip' });
    expect(first.added).toHaveLength(2);
    expect(first.duplicates).toEqual([]);
    await engine.whenIdle();
    const done = first.added.map((j) => engine.getJob(j.id)!);
    expect(done.map((j) => j.state)).toEqual(['ready', 'ready']);
    const ledger = engine.listLedger();
    // Oldest first: whichever finished first (b is smaller, but not always first).
    expect(ledger.map((r) => [r.videoId, r.title, r.path, r.crc64]).sort()).toEqual(done.map((j) => [j.videoId, j.meta.title, j.path, j.crc64]).sort());

    // Moved into another folder under another name: still the same file.
    await fsp.mkdir(path.join(dir, 'moved'));
    const moved = path.join(dir, 'moved', 'renamed.mp4');
    await fsp.rename(a, moved);
    const again = await engine.addJobs([{ path: moved, meta: meta('A2') }, { path: b, meta: meta('B2') }], { duplicates: 'skip' });
    expect(again.added).toEqual([]);
    expect(again.duplicates).toEqual([
      { path: moved, kind: 'uploaded', videoId: done[0].videoId, uploadedAt: expect.any(Number), title: 'A', jobId: done[0].id, previousPath: a },
      { path: b, kind: 'uploaded', videoId: done[1].videoId, uploadedAt: expect.any(Number), title: 'B', jobId: done[1].id },
    ]);
    expect(await engine.findDuplicates([moved, b])).toEqual(again.duplicates);

    const failed = await engine.addJobs([{ path: b, meta: meta('B3') }, { path: await randomFile(dir, 'c.mp4', 1000), meta: meta('C') }], { duplicates: 'fail' });
    expect(failed.added).toEqual([]);
    expect(failed.duplicates.map((d) => [d.path, d.videoId])).toEqual([[b, done[1].videoId]]);

    const deliberate = await engine.addJobs([{ path: b, meta: meta('B again') }], { duplicates: 'upload' });
    expect(deliberate.duplicates).toEqual([]);
    await engine.whenIdle();
    const second = engine.getJob(deliberate.added[0].id)!;
    expect(second.state).toBe('ready');
    expect(second.videoId).not.toBe(done[1].videoId);
    // Both VideoIds are in the ledger; the newest is named from now on.
    expect(engine.listLedger().filter((r) => r.path === b).map((r) => r.videoId).sort()).toEqual([done[1].videoId, second.videoId].sort());
    expect((await engine.findDuplicates([b]))[0].videoId).toBe(second.videoId);
  });

  it('names a job of the queue (copies within one call are each added); another account does not match', async () => {
    const { dir, engine, open } = await setup();
    await engine.pause('all');
    const a = await randomFile(dir, 'a.mp4', 100_000);
    const copy = path.join(dir, 'copy-of-a.mp4');
    await fsp.copyFile(a, copy);
    const first = await engine.addJobs([{ path: a, meta: meta('A') }, { path: copy, meta: meta('A copy') }], { duplicates: 'skip', hold: true });
    expect(first.added).toHaveLength(2);
    expect(first.duplicates).toEqual([]);
    await engine.cancel([first.added[1].id]);
    const again = await engine.addJobs([{ path: a, meta: meta('A') }, { path: copy, meta: meta('A copy') }], { duplicates: 'skip' });
    expect(again.added).toEqual([]);
    expect(again.duplicates).toEqual([
      { path: a, kind: 'queued', jobId: first.added[0].id, title: 'A' },
      { path: copy, kind: 'queued', jobId: first.added[0].id, title: 'A', previousPath: a },
    ]);
    await engine.shutdown();

    const other = await open('OTHER@sandbox');
    expect(await other.findDuplicates([a])).toEqual([{ path: a, kind: 'queued', jobId: first.added[0].id, title: 'A' }]);
    await other.resume('all');
    await other.whenIdle();
    // Uploaded under OTHER: that account has it in its ledger; the first does not.
    expect(other.listLedger().map((r) => r.account)).toEqual(['OTHER@sandbox']);
    expect(other.listLedger({ all: true })).toHaveLength(1);
    await other.shutdown();
    const first2 = await open('AK@sandbox');
    expect(first2.listLedger()).toEqual([]);
  });
});

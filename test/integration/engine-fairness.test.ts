// Fair scheduling and honest paused progress, on the engine against the sandbox (real
// ali-oss and pop-core over loopback, real SQLite, real files). Assertions are about
// order and counts, never about how long anything took.

import Database from 'better-sqlite3';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../main/engine';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox } from '../../main/sandbox';
import type { EngineSettings, JobView } from '../../shared/types';
import { randomFile, tempDir } from '../helpers/files';

const MiB = 1024 * 1024;
const KiB = 1024;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

async function setup(settings: Partial<EngineSettings>, transcodeMs = 100) {
  const sb = await startSandbox({ transcodeMs });
  const dir = await tempDir();
  const provider = new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
  const dbPath = path.join(dir, 'queue.db');
  const engine = await openEngine({ dbPath, providerFor: () => provider, settings });
  // A second, read-only connection sees what the engine committed (WAL).
  const reader = new Database(dbPath, { readonly: true });
  cleanups.push(async () => {
    reader.close();
    await engine.shutdown();
    await sb.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });
  const acked = (id: number) => reader.prepare('SELECT COUNT(*) AS n, COALESCE(SUM(size), 0) AS bytes FROM parts WHERE job_id = ?').get(id) as { n: number; bytes: number };
  return { sb, dir, engine, acked };
}

/** Resolves when `check` holds, polled on every change event (with a deadline). */
function until(engine: Awaited<ReturnType<typeof setup>>['engine'], check: () => boolean, what: string): Promise<void> {
  return new Promise((resolve, reject) => {
    if (check()) return resolve();
    const timer = setTimeout(() => {
      sub.dispose();
      psub.dispose();
      reject(new Error(`Timed out waiting for ${what}`));
    }, 60_000);
    const test = () => {
      if (!check()) return;
      clearTimeout(timer);
      sub.dispose();
      psub.dispose();
      resolve();
    };
    const sub = engine.onDidChangeJobs(test);
    const psub = engine.onDidProgress(test);
  });
}

describe('fair scheduling under the bandwidth cap', () => {
  it('sends two small files before a big one added first has a part acknowledged', async () => {
    const { dir, engine, acked } = await setup({ bandwidthLimit: 512 * KiB, partSizeMiB: 1, partsInFlight: 6, filesInFlight: 3 });
    const big = await randomFile(dir, 'big.mp4', 6 * MiB);
    const smallA = await randomFile(dir, 'small-a.mp4', 78 * KiB);
    const smallB = await randomFile(dir, 'small-b.mp4', 78 * KiB);
    const [bigJob] = (await engine.addJobs([{ path: big, meta: { title: 'big', tags: [] } }])).added;
    await engine.start();
    // The big file is moving before the small ones are even added.
    await until(engine, () => (engine.getJob(bigJob.id)?.bytesDone ?? 0) > 0, 'the big file to move');
    const small = (await engine.addJobs([
      { path: smallA, meta: { title: 'small-a', tags: [] } },
      { path: smallB, meta: { title: 'small-b', tags: [] } },
    ])).added;
    const sent = (j: JobView | undefined) => j !== undefined && ['uploaded', 'ready', 'review'].includes(j.state);
    await until(engine, () => small.every((s) => sent(engine.getJob(s.id))), 'the small files to be sent');
    // Both small objects are complete before the big file has a single part acknowledged:
    // had the big file held every part slot, they would have waited for its first parts.
    expect(acked(bigJob.id).n).toBe(0);
    expect(engine.getJob(bigJob.id)?.state).toBe('uploading');
    for (const s of small) expect(acked(s.id).bytes).toBe(78 * KiB);
  });
});

describe('a paused job', () => {
  it('keeps the bytes of its acknowledged parts and drops only those in flight', async () => {
    const { dir, engine, acked } = await setup({ bandwidthLimit: 1 * MiB, partSizeMiB: 1, partsInFlight: 2, filesInFlight: 1 });
    const file = await randomFile(dir, 'long.mp4', 6 * MiB);
    const [job] = (await engine.addJobs([{ path: file, meta: { title: 'long', tags: [] } }])).added;
    let inFlightSeen = false;
    engine.onDidProgress((b) => {
      const p = b.jobs.find((j) => j.id === job.id);
      if (p && p.bytesDone > acked(job.id).bytes) inFlightSeen = true;
    });
    await engine.start();
    await until(engine, () => acked(job.id).n >= 2 && inFlightSeen, 'two acknowledged parts and bytes in flight');
    await engine.pause([job.id]);
    await engine.whenIdle();
    const paused = engine.getJob(job.id)!;
    const kept = acked(job.id);
    expect(paused.state).toBe('paused');
    // Progress is what OSS acknowledged: not zero, not the bytes that were in flight.
    expect(kept.n).toBeGreaterThanOrEqual(2);
    expect(paused.bytesDone).toBe(kept.bytes);
    expect(paused.bytesDone).toBeLessThan(6 * MiB);
    // The list the renderer reads says the same.
    const row = engine.queryJobs({ tab: 'pending', offset: 0, limit: 10 }).rows.find((r) => r.id === job.id);
    expect(row?.bytesDone).toBe(kept.bytes);
    // Resumed (without the cap, to be quick), it sends the rest and ends whole.
    engine.updateSettings({ bandwidthLimit: 0 });
    await engine.resume([job.id]);
    await until(engine, () => ['ready', 'review'].includes(engine.getJob(job.id)?.state ?? ''), 'the resumed job to finish');
    expect(acked(job.id).bytes).toBe(6 * MiB);
  });

  it('is not made of a fully sent file: Pause all leaves it processing in VOD', async () => {
    // VOD transcodes for a minute unless released: the job stays `uploaded` while the test needs it.
    const { sb, dir, engine } = await setup({}, 60_000);
    const file = await randomFile(dir, 'sent.mp4', 64 * KiB);
    const [job] = (await engine.addJobs([{ path: file, meta: { title: 'sent', tags: [] } }])).added;
    await engine.start();
    await until(engine, () => engine.getJob(job.id)?.state === 'uploaded', 'the object to be complete');
    await engine.pause('all');
    await engine.pause({ tab: 'processing' });
    expect(engine.getJob(job.id)?.state).toBe('uploaded');
    expect(sb.setVideoStatus(engine.getJob(job.id)!.videoId!, 'Normal')).toBe(true);
    await until(engine, () => engine.getJob(job.id)?.state === 'ready', 'VOD to publish it');
  });
});

// Queue store benchmark: enqueue of 100,000 jobs, queries on that queue, and the
// commit latency of recordPart (one transaction per acknowledged part) on a real file.
// Targets (docs/ARCHITECTURE.md §3): 100k enqueue ≤ 10 s; part commit p99 ≤ 5 ms.
// Run alone after `npm run build:node`: node out/bench/store.js

import fs from 'fs';
import os from 'os';
import path from 'path';
import { performance } from 'perf_hooks';
import { openQueueStore, type NewJobRecord } from '../main/engine/store';

import type { BenchRow } from './util/rows';

export type { BenchRow };
export type Rows = BenchRow[];

const JOBS = 100_000;
const PART_COMMITS = 5_000;

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))];
}

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

function timed<T>(fn: () => T): [T, number] {
  const t0 = performance.now();
  const r = fn();
  return [r, performance.now() - t0];
}

export async function benchStore(): Promise<Rows> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-bench-store-'));
  const rows: Rows = [];
  try {
    const store = openQueueStore(path.join(dir, 'queue.db'));
    const items: NewJobRecord[] = Array.from({ length: JOBS }, (_, i) => ({
      path: `/media/ingest/day-${i % 30}/clip-${i}.mp4`,
      fileName: `clip-${i}.mp4`,
      size: 50_000_000 + i,
      mtimeMs: 1_700_000_000_000 + i,
      meta: { title: `Clip ${i}`, tags: ['bench', `batch-${i % 10}`], cateId: 1000 + (i % 5) },
      priority: i % 3,
    }));
    const [ids, enqueueMs] = timed(() => store.insertJobs(items));
    rows.push({ name: 'store: enqueue 100,000 jobs (one transaction)', value: round(enqueueMs, 0), unit: 'ms', target: '≤ 10000', ok: enqueueMs <= 10_000 });

    // Spread the queue over the tabs the way a long ingest looks.
    const [, plainMs] = timed(() => {
      for (let i = 0; i < 2_000; i++) store.transition(ids[i], 'creating');
      for (let i = 2_000; i < 2_100; i++) store.transition(ids[i], 'failed', { error: { code: 'X', message: 'x', retryable: false } });
    });
    rows.push({ name: 'store: transition, mean of 2,100 (own transaction, with event)', value: round(plainMs / 2_100, 3), unit: 'ms' });
    const [, durableMs] = timed(() => {
      for (let i = 0; i < 1_000; i++) store.transition(ids[i], 'uploading', { videoId: `v-${i}` });
    });
    rows.push({ name: 'store: transition recording a VideoId, mean of 1,000 (fsynced commit)', value: round(durableMs / 1_000, 3), unit: 'ms' });

    const queries: [string, () => unknown][] = [
      ['queryJobs all, run order, first page', () => store.queryJobs({ offset: 0, limit: 100 })],
      ['queryJobs pending tab, page at offset 50,000', () => store.queryJobs({ tab: 'pending', offset: 50_000, limit: 100 })],
      ['queryJobs active tab, by file name', () => store.queryJobs({ tab: 'active', sort: 'fileName', offset: 0, limit: 100 })],
      ['queryJobs failed tab (100 of 100,000)', () => store.queryJobs({ tab: 'failed', offset: 0, limit: 100 })],
      ['queryJobs done tab (empty: walks the whole index)', () => store.queryJobs({ tab: 'done', offset: 0, limit: 100 })],
      ['queryJobs pending tab by state', () => store.queryJobs({ tab: 'pending', sort: 'state', offset: 0, limit: 100 })],
      ['queryJobs search "clip-9999"', () => store.queryJobs({ search: 'clip-9999', offset: 0, limit: 100 })],
      ['queryJobs by size descending', () => store.queryJobs({ sort: 'size', descending: true, offset: 0, limit: 100 })],
      ['totals', () => store.totals()],
      ['nextRunnable(10)', () => store.nextRunnable(10, Date.now())],
    ];
    for (const [name, q] of queries) {
      q(); // warm the statement cache and the page cache
      const times: number[] = [];
      for (let i = 0; i < 5; i++) times.push(timed(q)[1]);
      times.sort((a, b) => a - b);
      rows.push({ name: `store: ${name} on 100k (median of 5)`, value: round(times[2]), unit: 'ms', target: '≤ 100', ok: times[2] <= 100 });
    }

    // Part commits: one job receiving its parts as OSS acknowledges them.
    const [jobId] = store.insertJobs([{ path: '/media/big.mov', fileName: 'big.mov', size: 10_000 * 8_388_608, mtimeMs: 0, meta: { title: 'Big', tags: [] } }]);
    const lat: number[] = [];
    for (let n = 1; n <= PART_COMMITS; n++) {
      const [, ms] = timed(() => store.recordPart(jobId, { partNumber: n, etag: `"${n.toString(16).padStart(32, '0')}"`, size: 8_388_608, crc64: String(BigInt(n) * 2654435761n) }));
      lat.push(ms);
    }
    lat.sort((a, b) => a - b);
    const p99 = percentile(lat, 99);
    rows.push({ name: `store: recordPart commit p50 (${PART_COMMITS} commits, WAL, synchronous=NORMAL)`, value: round(percentile(lat, 50), 3), unit: 'ms' });
    rows.push({ name: `store: recordPart commit p99 (${PART_COMMITS} commits)`, value: round(p99, 3), unit: 'ms', target: '≤ 5', ok: p99 <= 5 });
    if (store.getJob(jobId)!.bytesDone !== PART_COMMITS * 8_388_608) throw new Error('bench: bytes_done does not match the parts recorded');
    store.close();
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
  return rows;
}

if (require.main === module) {
  benchStore().then(
    (rows) => {
      for (const r of rows) {
        const verdict = r.ok === undefined ? '' : r.ok ? '  ok' : '  MISSED';
        console.log(`${r.name}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target} ${r.unit})` : ''}${verdict}`);
      }
      if (rows.some((r) => r.ok === false)) process.exitCode = 1;
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}

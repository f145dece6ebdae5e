// The Tencent path beside the Alibaba path (`npm run bench -- --only tencent`, or alone
// after a build: node out/bench/tencent.js). One sandbox process (`vodup sandbox --store
// null`: both personalities on one port) and one sparse file; each upload runs the engine
// (openEngine, defaults, CRC-64 verification on) in a fresh child process so its CPU time
// and peak RSS are its own: once with AliyunVodProvider (CreateUploadVideo → OSS), once
// with TencentProvider (ApplyUpload → COS → CommitUpload). Three interleaved trials each,
// the median by throughput reported. The server computes each part's MD5 ETag on both
// paths (OSS and COS both answer it), so the comparison is like for like.

import fs from 'fs';
import os from 'os';
import path from 'path';
import type { JobView } from '../shared/types';
import { openEngine } from '../main/engine/index';
import type { VideoProvider } from '../main/engine/provider';
import { TencentProvider } from '../main/engine/tencent/tencent-provider';
import { AliyunVodProvider } from '../main/engine/vod/aliyun-provider';
import { resolveCredentials } from '../main/engine/vod/credentials';
import { cpuSecondsSince, peakRssMB, REPO, runJsonChild, runWorker, spawnJsonLine, stopChild } from './util/children';
import { round, type BenchRow } from './util/rows';

const GiB = 1024 ** 3;
const MB = 1e6;
const TRIALS = 3;

type Path = 'aliyun' | 'tencent';

interface WorkerResult {
  path: Path;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMB: number;
}

interface SandboxLine {
  endpoint: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  tencent: { endpoint: string; secretId: string; secretKey: string; region: string };
}

export async function benchTencent(opts: { gib?: number } = {}): Promise<BenchRow[]> {
  const gib = opts.gib ?? 2;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-bench-tc-'));
  const file = path.join(dir, `sparse-${gib}GiB.mp4`);
  fs.writeFileSync(file, '');
  fs.truncateSync(file, Math.round(gib * GiB));
  const server = await spawnJsonLine<SandboxLine>([path.join(REPO, 'bin', 'vodup.js'), 'sandbox', '--store', 'null', '--port', '0']);
  try {
    const s = server.line;
    const env: Record<Path, NodeJS.ProcessEnv> = {
      aliyun: { ...process.env, VOD_PROVIDER: 'aliyun', VOD_ACCESS_KEY_ID: s.accessKeyId, VOD_ACCESS_KEY_SECRET: s.accessKeySecret, VOD_REGION: s.region, VOD_ENDPOINT: s.endpoint },
      tencent: { ...process.env, VOD_PROVIDER: 'tencent', TENCENTCLOUD_SECRET_ID: s.tencent.secretId, TENCENTCLOUD_SECRET_KEY: s.tencent.secretKey, TENCENTCLOUD_REGION: s.tencent.region, VOD_ENDPOINT: s.tencent.endpoint },
    };
    const trials: Record<Path, WorkerResult[]> = { aliyun: [], tencent: [] };
    for (let i = 0; i < TRIALS; i++) {
      for (const p of ['aliyun', 'tencent'] as const) trials[p].push(await runJsonChild<WorkerResult>([__filename, 'worker', p, file, dir], env[p]));
    }
    const rows: BenchRow[] = [];
    const median = (runs: WorkerResult[]): WorkerResult => [...runs].sort((a, b) => a.bytes / a.seconds - b.bytes / b.seconds)[Math.floor(runs.length / 2)];
    const [ali, tc] = [median(trials.aliyun), median(trials.tencent)];
    for (const [label, r] of [['Alibaba (CreateUploadVideo → OSS)', ali], ['Tencent (ApplyUpload → COS → CommitUpload)', tc]] as const) {
      rows.push({ name: `${label}, ${gib} GiB: throughput`, value: round(r.bytes / MB / r.seconds, 0), unit: 'MB/s' });
      rows.push({ name: `${label}, ${gib} GiB: client CPU`, value: round(r.cpuSeconds / (r.bytes / GiB), 2), unit: 'CPU-s/GiB' });
      rows.push({ name: `${label}, ${gib} GiB: client peak RSS`, value: round(r.peakRssMB, 0), unit: 'MB' });
    }
    return rows;
  } finally {
    await stopChild(server.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function worker(which: Path, file: string, workDir: string): Promise<WorkerResult> {
  const creds = resolveCredentials({ env: process.env });
  const provider: VideoProvider = which === 'tencent' ? new TencentProvider(creds) : new AliyunVodProvider(creds);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const engine = await openEngine({ dbPath: path.join(workDir, `bench-${which}-${process.pid}.db`), providerFor: () => provider });
  try {
    const finished = (j: JobView): boolean => ['uploaded', 'ready', 'failed', 'canceled'].includes(j.state);
    let id = -1;
    const done = new Promise<JobView>((resolve) => {
      engine.onDidChangeJobs((jobs) => {
        const j = jobs.find((x) => x.id === id && finished(x));
        if (j) resolve(j);
      });
    });
    const { added, rejected } = await engine.addJobs([{ path: file, meta: { title: 'bench', tags: [] } }]);
    if (rejected.length > 0) throw new Error(`engine refused the file: ${rejected[0].reason}`);
    id = added[0].id;
    const now = engine.getJob(id);
    const job = now && finished(now) ? now : await done;
    if (job.state !== 'uploaded' && job.state !== 'ready') throw new Error(`${which} upload ended ${job.state}: ${job.error?.code} ${job.error?.message}`);
  } finally {
    await engine.shutdown();
  }
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpuSeconds = cpuSecondsSince(cpu0);
  return { path: which, bytes: fs.statSync(file).size, seconds, cpuSeconds, peakRssMB: peakRssMB() };
}

if (require.main === module) {
  const [mode, which, file, workDir] = process.argv.slice(2);
  if (mode === 'worker') {
    runWorker(which, () => worker(which as Path, file, workDir));
  } else {
    benchTencent().then(
      (rows) => {
        for (const r of rows) process.stdout.write(`${r.name}: ${r.value} ${r.unit}\n`);
      },
      (err: unknown) => {
        process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
        process.exit(1);
      },
    );
  }
}

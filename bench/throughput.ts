// Upload throughput benchmark (`npm run bench`, or alone after a build:
// node out/bench/throughput.js). The sandbox runs as its own process with the null
// store (`vodup sandbox --store null`); each client runs in a fresh child process so
// its CPU time and peak RSS are its own. Files are sparse (fs.truncate): reading holes
// costs almost nothing, so the numbers are the upload path's, not the disk's.
//
// Measured against the same server, twice: once with MD5 part ETags as OSS makes them
// (on 2 cores the server's MD5 caps every client), once with CRC-64-derived ETags
// (`--etag crc64`), where the clients themselves are measured:
//  (a) raw: signed PutObjects (≤ 4 GiB each, OSS's limit is 5), fs.createReadStream
//      piped into http.request, one stream at a time;
//  (b) managed: ali-oss multipartUpload with its defaults (1 MiB parts, 5 in flight);
//  (c) engine: openEngine + AliyunVodProvider, defaults, CRC-64 verification on.
// Targets: engine ≥ 0.9× raw, ≥ 3× managed, CPU ≤ 1.5× raw's per GiB, RSS ≤ 150 MB and flat.

import fs from 'fs';
import os from 'os';
import path from 'path';
import OSS from 'ali-oss';
import type { JobView } from '../shared/types';
import { openEngine } from '../main/engine/index';
import type { VideoProvider } from '../main/engine/provider';
import { AliyunVodProvider } from '../main/engine/vod/aliyun-provider';
import { resolveCredentials } from '../main/engine/vod/credentials';
import { cpuSecondsSince, peakRssMB, REPO, runJsonChild, runWorker, spawnJsonLine, stopChild } from './util/children';
import { rawPutFile } from './util/oss-put';
import { round, type BenchRow } from './util/rows';

const GiB = 1024 ** 3;
const MB = 1e6;

type Kind = 'raw' | 'managed' | 'engine';

interface WorkerResult {
  kind: Kind;
  bytes: number;
  seconds: number;
  cpuSeconds: number;
  /** Peak resident set size of the client process (getrusage maxrss). */
  peakRssMB: number;
  /** RSS sampled every 250 ms during the transfer: flat means no growth with progress. */
  rssSamplesMB: number[];
}

export interface ThroughputOptions {
  /** The file for the raw / managed / engine comparison (default 8 GiB). */
  compareGiB?: number;
  /** The two engine RSS runs (default 1 and 64 GiB). */
  rssGiB?: [number, number];
}

interface SandboxLine {
  endpoint: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
}

export async function benchThroughput(opts: ThroughputOptions = {}): Promise<BenchRow[]> {
  const compareGiB = opts.compareGiB ?? 8;
  const [smallGiB, hugeGiB] = opts.rssGiB ?? [1, 64];
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-bench-'));
  const sparse = (gib: number): string => {
    const p = path.join(dir, `sparse-${gib}GiB.mp4`);
    if (!fs.existsSync(p)) {
      fs.writeFileSync(p, '');
      fs.truncateSync(p, Math.round(gib * GiB));
    }
    return p;
  };
  const rows: BenchRow[] = [];
  try {
    // The same comparison on two servers: with MD5 ETags as OSS makes them (the
    // server's MD5 on one core caps every client near the same rate), and with
    // CRC-64-derived ETags, where the client is what is measured.
    for (const etag of ['md5', 'crc64'] as const) {
      await withSandbox(etag, async (run) => {
        const tag = etag === 'md5' ? 'server MD5 ETags' : 'server CRC-64 ETags';
        const compareFile = sparse(compareGiB);
        // Loopback numbers on 2 shared cores scatter by ±15 %: each client runs three
        // times, interleaved, and the median run (by throughput) is reported.
        const trials: Record<'raw' | 'managed' | 'engine', WorkerResult[]> = { raw: [], managed: [], engine: [] };
        for (let i = 0; i < TRIALS; i++) {
          for (const kind of ['raw', 'managed', 'engine'] as const) trials[kind].push(await run(kind, compareFile));
        }
        const [raw, managed, engine] = (['raw', 'managed', 'engine'] as const).map((k) => medianRun(trials[k]));
        for (const [label, r] of [['raw PutObject (one stream at a time)', raw], ['ali-oss multipartUpload (defaults)', managed], ['engine', engine]] as const) {
          rows.push({ name: `${tag}: ${label}, ${compareGiB} GiB: throughput`, value: round(mbps(r), 0), unit: 'MB/s' });
          rows.push({ name: `${tag}: ${label}, ${compareGiB} GiB: client CPU`, value: round(cpuPerGiB(r), 2), unit: 'CPU-s/GiB' });
          rows.push({ name: `${tag}: ${label}, ${compareGiB} GiB: client peak RSS`, value: round(r.peakRssMB, 0), unit: 'MB' });
        }
        const vsRaw = mbps(engine) / mbps(raw);
        const vsManaged = mbps(engine) / mbps(managed);
        const cpuRatio = cpuPerGiB(engine) / cpuPerGiB(raw);
        rows.push({ name: `${tag}: engine / raw PutObject throughput`, value: round(vsRaw, 2), unit: '×', target: '≥ 0.9', ok: vsRaw >= 0.9 });
        rows.push({ name: `${tag}: engine / managed multipartUpload throughput`, value: round(vsManaged, 2), unit: '×', target: '≥ 3', ok: vsManaged >= 3 });
        rows.push({ name: `${tag}: engine / raw client CPU per GiB`, value: round(cpuRatio, 2), unit: '×', target: '≤ 1.5', ok: cpuRatio <= 1.5 });
        if (etag !== 'crc64') return;
        const small = await run('engine', sparse(smallGiB));
        const huge = await run('engine', sparse(hugeGiB));
        for (const [gib, r] of [[smallGiB, small], [hugeGiB, huge]] as const) {
          rows.push({ name: `engine, ${gib} GiB: throughput`, value: round(mbps(r), 0), unit: 'MB/s' });
          rows.push({ name: `engine, ${gib} GiB: client peak RSS`, value: round(r.peakRssMB, 0), unit: 'MB', target: '≤ 150', ok: r.peakRssMB <= 150 });
        }
        // Flat: the big upload's RSS in its second half is no higher than in its first.
        const growth = secondHalfGrowthMB(huge.rssSamplesMB);
        rows.push({ name: `engine, ${hugeGiB} GiB: RSS growth, 2nd half of the upload vs 1st`, value: round(growth, 0), unit: 'MB', target: '≤ 20', ok: growth <= 20 });
      });
    }
    return rows;
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }

  async function withSandbox(etag: 'md5' | 'crc64', body: (run: (kind: Kind, file: string) => Promise<WorkerResult>) => Promise<void>): Promise<void> {
    const server = await spawnJsonLine<SandboxLine>([path.join(REPO, 'bin', 'vodup.js'), 'sandbox', '--store', 'null', '--etag', etag, '--port', '0']);
    try {
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        VOD_ACCESS_KEY_ID: server.line.accessKeyId,
        VOD_ACCESS_KEY_SECRET: server.line.accessKeySecret,
        VOD_REGION: server.line.region,
        VOD_ENDPOINT: server.line.endpoint,
      };
      await body((kind, file) => runJsonChild<WorkerResult>([__filename, 'worker', kind, file, dir], env));
    } finally {
      await stopChild(server.child);
    }
  }
}

const TRIALS = 3;

function medianRun(runs: WorkerResult[]): WorkerResult {
  return [...runs].sort((a, b) => mbps(a) - mbps(b))[Math.floor(runs.length / 2)];
}

const mbps = (r: WorkerResult): number => r.bytes / MB / r.seconds;
const cpuPerGiB = (r: WorkerResult): number => r.cpuSeconds / (r.bytes / GiB);

function secondHalfGrowthMB(samples: readonly number[]): number {
  if (samples.length < 4) return 0;
  const half = Math.floor(samples.length / 2);
  return Math.max(...samples.slice(half)) - Math.max(...samples.slice(0, half));
}

// --- the client side, one process per measurement ------------------------------

async function worker(kind: Kind, file: string, workDir: string): Promise<WorkerResult> {
  const creds = resolveCredentials({ env: process.env });
  const provider = new AliyunVodProvider(creds);
  const size = fs.statSync(file).size;
  const rssSamplesMB: number[] = [];
  const sampler = setInterval(() => rssSamplesMB.push(process.memoryUsage.rss() / MB), 250);

  let t0: bigint;
  let cpu0: NodeJS.CpuUsage;
  const begin = (): void => {
    cpu0 = process.cpuUsage();
    t0 = process.hrtime.bigint();
  };
  if (kind === 'engine') {
    begin();
    await engineUpload(provider, file, workDir);
  } else {
    // VOD hands out the address and STS credential, as for any upload; not timed.
    const created = await provider.createUpload({ meta: { title: 'bench', tags: [] }, fileName: path.basename(file), size });
    const { address, credential } = created;
    begin();
    if (kind === 'raw') {
      await rawPutFile(file, size, address, credential, creds.region);
    } else {
      const client = new OSS({
        accessKeyId: credential.accessKeyId,
        accessKeySecret: credential.accessKeySecret,
        stsToken: credential.securityToken,
        bucket: address.bucket,
        endpoint: address.endpoint,
        region: `oss-${creds.region}`,
        secure: false,
      } as OSS.Options);
      await client.multipartUpload(address.objectKey, file, {});
    }
  }
  const seconds = Number(process.hrtime.bigint() - t0!) / 1e9;
  const cpuSeconds = cpuSecondsSince(cpu0!);
  clearInterval(sampler);
  return {
    kind,
    bytes: size,
    seconds,
    cpuSeconds,
    peakRssMB: peakRssMB(),
    rssSamplesMB: rssSamplesMB.map((v) => round(v, 1)),
  };
}

/** Enqueues one file and waits until its object is complete in OSS (`uploaded`). */
async function engineUpload(provider: VideoProvider, file: string, workDir: string): Promise<void> {
  const engine = await openEngine({ dbPath: path.join(workDir, `bench-${process.pid}.db`), providerFor: () => provider });
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
    if (job.state !== 'uploaded' && job.state !== 'ready') {
      throw new Error(`engine upload ended ${job.state}: ${job.error?.code} ${job.error?.message}`);
    }
  } finally {
    await engine.shutdown();
  }
}

if (require.main === module) {
  const [mode, kind, file, workDir] = process.argv.slice(2);
  if (mode === 'worker') {
    runWorker(kind, () => worker(kind as Kind, file, workDir));
  } else {
    benchThroughput().then(
      (rows) => {
        for (const r of rows) process.stdout.write(`${r.name}: ${r.value} ${r.unit}${r.target ? ` (target ${r.target}${r.ok ? ', met' : ', MISSED'})` : ''}\n`);
      },
      (err: unknown) => {
        process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
        process.exit(1);
      },
    );
  }
}

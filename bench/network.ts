// Uploads over an emulated WAN (`npm run bench`, section "network"; alone after a build:
// node out/bench/network.js [--quick] [--profiles 20ms] [--kinds engine,ceiling]
// [--no-loopback]: the last two for A/B runs of some clients). The sandbox runs in its own
// process (null store, CRC-64 part ETags so its MD5 does not take a core); the WAN
// emulator (bench/wan/emulator.ts) runs in this, the parent, process; every client runs
// in a fresh child process so its CPU time and peak RSS are its own. All VOD and OSS
// traffic goes through the emulator: VOD_ENDPOINT is the emulator, and the OSS endpoint
// of every UploadAddress is rewritten to it (ali-oss names the bucket in Host, which is
// how the sandbox tells OSS from VOD behind one port).
//
// At each profile, side by side:
//  - one large file (1 GiB; --quick 256 MiB): the engine with default settings; ali-oss
//    multipartUpload with its defaults using a CreateUploadVideo credential (Alibaba's
//    Node recipe); one raw PutObject (bench/util/oss-put.ts); and N raw PutObjects in
//    parallel — the emulator's own ceiling on this machine, not a client;
//  - 200 files of 256 KiB: the engine with defaults (until every job is `uploaded`, its
//    object verified by CRC-64; transcoding is not waited for); the recipe five files at
//    a time (CreateUploadVideo + multipartUpload each); raw (CreateUploadVideo + one PUT,
//    one file at a time).

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
import { withOssEndpoint } from './util/oss-endpoint-proxy';
import { rawPutFile } from './util/oss-put';
import { round, type BenchRow } from './util/rows';
import { WAN_PROFILES } from './wan/emulator';
import { spawnWanEmulator } from './wan/emulator-process';

const GiB = 1024 ** 3;
const MB = 1e6;
const SMALL_FILES = 200;
const SMALL_BYTES = 256 * 1024;
/** Raw PUTs in parallel for the emulator's ceiling. */
const CEILING_STREAMS = 16;

type Kind = 'engine' | 'managed' | 'raw' | 'ceiling' | 'engine-small' | 'managed-small' | 'raw-small';

interface WorkerResult {
  kind: Kind;
  bytes: number;
  files: number;
  seconds: number;
  cpuSeconds: number;
  peakRssMB: number;
  /** Engine runs: the most parts / files the adaptive controller allowed. */
  maxParts?: number;
  maxFiles?: number;
  /** engine-small: where a file's time went (medians, ms). */
  breakdown?: Record<string, number>;
  /** Engine runs: when the last job was uploaded (process.hrtime), before the engine's shutdown. */
  doneAt?: bigint;
  /**
   * Engine runs: CPU seconds and bytes from the first progress with bytes done to the last
   * job uploaded, i.e. without the run's fixed costs (opening the queue, loading modules,
   * CreateUploadVideo, shutdown), as an 8 GiB run amortises them.
   */
  flow?: { cpuSeconds: number; bytes: number };
}

interface SandboxLine {
  endpoint: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  admin: string;
}

export interface NetworkOptions {
  largeGiB?: number;
  profiles?: string[];
  /** Only these clients (for A/B runs; default all). */
  kinds?: Kind[];
  /** Skip the loopback engine runs. */
  noLoopback?: boolean;
}

export async function benchNetwork(opts: NetworkOptions = {}): Promise<BenchRow[]> {
  const largeGiB = opts.largeGiB ?? 1;
  const profiles = opts.profiles ?? ['5ms', '20ms', '75ms'];
  const wanted = (k: Kind): boolean => !opts.kinds || opts.kinds.includes(k);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-wan-'));
  const large = path.join(dir, `large-${largeGiB}GiB.mp4`);
  fs.writeFileSync(large, '');
  fs.truncateSync(large, Math.round(largeGiB * GiB));
  const smallDir = path.join(dir, 'small');
  fs.mkdirSync(smallDir);
  for (let i = 0; i < SMALL_FILES; i++) fs.writeFileSync(path.join(smallDir, `clip-${String(i).padStart(3, '0')}.mp4`), Buffer.alloc(SMALL_BYTES, i & 0xff));

  const server = await spawnJsonLine<SandboxLine>([path.join(REPO, 'bin', 'vodup.js'), 'sandbox', '--store', 'null', '--etag', 'crc64', '--port', '0']);
  const rows: BenchRow[] = [];
  try {
    const upstream = new URL(server.line.endpoint);
    /** The engine's CPU per GiB while the bytes flow on loopback (median of 3), the WAN rows' bar. */
    let loopbackFlowCpu: number | undefined;
    if (!opts.noLoopback && wanted('engine')) {
      // The same engine on loopback (no emulator), for its CPU per GiB: adaptive
      // concurrency must not cost CPU where the network is not the limit.
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        VOD_ACCESS_KEY_ID: server.line.accessKeyId, VOD_ACCESS_KEY_SECRET: server.line.accessKeySecret,
        VOD_REGION: server.line.region, VOD_ENDPOINT: server.line.endpoint, BENCH_OSS_ENDPOINT: server.line.endpoint,
      };
      process.stdout.write('  loopback: engine…\n');
      const runs: WorkerResult[] = [];
      for (let i = 0; i < 3; i++) runs.push(await runJsonChild<WorkerResult>([__filename, 'worker', 'engine', large, dir], env));
      const r = runs.sort((a, b) => a.cpuSeconds / a.bytes - b.cpuSeconds / b.bytes)[1];
      rows.push({ name: `loopback (no emulator): engine (defaults), ${largeGiB} GiB: throughput (median CPU of 3)`, value: round(mbps(r), 0), unit: 'MB/s' });
      rows.push({ name: `loopback (no emulator): engine (defaults), ${largeGiB} GiB: client CPU (median of 3)`, value: round(r.cpuSeconds / (r.bytes / GiB), 2), unit: 'CPU-s/GiB' });
      const flows = runs.filter((x) => x.flow).map((x) => x.flow!.cpuSeconds / (x.flow!.bytes / GiB));
      if (flows.length > 0) {
        loopbackFlowCpu = round(median(flows), 2);
        rows.push({ name: `loopback (no emulator): engine (defaults), ${largeGiB} GiB: client CPU while the bytes flow (median of 3)`, value: loopbackFlowCpu, unit: 'CPU-s/GiB' });
      }
      rows.push({ name: `loopback (no emulator): engine (defaults), ${largeGiB} GiB: client peak RSS`, value: round(r.peakRssMB, 0), unit: 'MB', target: '≤ 150', ok: r.peakRssMB <= 150 });
      if (r.maxParts !== undefined) rows.push({ name: `loopback (no emulator): engine (defaults), ${largeGiB} GiB: most parts in flight (adaptive)`, value: r.maxParts, unit: 'parts' });
    }
    for (const name of profiles) {
      const profile = WAN_PROFILES[name];
      if (!profile) throw new Error(`Unknown WAN profile ${name}; known: ${Object.keys(WAN_PROFILES).join(', ')}`);
      const wan = await spawnWanEmulator({ host: upstream.hostname, port: Number(upstream.port) }, name);
      const via = `http://127.0.0.1:${wan.port}`;
      const env: NodeJS.ProcessEnv = {
        ...process.env,
        VOD_ACCESS_KEY_ID: server.line.accessKeyId,
        VOD_ACCESS_KEY_SECRET: server.line.accessKeySecret,
        VOD_REGION: server.line.region,
        VOD_ENDPOINT: via,
        BENCH_OSS_ENDPOINT: via,
      };
      const run = async (kind: Kind, target: string): Promise<WorkerResult> => {
        process.stdout.write(`  ${name}: ${kind}…\n`);
        return runJsonChild<WorkerResult>([__filename, 'worker', kind, target, dir], env);
      };
      try {
        const tag = `${name} one way`;
        const linkMBps = profile.linkBps / MB;
        for (const kind of (['engine', 'managed', 'raw', 'ceiling'] as const).filter(wanted)) {
          const r = await run(kind, large);
          const label = LABEL[kind];
          const fraction = mbps(r) / linkMBps;
          const target = kind === 'engine' && name === '20ms' ? { target: '≥ 0.9', ok: fraction >= 0.9 } : {};
          rows.push({ name: `${tag}: ${label}, ${largeGiB} GiB: fraction of the link`, value: round(fraction, 2), unit: `× ${linkMBps} MB/s`, ...target });
          if (kind === 'ceiling') continue;
          rows.push({ name: `${tag}: ${label}, ${largeGiB} GiB: client CPU`, value: round(r.cpuSeconds / (r.bytes / GiB), 2), unit: 'CPU-s/GiB' });
          if (r.flow) {
            // The issue's bar: no worse than the engine on loopback, measured in the same
            // run: CPU figures do not carry from one machine to another (the one quoted
            // when the issue was filed, 1.31, came from another host, where the unchanged
            // raw client cost 1.05 CPU-s/GiB against 1.56 here on 2026-12-01).
            const perGiB = round(r.flow.cpuSeconds / (r.flow.bytes / GiB), 2);
            const bar = name === '20ms' && loopbackFlowCpu !== undefined
              ? { target: `≤ ${loopbackFlowCpu} (loopback, this run)`, ok: perGiB <= loopbackFlowCpu } : {};
            rows.push({ name: `${tag}: ${label}, ${largeGiB} GiB: client CPU while the bytes flow`, value: perGiB, unit: 'CPU-s/GiB', ...bar });
          }
          const rss = kind === 'engine' ? { target: '≤ 150', ok: r.peakRssMB <= 150 } : {};
          rows.push({ name: `${tag}: ${label}, ${largeGiB} GiB: client peak RSS`, value: round(r.peakRssMB, 0), unit: 'MB', ...rss });
          if (r.maxParts !== undefined) rows.push({ name: `${tag}: ${label}, ${largeGiB} GiB: most parts in flight (adaptive)`, value: r.maxParts, unit: 'parts' });
        }
        for (const kind of (['engine-small', 'managed-small', 'raw-small'] as const).filter(wanted)) {
          const r = await run(kind, smallDir);
          const label = LABEL[kind];
          const fps = r.files / r.seconds;
          const target = kind === 'engine-small' && name === '20ms' ? { target: '≥ 60', ok: fps >= 60 } : {};
          rows.push({ name: `${tag}: ${label}, ${SMALL_FILES} × 256 KiB: files per second`, value: round(fps, 1), unit: 'files/s', ...target });
          rows.push({ name: `${tag}: ${label}, ${SMALL_FILES} × 256 KiB: fraction of the link`, value: round(mbps(r) / linkMBps, 3), unit: `× ${linkMBps} MB/s` });
          rows.push({ name: `${tag}: ${label}, ${SMALL_FILES} × 256 KiB: client CPU`, value: round(r.cpuSeconds / (r.bytes / GiB), 1), unit: 'CPU-s/GiB' });
          const rss = kind === 'engine-small' ? { target: '≤ 150', ok: r.peakRssMB <= 150 } : {};
          rows.push({ name: `${tag}: ${label}, ${SMALL_FILES} × 256 KiB: client peak RSS`, value: round(r.peakRssMB, 0), unit: 'MB', ...rss });
          if (r.maxFiles !== undefined) rows.push({ name: `${tag}: ${label}: most files in flight (adaptive)`, value: r.maxFiles, unit: 'files' });
          for (const [what, ms] of Object.entries(r.breakdown ?? {})) {
            rows.push({ name: `${tag}: ${label}: one file's time, ${what} (median)`, value: round(ms, 0), unit: 'ms' });
          }
        }
        const st = await wan.stats();
        rows.push({ name: `${tag}: emulator: connections opened (all runs)`, value: st.connections, unit: 'connections' });
        const carriedGiB = (st.up.delivered + st.down.delivered) / GiB;
        rows.push({ name: `${tag}: emulator: its own CPU per GiB carried (its own process, on the same 2 cores as client and sandbox)`, value: round(st.cpuSeconds / carriedGiB, 2), unit: 'CPU-s/GiB' });
      } finally {
        await wan.close();
      }
    }
    return rows;
  } finally {
    await stopChild(server.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

const LABEL: Record<Kind, string> = {
  engine: 'engine (defaults)',
  managed: 'ali-oss multipartUpload (defaults)',
  raw: 'one raw PutObject',
  ceiling: `emulator ceiling (${CEILING_STREAMS} raw PutObjects in parallel)`,
  'engine-small': 'engine (defaults)',
  'managed-small': 'recipe (CreateUploadVideo + multipartUpload, 5 files at a time)',
  'raw-small': 'raw (CreateUploadVideo + one PutObject, 1 at a time)',
};

const mbps = (r: WorkerResult): number => r.bytes / MB / r.seconds;

// --- the client side, one process per measurement ------------------------------

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0 ? 0 : s[Math.floor(s.length / 2)];
}

async function worker(kind: Kind, target: string, workDir: string): Promise<WorkerResult> {
  const creds = resolveCredentials({ env: process.env });
  const provider = withOssEndpoint(new AliyunVodProvider(creds), () => process.env.BENCH_OSS_ENDPOINT!);
  const files = kind.endsWith('-small') ? fs.readdirSync(target).sort().map((f) => path.join(target, f)) : [target];
  const bytes = files.reduce((s, f) => s + fs.statSync(f).size, 0);
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  const extra: Partial<WorkerResult> = {};
  const ossClient = (address: { endpoint: string; bucket: string }, credential: { accessKeyId: string; accessKeySecret: string; securityToken: string }): OSS =>
    new OSS({
      accessKeyId: credential.accessKeyId, accessKeySecret: credential.accessKeySecret, stsToken: credential.securityToken,
      bucket: address.bucket, endpoint: address.endpoint, region: `oss-${creds.region}`, secure: false,
    } as OSS.Options);
  const create = (file: string) => provider.createUpload({ meta: { title: path.basename(file), tags: [] }, fileName: path.basename(file), size: fs.statSync(file).size });

  switch (kind) {
    case 'engine':
    case 'engine-small':
      Object.assign(extra, await engineUpload(provider, files, workDir));
      break;
    case 'managed': {
      const { address, credential } = await create(files[0]);
      await ossClient(address, credential).multipartUpload(address.objectKey, files[0], {});
      break;
    }
    case 'raw': {
      const { address, credential } = await create(files[0]);
      await rawPutFile(files[0], bytes, address, credential, creds.region);
      break;
    }
    case 'ceiling': {
      // The same bytes as CEILING_STREAMS objects at once: what the emulator (and this
      // machine) can carry, whatever the client.
      const size = Math.floor(bytes / CEILING_STREAMS);
      await Promise.all(Array.from({ length: CEILING_STREAMS }, async (_, i) => {
        const slice = path.join(workDir, `ceiling-${process.pid}-${i}.mp4`);
        fs.writeFileSync(slice, '');
        fs.truncateSync(slice, size);
        const { address, credential } = await create(slice);
        await rawPutFile(slice, size, address, credential, creds.region);
      }));
      break;
    }
    case 'managed-small': {
      let next = 0;
      await Promise.all(Array.from({ length: 5 }, async () => {
        while (next < files.length) {
          const file = files[next++];
          const { address, credential } = await create(file);
          await ossClient(address, credential).multipartUpload(address.objectKey, file, {});
        }
      }));
      break;
    }
    case 'raw-small':
      for (const file of files) {
        const { address, credential } = await create(file);
        await rawPutFile(file, fs.statSync(file).size, address, credential, creds.region);
      }
      break;
  }
  // The engine's clock stops when its last job is uploaded (engineUpload's doneAt), not
  // after the engine's shutdown, which is not part of uploading.
  const seconds = Number((extra.doneAt ?? process.hrtime.bigint()) - t0) / 1e9;
  delete extra.doneAt;
  const cpuSeconds = cpuSecondsSince(cpu0);
  return {
    kind, bytes, files: files.length, seconds,
    cpuSeconds,
    peakRssMB: peakRssMB(),
    ...extra,
  };
}

/** Enqueues the files and waits until each is `uploaded` (its object verified), not for transcoding. */
async function engineUpload(provider: VideoProvider, files: string[], workDir: string): Promise<Partial<WorkerResult>> {
  const engine = await openEngine({ dbPath: path.join(workDir, `bench-${process.pid}.db`), providerFor: () => provider });
  let maxParts = 0;
  let maxFiles = 0;
  let flow0: { cpu: NodeJS.CpuUsage; bytes: number } | undefined;
  // BENCH_TRACE=1: the level and bytes sent over time, on stderr (for tuning the controller).
  const trace = process.env.BENCH_TRACE === '1';
  const t0 = Date.now();
  let lastTrace = 0;
  const sub = engine.onDidProgress((b) => {
    maxParts = Math.max(maxParts, b.totals.concurrency?.parts ?? 0);
    maxFiles = Math.max(maxFiles, b.totals.concurrency?.files ?? 0);
    if (!flow0 && b.totals.bytesDone > 0) flow0 = { cpu: process.cpuUsage(), bytes: b.totals.bytesDone };
    if (trace && Date.now() - lastTrace >= 250) {
      lastTrace = Date.now();
      const rss = process.memoryUsage();
      process.stderr.write(`trace t=${((lastTrace - t0) / 1000).toFixed(2)}s parts=${b.totals.concurrency?.parts} speed=${(b.totals.speed / MB).toFixed(0)} done=${(b.totals.bytesDone / MB).toFixed(0)}MB `
        + `rss=${(rss.rss / MB).toFixed(0)} heap=${(rss.heapUsed / MB).toFixed(0)} ext=${(rss.external / MB).toFixed(0)} ab=${(rss.arrayBuffers / MB).toFixed(0)}\n`);
    }
  });
  try {
    const finished = (j: JobView): boolean => ['uploaded', 'ready', 'failed', 'canceled'].includes(j.state);
    const left = new Set<number>();
    const failures: string[] = [];
    const done = new Promise<void>((resolve) => {
      engine.onDidChangeJobs((jobs) => {
        for (const j of jobs) {
          if (!left.has(j.id) || !finished(j)) continue;
          left.delete(j.id);
          if (j.state !== 'uploaded' && j.state !== 'ready') failures.push(`${j.fileName} ${j.state}: ${j.error?.code} ${j.error?.message}`);
          if (left.size === 0) resolve();
        }
      });
    });
    const { added, rejected } = await engine.addJobs(files.map((p) => ({ path: p, meta: { title: path.basename(p), tags: ['bench'] } })));
    if (rejected.length > 0) throw new Error(`engine refused a file: ${rejected[0].reason}`);
    for (const a of added) {
      const now = engine.getJob(a.id);
      if (!now || !finished(now)) left.add(a.id);
    }
    if (left.size > 0) await done;
    const doneAt = process.hrtime.bigint();
    // The CPU first: stat-ing the files is the bench's work, not the engine's.
    const flowCpu = flow0 ? cpuSecondsSince(flow0.cpu) : 0;
    const total = files.reduce((sum, f) => sum + fs.statSync(f).size, 0);
    const flow = flow0 ? { cpuSeconds: flowCpu, bytes: total - flow0.bytes } : undefined;
    if (trace) {
      process.stderr.write(`trace t=${((Date.now() - t0) / 1000).toFixed(2)}s all uploaded\n`);
      if (added.length === 1) {
        for (const e of engine.listEvents(added[0].id, 100)) if (e.type !== 'part') process.stderr.write(`trace event ${((e.at - t0) / 1000).toFixed(2)}s ${e.type}\n`);
      }
    }
    if (failures.length > 0) throw new Error(`engine uploads failed: ${failures.slice(0, 3).join('; ')}`);
    if (files.length === 1) return { maxParts, maxFiles, doneAt, flow };
    // Where a small file's time went, from the job's own events (their times are when
    // each step was recorded): CreateUploadVideo, then the object (PutObject, or
    // initiate/part/complete), then the record of it.
    const spans: Record<string, number[]> = { 'start → VideoId recorded (CreateUploadVideo)': [], 'VideoId → object verified (OSS)': [], 'start → uploaded': [] };
    for (const a of added) {
      const events = engine.listEvents(a.id, 100);
      const at = (type: string): number | undefined => events.find((e) => e.type === type)?.at;
      const sent = at('create-sent');
      const created = at('created');
      const completed = at('completed');
      if (sent === undefined || created === undefined || completed === undefined) continue;
      spans['start → VideoId recorded (CreateUploadVideo)'].push(created - sent);
      spans['VideoId → object verified (OSS)'].push(completed - created);
      spans['start → uploaded'].push(completed - sent);
    }
    const breakdown: Record<string, number> = {};
    for (const [k, v] of Object.entries(spans)) breakdown[k] = median(v);
    return { maxParts, maxFiles, breakdown, doneAt };
  } finally {
    sub.dispose();
    await engine.shutdown();
  }
}

if (require.main === module) {
  const [mode, kind, target, workDir] = process.argv.slice(2);
  if (mode === 'worker') {
    runWorker(kind, () => worker(kind as Kind, target, workDir));
  } else {
    const argv = process.argv.slice(2);
    const arg = (name: string): string[] | undefined => {
      const at = argv.indexOf(name);
      return at >= 0 ? (argv[at + 1] ?? '').split(',').filter(Boolean) : undefined;
    };
    benchNetwork({
      largeGiB: argv.includes('--quick') ? 0.25 : 1,
      profiles: arg('--profiles'),
      kinds: arg('--kinds') as Kind[] | undefined,
      noLoopback: argv.includes('--no-loopback'),
    }).then(
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


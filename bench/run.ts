// `npm run bench` (= npm run build && node out/bench/run.js): runs every benchmark and
// writes BENCHMARKS.md with the machine it ran on. `--only NAME[,NAME]` runs a subset
// (crc64, store, ui-scroll, throughput, download, tencent, many-files, network); `--quick` shrinks the throughput files
// (0.5 GiB comparison, 0.25/1 GiB RSS runs) and the WAN run (0.25 GiB, 20 ms only) for
// a smoke run — its numbers are not the reported ones. The network section runs the
// 5 / 20 / 75 ms profiles (about 12 minutes on 2 cores); `--wan-profiles 20ms` picks some.

import fs from 'fs';
import os from 'os';
import path from 'path';
import { benchCrc64 } from './crc64';
import { benchDownload } from './download';
import { benchManyFiles } from './many-files';
import { benchNetwork } from './network';
import { benchStore } from './store';
import { benchTencent } from './tencent';
import { benchThroughput } from './throughput';
import { benchUiScroll } from './ui-scroll';
import { REPO } from './util/children';
import { markdownTable, textTable, type BenchRow } from './util/rows';

interface Benchmark {
  name: string;
  title: string;
  run: (quick: boolean, argv: string[]) => Promise<BenchRow[]>;
  /** Written under the table: how to read it (method, what a number does not show). */
  note?: string;
}

const NETWORK_NOTE = `How to read it. Each client runs in its own process; the sandbox (null store, CRC-64 part
ETags) in another; the WAN emulator (bench/wan/emulator.ts: one-way delay each direction,
12.5 MB/s per connection, a shared work-conserving 125 MB/s link, a TCP-like window of at
most 2 MiB that starts at 10 segments and restarts after an idle RTO, the receiver's
socket as its receive window) in a third (bench/wan/emulator-process.ts). All three share
the machine's 2 cores (and, when this ran, other work: see the load average), so the
emulator costs CPU that a real network does not: its row "its own CPU per GiB carried"
(about 2.2-3.5 CPU-s/GiB; a bare Node socket pipe costs ~1.2 here, the rest is its
timers and the pauses of senders held by their window). Its row "emulator ceiling" (16
raw PutObjects in parallel through it) is the most any client could reach here, and the
engine's fraction of the link should be read against it, not against 1.0.
"Fraction of the link" is bytes / seconds / 125 MB/s; the engine's seconds run from
opening the engine to its last job uploaded (its shutdown is not counted). Peak RSS is
the client process's VmHWM. The recipe is Alibaba's Node one: CreateUploadVideo, then
ali-oss multipartUpload with the STS credential and ali-oss's defaults (1 MiB parts, 5 in
flight), five files at a time; it checks no CRC. "Uploaded" means the object is complete
and its CRC-64 verified; VOD's transcoding is not waited for.

Where a small file's time went before this change (engine at 3 files / 6 parts, 20 ms one
way, 200 × 256 KiB, quick run on 2026-12-01): 10.2 files/s; per file (medians, from the
job's events) CreateUploadVideo 47 ms (one round trip + the VideoId's fsynced commit,
0.3 ms), then the object 236 ms: InitiateMultipartUpload, UploadPart, CompleteMultipartUpload
(three round trips, the part paying TCP slow start on a connection idle for more than an
RTO), total 284 ms. Status polling is not on this path (GetVideoInfos, batched: 0.1 call
per file, after "uploaded"); the other commits are WAL commits without fsync (< 0.1 ms).
So a small file cost four round trips and was run three at a time. Now: one PutObject
instead of three OSS calls (no HEAD either: the PutObject's answer carries the CRC-64),
the same one CreateUploadVideo (not pipelined ahead, see docs/ARCHITECTURE.md §3), and
adaptive concurrency running twice as many files as request slots.`;

const BENCHMARKS: readonly Benchmark[] = [
  { name: 'crc64', title: 'CRC-64 hashing', run: () => benchCrc64() },
  { name: 'store', title: 'Queue store (SQLite)', run: () => benchStore() },
  {
    name: 'throughput', title: 'Upload throughput, CPU and memory (client and sandbox in separate processes)',
    run: (quick) => benchThroughput(quick ? { compareGiB: 0.5, rssGiB: [0.25, 1] } : {}),
  },
  {
    name: 'download', title: 'Download throughput, CPU and memory (engine vs curl vs ali-oss get; sandbox in its own process)',
    run: (quick) => benchDownload(quick ? { compareGiB: 0.5, rssGiB: [0.25, 1] } : {}),
  },
  {
    name: 'tencent', title: 'Tencent path beside the Alibaba path (engine, same file, sandbox in its own process)',
    run: (quick) => benchTencent(quick ? { gib: 0.25 } : {}),
  },
  { name: 'many-files', title: 'Many small files (per-file overhead, sandbox in its own process)', run: (quick) => benchManyFiles(quick ? { files: 200 } : {}) },
  {
    name: 'network', title: 'Over an emulated WAN (bench/wan/emulator.ts in front of the sandbox)',
    run: (quick, argv) => {
      const at = argv.indexOf('--wan-profiles');
      const profiles = at >= 0 ? (argv[at + 1] ?? '').split(',').filter(Boolean) : quick ? ['20ms'] : undefined;
      return benchNetwork({ largeGiB: quick ? 0.25 : 1, profiles });
    },
    note: NETWORK_NOTE,
  },
  { name: 'ui-scroll', title: 'Queue view with 100,000 jobs (Chromium)', run: () => benchUiScroll() },
];


const KEPT_MARK = '_(kept from';

/** "`npm run bench` on <date>" of the BENCHMARKS.md being updated. */
function previousRun(file: string): string {
  const m = /Written by (`[^`]+`) on (\S+?)\.?\s*$/m.exec(fs.readFileSync(file, 'utf8'));
  return m ? `${m[1]} on ${m[2]}` : 'an earlier run';
}

/** The sections of an existing BENCHMARKS.md by title, so `--only` keeps the others. */
function existingSections(file: string): Map<string, string> {
  const out = new Map<string, string>();
  if (!fs.existsSync(file)) return out;
  for (const chunk of fs.readFileSync(file, 'utf8').split(/\n(?=## )/).slice(1)) {
    const title = chunk.slice(3, chunk.indexOf('\n')).trim();
    out.set(title, chunk.trimEnd());
  }
  return out;
}

function machine(): string[] {
  const cpus = os.cpus();
  return [
    `- CPU: ${cpus[0]?.model ?? 'unknown'}, ${cpus.length} logical cores`,
    `- RAM: ${(os.totalmem() / 1024 ** 3).toFixed(1)} GiB`,
    `- OS: ${os.type()} ${os.release()} (${os.arch()})`,
    `- Node: ${process.version}`,
    `- Load average at start (1/5/15 min): ${os.loadavg().map((l) => l.toFixed(2)).join(' / ')}`,
  ];
}

async function main(argv: string[]): Promise<number> {
  const quick = argv.includes('--quick');
  const onlyAt = argv.indexOf('--only');
  const only = onlyAt >= 0 ? new Set((argv[onlyAt + 1] ?? '').split(',').filter(Boolean)) : undefined;
  if (only) {
    const unknown = [...only].filter((n) => !BENCHMARKS.some((b) => b.name === n));
    if (unknown.length > 0) {
      process.stderr.write(`Unknown benchmark(s): ${unknown.join(', ')}. Known: ${BENCHMARKS.map((b) => b.name).join(', ')}.\n`);
      return 2;
    }
  }
  const command = `npm run bench${argv.length > 0 ? ` -- ${argv.join(' ')}` : ''}`;
  const started = new Date();
  const file = path.join(REPO, 'BENCHMARKS.md');
  const previous = only ? existingSections(file) : new Map<string, string>();
  const sections: string[] = [];
  let failed = 0;
  for (const b of BENCHMARKS) {
    if (only && !only.has(b.name)) {
      const kept = previous.get(b.title);
      if (kept) sections.push(kept.includes(KEPT_MARK) ? kept : `${kept}\n\n${KEPT_MARK} ${previousRun(file)})_`);
      continue;
    }
    process.stdout.write(`\n== ${b.title} ==\n`);
    const t0 = Date.now();
    try {
      const rows = await b.run(quick, argv);
      process.stdout.write(`${textTable(rows)}\n`);
      sections.push(`## ${b.title}\n\n${markdownTable(rows)}\n\n_${((Date.now() - t0) / 1000).toFixed(0)} s._${b.note ? `\n\n${b.note}` : ''}`);
    } catch (err) {
      failed++;
      const msg = (err as Error).stack ?? String(err);
      process.stderr.write(`${b.name} failed: ${msg}\n`);
      sections.push(`## ${b.title}\n\nFailed: \`${(err as Error).message.split('\n')[0]}\``);
    }
  }
  const doc = [
    '# Benchmarks',
    '',
    `Written by \`${command}\` on ${started.toISOString()}${quick ? ' (quick mode: small files, not the reported numbers)' : ''}.`,
    '',
    ...machine(),
    '',
    'A row with a target says whether it was met. Timing depends on the machine and its',
    'load (a shared 2-core machine gives noisy numbers); compare ratios rather than absolutes.',
    '',
    sections.join('\n\n'),
    '',
  ].join('\n');
  fs.writeFileSync(file, doc);
  process.stdout.write(`\nWrote ${file}\n`);
  return failed > 0 ? 1 : 0;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

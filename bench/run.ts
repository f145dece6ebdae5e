// `npm run bench` (= npm run build && node out/bench/run.js): runs every benchmark and
// writes BENCHMARKS.md with the machine it ran on. `--only NAME[,NAME]` runs a subset
// (crc64, store, ui-scroll, throughput, download, tencent, many-files); `--quick` shrinks the throughput files
// (0.5 GiB comparison, 0.25/1 GiB RSS runs) for a smoke run — its numbers are not the
// reported ones.

import fs from 'fs';
import os from 'os';
import path from 'path';
import { benchCrc64 } from './crc64';
import { benchDownload } from './download';
import { benchManyFiles } from './many-files';
import { benchStore } from './store';
import { benchTencent } from './tencent';
import { benchThroughput } from './throughput';
import { benchUiScroll } from './ui-scroll';
import { REPO } from './util/children';
import { markdownTable, textTable, type BenchRow } from './util/rows';

interface Benchmark {
  name: string;
  title: string;
  run: (quick: boolean) => Promise<BenchRow[]>;
}

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
      const rows = await b.run(quick);
      process.stdout.write(`${textTable(rows)}\n`);
      sections.push(`## ${b.title}\n\n${markdownTable(rows)}\n\n_${((Date.now() - t0) / 1000).toFixed(0)} s._`);
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

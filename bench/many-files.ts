// Many small files (`npm run bench`): the per-file overhead of the engine — one
// CreateUploadVideo, one multipart upload, status polling — for a batch of 2,000 files
// of 2 KiB, against the sandbox in its own process. Reports files per second, client
// CPU per file, and the VOD/OSS calls per file (status polling is batched with
// GetVideoInfos, so it should cost far less than one call per file).

import fs from 'fs';
import os from 'os';
import path from 'path';
import { openEngine } from '../main/engine/index';
import { AliyunVodProvider } from '../main/engine/vod/aliyun-provider';
import { REPO, spawnJsonLine, stopChild } from './util/children';
import { round, type BenchRow } from './util/rows';

interface SandboxLine {
  endpoint: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  admin: string;
}

export async function benchManyFiles(opts: { files?: number } = {}): Promise<BenchRow[]> {
  const n = opts.files ?? 2000;
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-many-'));
  const server = await spawnJsonLine<SandboxLine>([path.join(REPO, 'bin', 'vodup.js'), 'sandbox', '--store', 'null', '--port', '0']);
  try {
    const { line } = server;
    const provider = new AliyunVodProvider({ accessKeyId: line.accessKeyId, accessKeySecret: line.accessKeySecret, region: line.region, endpoint: line.endpoint });
    const items = [];
    for (let i = 0; i < n; i++) {
      const p = path.join(dir, `clip-${i}.mp4`);
      fs.writeFileSync(p, Buffer.alloc(2048, i & 0xff));
      items.push({ path: p, meta: { title: `clip ${i}`, tags: ['bench'] } });
    }
    const engine = await openEngine({ dbPath: path.join(dir, 'queue.db'), providerFor: () => provider });
    const t0 = process.hrtime.bigint();
    const cpu0 = process.cpuUsage();
    await engine.addJobs(items);
    await engine.whenIdle();
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    const cpu = process.cpuUsage(cpu0);
    const ready = engine.totals().byState.ready ?? 0;
    await engine.shutdown();
    const requests = (await (await fetch(`${line.admin}/state`)).json() as { requests: Record<string, number> }).requests;
    const calls = (prefix: string): number => Object.entries(requests).filter(([k]) => k.startsWith(prefix)).reduce((s, [, v]) => s + v, 0);
    return [
      { name: `${n} files of 2 KiB: all ready`, value: ready, unit: 'files', target: `= ${n}`, ok: ready === n },
      { name: `${n} files of 2 KiB: throughput`, value: round(n / seconds, 0), unit: 'files/s' },
      { name: `${n} files of 2 KiB: client CPU per file`, value: round(((cpu.user + cpu.system) / 1000) / n, 2), unit: 'ms' },
      { name: `${n} files of 2 KiB: VOD calls per file`, value: round(calls('vod:') / n, 2), unit: 'calls' },
      { name: `${n} files of 2 KiB: status calls (GetVideoInfos) per file`, value: round((requests['vod:GetVideoInfos'] ?? 0) / n, 3), unit: 'calls', target: '≤ 0.25', ok: (requests['vod:GetVideoInfos'] ?? 0) / n <= 0.25 },
      { name: `${n} files of 2 KiB: OSS calls per file`, value: round(calls('oss:') / n, 2), unit: 'calls' },
    ];
  } finally {
    await stopChild(server.child);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

if (require.main === module) {
  benchManyFiles().then((rows) => rows.forEach((r) => process.stdout.write(`${r.name}: ${r.value} ${r.unit}\n`)), (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}

// CRC-64 benchmark: throughput (MB/s) and CPU cost (CPU-s/GiB) of each
// implementation over 1 GiB in 64 KiB chunks (the size a part's read stream
// hands the hashing transform), the transform itself, the per-call overhead of
// the addon, and combine. Hashing must stay a small share of the upload budget
// (raw PUT 0.87 CPU-s/GiB here, upload target ≤ 1.5× that).
// Run alone after `npm run build:native && npm run build:node`: node out/bench/crc64.js

import { randomBytes } from 'crypto';
import { Readable, Writable } from 'stream';
import { pipeline } from 'stream/promises';
import { crc64, crc64Combine, crc64CombineJs, crc64Implementation, crc64Js } from '../main/engine/oss/crc64';
import { loadNativeCrc64, nativeCrc64LoadError } from '../main/engine/oss/crc64-native';
import { PartHashStream } from '../main/engine/oss/hash-stream';

import type { BenchRow } from './util/rows';

export type { BenchRow };

const GiB = 1024 ** 3;
const CHUNK = 64 * 1024;
// 64 MiB of random data, reused: larger than the caches (like bytes fresh from
// disk), small enough for a shared machine.
const POOL_BYTES = 64 * 1024 * 1024;
/** Hashing may cost at most this; the selected implementation is held to it. */
const CPU_TARGET = 0.2;

const CHECK = 0x995dc9bbdf1939fan;

function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

interface Measured {
  mbPerS: number;
  cpuSPerGiB: number;
}

/** Hashes `total` bytes of `pool` in CHUNK slices with `update`; wall and CPU time. */
function measure(pool: Buffer, total: number, update: (crc: bigint, chunk: Buffer) => bigint): Measured {
  // Warm up (JIT, page faults) on a small part before timing.
  let crc = 0n;
  for (let at = 0; at < 4 * 1024 * 1024; at += CHUNK) crc = update(crc, pool.subarray(at, at + CHUNK));
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  for (let done = 0; done < total; ) {
    for (let at = 0; at < pool.length && done < total; at += CHUNK, done += CHUNK) crc = update(crc, pool.subarray(at, at + CHUNK));
  }
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (crc === undefined) throw new Error('unreachable'); // keeps the loop observable
  return { mbPerS: total / s / 1e6, cpuSPerGiB: (cpu.user + cpu.system) / 1e6 / (total / GiB) };
}

/** The former implementation (BigInt per byte), kept here only as the baseline. */
const BIGINT_TABLE: bigint[] = (() => {
  const t: bigint[] = [];
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ 0xc96c5795d7870f42n : c >> 1n;
    t.push(c);
  }
  return t;
})();
function crc64BigIntPerByte(prev: bigint, buf: Uint8Array): bigint {
  const mask = 0xffffffffffffffffn;
  let c = ~prev & mask;
  for (let i = 0; i < buf.length; i++) c = BIGINT_TABLE[Number((c ^ BigInt(buf[i])) & 0xffn)] ^ (c >> 8n);
  return ~c & mask;
}

async function measureStream(pool: Buffer, total: number): Promise<Measured> {
  function* chunks(): Generator<Buffer> {
    for (let done = 0; done < total; ) {
      for (let at = 0; at < pool.length && done < total; at += CHUNK, done += CHUNK) yield pool.subarray(at, at + CHUNK);
    }
  }
  const hash = new PartHashStream({});
  const devNull = new Writable({ write: (_c, _e, cb) => cb() });
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await pipeline(Readable.from(chunks(), { objectMode: false }), hash, devNull);
  const s = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  if (hash.result().bytes !== total) throw new Error('bench: the hashing stream lost bytes');
  return { mbPerS: total / s / 1e6, cpuSPerGiB: (cpu.user + cpu.system) / 1e6 / (total / GiB) };
}

function perCallNs(n: number, fn: () => void): number {
  for (let i = 0; i < 1000; i++) fn();
  const t0 = process.hrtime.bigint();
  for (let i = 0; i < n; i++) fn();
  return Number(process.hrtime.bigint() - t0) / n;
}

export async function benchCrc64(opts: { totalBytes?: number } = {}): Promise<BenchRow[]> {
  const total = opts.totalBytes ?? GiB;
  const pool = randomBytes(POOL_BYTES);
  const native = loadNativeCrc64();
  const rows: BenchRow[] = [];
  const selected = crc64Implementation();
  const add = (label: string, m: Measured, held: boolean): void => {
    rows.push({ name: `crc64 ${label}: throughput, 64 KiB chunks`, value: round(m.mbPerS, 0), unit: 'MB/s' });
    rows.push(
      held
        ? { name: `crc64 ${label}: CPU`, value: round(m.cpuSPerGiB, 3), unit: 'CPU-s/GiB', target: `≤ ${CPU_TARGET}`, ok: m.cpuSPerGiB <= CPU_TARGET }
        : { name: `crc64 ${label}: CPU`, value: round(m.cpuSPerGiB, 3), unit: 'CPU-s/GiB' },
    );
  };

  for (const [name, f] of [['crc64', crc64], ['crc64Js', crc64Js]] as const) {
    if (f(Buffer.from('123456789')) !== CHECK) throw new Error(`bench: ${name} fails the check value`);
  }
  const gib = round(total / GiB, 2);
  add(`selected (${selected}), ${gib} GiB`, measure(pool, total, (c, b) => crc64(b, c)), true);
  if (native) {
    if (native.implementation !== 'table') {
      add(`native-table (slicing-by-8), ${gib} GiB`, measure(pool, total, (c, b) => native.updateTable(c, b)), false);
    }
  } else {
    rows.push({ name: `crc64 native addon: not loaded (${nativeCrc64LoadError()})`, value: 0, unit: '' });
  }
  if (selected !== 'js') add(`js (slicing-by-8, 2×32-bit), ${gib} GiB`, measure(pool, total, (c, b) => crc64Js(b, c)), false);
  const small = Math.min(total, POOL_BYTES);
  add(`js-bigint (former, per byte), ${round(small / 2 ** 20, 0)} MiB`, measure(pool, small, crc64BigIntPerByte), false);

  const s = await measureStream(pool, total);
  rows.push({ name: `PartHashStream (CRC only, ${selected}): throughput, 64 KiB chunks`, value: round(s.mbPerS, 0), unit: 'MB/s' });
  rows.push({ name: 'PartHashStream (CRC only): CPU incl. stream overhead', value: round(s.cpuSPerGiB, 3), unit: 'CPU-s/GiB' });

  if (native) {
    const empty = Buffer.alloc(0);
    rows.push({ name: 'crc64 native: per-call overhead (empty buffer, BigInt in and out)', value: round(perCallNs(1_000_000, () => native.update(0n, empty)), 0), unit: 'ns' });
  }
  const len = 48_800_000_000_000 - 1;
  rows.push({ name: `crc64Combine (${native ? 'native' : 'js'}), len 48.8 TB`, value: round(perCallNs(20_000, () => crc64Combine(1n, 2n, len)) / 1000, 2), unit: 'µs' });
  rows.push({ name: 'crc64CombineJs, len 48.8 TB', value: round(perCallNs(200, () => crc64CombineJs(1n, 2n, len)) / 1000, 1), unit: 'µs' });
  return rows;
}

if (require.main === module) {
  benchCrc64().then(
    (rows) => {
      const width = Math.max(...rows.map((r) => r.name.length));
      for (const r of rows) {
        const verdict = r.ok === undefined ? '' : r.ok ? '  ok' : '  MISSED';
        console.log(`${r.name.padEnd(width)}  ${String(r.value).padStart(8)} ${r.unit}${r.target ? ` (target ${r.target})` : ''}${verdict}`);
      }
      if (rows.some((r) => r.ok === false)) process.exitCode = 1;
    },
    (err) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}

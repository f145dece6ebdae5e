import { randomBytes } from 'crypto';
import { describe, expect, it } from 'vitest';
import {
  Crc64, crc64, crc64Combine, crc64CombineJs, crc64FromDecimal, crc64Implementation, crc64Js, crc64ToDecimal,
} from '../../main/engine/oss/crc64';
import { loadNativeCrc64, type NativeCrc64 } from '../../main/engine/oss/crc64-native';

const CHECK = 0x995dc9bbdf1939fan;
const POLY = 0xc96c5795d7870f42n;
const MASK = 0xffffffffffffffffn;

// Independent reference: the textbook bit-at-a-time CRC (slow; small inputs only).
function crcBitwise(buf: Uint8Array, prev = 0n): bigint {
  let c = ~prev & MASK;
  for (const b of buf) {
    c ^= BigInt(b);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY : c >> 1n;
  }
  return ~c & MASK;
}

// Independent reference for combine: zlib's classic GF(2) matrix method.
function combineMatrix(crc1: bigint, crc2: bigint, len2: bigint): bigint {
  const times = (mat: bigint[], vec: bigint): bigint => {
    let sum = 0n;
    for (let i = 0; vec !== 0n; vec >>= 1n, i++) if (vec & 1n) sum ^= mat[i];
    return sum;
  };
  const square = (sq: bigint[], mat: bigint[]): void => {
    for (let n = 0; n < 64; n++) sq[n] = times(mat, mat[n]);
  };
  if (len2 <= 0n) return crc1;
  const even: bigint[] = new Array(64);
  const odd: bigint[] = [POLY];
  for (let n = 1, row = 1n; n < 64; n++, row <<= 1n) odd[n] = row;
  square(even, odd);
  square(odd, even);
  let c1 = crc1;
  for (;;) {
    square(even, odd);
    if (len2 & 1n) c1 = times(even, c1);
    len2 >>= 1n;
    if (len2 === 0n) break;
    square(odd, even);
    if (len2 & 1n) c1 = times(odd, c1);
    len2 >>= 1n;
    if (len2 === 0n) break;
  }
  return (c1 ^ crc2) & MASK;
}

const native = loadNativeCrc64();
const LENGTHS = [0, 1, 7, 8, 9, 15, 16, 17, 31, 32, 33, 63, 64, 65, 127, 128, 129, 191, 255, 256, 1000, 4095, 4096, 4097];
const BIG = 1024 * 1024 + 3;

describe('CRC-64/XZ implementations', () => {
  it('the addon is built and loaded (npm run build:native)', () => {
    expect(native).toBeDefined();
    expect(crc64Implementation()).toBe(`native-${native?.implementation}`);
    // This machine's CPU has PCLMULQDQ: the folding path must be the one in use.
    if (process.arch === 'x64') expect(native?.implementation).toBe('pclmul');
  });

  const impls: [string, (buf: Uint8Array, prev?: bigint) => bigint][] = [
    ['crc64 (selected)', crc64],
    ['crc64Js', crc64Js],
    ['native update', (b, p = 0n) => (native as NativeCrc64).update(p, b)],
    ['native updateTable', (b, p = 0n) => (native as NativeCrc64).updateTable(p, b)],
    ['bitwise reference', crcBitwise],
  ];

  it.each(impls)('%s gives the check value for "123456789"', (_name, f) => {
    expect(f(Buffer.from('123456789'))).toBe(CHECK);
    expect(f(new Uint8Array(0))).toBe(0n);
  });

  it.each(impls.slice(0, 4))('%s matches the bitwise reference on every small length, offset and seed', (_name, f) => {
    const pool = randomBytes(4096 + 64);
    for (const len of LENGTHS) {
      for (const off of [0, 1, 3, 7, 8, 13]) {
        const view = pool.subarray(off, off + len);
        const seed = BigInt.asUintN(64, BigInt(len) * 0x9e3779b97f4a7c15n);
        expect(f(view, seed), `len ${len} off ${off}`).toBe(crcBitwise(view, seed));
      }
    }
  });

  it('native (both paths) equals JS on 1 MiB + 3 and on views into a larger ArrayBuffer', () => {
    const backing = new ArrayBuffer(BIG + 40);
    const all = new Uint8Array(backing);
    all.set(randomBytes(all.length));
    for (const off of [0, 1, 5, 17, 33]) {
      const view = new Uint8Array(backing, off, BIG);
      const js = crc64Js(view);
      expect(native?.update(0n, view)).toBe(js);
      expect(native?.updateTable(0n, view)).toBe(js);
      expect(crc64(Buffer.from(backing, off, BIG))).toBe(js);
    }
    // A Buffer slice shares memory with its parent: only its own bytes count.
    const parent = randomBytes(10_000);
    const slice = parent.subarray(1234, 1234 + 5000);
    expect(crc64(slice)).toBe(crc64Js(Uint8Array.from(slice)));
  });

  it('incremental updates over random chunkings equal one shot', () => {
    const data = randomBytes(300_000);
    const whole = crc64Js(data);
    expect(crc64(data)).toBe(whole);
    for (let round = 0; round < 20; round++) {
      const h = new Crc64();
      let js = 0n;
      for (let at = 0; at < data.length; ) {
        const n = Math.min(data.length - at, Math.floor(Math.random() * (round < 10 ? 200 : 70_000)));
        const chunk = data.subarray(at, at + n);
        h.update(chunk);
        js = crc64Js(chunk, js);
        at += n;
      }
      expect(h.digest()).toBe(whole);
      expect(js).toBe(whole);
    }
  });

  it('keeps the prior semantics for a prev outside 64 bits (masked)', () => {
    const b = Buffer.from('abc');
    expect(crc64(b, -1n)).toBe(crcBitwise(b, MASK));
    expect(crc64Js(b, (1n << 64n) + 5n)).toBe(crcBitwise(b, 5n));
    expect(crc64(b, (1n << 64n) + 5n)).toBe(crcBitwise(b, 5n));
  });

  it('the native addon rejects wrong argument types with a clear error', () => {
    expect(() => native?.update(1 as unknown as bigint, Buffer.alloc(1))).toThrow(/bigint/);
    expect(() => native?.update(-1n, Buffer.alloc(1))).toThrow(/unsigned 64-bit/);
    expect(() => native?.update(0n, 'abc' as unknown as Uint8Array)).toThrow(/Uint8Array/);
    expect(() => native?.combine(0n, 0n, -1)).toThrow(/non-negative/);
  });
});

describe('crc64Combine', () => {
  it('combine(crc(A), crc(B), len(B)) == crc(A‖B) for many splits, native and JS', () => {
    const data = randomBytes(200_000);
    const whole = crc64(data);
    for (const cut of [0, 1, 15, 16, 64, 1000, 65_536, 199_999, 200_000]) {
      const a = crc64(data.subarray(0, cut));
      const b = crc64(data.subarray(cut));
      const lenB = data.length - cut;
      expect(crc64Combine(a, b, lenB), `cut ${cut}`).toBe(whole);
      expect(crc64CombineJs(a, b, BigInt(lenB))).toBe(whole);
      expect(native?.combine(a, b, lenB)).toBe(whole);
    }
  });

  it('lenB = 0 returns crc(A) (empty B)', () => {
    const a = crc64(Buffer.from('hello'));
    expect(crc64Combine(a, 0n, 0)).toBe(a);
    expect(crc64Combine(a, 0n, 0n)).toBe(a);
    expect(crc64CombineJs(a, 0n, 0)).toBe(a);
  });

  it('combines a whole object from its parts (10 parts, uneven last)', () => {
    const data = randomBytes(10 * 65_536 + 777);
    let acc = 0n;
    for (let at = 0; at < data.length; at += 65_536) {
      const part = data.subarray(at, at + 65_536);
      acc = crc64Combine(acc, crc64(part), part.length);
    }
    expect(acc).toBe(crc64(data));
  });

  it('agrees with the matrix method for large lengths, up to 48.8 TB and beyond 2^53', () => {
    const lengths = [1n, 8n * 1024n * 1024n, 5n * 1024n ** 3n, 4n * 1024n ** 3n + 1n, 48_800_000_000_000n, 2n ** 53n - 1n, 2n ** 63n + 12345n];
    for (const len of lengths) {
      const c1 = BigInt.asUintN(64, len * 0x9e3779b97f4a7c15n);
      const c2 = BigInt.asUintN(64, len * 0xc2b2ae3d27d4eb4fn);
      const expected = combineMatrix(c1, c2, len);
      expect(crc64Combine(c1, c2, len), `len ${len}`).toBe(expected);
      expect(crc64CombineJs(c1, c2, len)).toBe(expected);
      if (len <= BigInt(Number.MAX_SAFE_INTEGER)) expect(crc64Combine(c1, c2, Number(len))).toBe(expected);
    }
  });

  it('a long run of zero bytes: hashed in chunks vs combined from one chunk by doubling', () => {
    const chunk = Buffer.alloc(1 << 20);
    const c = crc64(chunk);
    let doubled = c;
    let len = chunk.length;
    for (let i = 0; i < 4; i++, len *= 2) doubled = crc64Combine(doubled, doubled, len); // 16 MiB
    const h = new Crc64();
    for (let i = 0; i < 16; i++) h.update(chunk);
    expect(doubled).toBe(h.digest());
  });
});

describe('decimal form', () => {
  it('round-trips and rejects non-CRC strings', () => {
    expect(crc64ToDecimal(CHECK)).toBe('11051210869376104954');
    expect(crc64FromDecimal('11051210869376104954')).toBe(CHECK);
    expect(crc64FromDecimal('0')).toBe(0n);
    expect(() => crc64FromDecimal('18446744073709551616')).toThrow(/out of range/);
    expect(() => crc64FromDecimal('-1')).toThrow(/not a CRC64/);
    expect(() => crc64FromDecimal('0x10')).toThrow(/not a CRC64/);
  });
});

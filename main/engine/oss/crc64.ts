// CRC-64/XZ (ECMA-182 polynomial, reflected, init and xorout all ones): the
// x-oss-hash-crc64ecma that OSS returns for each part and object.
//
// `crc64` uses the native addon (carry-less multiply, ~9 GB/s; crc64-native.ts)
// when it is built and falls back to the portable JS below. No npm package fits:
// the one addon (crc64-ecma182) is table-driven at ~1.4 GB/s, too costly in CPU.

import { loadNativeCrc64 } from './crc64-native';

const POLY_REFLECTED = 0xc96c5795d7870f42n;
const MASK = 0xffffffffffffffffn;

// ---- portable JS: slicing-by-8 on two 32-bit halves ----------------------
// BigInt arithmetic per byte runs ~200 MB/s; the same tables split into 32-bit
// halves stay in small integers and take 8 bytes per step. TABLE_LO/HI[k*256+i]
// are the halves of T_k[i], where T_0 is the byte-wise table and
// T_k[i] = (T_{k-1}[i] >> 8) ^ T_0[T_{k-1}[i] & 0xff].

const TABLE_LO = new Int32Array(8 * 256);
const TABLE_HI = new Int32Array(8 * 256);
(() => {
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY_REFLECTED : c >> 1n;
    TABLE_LO[i] = Number(c & 0xffffffffn) | 0;
    TABLE_HI[i] = Number(c >> 32n) | 0;
  }
  for (let k = 1; k < 8; k++) {
    for (let i = 0; i < 256; i++) {
      const lo = TABLE_LO[(k - 1) * 256 + i];
      const hi = TABLE_HI[(k - 1) * 256 + i];
      const idx = lo & 0xff;
      TABLE_LO[k * 256 + i] = TABLE_LO[idx] ^ ((lo >>> 8) | (hi << 24));
      TABLE_HI[k * 256 + i] = TABLE_HI[idx] ^ (hi >>> 8);
    }
  }
})();

/** `crc64` in plain JS, whatever the addon's state (benchmarks, cross-checks). */
export function crc64Js(buf: Uint8Array, prev = 0n): bigint {
  const reg = ~prev & MASK;
  let lo = Number(reg & 0xffffffffn) | 0;
  let hi = Number(reg >> 32n) | 0;
  const n = buf.length;
  const L = TABLE_LO;
  const H = TABLE_HI;
  let i = 0;
  for (; i + 8 <= n; i += 8) {
    const a = lo ^ (buf[i] | (buf[i + 1] << 8) | (buf[i + 2] << 16) | (buf[i + 3] << 24));
    const b = hi ^ (buf[i + 4] | (buf[i + 5] << 8) | (buf[i + 6] << 16) | (buf[i + 7] << 24));
    const i0 = 1792 + (a & 0xff); // T_7: the byte that still has 7 bytes to pass
    const i1 = 1536 + ((a >>> 8) & 0xff);
    const i2 = 1280 + ((a >>> 16) & 0xff);
    const i3 = 1024 + (a >>> 24);
    const i4 = 768 + (b & 0xff);
    const i5 = 512 + ((b >>> 8) & 0xff);
    const i6 = 256 + ((b >>> 16) & 0xff);
    const i7 = b >>> 24;
    lo = L[i0] ^ L[i1] ^ L[i2] ^ L[i3] ^ L[i4] ^ L[i5] ^ L[i6] ^ L[i7];
    hi = H[i0] ^ H[i1] ^ H[i2] ^ H[i3] ^ H[i4] ^ H[i5] ^ H[i6] ^ H[i7];
  }
  for (; i < n; i++) {
    const idx = (lo ^ buf[i]) & 0xff;
    lo = L[idx] ^ ((lo >>> 8) | (hi << 24));
    hi = H[idx] ^ (hi >>> 8);
  }
  return ~((BigInt(hi >>> 0) << 32n) | BigInt(lo >>> 0)) & MASK;
}

const native = loadNativeCrc64();

/** Continues `prev` (a finished CRC, 0n for none) over `buf`. */
export function crc64(buf: Uint8Array, prev = 0n): bigint {
  return native ? native.update(BigInt.asUintN(64, prev), buf) : crc64Js(buf, prev);
}

/** Which code computes `crc64` in this process (diagnostics, benchmarks). */
export function crc64Implementation(): 'native-pclmul' | 'native-pmull' | 'native-table' | 'js' {
  return native ? `native-${native.implementation}` : 'js';
}

// --- combination -------------------------------------------------------------
// crc64Combine(crc(A), crc(B), len(B)) = crc(A‖B), so the object's CRC comes
// from the parts' CRCs without reading the bytes again. The identity is zlib's
// crc32_combine (1.2.12+): crc(A‖B) = crc(A)·x^(8·len(B)) + crc(B) mod P, the
// all-ones init/xorout cancelling out; x^n comes from a table of x^(2^k).

/** a·b mod P, both reflected (x^0 is the top bit): zlib's multmodp for 64 bits. */
function multModP(a: bigint, b: bigint): bigint {
  if (a === 0n) return 0n;
  let m = 1n << 63n;
  let p = 0n;
  for (;;) {
    if (a & m) {
      p ^= b;
      if ((a & (m - 1n)) === 0n) return p;
    }
    m >>= 1n;
    b = b & 1n ? (b >> 1n) ^ POLY_REFLECTED : b >> 1n;
  }
}

const x2nTable: bigint[] = [1n << 62n]; // x^(2^k) mod P, from x^1; grown on demand

function xPow8nModP(len: bigint): bigint {
  let p = 1n << 63n; // x^0
  let k = 3; // a byte is x^8 = x^(2^3)
  for (; len > 0n; len >>= 1n, k++) {
    while (x2nTable.length <= k) x2nTable.push(multModP(x2nTable[x2nTable.length - 1], x2nTable[x2nTable.length - 1]));
    if (len & 1n) p = multModP(x2nTable[k], p);
  }
  return p;
}

/** `crc64Combine` in plain JS (cross-checks). */
export function crc64CombineJs(crc1: bigint, crc2: bigint, len2: number | bigint): bigint {
  const len = BigInt(len2);
  if (len <= 0n) return crc1;
  return (multModP(xPow8nModP(len), crc1 & MASK) ^ crc2) & MASK;
}

export function crc64Combine(crc1: bigint, crc2: bigint, len2: number | bigint): bigint {
  const len = BigInt(len2);
  if (len <= 0n) return crc1;
  if (native && len <= MASK) return native.combine(crc1 & MASK, crc2 & MASK, len);
  return crc64CombineJs(crc1, crc2, len);
}

/** OSS writes CRC64 values as unsigned decimal strings. */
export function crc64ToDecimal(crc: bigint): string {
  return crc.toString(10);
}

export function crc64FromDecimal(s: string): bigint {
  if (!/^\d{1,20}$/.test(s)) throw new Error(`not a CRC64 decimal: ${s}`);
  const v = BigInt(s);
  if (v > MASK) throw new Error(`CRC64 out of range: ${s}`);
  return v;
}

/** Incremental hasher for streams. */
export class Crc64 {
  private value = 0n;
  update(buf: Uint8Array): this {
    this.value = crc64(buf, this.value);
    return this;
  }
  digest(): bigint {
    return this.value;
  }
}

// CRC-64/XZ (ECMA-182 polynomial, reflected, init and xorout all ones): the
// x-oss-hash-crc64ecma that OSS returns for each part and object.
//
// This table-driven version is the portable reference (~200 MB/s); it is replaced
// by a native implementation where one is available (see crc64-native.ts).

const POLY_REFLECTED = 0xc96c5795d7870f42n;
const MASK = 0xffffffffffffffffn;

const TABLE: bigint[] = (() => {
  const t: bigint[] = new Array(256);
  for (let i = 0; i < 256; i++) {
    let c = BigInt(i);
    for (let k = 0; k < 8; k++) c = c & 1n ? (c >> 1n) ^ POLY_REFLECTED : c >> 1n;
    t[i] = c;
  }
  return t;
})();

/** Continues `prev` (a finished CRC, 0n for none) over `buf`. */
export function crc64(buf: Uint8Array, prev = 0n): bigint {
  let crc = ~prev & MASK;
  for (let i = 0; i < buf.length; i++) {
    crc = TABLE[Number((crc ^ BigInt(buf[i])) & 0xffn)] ^ (crc >> 8n);
  }
  return ~crc & MASK;
}

// --- combination (zlib's crc32_combine, for 64 bits) ------------------------
// crc64Combine(crc(A), crc(B), len(B)) = crc(A‖B), so the object's CRC comes
// from the parts' CRCs without reading the bytes again.

function gf2MatrixTimes(mat: bigint[], vec: bigint): bigint {
  let sum = 0n;
  let i = 0;
  while (vec !== 0n) {
    if (vec & 1n) sum ^= mat[i];
    vec >>= 1n;
    i++;
  }
  return sum;
}

function gf2MatrixSquare(square: bigint[], mat: bigint[]): void {
  for (let n = 0; n < 64; n++) square[n] = gf2MatrixTimes(mat, mat[n]);
}

export function crc64Combine(crc1: bigint, crc2: bigint, len2: number | bigint): bigint {
  let len = BigInt(len2);
  if (len <= 0n) return crc1;
  const even: bigint[] = new Array(64);
  const odd: bigint[] = new Array(64);
  odd[0] = POLY_REFLECTED;
  let row = 1n;
  for (let n = 1; n < 64; n++) {
    odd[n] = row;
    row <<= 1n;
  }
  gf2MatrixSquare(even, odd);
  gf2MatrixSquare(odd, even);
  let c1 = crc1;
  do {
    gf2MatrixSquare(even, odd);
    if (len & 1n) c1 = gf2MatrixTimes(even, c1);
    len >>= 1n;
    if (len === 0n) break;
    gf2MatrixSquare(odd, even);
    if (len & 1n) c1 = gf2MatrixTimes(odd, c1);
    len >>= 1n;
  } while (len !== 0n);
  return (c1 ^ crc2) & MASK;
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

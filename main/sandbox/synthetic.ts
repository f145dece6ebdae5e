// Objects whose bytes are made on the fly from a seed and never stored: transcoded
// streams, snapshots and sprites (the sandbox does no media processing), and the huge
// objects of download benchmarks (64 GiB served from a few MiB of memory).
//
// Content: one pseudo-random block of SYNTHETIC_PERIOD bytes (AES-128-CTR keyed by the
// seed's SHA-256) repeated. The period is not a power of two, so ranges of the usual
// power-of-two sizes never line up with it: a download that puts a range at the wrong
// offset gets different bytes, and its CRC-64 shows it. Repetition keeps the CRC of any
// size cheap: the block's CRC combined with itself by doubling (crc64Combine), not a
// pass over 64 GiB.
import crypto from 'crypto';
import { Readable } from 'stream';
import { crc64, crc64Combine } from '../engine/oss/crc64';

/** 2^20 + 7 bytes. */
export const SYNTHETIC_PERIOD = 1_048_583;
const CHUNK = 256 * 1024;
/** Blocks kept in memory (1 MiB each); a busy sandbox regenerates the rest (~1 ms each). */
const CACHE_BLOCKS = 8;

export interface SyntheticSpec {
  seed: string;
  /** 'jpeg': the first bytes are a JPEG SOI/APP0 marker, so an image viewer's sniffing sees an image. */
  head?: 'jpeg';
}

const JPEG_HEAD = Buffer.from([0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46, 0x49, 0x46, 0x00, 0x01]);

interface Block {
  /** The first bytes of the pattern: all SYNTHETIC_PERIOD of them, or fewer for a small object. */
  bytes: Buffer;
  /** CRC-64 of the whole period, once known. */
  crc?: bigint;
}

const cache = new Map<string, Block>();

/**
 * The pattern of `spec`, at least its first `need` bytes (at most a period). A small
 * object makes only its own bytes: a CTR keystream's prefix does not depend on its length.
 */
function blockOf(spec: SyntheticSpec, need: number): Block {
  const id = `${spec.head ?? ''}:${spec.seed}`;
  const want = Math.min(SYNTHETIC_PERIOD, Math.max(need, JPEG_HEAD.length));
  const hit = cache.get(id);
  if (hit) {
    cache.delete(id);
    cache.set(id, hit);
    if (hit.bytes.length >= want) return hit;
  }
  const key = crypto.createHash('sha256').update(spec.seed).digest();
  const cipher = crypto.createCipheriv('aes-128-ctr', key.subarray(0, 16), key.subarray(16, 32));
  const bytes = Buffer.concat([cipher.update(Buffer.alloc(want)), cipher.final()]);
  if (spec.head === 'jpeg') JPEG_HEAD.copy(bytes, 0);
  const entry: Block = { bytes };
  cache.set(id, entry);
  if (cache.size > CACHE_BLOCKS) cache.delete(cache.keys().next().value as string);
  return entry;
}

/** Enough of the pattern to serve bytes up to `end` (inclusive). */
const blockFor = (spec: SyntheticSpec, end: number) => blockOf(spec, end + 1).bytes;

/** Fills `out` with the object's bytes from `offset` on. */
function fill(block: Buffer, offset: number, out: Buffer): void {
  let written = 0;
  let pos = offset % SYNTHETIC_PERIOD;
  while (written < out.length) {
    const n = Math.min(out.length - written, SYNTHETIC_PERIOD - pos);
    block.copy(out, written, pos, pos + n);
    written += n;
    pos = 0;
  }
}

/** Bytes [start, end] inclusive, in memory: for tests and small objects. */
export function syntheticBytes(spec: SyntheticSpec, start: number, end: number): Buffer {
  const out = Buffer.allocUnsafe(Math.max(0, end - start + 1));
  if (out.length > 0) fill(blockFor(spec, end), start, out);
  return out;
}

/** Bytes [start, end] inclusive as a stream that honours backpressure (nothing is buffered ahead). */
export function syntheticStream(spec: SyntheticSpec, start: number, end: number): Readable {
  let offset = start;
  return new Readable({
    highWaterMark: CHUNK,
    read() {
      if (offset > end) {
        this.push(null);
        return;
      }
      const n = Math.min(CHUNK, end - offset + 1);
      const out = Buffer.allocUnsafe(n);
      fill(blockFor(spec, end), offset, out);
      offset += n;
      this.push(out);
    },
  });
}

/** CRC-64/ECMA of the first `size` bytes, unsigned decimal (as x-oss-hash-crc64ecma). */
export function syntheticCrc64(spec: SyntheticSpec, size: number): string {
  const whole = Math.floor(size / SYNTHETIC_PERIOD);
  const rest = size % SYNTHETIC_PERIOD;
  const entry = blockOf(spec, whole > 0 ? SYNTHETIC_PERIOD : rest);
  const block = entry.bytes;
  const blockCrc = whole > 0 ? (entry.crc ??= crc64(block)) : 0n;
  // CRC of `whole` blocks in a row, by doubling: crc(AA) = combine(crc(A), crc(A), |A|).
  let acc: bigint | undefined;
  let accLen = 0;
  let pow = blockCrc;
  let powLen = SYNTHETIC_PERIOD;
  for (let k = whole; k > 0; k = Math.floor(k / 2)) {
    if (k % 2 === 1) {
      acc = acc === undefined ? pow : crc64Combine(acc, pow, powLen);
      accLen += powLen;
    }
    if (k > 1) {
      pow = crc64Combine(pow, pow, powLen);
      powLen *= 2;
    }
  }
  let crc = acc ?? 0n;
  if (rest > 0) {
    const tail = crc64(block.subarray(0, rest));
    crc = accLen === 0 ? tail : crc64Combine(crc, tail, rest);
  }
  return crc.toString(10);
}

/**
 * An ETag for a synthetic object: quoted, 32 upper-case hex digits like OSS's, and
 * different whenever the seed or size is (it names the content; no MD5 of 64 GiB is made).
 */
export function syntheticEtag(spec: SyntheticSpec, size: number): string {
  return `"${crypto.createHash('md5').update(`${spec.head ?? ''}:${spec.seed}:${size}`).digest('hex').toUpperCase()}"`;
}

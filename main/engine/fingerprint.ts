// A file's fingerprint: size, mtime and a hash of sampled ranges. Checked before any
// byte of a resumed upload is sent, after every part and before the upload is
// completed, so a file changed while (or between sessions) it uploads stops the job
// instead of producing an object that mixes old and new bytes.

import { createHash } from 'node:crypto';
import { constants as fsConstants, promises as fsp, type BigIntStats } from 'node:fs';

export interface Fingerprint {
  size: number;
  mtimeMs: number;
  sampleHash: string;
}

/**
 * What stat says about a file, at full precision, to notice a change while it uploads.
 * Kept in memory for one run; the queue keeps the Fingerprint.
 */
export interface FileStamp {
  size: number;
  /** Modification time, ns: changes with every content write (and on `touch`). */
  mtimeNs: bigint;
  /**
   * Status-change time, ns: changes with every content write, and also on chmod,
   * chown, rename and link on some file systems, so on its own it only asks for a look
   * at the bytes. Cannot be set back by a program the way mtime can (utimes).
   */
  ctimeNs: bigint;
  /** Which file the path names: another one after a save-by-rename (write a copy, rename it over). */
  dev: bigint;
  ino: bigint;
}

/** A fingerprint and the stamp taken just before its bytes were sampled. */
export interface SampledFile extends Fingerprint {
  stamp: FileStamp;
}

const SAMPLE_BYTES = 64 * 1024;
const SAMPLES = 5;

function notAFile(path: string): NodeJS.ErrnoException {
  const err = new Error(`${path} is not a regular file`) as NodeJS.ErrnoException;
  err.code = 'EISDIR';
  err.path = path;
  return err;
}

export async function statFile(path: string): Promise<{ size: number; mtimeMs: number }> {
  const st = await fsp.stat(path);
  if (!st.isFile()) throw notAFile(path);
  return { size: st.size, mtimeMs: Math.floor(st.mtimeMs) };
}

/**
 * mtime in whole ms exactly as statFile (and the drop folder) get it: Node's float
 * `sec * 1e3 + nsec / 1e6`, floored. Computed the same way, not from the exact ns, so
 * a value rounded up to the next ms by the float sum compares equal to the stored one.
 */
export function stampMtimeMs(stamp: FileStamp): number {
  const sec = stamp.mtimeNs / 1_000_000_000n;
  const nsec = stamp.mtimeNs % 1_000_000_000n;
  return Math.floor(Number(sec) * 1e3 + Number(nsec) / 1e6);
}

export async function stampFile(path: string): Promise<FileStamp> {
  const st: BigIntStats = await fsp.stat(path, { bigint: true });
  if (!st.isFile()) throw notAFile(path);
  return { size: Number(st.size), mtimeNs: st.mtimeNs, ctimeNs: st.ctimeNs, dev: st.dev, ino: st.ino };
}

/**
 * Files up to this size are read in one request instead of window by window: each read
 * is a trip through libuv's thread pool and back through the event loop, which costs
 * more than the bytes when many small files are in flight (a loaded loop turns in
 * milliseconds). The digest is the same: the same windows are hashed, from the buffer.
 * Also the most a small file's bytes are kept in memory between its fingerprint and its
 * PutObject (job-runner.ts, WHOLE_FILE_MAX_BYTES there).
 */
export const ONE_READ_MAX_BYTES = 512 * 1024;

/**
 * Closes a file opened for reading without waiting for it: nothing depends on a read-only
 * close, and waiting is one more trip through the thread pool and the event loop.
 */
function closeLater(fh: fsp.FileHandle): void {
  fh.close().catch(() => undefined);
}

/**
 * Opens for reading without blocking on a FIFO put in a file's place (the stat beside the
 * read then says it is not a file); regular files read as ever. Windows has no O_NONBLOCK.
 */
const READ_NONBLOCK = fsConstants.O_NONBLOCK === undefined ? 'r' : fsConstants.O_RDONLY | fsConstants.O_NONBLOCK;

/** The first `size` bytes of an open file (fewer if it is shorter), in as few reads as the OS allows. */
async function readHead(fh: fsp.FileHandle, size: number): Promise<Buffer> {
  const buf = Buffer.allocUnsafe(size);
  // A regular file's read answers all it asked for short of its end; loop anyway.
  let got = 0;
  while (got < size) {
    const { bytesRead } = await fh.read(buf, got, size - got, got);
    if (bytesRead === 0) break;
    got += bytesRead;
  }
  return buf.subarray(0, got);
}

/** Where the sampled windows of a file of `size` bytes begin, in order. */
function sampleOffsets(size: number): number[] {
  const offsets = new Set<number>();
  for (let i = 0; i < SAMPLES; i++) {
    offsets.add(Math.max(0, Math.floor(((size - SAMPLE_BYTES) * i) / (SAMPLES - 1))));
  }
  return [...offsets].sort((a, b) => a - b);
}

/**
 * SHA-1 over the size and SAMPLES evenly spread 64 KiB windows (start and end included).
 * With `keep`, a file of at most ONE_READ_MAX_BYTES also answers its bytes (`data`, as
 * read in the same request as the windows: possibly fewer than `size` if it shrank).
 */
export async function fingerprint(path: string, opts: { keep?: boolean } = {}): Promise<SampledFile & { data?: Buffer }> {
  const stamp = await stampFile(path);
  const size = stamp.size;
  const h = createHash('sha1');
  h.update(String(size));
  const fh = await fsp.open(path, READ_NONBLOCK);
  let data: Buffer | undefined;
  try {
    if (size <= ONE_READ_MAX_BYTES) {
      data = await readHead(fh, size);
      for (const off of sampleOffsets(size)) h.update(data.subarray(off, off + Math.min(SAMPLE_BYTES, size)));
    } else {
      const buf = Buffer.allocUnsafe(SAMPLE_BYTES);
      for (const off of sampleOffsets(size)) {
        const { bytesRead } = await fh.read(buf, 0, Math.min(SAMPLE_BYTES, size), off);
        h.update(buf.subarray(0, bytesRead));
      }
    }
  } finally {
    closeLater(fh);
  }
  const out: SampledFile & { data?: Buffer } = { size, mtimeMs: stampMtimeMs(stamp), sampleHash: h.digest('hex'), stamp };
  if (opts.keep && data) out.data = data;
  return out;
}

/** An instant for the operator: ISO 8601 in UTC, to the millisecond. */
function when(ms: number): string {
  const d = new Date(ms);
  return Number.isNaN(d.getTime()) ? `${ms} ms` : d.toISOString();
}

/** Why two fingerprints differ, in words for the operator; undefined when equal. */
export function fingerprintChange(stored: Fingerprint, now: Fingerprint): string | undefined {
  if (stored.size !== now.size) return `its size changed from ${stored.size} to ${now.size} bytes`;
  if (stored.sampleHash !== now.sampleHash) return 'its content changed';
  if (stored.mtimeMs !== now.mtimeMs) return `it was modified at ${when(now.mtimeMs)} (it was last modified at ${when(stored.mtimeMs)} before)`;
  return undefined;
}

export type StampChange =
  | { kind: 'same' }
  /** Size or mtime: the file was written (or touched), which is a change we cannot see past without reading it all. */
  | { kind: 'changed'; why: string }
  /** Only ctime or the file's identity: a metadata change looks the same, so the sampled bytes decide. */
  | { kind: 'suspect'; why: string };

/** Compares two stamps of the same path. */
export function compareStamps(before: FileStamp, now: FileStamp): StampChange {
  if (before.size !== now.size) return { kind: 'changed', why: `its size changed from ${before.size} to ${now.size} bytes` };
  if (before.mtimeNs !== now.mtimeNs) {
    const [was, is] = [stampMtimeMs(before), stampMtimeMs(now)];
    return {
      kind: 'changed',
      why: was === is
        ? `it was modified again at ${when(is)}, after the upload started`
        : `it was modified at ${when(is)} (it was last modified at ${when(was)} when the upload started)`,
    };
  }
  if (before.dev !== now.dev || before.ino !== now.ino) return { kind: 'suspect', why: 'another file was put in its place' };
  if (before.ctimeNs !== now.ctimeNs) return { kind: 'suspect', why: 'its status-change time (ctime) changed' };
  return { kind: 'same' };
}

/**
 * Watches one file while its bytes are uploaded: `check()` says why the file is no
 * longer the version the upload began with, or undefined while it still is. A ctime or
 * identity change alone re-reads the sampled bytes (a chmod or a rename-in-place is not
 * a new version); with `{ samples: true }` they are re-read whatever stat says (before
 * the upload is completed).
 */
export class ChangeGuard {
  private base: FileStamp;

  constructor(private readonly path: string, private readonly start: SampledFile) {
    this.base = start.stamp;
  }

  async check(opts: { samples?: boolean } = {}): Promise<string | undefined> {
    const now = await stampFile(this.path);
    const c = compareStamps(this.base, now);
    if (c.kind === 'changed') return c.why;
    if (c.kind === 'same' && !opts.samples) return undefined;
    const again = await fingerprint(this.path);
    // A write while the samples were read shows in the stamp taken with them.
    const during = compareStamps(now, again.stamp);
    if (during.kind === 'changed') return during.why;
    if (again.sampleHash !== this.start.sampleHash) {
      return c.kind === 'suspect' ? `its content changed (${c.why}; the sampled bytes differ)` : 'its content changed (the sampled bytes differ)';
    }
    // The same bytes: a metadata change. Compare later stamps with this one, so one
    // chmod does not re-read the samples after every part.
    this.base = again.stamp;
    return undefined;
  }

  /**
   * check({ samples: true }) for a small file being sent from memory (`data`, the bytes
   * read when the upload began): the file is read again whole, in one read, and compared
   * with them byte for byte — every byte rather than samples, and no hash to compute.
   */
  async checkBytes(data: Buffer): Promise<string | undefined> {
    // The stat and the read at once (two trips through the event loop, not four): a
    // write before the read shows in the bytes, one after it in the stat.
    const [now, again] = await Promise.all([
      stampFile(this.path),
      (async () => {
        const fh = await fsp.open(this.path, READ_NONBLOCK);
        try {
          return await readHead(fh, data.length);
        } finally {
          closeLater(fh);
        }
      })(),
    ]);
    const c = compareStamps(this.base, now);
    if (c.kind === 'changed') return c.why;
    if (!again.equals(data)) {
      return c.kind === 'suspect' ? `its content changed (${c.why}; the bytes differ)` : 'its content changed (the bytes differ from those being sent)';
    }
    this.base = now;
    return undefined;
  }
}

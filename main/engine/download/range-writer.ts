// A range's body from the socket to its offset in the temporary file, cheaply.
//
// A socket hands over chunks of up to 64 KiB; writing each one with its own positioned
// fs.write (what fs.WriteStream does) costs a trip through libuv's thread pool and a
// callback per chunk: a third of the main thread in a CPU profile of a 1 GiB download.
// Here the chunks are copied into a 256 KiB batch and die at once; each full batch is
// hashed (the native CRC-64 over the whole batch) and written with one positioned write
// while the next one fills. Two batches per range, reused from range to range: when
// both are taken (the disk is slower than the network) the socket is paused, so a range
// holds ~0.5 MiB whatever its size (docs/ARCHITECTURE.md §3, "Second direction").

import fs from 'node:fs';
import { finished, type Readable } from 'node:stream';
import { EngineError } from '../errors';
import { crc64 } from '../oss/crc64';

/**
 * 256 KiB: 4-7× fewer writes than one per socket chunk; in 1 GiB and 4 GiB runs 1 MiB
 * batches cost the same CPU and 2-10 MB more peak RSS (BENCHMARKS.md, download section).
 */
export const WRITE_BATCH_BYTES = 256 * 1024;

export interface DrainOptions {
  /** More bytes than this is an error (RangeTooLong): the server sent more than was asked. */
  limit: number;
  onBytes?: (n: number) => void;
  /** The batch size (tests make it small to cross many batch boundaries). */
  batchBytes?: number;
}

export interface Drained {
  bytes: number;
  crc64: bigint;
}

/**
 * Batch buffers, reused from range to range: a socket chunk is copied into one and dies
 * at once (a cheap young-generation collection), where keeping the chunks themselves
 * until their write would carry them into the old generation. The list is bounded: a
 * buffer beyond it is left to the collector.
 */
const spare: Buffer[] = [];
const MAX_SPARE = 16;

function takeBuffer(size: number): Buffer {
  return (size === WRITE_BATCH_BYTES ? spare.pop() : undefined) ?? Buffer.allocUnsafeSlow(size);
}

function giveBack(buf: Buffer): void {
  if (buf.length === WRITE_BATCH_BYTES && spare.length < MAX_SPARE) spare.push(buf);
}

/**
 * Reads `source` to its end and writes its bytes at `position` onwards in `fd`, in
 * order: the bytes are copied into a batch buffer, and each full batch is hashed (the
 * native CRC-64 over a whole batch at a time) and written with one positioned write while the
 * next one fills. When both batches are taken (the disk is slower than the network) the
 * source is paused. Resolves once every byte is written (not synced: the caller fsyncs
 * before it checkpoints). On any failure the source is destroyed, and the promise
 * settles only after the write under way has returned, so the caller may close `fd`.
 */
export function drainToFile(source: Readable, fd: number, position: number, opts: DrainOptions): Promise<Drained> {
  const size = Math.max(1, Math.min(opts.batchBytes ?? WRITE_BATCH_BYTES, opts.limit));
  return new Promise<Drained>((resolve, reject) => {
    const held: Buffer[] = []; // received bytes not yet in a batch (both batches taken)
    let fill: Buffer | undefined; // the batch being filled
    let filled = 0;
    let writing: Buffer | undefined; // the batch being written
    let pos = position;
    let bytes = 0;
    let crc = 0n;
    let ended = false;
    let failure: unknown;
    let settled = false;

    const release = (): void => {
      if (fill) giveBack(fill);
      fill = undefined;
      filled = 0;
    };

    const settle = (): void => {
      if (settled || writing) return;
      if (failure !== undefined) {
        settled = true;
        release();
        reject(failure);
      } else if (ended && filled === 0 && held.length === 0) {
        settled = true;
        release();
        resolve({ bytes, crc64: crc });
      }
    };

    const fail = (err: unknown): void => {
      if (failure !== undefined) return;
      failure = err;
      source.off('data', onData);
      source.destroy();
      held.length = 0;
      settle();
    };

    /** Hands the full batch to the disk; the next one fills meanwhile. */
    const flush = (): void => {
      const buf = fill!;
      const n = filled;
      fill = undefined;
      filled = 0;
      writing = buf;
      crc = crc64(n === buf.length ? buf : buf.subarray(0, n), crc);
      writeAll(fd, buf, 0, n, pos, (err) => {
        writing = undefined;
        giveBack(buf);
        if (err) {
          fail(err);
          return;
        }
        pos += n;
        pump();
      });
    };

    /** Moves what was received into batches and batches to the disk, as far as the two batches allow. */
    const pump = (): void => {
      if (failure !== undefined) {
        settle();
        return;
      }
      for (;;) {
        if (fill && filled === fill.length) {
          if (writing) break;
          flush();
          continue;
        }
        const chunk = held[0];
        if (!chunk) break;
        fill ??= takeBuffer(size);
        const n = chunk.copy(fill, filled);
        filled += n;
        if (n === chunk.length) held.shift();
        else held[0] = chunk.subarray(n);
      }
      if (ended && held.length === 0 && filled > 0 && !writing) flush();
      // Bytes that found no batch: the disk is behind, the socket waits (bounded memory).
      if (held.length > 0) source.pause();
      else if (!ended && source.isPaused()) source.resume();
      settle();
    };

    const onData = (chunk: Buffer): void => {
      if (bytes + chunk.length > opts.limit) {
        fail(new EngineError({ kind: 'network', code: 'RangeTooLong', message: `The server sent more than the ${opts.limit} bytes asked for.` }));
        return;
      }
      bytes += chunk.length;
      opts.onBytes?.(chunk.length);
      held.push(chunk);
      pump();
    };

    source.on('data', onData);
    finished(source, (err) => {
      if (err) {
        fail(err);
        return;
      }
      ended = true;
      pump();
    });
  });
}

/** One positioned write of buf[offset, offset + length), again for what a short write left. */
function writeAll(fd: number, buf: Buffer, offset: number, length: number, position: number, done: (err: NodeJS.ErrnoException | null) => void): void {
  fs.write(fd, buf, offset, length, position, (err, written) => {
    if (err) {
      done(err);
      return;
    }
    if (written === 0) {
      done(Object.assign(new Error(`The file took none of ${length} bytes at ${position}.`), { code: 'EIO' }));
      return;
    }
    if (written === length) done(null);
    else writeAll(fd, buf, offset + written, length - written, position + written, done);
  });
}

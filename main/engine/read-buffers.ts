// Read buffers for request bodies, lent from a pool and given back once the socket has
// written them (docs/ARCHITECTURE.md §3 "Read buffers").
//
// Why: fs.createReadStream allocates a fresh ArrayBuffer for every read, so 1 GiB sent in
// 256 KiB reads is ~4,000 backing stores for V8 to collect; their external memory makes
// V8 start major collections of the whole heap, ~0.7 CPU-s per GiB in a profile of the
// engine over an emulated WAN (BENCHMARKS.md). A buffer may be reused only when nothing
// holds it any more, and for a request body that is when the socket's write of it has
// completed: the write callback of the HTTP request. Node's pipe() (what urllib's pump
// uses) passes no callback, so a pooled body pipes itself into a request
// (`pipeReleasing`) with one.
//
// Safety rests on one rule: a lent buffer reaches the request as exactly one chunk (the
// buffer or a view of it), so one successful write callback means it is free. Stages
// that cut chunks (the bandwidth throttle) must not be put between a pooled source and
// the request; callers pool only without them. A buffer whose write failed, or that is
// never written, is simply not given back: the garbage collector takes it as before.

import { close, open, read } from 'node:fs';
import { OutgoingMessage } from 'node:http';
import { Readable, type Writable } from 'node:stream';

/** Free buffers kept per pool, in bytes (beyond it a given-back buffer is left to the GC). */
const DEFAULT_MAX_FREE_BYTES = 32 * 1024 * 1024;

export class ReadBufferPool {
  private readonly free = new Map<number, Buffer[]>();
  private freeBytes = 0;
  /** Lent buffers, by their memory (a chunk may be a view of the buffer lent). */
  private readonly lent = new WeakMap<ArrayBufferLike, Buffer>();
  /** Buffers made, and lendings served from the free list (for tests and traces). */
  readonly counts = { allocated: 0, reused: 0, returned: 0 };

  constructor(private readonly maxFreeBytes = DEFAULT_MAX_FREE_BYTES) {}

  take(size: number): Buffer {
    const list = this.free.get(size);
    let buf = list?.pop();
    if (buf) {
      this.freeBytes -= size;
      this.counts.reused++;
    } else {
      buf = Buffer.allocUnsafeSlow(size);
      this.counts.allocated++;
    }
    this.lent.set(buf.buffer, buf);
    return buf;
  }

  /**
   * Gives back the lent buffer `chunk` is (or is a view of). Anything not lent, or
   * already given back, is ignored, so a stray call cannot put a buffer in use twice.
   */
  give(chunk: Buffer): void {
    const buf = this.lent.get(chunk.buffer);
    if (!buf) return;
    this.lent.delete(chunk.buffer);
    this.counts.returned++;
    if (this.freeBytes + buf.length > this.maxFreeBytes) return;
    const list = this.free.get(buf.length) ?? [];
    list.push(buf);
    this.free.set(buf.length, list);
    this.freeBytes += buf.length;
  }
}

/** The engine's pool: one per process, shared by every request body that can give back. */
export const readBuffers = new ReadBufferPool();

/**
 * Bytes [start, end) of a file, read in `chunkBytes` reads into buffers lent by `pool`,
 * one chunk per buffer (a short last read is a view). Ends early, without error, when
 * the file does (the caller counts bytes: PartHashStream's expectBytes).
 */
export class PooledFileRange extends Readable {
  private fd = -1;
  private pos: number;
  private readonly end: number;
  private reading = false;
  private closeWhenRead?: () => void;

  constructor(
    private readonly path: string,
    range: { start: number; end: number },
    private readonly chunkBytes: number,
    private readonly pool: ReadBufferPool,
  ) {
    super({ highWaterMark: chunkBytes });
    this.pos = range.start;
    this.end = range.end;
  }

  override _construct(callback: (error?: Error | null) => void): void {
    open(this.path, 'r', (err, fd) => {
      if (err) return callback(err);
      this.fd = fd;
      callback();
    });
  }

  override _read(): void {
    const want = Math.min(this.chunkBytes, this.end - this.pos);
    if (want <= 0) {
      this.push(null);
      return;
    }
    const buf = this.pool.take(this.chunkBytes);
    this.reading = true;
    read(this.fd, buf, 0, want, this.pos, (err, n) => {
      this.reading = false;
      if (this.closeWhenRead || err || n === 0) {
        // Nothing read into it is sent: the buffer goes straight back.
        this.pool.give(buf);
        // Destroyed while the read ran: the fd is closed only now, so the read could not
        // land in a file opened meanwhile under the same number.
        if (this.closeWhenRead) this.closeWhenRead();
        else if (err) this.destroy(err);
        else this.push(null);
        return;
      }
      this.pos += n;
      this.push(n === buf.length ? buf : buf.subarray(0, n));
    });
  }

  override _destroy(error: Error | null, callback: (error?: Error | null) => void): void {
    const done = (): void => {
      if (this.fd < 0) return callback(error);
      const fd = this.fd;
      this.fd = -1;
      close(fd, () => callback(error));
    };
    if (this.reading) this.closeWhenRead = done;
    else done();
  }
}

/**
 * Makes `body.pipe(dest)` write each chunk with a callback that gives its buffer back to
 * `pool` once the write succeeded. For bodies handed to a client that pipes them
 * (urllib's pump calls `stream.pipe(req)`); a client that reads the body otherwise just
 * gives nothing back. Errors and teardown stay with the caller's pump/pipeline.
 */
export function pipeReleasing(body: Readable, pool: ReadBufferPool): void {
  body.pipe = function pipe<T extends NodeJS.WritableStream>(dest: T, options?: { end?: boolean }): T {
    // Only an HTTP request's write callback means "the socket is done with it"; a stream
    // in between (ali-oss's putStream pipes into a Transform of its own) calls back when
    // it has merely passed the chunk on, so such a body is piped as usual and gives nothing back.
    if (!(dest instanceof OutgoingMessage)) return Readable.prototype.pipe.call(body, dest, options) as T;
    const out = dest as unknown as Writable;
    let waiting = false;
    const resume = (): void => {
      waiting = false;
      body.resume();
    };
    body.on('data', (chunk: Buffer) => {
      const more = out.write(chunk, (err) => {
        if (!err) pool.give(chunk);
      });
      if (!more && !waiting) {
        waiting = true;
        body.pause();
        out.once('drain', resume);
      }
    });
    body.once('end', () => out.end());
    return dest;
  };
}

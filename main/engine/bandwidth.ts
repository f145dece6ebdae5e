// One token bucket for the whole app (docs/ARCHITECTURE.md §3: a global cap, not per job).
// Every part stream passes through a throttle; with no cap the stream is not wrapped
// at all, so an unlimited upload pays nothing for the feature.
//
// Under a cap the bytes are shared fairly between jobs: each job has its own line of
// waiting slices, and the bucket serves the lines in turn (round-robin), one slice at a
// time. A big file with six parts in flight gets one turn like a small file with one,
// so small files are not starved while a big one is sent.

import { Transform, type TransformCallback } from 'node:stream';

/** What a part upload needs: a stream that meters its bytes, or undefined when unlimited. */
export interface StreamThrottle {
  throttle(): Transform | undefined;
}

/** Timers, injectable so tests can run the limiter on a clock of their own. */
export interface LimiterTimers {
  set(fn: () => void, ms: number): unknown;
  clear(handle: unknown): void;
}

const realTimers: LimiterTimers = {
  set: (fn, ms) => setTimeout(fn, ms),
  clear: (h) => clearTimeout(h as ReturnType<typeof setTimeout>),
};

type Key = number | string;

interface Waiter {
  n: number;
  grant: () => void;
}

export class BandwidthLimiter {
  private rate = 0; // bytes per second; 0 = unlimited
  private tokens = 0;
  private last: number;
  /** Waiting slices per job; the Map's order is the turn order (served keys go to the back). */
  private readonly lines = new Map<Key, Waiter[]>();
  private timer: unknown;
  /** Set while dispatch() runs: a grant that asks for the next slice must not re-enter it. */
  private dispatching = false;

  constructor(
    rate = 0,
    private readonly now: () => number = Date.now,
    private readonly timers: LimiterTimers = realTimers,
  ) {
    this.last = now();
    this.setRate(rate);
  }

  setRate(bytesPerSecond: number): void {
    this.rate = Math.max(0, bytesPerSecond);
    this.tokens = Math.min(this.tokens, this.burst());
    // Lifting the cap lets everything waiting go at once; a new rate re-plans the wait.
    this.dispatch();
  }

  get limited(): boolean {
    return this.rate > 0;
  }

  /** Burst of 1/4 s keeps the flow smooth without letting a stream run ahead. */
  private burst(): number {
    return Math.max(64 * 1024, this.rate / 4);
  }

  private refill(): void {
    const now = this.now();
    this.tokens = Math.min(this.burst(), this.tokens + ((now - this.last) / 1000) * this.rate);
    this.last = now;
  }

  /**
   * Asks for `n` bytes on behalf of `key` (a job); `grant` is called when they may pass
   * (synchronously when nothing waits and the bucket has room). Returns a cancel that
   * takes a request not granted yet out of line.
   */
  request(key: Key, n: number, grant: () => void): () => void {
    const waiter: Waiter = { n, grant };
    const line = this.lines.get(key);
    if (line) line.push(waiter);
    else this.lines.set(key, [waiter]);
    if (this.timer === undefined && !this.dispatching) this.dispatch();
    return () => {
      const l = this.lines.get(key);
      const i = l?.indexOf(waiter) ?? -1;
      if (!l || i < 0) return;
      l.splice(i, 1);
      if (l.length === 0) this.lines.delete(key);
    };
  }

  /** Grants what the bucket allows, one slice per job in turn; sleeps until the next one can go. */
  private dispatch(): void {
    if (this.timer !== undefined) {
      this.timers.clear(this.timer);
      this.timer = undefined;
    }
    this.dispatching = true;
    try {
      this.serve();
    } finally {
      this.dispatching = false;
    }
  }

  private serve(): void {
    while (this.lines.size > 0) {
      if (this.rate > 0) {
        this.refill();
        // The bucket may go into debt by one slice; the next grant waits for it to be paid.
        if (this.tokens < 0) {
          const wait = Math.max(1, Math.ceil((-this.tokens / this.rate) * 1000));
          this.timer = this.timers.set(() => {
            this.timer = undefined;
            this.dispatch();
          }, wait);
          return;
        }
      }
      const [key, line] = this.lines.entries().next().value as [Key, Waiter[]];
      const waiter = line.shift() as Waiter;
      // This job goes to the back of the turn order (if it still waits for more).
      this.lines.delete(key);
      if (line.length > 0) this.lines.set(key, line);
      if (this.rate > 0) this.tokens -= waiter.n;
      waiter.grant();
    }
  }

  /** The throttle of one job's part streams: its slices wait in that job's line. */
  forJob(jobId: number | string): StreamThrottle {
    return { throttle: () => this.throttle(jobId) };
  }

  /**
   * A pass-through stream that waits for tokens; undefined when unlimited. Chunks are
   * cut into slices of about 1/20 s of the rate, so a capped upload moves (and shows
   * progress) smoothly instead of in one jump per disk read, and jobs take turns often.
   */
  throttle(key: Key = 0): Transform | undefined {
    if (!this.limited) return undefined;
    let cancel: (() => void) | undefined;
    const stream = new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) => {
        const slice = Math.max(4096, Math.min(256 * 1024, Math.floor(this.rate / 20) || 256 * 1024));
        let off = 0;
        const step = (): void => {
          while (off < chunk.length) {
            const piece = chunk.subarray(off, off + slice);
            off += piece.length;
            let waiting = false;
            let granted = false;
            cancel = this.request(key, piece.length, () => {
              granted = true;
              cancel = undefined;
              if (!waiting) return;
              if (stream.destroyed) return;
              stream.push(piece);
              step();
            });
            if (!granted) {
              waiting = true;
              return;
            }
            stream.push(piece);
          }
          cb();
        };
        step();
      },
      destroy: (err, cb) => {
        // An aborted part gives its place in line back.
        cancel?.();
        cb(err);
      },
    });
    return stream;
  }
}

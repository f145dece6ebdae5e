// One token bucket for the whole app (DESIGN.md §3: a global cap, not per job).
// Every part stream passes through `throttle()`; with no cap the stream is not
// wrapped at all, so an unlimited upload pays nothing for the feature.

import { Transform, type TransformCallback } from 'node:stream';

export class BandwidthLimiter {
  private rate = 0; // bytes per second; 0 = unlimited
  private tokens = 0;
  private last: number;

  constructor(rate = 0, private readonly now: () => number = Date.now) {
    this.last = now();
    this.setRate(rate);
  }

  setRate(bytesPerSecond: number): void {
    this.rate = Math.max(0, bytesPerSecond);
    this.tokens = Math.min(this.tokens, this.burst());
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

  /** Milliseconds to wait before `n` bytes may pass; takes the tokens. */
  reserve(n: number): number {
    if (this.rate <= 0) return 0;
    this.refill();
    this.tokens -= n;
    return this.tokens >= 0 ? 0 : Math.ceil((-this.tokens / this.rate) * 1000);
  }

  /**
   * A pass-through stream that waits for tokens; undefined when unlimited. Chunks are
   * cut into slices of about 1/20 s of the rate, so a capped upload moves (and shows
   * progress) smoothly instead of in one jump per disk read.
   */
  throttle(): Transform | undefined {
    if (!this.limited) return undefined;
    const stream = new Transform({
      transform: (chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback) => {
        const slice = Math.max(4096, Math.min(256 * 1024, Math.floor(this.rate / 20)));
        let off = 0;
        const step = (): void => {
          while (off < chunk.length) {
            const piece = chunk.subarray(off, off + slice);
            off += piece.length;
            const wait = this.reserve(piece.length);
            if (wait > 0) {
              setTimeout(() => {
                stream.push(piece);
                step();
              }, wait);
              return;
            }
            stream.push(piece);
          }
          cb();
        };
        step();
      },
    });
    return stream;
  }
}

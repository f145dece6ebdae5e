// A counting semaphore whose limit can change at run time (settings are live).
//
// Fair between owners (jobs): when a slot frees up, it goes to the waiter whose owner
// holds the fewest slots (first come among equals). A big file whose parts hold every
// slot gets its next one only after a small file waiting for its first part got one,
// so a small file waits for one part of the big file at most, not for all of them.

interface SlotWaiter {
  owner: unknown;
  resolve: () => void;
  reject: (e: unknown) => void;
  signal?: AbortSignal;
  onAbort?: () => void;
}

export class Semaphore {
  private inUse = 0;
  private readonly held = new Map<unknown, number>();
  private waiters: SlotWaiter[] = [];

  constructor(private limit: number) {}

  setLimit(limit: number): void {
    this.limit = Math.max(1, limit);
    this.drain();
  }

  /** `owner` (a job id) is what fairness counts by; waiters without one share one owner. */
  acquire(signal?: AbortSignal, owner?: unknown): Promise<() => void> {
    if (signal?.aborted) return Promise.reject(signal.reason);
    return new Promise((resolve, reject) => {
      const waiter: SlotWaiter = {
        owner,
        resolve: () => resolve(this.releaser(owner)),
        reject,
        signal,
        onAbort: undefined,
      };
      if (signal) {
        waiter.onAbort = () => {
          const i = this.waiters.indexOf(waiter);
          if (i >= 0) this.waiters.splice(i, 1);
          reject(signal.reason);
        };
        signal.addEventListener('abort', waiter.onAbort, { once: true });
      }
      this.waiters.push(waiter);
      this.drain();
    });
  }

  private releaser(owner: unknown): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inUse--;
      const n = (this.held.get(owner) ?? 1) - 1;
      if (n > 0) this.held.set(owner, n);
      else this.held.delete(owner);
      this.drain();
    };
  }

  private drain(): void {
    while (this.inUse < this.limit && this.waiters.length > 0) {
      let best = 0;
      for (let i = 1; i < this.waiters.length; i++) {
        if ((this.held.get(this.waiters[i].owner) ?? 0) < (this.held.get(this.waiters[best].owner) ?? 0)) best = i;
      }
      const [w] = this.waiters.splice(best, 1);
      if (w.signal && w.onAbort) w.signal.removeEventListener('abort', w.onAbort);
      this.inUse++;
      this.held.set(w.owner, (this.held.get(w.owner) ?? 0) + 1);
      w.resolve();
    }
  }
}

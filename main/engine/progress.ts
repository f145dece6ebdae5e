// Live progress: bytes in flight are kept here, in memory only (docs/ARCHITECTURE.md §3: never
// persisted), added to the acknowledged bytes from the store, and published in
// batches a few times a second.

import type { JobProgress, ProgressBatch, QueueTotals } from '../../shared/types';

interface Live {
  /** Acknowledged bytes (from the store) when the job started or last committed a part. */
  committed: number;
  /** In flight per part number, for the current attempt of each part. */
  inflight: Map<number, number>;
  size: number;
  /** Speed samples: [time, bytes moved since start]. */
  samples: [number, number][];
  moved: number;
}

const SPEED_WINDOW_MS = 5_000;

export class ProgressTracker {
  private live = new Map<number, Live>();

  begin(jobId: number, committed: number, size: number): void {
    this.live.set(jobId, { committed, inflight: new Map(), size, samples: [[Date.now(), 0]], moved: 0 });
  }

  end(jobId: number): void {
    this.live.delete(jobId);
  }

  add(jobId: number, partNumber: number, n: number): void {
    const l = this.live.get(jobId);
    if (!l) return;
    l.inflight.set(partNumber, (l.inflight.get(partNumber) ?? 0) + n);
    l.moved += n;
  }

  /** An attempt of the part failed: its bytes did not count. */
  discard(jobId: number, partNumber: number): void {
    this.live.get(jobId)?.inflight.delete(partNumber);
  }

  /** The part was acknowledged and stored; `committed` is the store's new bytes_done. */
  commit(jobId: number, partNumber: number, committed: number): void {
    const l = this.live.get(jobId);
    if (!l) return;
    l.inflight.delete(partNumber);
    l.committed = committed;
  }

  bytesDone(jobId: number): number | undefined {
    const l = this.live.get(jobId);
    if (!l) return undefined;
    let sum = l.committed;
    for (const v of l.inflight.values()) sum += v;
    return Math.min(sum, l.size);
  }

  /** Samples speeds and builds a batch for the jobs that are live. */
  snapshot(totals: QueueTotals): ProgressBatch {
    const now = Date.now();
    const jobs: JobProgress[] = [];
    let speedSum = 0;
    let inflightSum = 0;
    for (const [id, l] of this.live) {
      l.samples.push([now, l.moved]);
      while (l.samples.length > 2 && now - l.samples[0][0] > SPEED_WINDOW_MS) l.samples.shift();
      const [t0, b0] = l.samples[0];
      const speed = now > t0 ? ((l.moved - b0) * 1000) / (now - t0) : 0;
      const done = this.bytesDone(id) ?? l.committed;
      for (const v of l.inflight.values()) inflightSum += v;
      speedSum += speed;
      jobs.push({ id, bytesDone: done, speed, etaSeconds: speed > 0 ? Math.ceil((l.size - done) / speed) : undefined });
    }
    return {
      at: now,
      jobs,
      totals: { ...totals, bytesDone: Math.min(totals.bytesTotal, totals.bytesDone + inflightSum), speed: speedSum },
    };
  }
}

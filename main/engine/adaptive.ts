// Adaptive concurrency (docs/ARCHITECTURE.md §3 "Adaptive concurrency and the small-file
// path"): how many requests carry bytes at once, found by measuring instead of set.
//
// One TCP stream over a WAN is capped far below the link (window / RTT, loss), so the
// engine fills the pipe with parallel requests; how many depends on the network and
// cannot be set once for all. The controller climbs while the bytes acknowledged per
// second still grow with the level, settles where one more no longer helps, probes one
// higher now and then, and halves on errors (throttling, resets, timeouts) — AIMD, as TCP
// does for its window. The operator's settings are upper limits, and so is a memory bound
// (every request in flight holds read and socket buffers).
//
// ConcurrencyController is pure (synthetic samples in, a level out) so it can be tested
// without timing; AdaptiveConcurrency is the engine's glue: one controller per
// destination host, fed once a second from the bytes the job runner reports.

import { Semaphore } from './semaphore';

export interface ControllerOptions {
  /** Level to begin with (clamped to [min, max]). */
  initial: number;
  min?: number;
  max: number;
  /** Relative throughput gain that counts as "it helped" (default 10 %). */
  gain?: number;
  /** Settled decisions between probes one level higher (default 3). */
  probeEvery?: number;
  /**
   * Samples averaged into one decision once settled (default 4). A part is one to a few
   * seconds of one connection's bytes, so one window's rate swings with part boundaries;
   * several smooth it. The start (slow start) decides on every sample instead.
   */
  samplesPerDecision?: number;
}

export interface ThroughputSample {
  /** Bytes acknowledged per second in this window. */
  bytesPerSecond: number;
  /** Failed requests (retried or not) in this window. */
  errors: number;
  /**
   * Whether the work could use the whole level in this window (requests waited for a
   * slot, or all slots were taken). A window with too little work says nothing about
   * the level and is ignored.
   */
  saturated: boolean;
}

type Phase = 'start' | 'settled' | 'probe';

/**
 * The level of one destination, TCP-like. At the start (slow start) it decides on every
 * sample: while the rate grows by `gain` over the last level's it climbs by half again;
 * a level whose first sample does not show the gain gets one more (the new requests'
 * own slow start makes that first window a transition), and if neither does, the step
 * did not pay and it goes back to the level before. Then it is settled (AIMD): every
 * `probeEvery` decisions of `samplesPerDecision` samples it tries one more, kept only if
 * it pays; errors halve it.
 */
export class ConcurrencyController {
  private lvl: number;
  private max: number;
  private readonly min: number;
  private readonly gain: number;
  private readonly probeEvery: number;
  private readonly samplesPerDecision: number;
  private phase: Phase = 'start';
  private sum = 0;
  private count = 0;
  /** Throughput at the level before the last increase (0: none measured yet). */
  private before = 0;
  private beforeLevel = 0;
  /** Slow start: the best sample seen at this level, when one did not show the gain. */
  private unconfirmed: number | undefined;
  /**
   * Settled: the first window after a change is a transition (requests ramping, socket
   * buffers filling), not a measure. So is the very first window of all (connections
   * opening, the upload being initiated).
   */
  private skip = true;
  private settledSamples = 0;

  constructor(o: ControllerOptions) {
    this.min = Math.max(1, o.min ?? 1);
    this.max = Math.max(this.min, o.max);
    this.gain = o.gain ?? 0.1;
    this.probeEvery = o.probeEvery ?? 3;
    this.samplesPerDecision = Math.max(1, o.samplesPerDecision ?? 4);
    this.lvl = clamp(o.initial, this.min, this.max);
  }

  get level(): number {
    return this.lvl;
  }

  /** A new upper limit (a setting changed); the level follows it down at once. */
  setMax(max: number): void {
    this.max = Math.max(this.min, max);
    if (this.lvl > this.max) this.change(this.max);
  }

  sample(s: ThroughputSample): number {
    if (s.errors > 0) {
      // Multiplicative decrease, then climb only by probing again.
      this.change(Math.max(this.min, Math.floor(this.lvl / 2)));
      this.settle();
      this.before = 0;
      return this.lvl;
    }
    if (this.skip) {
      this.skip = false;
      return this.lvl;
    }
    if (!s.saturated) return this.lvl;
    if (this.phase === 'start') {
      this.slowStart(s.bytesPerSecond);
      return this.lvl;
    }
    this.sum += s.bytesPerSecond;
    if (++this.count < this.samplesPerDecision) return this.lvl;
    const rate = this.sum / this.count;
    this.sum = 0;
    this.count = 0;
    if (this.phase === 'settled') {
      if (++this.settledSamples >= this.probeEvery && this.lvl < this.max) {
        // Additive increase: one more, kept only if it pays.
        this.before = rate;
        this.beforeLevel = this.lvl;
        this.change(this.lvl + 1);
        this.phase = 'probe';
      }
    } else {
      if (rate < this.before * (1 + this.gain / 2)) this.change(this.beforeLevel);
      this.settle();
    }
    return this.lvl;
  }

  private slowStart(rate: number): void {
    if (this.before === 0 || rate >= this.before * (1 + this.gain)) {
      // The first measure, or it helped: grow by half again (no window skipped: the
      // next sample is judged as it comes, and a transition gets a second look).
      this.unconfirmed = undefined;
      if (this.lvl >= this.max) return this.settle();
      this.before = rate;
      this.beforeLevel = this.lvl;
      this.lvl = Math.min(this.max, Math.max(this.lvl + 1, Math.ceil(this.lvl * 1.5)));
      return;
    }
    if (this.unconfirmed === undefined) {
      // Not yet: the new requests may still be in their own slow start.
      this.unconfirmed = rate;
      return;
    }
    // Two samples at this level without the gain: the step did not pay. Back to the
    // level before unless it helped at least a little (noise should not undo a step
    // that was right), and settled.
    if (Math.max(rate, this.unconfirmed) < this.before * (1 + this.gain / 2)) this.change(this.beforeLevel);
    this.unconfirmed = undefined;
    this.settle();
  }

  private settle(): void {
    this.phase = 'settled';
    this.settledSamples = 0;
    this.sum = 0;
    this.count = 0;
  }

  private change(level: number): void {
    if (level !== this.lvl) this.skip = true;
    this.lvl = level;
    this.sum = 0;
    this.count = 0;
  }
}

function clamp(v: number, lo: number, hi: number): number {
  return Math.min(hi, Math.max(lo, Math.round(v)));
}

/**
 * What one more request in flight costs in peak RSS. What a request holds live is small:
 * its reads in its stream stages (read stream, hashing, ali-oss's transform, the socket's
 * queue), one read each, 1 MiB up to FULL_READS_UP_TO requests and 256 KiB above —
 * process.memoryUsage().arrayBuffers fell to 4-7 MB with 16 requests in flight on the
 * 20 ms WAN profile. The peak is set by what V8 has not yet collected: every read is a new
 * ArrayBuffer, freed only by a GC, which comes when ~60 MB of them are outstanding
 * (arrayBuffers swung between 5 and 80 MB, and forcing a GC every 200 ms did not lower
 * the peak). So the peak grows with the rate more than with the requests; measured on
 * the same profile, 1 GiB, the peak went from 140-150 MB at 12 requests to 153-166 MB at
 * 16: about 2 MiB per request.
 */
export const BYTES_PER_REQUEST = 2 * 1024 * 1024;
/**
 * Peak RSS that all requests in flight may add: on the engine's ~75 MB base and the
 * ~60 MB of buffers awaiting collection, the process stays within 150 MB (measured
 * peaks in BENCHMARKS.md, "Over an emulated WAN").
 */
export const MEMORY_BUDGET_BYTES = 24 * 1024 * 1024;
export const MEMORY_BOUND = Math.floor(MEMORY_BUDGET_BYTES / BYTES_PER_REQUEST);
/** Where a new destination starts: enough for small files on a WAN, few enough to grow from. */
export const INITIAL_LEVEL = 8;
const MAX_READ_BYTES = 1024 * 1024;
const MIN_READ_BYTES = 256 * 1024;
/**
 * Parts in flight up to which reads stay 1 MiB. Measured on loopback (1 GiB, 2 cores):
 * 12 parts of 1 MiB reads peaked at 156 MB RSS, 12 of 256 KiB at 134 MB.
 */
const FULL_READS_UP_TO = 8;
/** Failures that say the path or the service is overloaded (errors.ts kinds). */
const CONGESTION_KINDS: ReadonlySet<string> = new Set(['network', 'throttled', 'server']);
/** Files in flight per request slot (files()). */
export const FILES_PER_SLOT = 2;
/**
 * How often the controllers sample: twice a second, so that slow start reaches the level
 * that fills a 125 MB/s link at 20 ms within the first one or two seconds (a 1 GiB file
 * takes about nine there).
 */
export const SAMPLE_MS = 500;

interface HostState {
  controller: ConcurrencyController;
  slots: Semaphore;
  bytes: number;
  errors: number;
  waited: boolean;
  peak: number;
  inFlight: number;
  lastActive: number;
  /** Bytes per second of one request, from the last saturated window; 0 = not measured. */
  perRequestBps: number;
}

/**
 * The engine's side: per destination host, a controller and a slot pool whose size is
 * its level (within the parts setting and the memory bound); files in flight follow the
 * busiest host's level (within the files setting), since a job's host is known only once
 * it runs.
 */
export class AdaptiveConcurrency {
  private readonly hosts = new Map<string, HostState>();
  private timer: NodeJS.Timeout | undefined;
  private last = Date.now();

  constructor(private limits: { files: number; parts: number }) {}

  /** The settings changed: new upper limits. */
  setLimits(limits: { files: number; parts: number }): void {
    this.limits = limits;
    for (const h of this.hosts.values()) {
      h.controller.setMax(this.partsMax());
      h.slots.setLimit(h.controller.level);
    }
  }

  private partsMax(): number {
    return Math.max(1, Math.min(this.limits.parts, MEMORY_BOUND));
  }

  private host(name: string): HostState {
    let h = this.hosts.get(name);
    if (!h) {
      const controller = new ConcurrencyController({ initial: INITIAL_LEVEL, max: this.partsMax() });
      h = { controller, slots: new Semaphore(controller.level), bytes: 0, errors: 0, waited: false, peak: 0, inFlight: 0, lastActive: Date.now(), perRequestBps: 0 };
      this.hosts.set(name, h);
    }
    this.ensureTimer();
    return h;
  }

  /** A request slot for this host; resolves with its release. */
  async acquire(hostName: string, signal: AbortSignal, owner: unknown): Promise<() => void> {
    const h = this.host(hostName);
    if (h.inFlight >= h.controller.level) h.waited = true;
    const release = await h.slots.acquire(signal, owner);
    h.inFlight++;
    h.peak = Math.max(h.peak, h.inFlight);
    h.lastActive = Date.now();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      h.inFlight--;
      release();
    };
  }

  /**
   * Runnable jobs waited for a file slot: the work could use a higher level even when
   * OSS requests alone do not fill it (a small file spends much of its time on VOD calls).
   */
  filesWaited(): void {
    for (const h of this.hosts.values()) h.waited = true;
  }

  bytes(hostName: string, n: number): void {
    const h = this.hosts.get(hostName);
    if (h) h.bytes += n;
  }

  /** A request to this host failed; only the network's and the service's load count (a changed file says nothing of the path). */
  error(hostName: string, kind?: string): void {
    if (kind !== undefined && !CONGESTION_KINDS.has(kind)) return;
    this.host(hostName).errors++;
  }

  /**
   * Files to run at once: twice the busiest host's level, at most the files setting. A
   * small file spends about half its time on VOD calls (CreateUploadVideo) that hold no
   * OSS slot, so as many files as requests would leave the slots half used; a big file
   * beyond the slots only waits for one, holding nothing.
   */
  files(): number {
    let level = 0;
    for (const h of this.hosts.values()) level = Math.max(level, h.controller.level);
    return Math.max(1, Math.min(this.limits.files, FILES_PER_SLOT * (level || INITIAL_LEVEL)));
  }

  /**
   * The read size for a request (asked at each request): 1 MiB (cheapest per byte,
   * bench/throughput.ts) when few requests may be in flight, 256 KiB when many may
   * (FULL_READS_UP_TO), decided by the upper level rather than the current one: the
   * first second of a large upload at 8 in flight with 1 MiB reads set peaks of 139-149 MB
   * on the 20 ms profile, 256 KiB reads throughout 124-130 MB (interleaved runs).
   */
  readChunkBytes(): number {
    return this.partsMax() <= FULL_READS_UP_TO ? MAX_READ_BYTES : MIN_READ_BYTES;
  }

  /**
   * What a new upload to this host should plan with (part-size.ts): one request's
   * measured rate (undefined before a saturated window was measured) and the most
   * requests that may run there at once.
   */
  partSizeInput(hostName: string): { perRequestBps?: number; level: number } {
    const h = this.hosts.get(hostName);
    return { perRequestBps: h && h.perRequestBps > 0 ? h.perRequestBps : undefined, level: this.partsMax() };
  }

  /** What the progress batch shows. */
  current(): { files: number; parts: number } {
    let parts = 0;
    for (const h of this.hosts.values()) parts = Math.max(parts, Math.min(h.controller.level, this.partsMax()));
    return { files: this.files(), parts: parts || Math.min(INITIAL_LEVEL, this.partsMax()) };
  }

  /** One measurement window for every host (also called by tests with their own clock). */
  tick(now = Date.now()): void {
    const seconds = Math.max(0.001, (now - this.last) / 1000);
    this.last = now;
    for (const [name, h] of this.hosts) {
      const saturated = h.waited || h.peak >= h.controller.level;
      // One request's rate, for the part size of the next upload there (part-size.ts).
      if (saturated && h.bytes > 0) h.perRequestBps = h.bytes / seconds / Math.max(1, Math.min(h.controller.level, h.peak));
      h.controller.sample({ bytesPerSecond: h.bytes / seconds, errors: h.errors, saturated });
      h.slots.setLimit(h.controller.level);
      h.bytes = 0;
      h.errors = 0;
      h.waited = false;
      h.peak = h.inFlight;
      // A host idle for a minute forgets what it learned (the network may have changed).
      if (h.inFlight === 0 && now - h.lastActive > 60_000) this.hosts.delete(name);
    }
    if (this.hosts.size === 0) this.stop();
  }

  private ensureTimer(): void {
    if (this.timer) return;
    this.last = Date.now();
    this.timer = setInterval(() => this.tick(), SAMPLE_MS);
    this.timer.unref();
  }

  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }
}

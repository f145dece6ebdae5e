// A user-space WAN emulator for the benchmarks: a TCP proxy that puts one-way delay,
// a per-connection rate cap, a shared link cap and a bounded (TCP-like) window between
// a client and the local sandbox.
//
// Hand-written because nothing else fits here: this kernel has no netem (tc qdisc), we
// cannot change the host's network, and the npm proxies/throttlers (e.g. stream
// throttles) cap a rate but model neither latency nor a window, which is what makes a
// WAN slow for one TCP stream (throughput ≈ window / RTT). It is an approximation, not
// a TCP stack: no loss, no reordering, no Nagle; timer granularity (≈1 ms, later under
// load) only ever adds delay.
//
// Model, per direction of each connection (a "pipe"):
//  - bytes read from the sender wait (as in the sender's socket buffer) until the
//    congestion window has room; the sender is paused while 256 KiB wait (SENDER_BUFFER),
//    so its writes back up exactly as with a full TCP window;
//  - a piece admitted by the window (never more than the room in it, never a runt)
//    leaves the connection's shaper no earlier than the previous one plus
//    n / perConnectionBps (the rate cap), then the shared link of that direction, which
//    carries pieces in the order they left their shapers, each n / linkBps after the
//    later of that and the link's previous piece (work-conserving: an earlier version
//    queued pieces in admission order, so one connection's long shaper queue held the
//    link idle for the others — with 12 capped connections it carried ~100 of 125 MB/s);
//  - it is delivered to the receiver `delayMs` after it left the link (one-way delay),
//    and acknowledged `delayMs` after it was due there (the return path); until then it
//    counts as in flight. While the receiver's socket does not drain, acknowledgements
//    wait (its receive window). The window starts at 10 segments (RFC 6928's initial
//    window), grows by the bytes acknowledged (slow start) up to `windowBytes`, and falls
//    back to the initial window after an idle period of one retransmission timeout
//    (RFC 2861 as Linux does it, tcp_slow_start_after_idle; RTO ≥ 200 ms) — which is what
//    makes a fresh or long-idle connection slow for a small file and a warm keep-alive
//    connection fast.
//  - A new connection's first byte leaves one RTT after it was accepted (the SYN /
//    SYN-ACK exchange the local connect skipped).
//
// Cost: it works per socket read (≤ 64 KiB), not per segment: times are arithmetic, one
// timer per pipe delivers everything due in one write, acknowledgements are applied
// lazily at their own times. The benchmark runs it in a process of its own
// (emulator-process.ts) and reports its CPU per GiB carried.

import net from 'node:net';

export interface WanProfile {
  /** One-way delay, each direction. */
  delayMs: number;
  /** Per-connection rate cap, bytes per second, each direction. */
  perConnectionBps: number;
  /** Shared link cap, bytes per second, each direction. */
  linkBps: number;
  /** Largest congestion window (bytes in flight per connection and direction). */
  windowBytes: number;
}

/** The benchmark's profiles: 12.5 MB/s per connection, a 125 MB/s link, a 2 MiB window. */
export const WAN_PROFILES: Readonly<Record<string, WanProfile>> = {
  '5ms': { delayMs: 5, perConnectionBps: 12.5e6, linkBps: 125e6, windowBytes: 2 * 1024 * 1024 },
  '20ms': { delayMs: 20, perConnectionBps: 12.5e6, linkBps: 125e6, windowBytes: 2 * 1024 * 1024 },
  '75ms': { delayMs: 75, perConnectionBps: 12.5e6, linkBps: 125e6, windowBytes: 2 * 1024 * 1024 },
};

/** RFC 6928: an initial window of 10 segments of 1460 bytes. */
export const INITIAL_WINDOW = 14_600;
/** Linux's smallest retransmission timeout (TCP_RTO_MIN). */
const MIN_RTO_MS = 200;
/**
 * Bytes read from a sender and waiting for its window before the sender is paused (a
 * sender's socket buffer, far smaller than Linux's); resumed below half of it, so a
 * sender held by its window is not paused and resumed for every read.
 */
const SENDER_BUFFER = 256 * 1024;

export interface PipeStats {
  /** Bytes received from the sender. */
  received: number;
  /** Bytes written to the receiver. */
  delivered: number;
  /** Times the sender was paused because the window was full. */
  windowStalls: number;
  /** Largest bytes in flight seen. */
  maxInFlight: number;
}

export interface EmulatorStats {
  connections: number;
  up: PipeStats;
  down: PipeStats;
}

/** A piece that left its connection's shaper at `at` and waits for the shared link. */
interface LinkEntry {
  at: number;
  piece: Buffer;
  pipe: Pipe;
}

/**
 * One timer that fires at the earliest time it was set for: setting a later time while
 * an earlier one is pending changes nothing (the earlier firing re-arms for the rest).
 */
class Alarm {
  private timer: NodeJS.Timeout | undefined;
  private at = Infinity;

  constructor(private readonly now: () => number, private readonly fire: () => void) {}

  set(next: number): void {
    if (next === Infinity || next >= this.at) return;
    clearTimeout(this.timer);
    this.at = next;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.at = Infinity;
      this.fire();
    }, Math.max(0, next - this.now()));
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.at = Infinity;
  }
}

/**
 * The shared link of one direction: work-conserving, it carries pieces in the order they
 * left their connections' shapers (not the order they were admitted: a connection whose
 * shaper queue is long must not hold the link idle for the others). A piece leaves the
 * link n / bps after the later of its shaper time and the link's previous piece. Pieces
 * are served lazily, once their shaper time has passed (no later admission can leave
 * its shaper earlier than now), from a min-heap on one timer.
 */
class Link {
  private done = 0;
  private readonly heap: LinkEntry[] = [];
  private readonly alarm: Alarm;

  constructor(readonly bps: number, private readonly now: () => number) {
    this.alarm = new Alarm(now, () => this.serve());
  }

  enqueue(entry: LinkEntry): void {
    const { heap } = this;
    heap.push(entry);
    for (let i = heap.length - 1; i > 0;) {
      const parent = (i - 1) >> 1;
      if (heap[parent].at <= heap[i].at) break;
      [heap[parent], heap[i]] = [heap[i], heap[parent]];
      i = parent;
    }
    this.arm();
  }

  private pop(): LinkEntry {
    const { heap } = this;
    const top = heap[0];
    const last = heap.pop()!;
    if (heap.length > 0) {
      heap[0] = last;
      for (let i = 0; ;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < heap.length && heap[l].at < heap[m].at) m = l;
        if (r < heap.length && heap[r].at < heap[m].at) m = r;
        if (m === i) break;
        [heap[m], heap[i]] = [heap[i], heap[m]];
        i = m;
      }
    }
    return top;
  }

  private serve(): void {
    const t = this.now();
    const touched = new Set<Pipe>();
    while (this.heap.length > 0 && this.heap[0].at <= t) {
      const { at, piece, pipe } = this.pop();
      this.done = Math.max(at, this.done) + (piece.length / this.bps) * 1000;
      pipe.leftLink(this.done, piece);
      touched.add(pipe);
    }
    for (const pipe of touched) pipe.linkServed();
    this.arm();
  }

  private arm(): void {
    this.alarm.set(this.heap.length > 0 ? this.heap[0].at : Infinity);
  }

  close(): void {
    this.alarm.clear();
    this.heap.length = 0;
  }
}

/**
 * A first-in first-out queue of (time, value) pairs; times are non-decreasing, so the
 * head is always the earliest. Two parallel arrays and a head index: no object per entry.
 */
class Fifo<T> {
  private at: number[] = [];
  private items: T[] = [];
  private head = 0;

  get size(): number {
    return this.at.length - this.head;
  }

  /** Time of the earliest entry; Infinity when empty. */
  get nextAt(): number {
    return this.head < this.at.length ? this.at[this.head] : Infinity;
  }

  peek(): T {
    return this.items[this.head];
  }

  push(at: number, item: T): void {
    this.at.push(at);
    this.items.push(item);
  }

  shift(): T {
    const item = this.items[this.head];
    this.items[this.head] = undefined as T;
    if (++this.head === this.at.length) {
      this.at.length = 0;
      this.items.length = 0;
      this.head = 0;
    } else if (this.head >= 4096) {
      this.at = this.at.slice(this.head);
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }
}

/**
 * One direction of one connection. Work is done per socket read (up to 64 KiB), not per
 * TCP segment, and lazily: bytes the window cannot take yet wait where they were read
 * (the sender is paused, as a sender whose window is full); admitted bytes get their
 * times by arithmetic (rate cap, link, delay); one timer per pipe, armed for the next
 * delivery (or, while bytes wait for the window, the next acknowledgement), delivers
 * everything due in one write; acknowledgements are applied when they are next needed,
 * each at its own time. So the emulator's cost is per read, not per byte or segment.
 */
class Pipe {
  readonly stats: PipeStats = { received: 0, delivered: 0, windowStalls: 0, maxInFlight: 0 };
  private connFree: number;
  /** Admitted bytes not yet acknowledged. */
  private inFlight = 0;
  private cwnd = INITIAL_WINDOW;
  /** When the last acknowledgement arrived (for the restart after idle). */
  private lastAck: number;
  /** Read from the sender, not yet admitted by the window (the sender's socket buffer). */
  private readonly waiting: Buffer[] = [];
  private waitingBytes = 0;
  /** Admitted pieces by delivery time. */
  private readonly deliveries = new Fifo<Buffer>();
  /** Admitted pieces still waiting for, or on, the shared link. */
  private inLink = 0;
  /** Delivered byte counts by acknowledgement time. */
  private readonly acks = new Fifo<number>();
  /** The receiver's socket is not draining: acknowledgements wait (its receive window). */
  private receiverFull = false;
  private paused = false;
  private ended = false;
  private closed = false;
  private readonly alarm: Alarm;
  private readonly rto: number;

  constructor(
    private readonly from: net.Socket,
    private readonly to: net.Socket,
    private readonly profile: WanProfile,
    private readonly link: Link,
    private readonly now: () => number,
    acceptedAt: number,
  ) {
    // The handshake: nothing leaves before one round trip after the connection was accepted.
    this.connFree = acceptedAt + 2 * profile.delayMs;
    this.lastAck = acceptedAt;
    this.rto = Math.max(MIN_RTO_MS, 2 * profile.delayMs);
    this.alarm = new Alarm(now, () => this.step(this.now()));
    from.on('data', (chunk: Buffer) => this.onData(chunk));
    from.on('end', () => {
      this.ended = true;
      this.maybeEnd();
    });
    to.on('drain', () => {
      if (!this.receiverFull || this.closed) return;
      this.receiverFull = false;
      this.step(this.now());
    });
  }

  private onData(chunk: Buffer): void {
    const t = this.now();
    this.stats.received += chunk.length;
    this.applyAcks(t);
    // Idle for a retransmission timeout: the window starts small again (RFC 2861).
    if (this.inFlight === 0 && this.waitingBytes === 0 && t - this.lastAck > this.rto) this.cwnd = INITIAL_WINDOW;
    this.waiting.push(chunk);
    this.waitingBytes += chunk.length;
    this.admit(t);
    if (this.waitingBytes >= SENDER_BUFFER && !this.paused) {
      this.paused = true;
      this.stats.windowStalls++;
      this.from.pause();
    }
    this.arm();
  }

  /** Acknowledgements due by `t` open the window (slow start: it grows by what they acknowledge). */
  private applyAcks(t: number): void {
    if (this.receiverFull) return;
    const { acks } = this;
    while (acks.nextAt <= t) {
      this.lastAck = acks.nextAt;
      const n = acks.shift();
      this.inFlight -= n;
      this.cwnd = Math.min(this.profile.windowBytes, this.cwnd + n);
    }
  }

  /** Waiting bytes go into the network as far as the window lets them, each piece timed by arithmetic. */
  private admit(t: number): void {
    const { profile, link, waiting } = this;
    while (waiting.length > 0) {
      const room = this.cwnd - this.inFlight;
      const head = waiting[0];
      // No runt pieces (as TCP avoids silly windows): wait for room for a segment's worth.
      if (room < Math.min(head.length, INITIAL_WINDOW)) break;
      let piece: Buffer;
      if (head.length <= room) {
        piece = head;
        waiting.shift();
      } else {
        piece = head.subarray(0, room);
        waiting[0] = head.subarray(room);
      }
      const n = piece.length;
      this.waitingBytes -= n;
      this.connFree = Math.max(t, this.connFree) + (n / profile.perConnectionBps) * 1000;
      this.inFlight += n;
      if (this.inFlight > this.stats.maxInFlight) this.stats.maxInFlight = this.inFlight;
      this.inLink++;
      link.enqueue({ at: this.connFree, piece, pipe: this });
    }
  }

  /** The link carried `piece`, done at `leftAt`: it reaches the receiver one delay later. */
  leftLink(leftAt: number, piece: Buffer): void {
    this.inLink--;
    this.deliveries.push(leftAt + this.profile.delayMs, piece);
  }

  /** After the link served some of this pipe's pieces. */
  linkServed(): void {
    this.arm();
  }

  /** Everything due by `t` goes to the receiver in one write (writev when several). */
  private deliver(t: number): void {
    const { deliveries, to } = this;
    if (deliveries.nextAt > t) return;
    const several = deliveries.size > 1;
    if (several) to.cork();
    while (deliveries.nextAt <= t) {
      // Acknowledged one delay after it was due at the receiver (not after this timer
      // fired late: lateness under load should not slow the sender twice).
      const at = deliveries.nextAt;
      const piece = deliveries.shift();
      if (!to.destroyed) to.write(piece);
      this.stats.delivered += piece.length;
      this.acks.push(at + this.profile.delayMs, piece.length);
    }
    if (several) to.uncork();
    if (to.writableNeedDrain) this.receiverFull = true;
  }

  private step(t: number): void {
    if (this.closed) return;
    this.deliver(t);
    this.applyAcks(t);
    this.admit(t);
    if (this.paused && this.waitingBytes < SENDER_BUFFER / 2) {
      this.paused = false;
      if (!this.from.destroyed) this.from.resume();
    }
    this.maybeEnd();
    this.arm();
  }

  /** One timer: the next delivery, or the next acknowledgement while bytes wait for the window. */
  private arm(): void {
    if (this.closed) return;
    let next = this.deliveries.nextAt;
    if (this.waitingBytes > 0 && !this.receiverFull) next = Math.min(next, this.acks.nextAt);
    this.alarm.set(next);
  }

  /** The sender's FIN goes on after its last byte. */
  private maybeEnd(): void {
    if (this.ended && this.waitingBytes === 0 && this.inLink === 0 && this.deliveries.size === 0 && !this.to.destroyed && !this.to.writableEnded) this.to.end();
  }

  close(): void {
    this.closed = true;
    this.alarm.clear();
  }
}

export interface WanEmulator {
  /** The proxy's port on 127.0.0.1. */
  port: number;
  stats(): EmulatorStats;
  close(): Promise<void>;
}

/**
 * Listens on 127.0.0.1 (an ephemeral port unless given) and forwards every connection
 * to `upstream`, shaped by `profile`.
 */
export async function startWanEmulator(upstream: { host: string; port: number }, profile: WanProfile, opts: { port?: number; now?: () => number } = {}): Promise<WanEmulator> {
  const now = opts.now ?? (() => performance.now());
  const upLink = new Link(profile.linkBps, now);
  const downLink = new Link(profile.linkBps, now);
  const stats: EmulatorStats = {
    connections: 0,
    up: { received: 0, delivered: 0, windowStalls: 0, maxInFlight: 0 },
    down: { received: 0, delivered: 0, windowStalls: 0, maxInFlight: 0 },
  };
  const pipes = new Set<{ up: Pipe; down: Pipe }>();
  const sockets = new Set<net.Socket>();
  const add = (into: PipeStats, from: PipeStats): void => {
    into.received += from.received;
    into.delivered += from.delivered;
    into.windowStalls += from.windowStalls;
    into.maxInFlight = Math.max(into.maxInFlight, from.maxInFlight);
  };
  // Half-open both ways: a sender's FIN is passed on only after its delayed bytes.
  const server = net.createServer({ allowHalfOpen: true }, (client) => {
    const acceptedAt = now();
    stats.connections++;
    client.setNoDelay(true);
    const target = net.connect({ port: upstream.port, host: upstream.host, allowHalfOpen: true });
    target.setNoDelay(true);
    sockets.add(client);
    sockets.add(target);
    const pair = {
      up: new Pipe(client, target, profile, upLink, now, acceptedAt),
      down: new Pipe(target, client, profile, downLink, now, acceptedAt),
    };
    pipes.add(pair);
    const done = (): void => {
      if (!pipes.delete(pair)) return;
      add(stats.up, pair.up.stats);
      add(stats.down, pair.down.stats);
      pair.up.close();
      pair.down.close();
      client.destroy();
      target.destroy();
      sockets.delete(client);
      sockets.delete(target);
    };
    client.on('close', done).on('error', done);
    target.on('close', done).on('error', done);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, '127.0.0.1', () => resolve());
  });
  return {
    port: (server.address() as net.AddressInfo).port,
    stats() {
      const out: EmulatorStats = { connections: stats.connections, up: { ...stats.up }, down: { ...stats.down } };
      for (const p of pipes) {
        add(out.up, p.up.stats);
        add(out.down, p.down.stats);
      }
      return out;
    },
    close() {
      upLink.close();
      downLink.close();
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

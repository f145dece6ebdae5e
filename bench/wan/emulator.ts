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
//  - a segment of n bytes received from the sender leaves the connection's shaper no
//    earlier than the previous one plus n / perConnectionBps (the rate cap), then the
//    shared link no earlier than the link's previous segment plus n / linkBps (a FIFO
//    link shared by every connection in that direction);
//  - it is delivered to the receiver `delayMs` after it left the link (one-way delay);
//  - it is "acknowledged" `delayMs` after delivery (the return path), and until then it
//    counts as in flight. While bytes in flight reach the congestion window the proxy
//    stops reading from the sender (socket.pause()), so the sender's writes back up
//    exactly as with a full TCP window. The window starts at 10 segments (RFC 6928's
//    initial window), grows by the bytes acknowledged (slow start) up to `windowBytes`,
//    and falls back to the initial window after an idle period of one retransmission
//    timeout (RFC 2861 as Linux does it, tcp_slow_start_after_idle; RTO ≥ 200 ms) — which is what makes a fresh or long-idle connection slow for a small
//    file and a warm keep-alive connection fast.
//  - A new connection's first byte leaves one RTT after it was accepted (the SYN /
//    SYN-ACK exchange the local connect skipped).

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
/** Segments are cut to this size so rate and window act on small units, as TCP's do. */
const SEGMENT = 16 * 1024;

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

/** A shared FIFO link: when the next segment may start leaving (ms, performance.now() clock). */
class Link {
  free = 0;
  constructor(readonly bps: number) {}
}

/** Time-ordered actions, one timer for the earliest (times are monotonic per queue). */
class TimedQueue {
  private readonly items: { at: number; run: () => void }[] = [];
  private head = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly now: () => number) {}

  push(at: number, run: () => void): void {
    this.items.push({ at, run });
    if (!this.timer) this.arm();
  }

  private arm(): void {
    if (this.head >= this.items.length) {
      this.items.length = 0;
      this.head = 0;
      this.timer = undefined;
      return;
    }
    const wait = Math.max(0, this.items[this.head].at - this.now());
    this.timer = setTimeout(() => this.fire(), wait);
  }

  private fire(): void {
    const t = this.now();
    while (this.head < this.items.length && this.items[this.head].at <= t) {
      const item = this.items[this.head++];
      item.run();
    }
    if (this.head > 1024 && this.head * 2 > this.items.length) {
      this.items.splice(0, this.head);
      this.head = 0;
    }
    this.arm();
  }

  clear(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    this.items.length = 0;
    this.head = 0;
  }
}

/** One direction of one connection. */
class Pipe {
  readonly stats: PipeStats = { received: 0, delivered: 0, windowStalls: 0, maxInFlight: 0 };
  private connFree: number;
  private inFlight = 0;
  private cwnd = INITIAL_WINDOW;
  private lastAck: number;
  private paused = false;
  private readonly deliveries: TimedQueue;
  private readonly acks: TimedQueue;
  private ended = false;
  private pendingDeliveries = 0;

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
    this.deliveries = new TimedQueue(now);
    this.acks = new TimedQueue(now);
    from.on('data', (chunk: Buffer) => this.onData(chunk));
    from.on('end', () => {
      this.ended = true;
      this.maybeEnd();
    });
  }

  private onData(chunk: Buffer): void {
    const { profile, link } = this;
    const t = this.now();
    // Idle for a retransmission timeout: the window starts small again (RFC 2861).
    if (this.inFlight === 0 && t - this.lastAck > Math.max(MIN_RTO_MS, 2 * profile.delayMs)) this.cwnd = INITIAL_WINDOW;
    this.stats.received += chunk.length;
    for (let off = 0; off < chunk.length; off += SEGMENT) {
      const seg = chunk.subarray(off, Math.min(chunk.length, off + SEGMENT));
      const n = seg.length;
      this.connFree = Math.max(t, this.connFree) + (n / profile.perConnectionBps) * 1000;
      link.free = Math.max(this.connFree, link.free) + (n / link.bps) * 1000;
      const deliverAt = link.free + profile.delayMs;
      this.inFlight += n;
      this.stats.maxInFlight = Math.max(this.stats.maxInFlight, this.inFlight);
      this.pendingDeliveries++;
      this.deliveries.push(deliverAt, () => {
        this.pendingDeliveries--;
        if (!this.to.destroyed) this.to.write(seg);
        this.stats.delivered += n;
        this.acks.push(deliverAt + profile.delayMs, () => this.onAck(n));
        this.maybeEnd();
      });
    }
    if (this.inFlight >= this.cwnd && !this.paused) {
      this.paused = true;
      this.stats.windowStalls++;
      this.from.pause();
    }
  }

  private onAck(n: number): void {
    this.inFlight -= n;
    this.lastAck = this.now();
    this.cwnd = Math.min(this.profile.windowBytes, this.cwnd + n);
    if (this.paused && this.inFlight < this.cwnd) {
      this.paused = false;
      if (!this.from.destroyed) this.from.resume();
    }
  }

  /** The sender's FIN goes on after its last byte. */
  private maybeEnd(): void {
    if (this.ended && this.pendingDeliveries === 0 && !this.to.destroyed) this.to.end();
  }

  close(): void {
    this.deliveries.clear();
    this.acks.clear();
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
  const upLink = new Link(profile.linkBps);
  const downLink = new Link(profile.linkBps);
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
      for (const s of sockets) s.destroy();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}

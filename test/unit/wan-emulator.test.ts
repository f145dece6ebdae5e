// The benchmark's WAN emulator (bench/wan/emulator.ts) does what its numbers say. Each
// assertion is a lower bound on elapsed time (the emulator may only ever be slower than
// its profile on a loaded machine, never faster) or a byte count, so a slow CI cannot
// fail it.

import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { INITIAL_WINDOW, startWanEmulator, type WanEmulator, type WanProfile } from '../../bench/wan/emulator';

interface Sink {
  port: number;
  /** Resolves with the receive time (performance.now()) once `bytes` arrived over all connections. */
  received(bytes: number): Promise<number>;
  close(): Promise<void>;
}

/** An upstream that counts what arrives and answers each connection's first byte with "ok". */
async function startSink(): Promise<Sink> {
  let total = 0;
  let waiters: { bytes: number; resolve: (t: number) => void }[] = [];
  const sockets = new Set<net.Socket>();
  const server = net.createServer((s) => {
    sockets.add(s);
    let answered = false;
    s.on('data', (d: Buffer) => {
      total += d.length;
      if (!answered) {
        answered = true;
        s.write('ok');
      }
      const t = performance.now();
      waiters = waiters.filter((w) => (total >= w.bytes ? (w.resolve(t), false) : true));
    });
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return {
    port: (server.address() as net.AddressInfo).port,
    received: (bytes) => new Promise((resolve) => (total >= bytes ? resolve(performance.now()) : waiters.push({ bytes, resolve }))),
    close: () => {
      for (const s of sockets) s.destroy();
      return new Promise((r) => server.close(() => r()));
    },
  };
}

function connect(port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const s = net.connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}

const open: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const o of open.splice(0).reverse()) await o.close();
});

async function setup(profile: WanProfile): Promise<{ sink: Sink; wan: WanEmulator }> {
  const sink = await startSink();
  open.push(sink);
  const wan = await startWanEmulator({ host: '127.0.0.1', port: sink.port }, profile);
  open.push(wan);
  return { sink, wan };
}

const FAST = 1e9;

describe('WAN emulator', () => {
  it('delays each direction by the one-way delay, and a new connection by its handshake', async () => {
    const delayMs = 30;
    const { sink, wan } = await setup({ delayMs, perConnectionBps: FAST, linkBps: FAST, windowBytes: 1 << 20 });
    const t0 = performance.now();
    const s = await connect(wan.port);
    const answer = new Promise<number>((resolve) => s.once('data', () => resolve(performance.now())));
    s.write('x');
    const arrived = await sink.received(1);
    // Handshake (one RTT) + one way.
    expect(arrived - t0).toBeGreaterThanOrEqual(3 * delayMs - 1);
    // The answer comes back one more way later.
    expect((await answer) - arrived).toBeGreaterThanOrEqual(delayMs - 1);
    s.destroy();
    expect(wan.stats().up.delivered).toBe(1);
  });

  it('caps one connection at its rate', async () => {
    const bps = 2e6;
    const bytes = 400_000;
    const { sink, wan } = await setup({ delayMs: 1, perConnectionBps: bps, linkBps: FAST, windowBytes: 8 << 20 });
    const s = await connect(wan.port);
    const t0 = performance.now();
    s.write(Buffer.alloc(bytes));
    const t1 = await sink.received(bytes);
    // 400 kB at 2 MB/s: at least 200 ms, i.e. never faster than the cap.
    expect(((bytes / (t1 - t0)) * 1000)).toBeLessThanOrEqual(bps * 1.01);
    expect(wan.stats().up.delivered).toBe(bytes);
    s.destroy();
  });

  it('shares the link cap between connections', async () => {
    const link = 4e6;
    const bytes = 300_000;
    const { sink, wan } = await setup({ delayMs: 1, perConnectionBps: link, linkBps: link, windowBytes: 8 << 20 });
    const [a, b] = await Promise.all([connect(wan.port), connect(wan.port)]);
    const t0 = performance.now();
    a.write(Buffer.alloc(bytes));
    b.write(Buffer.alloc(bytes));
    const t1 = await sink.received(2 * bytes);
    // Each alone could go at the link's rate; together they share it.
    expect(((2 * bytes) / (t1 - t0)) * 1000).toBeLessThanOrEqual(link * 1.01);
    expect(wan.stats().connections).toBe(2);
    a.destroy();
    b.destroy();
  });

  it('bounds the bytes in flight by the window, so throughput ≈ window / RTT', async () => {
    const delayMs = 25;
    const windowBytes = 64 * 1024;
    const bytes = 1024 * 1024;
    const { sink, wan } = await setup({ delayMs, perConnectionBps: FAST, linkBps: FAST, windowBytes });
    const s = await connect(wan.port);
    const t0 = performance.now();
    s.write(Buffer.alloc(bytes));
    const t1 = await sink.received(bytes);
    const st = wan.stats().up;
    // The sender was held back, and never more than a window was in flight (a read
    // larger than the room left waits, split at the window's edge).
    expect(st.windowStalls).toBeGreaterThan(0);
    expect(st.maxInFlight).toBeLessThanOrEqual(windowBytes);
    expect(st.maxInFlight).toBeGreaterThanOrEqual(INITIAL_WINDOW);
    // 1 MiB through a 64 KiB window at 50 ms RTT: at least (16 - 2) round trips
    // (the last window needs no ack, slow start only adds).
    expect(t1 - t0).toBeGreaterThanOrEqual((bytes / windowBytes - 2) * 2 * delayMs);
    s.destroy();
  });

  it('starts a connection idle for more than an RTO from the initial window again (slow start after idle)', async () => {
    const delayMs = 10;
    const { sink, wan } = await setup({ delayMs, perConnectionBps: FAST, linkBps: FAST, windowBytes: 4 << 20 });
    const s = await connect(wan.port);
    // Warm the window: 4 MiB grows it well past 256 KiB.
    s.write(Buffer.alloc(4 << 20));
    await sink.received(4 << 20);
    // Idle for more than the RTO (200 ms): wait on the emulator's own acknowledgements
    // having come back and the clock having moved, by polling, not by a timed assertion.
    const idleFrom = performance.now();
    await new Promise<void>((resolve) => {
      const poll = (): void => (performance.now() - idleFrom > 260 ? resolve() : void setTimeout(poll, 20));
      poll();
    });
    const bytes = 256 * 1024;
    const t0 = performance.now();
    s.write(Buffer.alloc(bytes));
    const t1 = await sink.received((4 << 20) + bytes);
    // From 10 segments, slow start doubles per RTT: 14.6 → 29 → 58 → 117 → 234 kB
    // acknowledged before the last bytes can leave, so at least 4 round trips and a
    // one-way trip (a warm 4 MiB window would have sent it all in one one-way trip).
    expect(t1 - t0).toBeGreaterThanOrEqual(4 * 2 * delayMs + delayMs - 1);
    s.destroy();
  });

  it('holds acknowledgements while the receiver does not read (its receive window)', async () => {
    // An upstream that reads nothing: the sender must be held back once the receiver's
    // socket buffers and the window are full, instead of the emulator buffering it all.
    const held: net.Socket[] = [];
    const server = net.createServer((c) => {
      c.pause();
      held.push(c);
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    open.push({ close: () => {
      for (const c of held) c.destroy();
      return new Promise((r) => server.close(() => r()));
    } });
    const windowBytes = 1 << 20;
    const wan = await startWanEmulator({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port }, { delayMs: 1, perConnectionBps: FAST, linkBps: FAST, windowBytes });
    open.push(wan);
    const s = await connect(wan.port);
    const total = 256 << 20;
    let written = 0;
    const chunk = Buffer.alloc(1 << 20);
    // Keep writing until the sender's own socket reports backpressure for good.
    await new Promise<void>((resolve) => {
      const pump = (): void => {
        while (written < total) {
          written += chunk.length;
          if (!s.write(chunk)) {
            s.once('drain', pump);
            return;
          }
        }
        resolve();
      };
      pump();
      // Settled: nothing more delivered over a few polls.
      let last = -1;
      const poll = (): void => {
        const d = wan.stats().up.delivered;
        if (d === last && d > 0) return resolve();
        last = d;
        setTimeout(poll, 200);
      };
      setTimeout(poll, 200);
    });
    const st = wan.stats().up;
    // What the emulator passed on is bounded (kernel buffers + one window), far below
    // what the sender tried to send.
    expect(st.delivered).toBeLessThan(total / 2);
    expect(st.received - st.delivered).toBeLessThanOrEqual(windowBytes + 256 * 1024);
    s.destroy();
  });

  it('shares the link work-conservingly: a connection with a long queue does not hold it idle for another', async () => {
    // A: 1 MB behind a 2 MB/s per-connection cap (its shaper queue: 500 ms); B, sent just
    // after: 50 kB (25 ms). The link (4 MB/s) has room for both at once, so B is through
    // long before A — not after A's last byte, as a link served in admission order had it.
    const done = new Map<string, number>();
    // A first sends 1 MB to open its window (slow start), then 1 MB more, all admitted at once.
    const want: Record<string, number> = { A: 2_000_000, B: 50_000 };
    let warm: () => void = () => undefined;
    const warmed = new Promise<void>((r) => (warm = r));
    const server = net.createServer((c) => {
      let got = 0;
      let who = '';
      c.on('data', (d: Buffer) => {
        who ||= String.fromCharCode(d[0]);
        got += d.length;
        if (who === 'A' && got >= want.A / 2) warm();
        if (got >= want[who] && !done.has(who)) done.set(who, performance.now());
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    open.push({ close: () => new Promise((r) => server.close(() => r())) });
    const wan = await startWanEmulator({ host: '127.0.0.1', port: (server.address() as net.AddressInfo).port }, { delayMs: 1, perConnectionBps: 2e6, linkBps: 4e6, windowBytes: 8 << 20 });
    open.push(wan);
    const [a, b] = await Promise.all([connect(wan.port), connect(wan.port)]);
    a.write(Buffer.alloc(want.A / 2, 'A'));
    await warmed;
    a.write(Buffer.alloc(want.A / 2, 'A'));
    b.write(Buffer.alloc(want.B, 'B'));
    await new Promise<void>((resolve) => {
      const poll = (): void => (done.size === 2 ? resolve() : void setTimeout(poll, 20));
      poll();
    });
    expect(done.get('B')!).toBeLessThan(done.get('A')!);
    a.destroy();
    b.destroy();
  });
});

// The WAN emulator (emulator.ts) in a process of its own, for the benchmarks: its CPU time
// is then its own to report, and its garbage collections walk only its own small heap
// (in the bench's parent, whose heap holds the engine and ali-oss modules, the read
// buffers it passes on cost several times more GC). Run as
//   node out/bench/wan/emulator-process.js <upstream host> <upstream port> <profile>
// it prints {"port": N} once listening; each line "stats" on its stdin is answered with
// one line of JSON (EmulatorStats plus its CPU seconds so far); stdin's end stops it.

import readline from 'node:readline';
import { spawnJsonLine, stopChild } from '../util/children';
import { startWanEmulator, WAN_PROFILES, type EmulatorStats } from './emulator';

export interface EmulatorProcessStats extends EmulatorStats {
  /** The emulator process's user + system CPU seconds since it started. */
  cpuSeconds: number;
}

export interface EmulatorProcess {
  port: number;
  stats(): Promise<EmulatorProcessStats>;
  close(): Promise<void>;
}

export async function spawnWanEmulator(upstream: { host: string; port: number }, profile: string): Promise<EmulatorProcess> {
  if (!WAN_PROFILES[profile]) throw new Error(`Unknown WAN profile ${profile}; known: ${Object.keys(WAN_PROFILES).join(', ')}`);
  const { child, line } = await spawnJsonLine<{ port: number }>([__filename, upstream.host, String(upstream.port), profile], process.env, { stdin: true });
  const answers = readline.createInterface({ input: child.stdout! });
  const waiting: ((s: EmulatorProcessStats) => void)[] = [];
  answers.on('line', (l) => waiting.shift()?.(JSON.parse(l) as EmulatorProcessStats));
  return {
    port: line.port,
    stats: () => new Promise((resolve, reject) => {
      if (child.exitCode !== null) return reject(new Error('the WAN emulator process has exited'));
      waiting.push(resolve);
      child.stdin!.write('stats\n');
    }),
    close: async () => {
      child.stdin!.end();
      await stopChild(child);
    },
  };
}

if (require.main === module) {
  const [host, port, profile] = process.argv.slice(2);
  const cpu0 = process.cpuUsage();
  startWanEmulator({ host, port: Number(port) }, WAN_PROFILES[profile]).then((wan) => {
    process.stdout.write(`${JSON.stringify({ port: wan.port })}\n`);
    const input = readline.createInterface({ input: process.stdin });
    input.on('line', (l) => {
      if (l.trim() !== 'stats') return;
      const c = process.cpuUsage(cpu0);
      process.stdout.write(`${JSON.stringify({ ...wan.stats(), cpuSeconds: (c.user + c.system) / 1e6 })}\n`);
    });
    input.on('close', () => void wan.close().then(() => process.exit(0)));
  }, (err: unknown) => {
    process.stderr.write(`${(err as Error).stack ?? String(err)}\n`);
    process.exit(1);
  });
}

// Child processes for benchmarks: each measurement runs in its own process so its
// CPU time and peak RSS are its own, and the server runs in another so client and
// server each get a core.

import { spawn, type ChildProcess } from 'child_process';
import fs from 'fs';
import path from 'path';
import readline from 'readline';

export const REPO = path.resolve(__dirname, '../../..');

/**
 * Spawns `node args…` and resolves with the first stdout line parsed as JSON (the child
 * keeps running). `stdin`: give the child a pipe to talk to it (else it has none).
 */
export function spawnJsonLine<T>(args: string[], env: NodeJS.ProcessEnv = process.env, opts: { stdin?: boolean } = {}): Promise<{ child: ChildProcess; line: T }> {
  return new Promise((resolve, reject) => {
    // BENCH_NODE_FLAGS: node flags for every child (e.g. "--cpu-prof --cpu-prof-dir=/tmp/p"
    // to profile a client; NODE_OPTIONS refuses --cpu-prof).
    const flags = (process.env.BENCH_NODE_FLAGS ?? '').split(' ').filter(Boolean);
    const child = spawn(process.execPath, [...flags, ...args], { cwd: REPO, env, stdio: [opts.stdin ? 'pipe' : 'ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.setEncoding('utf8').on('data', (d: string) => {
      stderr = (stderr + d).slice(-4000);
      // BENCH_TRACE=1: a child's trace lines (bench/network.ts) are shown as they come.
      if (process.env.BENCH_TRACE === '1') process.stderr.write(d);
    });
    const rl = readline.createInterface({ input: child.stdout! });
    let done = false;
    rl.once('line', (l) => {
      done = true;
      try {
        resolve({ child, line: JSON.parse(l) as T });
      } catch {
        reject(new Error(`${args.join(' ')} printed "${l}", not JSON`));
      }
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!done) reject(new Error(`${args.join(' ')} exited (${code ?? signal}) before printing a result: ${stderr}`));
    });
  });
}

/** Runs a child to its end and returns its one JSON result line. */
export async function runJsonChild<T>(args: string[], env: NodeJS.ProcessEnv): Promise<T> {
  const { child, line } = await spawnJsonLine<T>(args, env);
  await new Promise<void>((resolve) => (child.exitCode !== null ? resolve() : child.once('exit', () => resolve())));
  return line;
}

export function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

// --- the child's side: what every bench worker measures and how it answers ------------

const MB = 1e6;

/**
 * This process's peak RSS, MB. On Linux VmHWM, which is this process's own: getrusage's
 * maxrss is kept across exec, so a freshly spawned child could report its parent's peak
 * (the bench parent's, holding the WAN emulator's or the file generator's buffers).
 */
export function peakRssMB(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
    if (m) return (Number(m[1]) * 1024) / MB;
  } catch {
    // Not Linux.
  }
  return (process.resourceUsage().maxRSS * 1024) / MB;
}

/** CPU seconds (user + system, all this process's threads) since `from` (process.cpuUsage()). */
export function cpuSecondsSince(from: NodeJS.CpuUsage): number {
  const c = process.cpuUsage(from);
  return (c.user + c.system) / 1e6;
}

/**
 * A worker child's main: runs `work`, prints its result as one JSON line (what
 * runJsonChild reads) and exits; on failure prints the stack and exits 1.
 */
export function runWorker<T>(label: string, work: () => Promise<T>): void {
  work().then(
    (r) => {
      process.stdout.write(`${JSON.stringify(r)}\n`);
      process.exit(0);
    },
    (err: unknown) => {
      process.stderr.write(`bench worker ${label}: ${(err as Error).stack ?? String(err)}\n`);
      process.exit(1);
    },
  );
}

// Child processes for benchmarks: each measurement runs in its own process so its
// CPU time and peak RSS are its own, and the server runs in another so client and
// server each get a core.

import { spawn, type ChildProcess } from 'child_process';
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

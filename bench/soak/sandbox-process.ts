// The sandbox in its own process (`vodup sandbox`), as an operator would run it, so the
// CLI under test and the server never share an event loop; read through its admin API.

import { spawn, type ChildProcess } from 'child_process';
import path from 'path';
import readline from 'readline';
import type { SandboxStats } from '../../main/sandbox/index';
import { REPO } from './repo';

export interface SandboxLine {
  endpoint: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  admin: string;
}

export type AdminState = SandboxStats & { faults: Record<string, number>; now: number };

export interface SandboxProcess {
  line: SandboxLine;
  child: ChildProcess;
  state(): Promise<AdminState>;
  /** SIGTERM: the sandbox writes its state file and exits. */
  stop(): Promise<void>;
  /** What the sandbox wrote to stderr (its last 8 KiB). */
  stderr(): string;
}

/** "errorRate=0.03,resetRate=0.04" from a fault map. */
export function faultSpec(faults: Readonly<Record<string, number>>): string {
  return Object.entries(faults).map(([k, v]) => `${k}=${v}`).join(',');
}

export function startSandboxProcess(dataDir: string, faults: Readonly<Record<string, number>>, searchLagMs = 0): Promise<SandboxProcess> {
  const args = [
    path.join(REPO, 'bin', 'vodup.js'), 'sandbox', '--port', '0', '--store', 'disk', '--data', dataDir,
    '--faults', faultSpec(faults), '--search-lag-ms', String(searchLagMs),
  ];
  const child = spawn(process.execPath, args, { cwd: REPO, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8192)));
  return new Promise((resolve, reject) => {
    let started = false;
    const rl = readline.createInterface({ input: child.stdout! });
    rl.once('line', (l) => {
      started = true;
      let line: SandboxLine;
      try {
        line = JSON.parse(l) as SandboxLine;
      } catch {
        child.kill('SIGKILL');
        reject(new Error(`\`vodup sandbox\` printed "${l}", not its JSON line.`));
        return;
      }
      const exited = new Promise<void>((r) => (child.exitCode !== null || child.signalCode !== null ? r() : child.once('exit', () => r())));
      resolve({
        line,
        child,
        stderr: () => stderr,
        state: async () => {
          const res = await fetch(`${line.admin}/state`);
          if (!res.ok) throw new Error(`GET ${line.admin}/state answered ${res.status}`);
          return (await res.json()) as AdminState;
        },
        stop: async () => {
          if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
          await exited;
        },
      });
    });
    child.once('error', reject);
    child.once('exit', (code, signal) => {
      if (!started) reject(new Error(`\`vodup sandbox\` exited (${code ?? signal}) before it was ready: ${stderr}`));
    });
  });
}

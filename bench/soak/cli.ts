// `vodup` as the soak runs it: a child process with its own queue folder and the
// sandbox's account in the environment, nothing from the user's own configuration.

import { spawn, type ChildProcess } from 'child_process';
import path from 'path';
import { REPO, VODUP } from './repo';
import type { SandboxLine } from './sandbox-process';

export interface CliExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  /** The last 8 KiB of stderr. */
  stderr: string;
}

export interface CliChild {
  child: ChildProcess;
  startedAt: number;
  exit: Promise<CliExit>;
}

/** The sandbox's account and a private HOME (no aliyun CLI profile, no ~/.alibabacloud). */
export function cliEnv(sandbox: SandboxLine, home: string): NodeJS.ProcessEnv {
  return {
    PATH: process.env.PATH,
    HOME: home,
    VODUP_HOME: path.join(home, 'vodup'),
    VOD_ACCESS_KEY_ID: sandbox.accessKeyId,
    VOD_ACCESS_KEY_SECRET: sandbox.accessKeySecret,
    VOD_REGION: sandbox.region,
    VOD_ENDPOINT: sandbox.endpoint,
  };
}

export function startCli(args: readonly string[], env: NodeJS.ProcessEnv): CliChild {
  const child = spawn(process.execPath, [VODUP, ...args], { cwd: REPO, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const startedAt = Date.now();
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr = (stderr + d).slice(-8192)));
  const exit = new Promise<CliExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  return { child, startedAt, exit };
}

/** One line of `vodup status --json`. */
export interface StatusJob {
  id: number;
  path: string;
  title: string;
  state: string;
  vodStatus: string | null;
  videoId: string | null;
  bytesDone: number;
  size: number;
  crc64: string | null;
  error: { code: string; message: string; retryable: boolean } | null;
}

export async function queueStatus(env: NodeJS.ProcessEnv): Promise<StatusJob[]> {
  const res = await startCli(['status', '--json'], env).exit;
  if (res.code !== 0) throw new Error(`\`vodup status --json\` exited ${res.code ?? res.signal}: ${res.stderr.trim()}`);
  return res.stdout.split('\n').filter((l) => l.trim() !== '').map((l) => JSON.parse(l) as StatusJob);
}

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
  /** The first line of an HTTP library's own output on stderr (urllib's warnings and stacks), if any. */
  libraryNoise?: string;
}

/** What ali-oss's urllib prints by itself; the operator should never see it (issue 7). */
const LIBRARY_NOISE = /\[urllib:[a-z]+\][^\n]*|[^\n]*callback twice[^\n]*/;

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
  let libraryNoise: string | undefined;
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => {
    // Matched on the text so far (kept short), so a line split between chunks still counts.
    const text = stderr.slice(-512) + d;
    libraryNoise ??= LIBRARY_NOISE.exec(text)?.[0].trim().slice(0, 200);
    stderr = (stderr + d).slice(-8192);
  });
  const exit = new Promise<CliExit>((resolve, reject) => {
    child.once('error', reject);
    child.once('close', (code, signal) => resolve({ code, signal, stdout, stderr, libraryNoise }));
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

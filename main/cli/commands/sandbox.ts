// `vodup sandbox`: the local VOD + OSS emulator as a process (benchmarks run the
// server in its own process so client and server each get a core).
//
// With --data the sandbox also writes what a client needs (endpoint, region, keys, its
// pid) to <data>/vodup-sandbox.json, so that `vodup sandbox --data <dir> --print-env`
// can hand a shell the environment of the sandbox serving that folder:
//   eval "$(vodup sandbox --data ~/.vodup-sandbox --print-env)"
// starts one in the background if none serves it yet (its output goes to
// <data>/sandbox.log), and prints `export VOD_ENDPOINT=…` lines either way. The keys are
// kept in the data folder, so a restart on the same folder keeps them.

import { spawn } from 'child_process';
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import { runSandboxCommand, tencentInfo } from '../../sandbox/command';
import type { Sandbox, SandboxTencentInfo } from '../../sandbox/index';
import { CliError } from '../errors';

export interface SandboxFlags {
  port?: number;
  data?: string;
  store?: string;
  etag?: string;
  faults?: string;
  review?: boolean;
  searchLagMs?: number;
  ossDenyList?: boolean;
  /** Print shell `export` lines for the sandbox serving --data (started in the background if needed), then exit. */
  printEnv?: boolean;
}

/** What <data>/vodup-sandbox.json holds while a sandbox serves that folder. */
interface SandboxInfo {
  pid: number;
  endpoint: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** The Tencent personality (endpoint, secretId, secretKey, region, cosDomain, …); absent in files older sandboxes wrote. */
  tencent?: SandboxTencentInfo;
}

const INFO_FILE = 'vodup-sandbox.json';
const LOG_FILE = 'sandbox.log';
/** How long a background sandbox may take to start listening. */
const START_TIMEOUT_MS = 20_000;

/** Serves until SIGINT/SIGTERM (the sandbox closes itself and exits 0); with --print-env prints and returns. */
export async function sandboxCommand(flags: SandboxFlags, out: NodeJS.WritableStream = process.stdout): Promise<void> {
  if (flags.printEnv) return printEnv(flags, out);
  let sandbox: Sandbox;
  try {
    sandbox = await runSandboxCommand({ port: flags.port, data: flags.data, store: flags.store as 'disk' | 'null' | undefined, etag: flags.etag as 'md5' | 'crc64' | undefined, faults: flags.faults,
      review: flags.review, searchLagMs: flags.searchLagMs, ossDenyList: flags.ossDenyList,
    });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
  if (flags.data) writeInfo(flags.data, sandbox);
}

function writeInfo(dir: string, sandbox: Sandbox): void {
  const file = path.join(dir, INFO_FILE);
  const info: SandboxInfo = {
    pid: process.pid, endpoint: sandbox.url, region: sandbox.region,
    accessKeyId: sandbox.accessKeyId, accessKeySecret: sandbox.accessKeySecret,
    tencent: tencentInfo(sandbox),
  };
  // The secret is the sandbox's own (the state file beside it holds it too); only the user reads it.
  fs.writeFileSync(file, `${JSON.stringify(info)}\n`, { mode: 0o600 });
  process.once('exit', () => {
    // Only this process's file: a newer sandbox on the same folder may have replaced it.
    if (readInfo(dir)?.pid === process.pid) fs.rmSync(file, { force: true });
  });
}

function readInfo(dir: string): SandboxInfo | undefined {
  try {
    const info = JSON.parse(fs.readFileSync(path.join(dir, INFO_FILE), 'utf8')) as SandboxInfo;
    return typeof info.pid === 'number' && typeof info.endpoint === 'string' ? info : undefined;
  } catch {
    return undefined;
  }
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The sandbox's admin endpoint answers: the recorded process is the sandbox, not a reused pid. */
function answers(endpoint: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${endpoint}/__admin/state`, { timeout: 2000 }, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(false));
  });
}

async function running(dir: string): Promise<SandboxInfo | undefined> {
  const info = readInfo(dir);
  return info && alive(info.pid) && (await answers(info.endpoint)) ? info : undefined;
}

async function printEnv(flags: SandboxFlags, out: NodeJS.WritableStream): Promise<void> {
  const dir = path.resolve(flags.data ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vod-sandbox-')));
  fs.mkdirSync(dir, { recursive: true });
  let info = await running(dir);
  if (info) {
    process.stderr.write(`vodup: the sandbox serving ${dir} runs already (pid ${info.pid}, ${info.endpoint}); stop it with \`kill ${info.pid}\`.\n`);
  } else {
    info = await startInBackground(dir, flags);
    process.stderr.write(`vodup: sandbox started in the background (pid ${info.pid}, ${info.endpoint}, data ${dir}, log ${path.join(dir, LOG_FILE)}); stop it with \`kill ${info.pid}\`.\n`);
  }
  const q = (v: string): string => `'${v.replace(/'/g, `'\\''`)}'`;
  out.write([
    `export VOD_ENDPOINT=${q(info.endpoint)}`,
    `export VOD_REGION=${q(info.region)}`,
    `export VOD_ACCESS_KEY_ID=${q(info.accessKeyId)}`,
    `export VOD_ACCESS_KEY_SECRET=${q(info.accessKeySecret)}`,
    // A token from another account would be sent with the sandbox's key.
    'unset VOD_SECURITY_TOKEN',
    // Tencent's standard variables (the CLI's Tencent profile reads them; VOD_ENDPOINT reaches both personalities).
    ...(info.tencent ? [
      `export TENCENTCLOUD_SECRET_ID=${q(info.tencent.secretId)}`,
      `export TENCENTCLOUD_SECRET_KEY=${q(info.tencent.secretKey)}`,
      `export TENCENTCLOUD_REGION=${q(info.tencent.region)}`,
      'unset TENCENTCLOUD_SESSION_TOKEN',
    ] : []),
    `export VODUP_SANDBOX_PID=${info.pid}`,
  ].join('\n') + '\n');
}

/** `vodup sandbox --data <dir> …` as a detached process; resolves once it serves. */
async function startInBackground(dir: string, flags: SandboxFlags): Promise<SandboxInfo> {
  const args = [process.argv[1], 'sandbox', '--data', dir];
  if (flags.port !== undefined) args.push('--port', String(flags.port));
  if (flags.store) args.push('--store', flags.store);
  if (flags.etag) args.push('--etag', flags.etag);
  if (flags.faults) args.push('--faults', flags.faults);
  if (flags.review) args.push('--review');
  if (flags.searchLagMs !== undefined) args.push('--search-lag-ms', String(flags.searchLagMs));
  if (flags.ossDenyList) args.push('--oss-deny-list');
  const logPath = path.join(dir, LOG_FILE);
  const log = fs.openSync(logPath, 'a');
  const child = spawn(process.execPath, args, { detached: true, stdio: ['ignore', log, log], windowsHide: true });
  fs.closeSync(log);
  const pid = child.pid;
  let exited: string | undefined;
  child.once('exit', (code, signal) => (exited = signal ?? `exit code ${code}`));
  child.once('error', (err) => (exited = err.message));
  child.unref();
  const deadline = Date.now() + START_TIMEOUT_MS;
  for (;;) {
    const info = readInfo(dir);
    if (pid !== undefined && info?.pid === pid) return info;
    if (exited || pid === undefined) {
      throw new CliError(`The sandbox did not start (${exited ?? 'no process'}). Its output is in ${logPath}:\n${tail(logPath)}`);
    }
    if (Date.now() > deadline) {
      throw new CliError(`The sandbox (pid ${pid}) did not start serving within ${START_TIMEOUT_MS / 1000} s; see ${logPath}.`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}

function tail(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8').trim().split('\n').slice(-5).join('\n');
  } catch {
    return '';
  }
}

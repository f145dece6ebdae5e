// The kill -9 soak (issue 7): `vodup upload` then `vodup run` against the sandbox in its
// own process with faults on, each run killed with SIGKILL at a seeded point and
// restarted, then one last `vodup run` to the end (faults still on); then the checks of
// checks.ts. runSoak() is shared by `npm run soak` (main.ts) and the short CI version.

import fs from 'fs';
import os from 'os';
import path from 'path';
import { startSandbox } from '../../main/sandbox/index';
import type { StateData } from '../../main/sandbox/state';
import { checkSoak, type RunWindow, type Verdict } from './checks';
import { cliEnv, queueStatus, startCli, type CliChild, type CliExit, type StatusJob } from './cli';
import { writeSoakFiles, type SoakFile } from './files';
import { describeKill, killAt, planKill, type KillOutcome, type KillPoint, type Trigger } from './kills';
import type { SoakPreset } from './presets';
import { Rng } from './rng';
import { QueueProbe } from './queue-probe';
import { faultSpec, startSandboxProcess, type AdminState, type SandboxProcess } from './sandbox-process';

const MiB = 1024 * 1024;
const POLL_MS = 15;

export interface SoakOptions {
  preset: SoakPreset;
  seed: number;
  /** Overrides preset.kills. */
  kills?: number;
  /** Progress lines (seed, each kill, the final run). */
  log: (line: string) => void;
  /** Keep the work folder (files, queue, sandbox data) even when everything holds. */
  keep?: boolean;
}

export interface KillRecord {
  n: number;
  command: 'upload' | 'run';
  point: KillPoint;
  firedBy: KillOutcome['firedBy'];
  detail: string;
  atMs: number;
}

export interface SoakReport {
  preset: string;
  seed: number;
  kills: KillRecord[];
  /** `vodup` processes run (killed, ended on their own, the final one). */
  runs: number;
  files: SoakFile[];
  bytes: number;
  /** Bytes OSS received in all (resent parts and cut bodies included). */
  bytesReceived: number;
  fired: Record<string, number>;
  outlived: number;
  faults: Readonly<Record<string, number>>;
  /** Queue events by type (adopted, reconciled, waiting…), from the queue database. */
  events: Record<string, number>;
  createUploadVideo: number;
  /** Requests the sandbox counted, by "vod:Action" / "oss:Operation". */
  requests: Record<string, number>;
  videos: number;
  finalExit: number | null;
  seconds: number;
  violations: string[];
  /** Where the files, queue and sandbox data are (kept after a violation). */
  workDir: string;
  kept: boolean;
}

function tuningFlags(p: SoakPreset): string[] {
  return ['--part-size', String(p.partSizeMiB), '--parallel', String(p.parallel), '--files', String(p.filesInFlight), '--bwlimit', String(p.bwlimitMBps), '--json'];
}

const DONE = new Set(['uploaded', 'ready']);
const TERMINAL = new Set(['ready', 'failed', 'canceled']);

/** Parts each unfinished file still needs (all files before anything was enqueued); `started`: only jobs with a VideoId. */
function partsLeft(files: readonly SoakFile[], jobs: readonly StatusJob[], partSize: number, started = false): number[] {
  if (jobs.length === 0) return started ? [] : files.map((f) => Math.max(1, Math.ceil(f.size / partSize)));
  return jobs.filter((j) => !DONE.has(j.state) && !TERMINAL.has(j.state) && (!started || j.videoId))
    .map((j) => Math.ceil(Math.max(0, j.size - j.bytesDone) / partSize));
}

const sum = (ns: readonly number[]): number => ns.reduce((a, b) => a + b, 0);

function stderrTail(exit: CliExit): string {
  const lines = exit.stderr.trim().split('\n').filter(Boolean);
  return lines.length === 0 ? '(nothing on stderr)' : lines.slice(-6).join(' | ');
}

/** What the runs of one soak share. */
interface Run {
  preset: SoakPreset;
  files: readonly SoakFile[];
  bytes: number;
  mediaDir: string;
  env: NodeJS.ProcessEnv;
  sandbox: SandboxProcess;
  queue: QueueProbe;
  log: (line: string) => void;
  violations: string[];
  windows: RunWindow[];
  /** Runs whose stderr carried an HTTP library's own output. */
  noisy: { run: number; line: string }[];
  /** The `vodup` process working now, killed if the soak itself fails. */
  current?: CliChild;
}

function startRun(r: Run, command: 'upload' | 'run'): CliChild {
  const flags = tuningFlags(r.preset);
  r.current = startCli(command === 'upload' ? ['upload', r.mediaDir, ...flags] : ['run', ...flags], r.env);
  return r.current;
}

function endRun(r: Run, run: CliChild, exit: CliExit | undefined): void {
  r.windows.push({ start: run.startedAt, end: Date.now() });
  if (exit?.libraryNoise) r.noisy.push({ run: r.windows.length, line: exit.libraryNoise });
  r.current = undefined;
}

/** `kills` runs killed with SIGKILL at seeded points; returns them. Stops early (with a violation) if the queue ends first. */
async function killPhase(r: Run, seed: number, kills: number): Promise<{ records: KillRecord[]; enqueued: boolean }> {
  const { preset, files, violations } = r;
  const partSize = preset.partSizeMiB * MiB;
  const reserveParts = Math.ceil(preset.reserveShare * sum(partsLeft(files, [], partSize)));
  const rng = new Rng(seed);
  const records: KillRecord[] = [];
  let enqueued = false;
  let partialNoted = false;
  for (let round = 0; records.length < kills; round++) {
    if (round >= kills * 3) {
      violations.push(`Only ${records.length} of ${kills} kills in ${round} runs: the runs kept ending on their own.`);
      break;
    }
    let jobs = enqueued ? await queueStatus(r.env) : [];
    if (enqueued && jobs.length === 0) enqueued = false; // `vodup upload` was killed before it enqueued
    if (enqueued && jobs.length !== files.length && !partialNoted) {
      partialNoted = true;
      violations.push(`After run ${round}, the queue holds ${jobs.length} jobs for ${files.length} files.`);
    }
    if (enqueued && jobs.every((j) => TERMINAL.has(j.state))) {
      const failed = jobs.filter((j) => j.state !== 'ready').length;
      violations.push(`The queue ended after only ${records.length} of ${kills} kills: ${jobs.length - failed} ready, ${failed} failed or canceled${failed > 0 ? ' (see below)' : ' (the kill points left too little work)'}.`);
      break;
    }
    if (!enqueued) jobs = [];
    const left = partsLeft(files, jobs, partSize);
    const started = partsLeft(files, jobs, partSize, true);
    const point = planKill(rng, {
      remainingParts: sum(left),
      reserveParts,
      nearestJobParts: Math.min(...(started.length > 0 ? started : left.length > 0 ? left : [0])),
      filesInFlight: preset.filesInFlight,
      killsLeft: kills - records.length,
      enqueued,
      jobsWithoutVideo: enqueued ? jobs.filter((j) => !j.videoId).length : files.length,
      partSize,
      guardMs: preset.guardMs,
    });
    const command = enqueued ? 'run' : 'upload';
    const acked = sum(jobs.map((j) => j.bytesDone));
    const base = await r.sandbox.state();
    const ackedBase = r.queue.ackedParts();
    const run = startRun(r, command);
    const outcome = await killAt(run, r.sandbox, r.queue, base, ackedBase, point, POLL_MS);
    endRun(r, run, outcome.exit);
    enqueued = true;
    const where = `vodup ${command.padEnd(6)} [${((100 * acked) / Math.max(1, r.bytes)).toFixed(0).padStart(3)}% acked, ${sum(left)} parts left]`;
    if (outcome.outcome === 'killed') {
      records.push({ n: records.length + 1, command, point, firedBy: outcome.firedBy, detail: outcome.detail, atMs: outcome.atMs });
      r.log(`kill ${String(records.length).padStart(2)}/${kills}  ${where}  aim: ${describeKill(point)} → SIGKILL at ${(outcome.atMs / 1000).toFixed(2)} s on ${outcome.detail}`);
    } else {
      r.log(`run  ${where} ended on its own (exit ${outcome.exit.code ?? outcome.exit.signal}) before its kill point (${describeKill(point)})`);
      if (outcome.exit.code !== 0) {
        violations.push(`\`vodup ${command}\` (run ${round + 1}) exited ${outcome.exit.code ?? outcome.exit.signal} on its own before its kill point: ${stderrTail(outcome.exit)}`);
      }
    }
  }
  return { records, enqueued };
}

/**
 * The final stretch: faults stay on. Each call is retried a bounded number of times and
 * a job that still fails waits and tries again by itself, so the run ends; past the
 * deadline it is called a hang. Returns the exit code (null after a hang).
 */
async function finalRun(r: Run, enqueued: boolean): Promise<number | null> {
  const { preset, violations } = r;
  // Every run so far may have been killed before `vodup upload` enqueued anything.
  const command = enqueued && (await queueStatus(r.env)).length > 0 ? 'run' : 'upload';
  r.log(`final: vodup ${command} with faults still on (deadline ${preset.finalDeadlineMs / 1000} s)`);
  const run = startRun(r, command);
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<'hang'>((resolve) => (timer = setTimeout(() => resolve('hang'), preset.finalDeadlineMs)));
  const ended = await Promise.race([run.exit, deadline]);
  clearTimeout(timer);
  if (ended === 'hang') {
    run.child.kill('SIGKILL');
    const exit = await run.exit;
    endRun(r, run, exit);
    const states = (await queueStatus(r.env)).map((j) => `#${j.id} ${j.state}${j.error ? ` (${j.error.code})` : ''}`).join(', ');
    violations.push(`The final \`vodup ${command}\` did not end within ${preset.finalDeadlineMs / 1000} s (killed). Jobs: ${states}. Its stderr: ${stderrTail(exit)}`);
    return null;
  }
  endRun(r, run, ended);
  r.log(`final: exit ${ended.code ?? ended.signal} after ${((Date.now() - run.startedAt) / 1000).toFixed(1)} s`);
  if (ended.code !== 0) violations.push(`The final \`vodup ${command}\` exited ${ended.code ?? ended.signal} (expected 0): ${stderrTail(ended)}`);
  return ended.code;
}

export async function runSoak(opts: SoakOptions): Promise<SoakReport> {
  const { preset, seed, log } = opts;
  const killsWanted = opts.kills ?? preset.kills;
  const t0 = Date.now();
  const workDir = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), `vodup-soak-${preset.name}-`)));
  const home = path.join(workDir, 'home');
  const dataDir = path.join(workDir, 'sandbox');
  fs.mkdirSync(home, { recursive: true });
  log(`soak (${preset.name}): seed ${seed} — repeat with SOAK_SEED=${seed}; ${killsWanted} kills; faults ${faultSpec(preset.faults)}; SearchMedia lag ${preset.searchLagMs} ms; work folder ${workDir}`);

  const mediaDir = path.join(workDir, 'media');
  const files = writeSoakFiles(mediaDir, seed, preset.files);
  const bytes = sum(files.map((f) => f.size));
  log(`files: ${files.map((f) => `${f.name} ${f.size} B`).join(', ')} (${(bytes / MiB).toFixed(1)} MiB)`);

  const sandbox = await startSandboxProcess(dataDir, preset.faults, preset.searchLagMs);
  const r: Run = {
    preset, files, bytes, mediaDir, sandbox, log,
    env: cliEnv(sandbox.line, home),
    queue: new QueueProbe(path.join(home, 'vodup', 'queue.db')),
    violations: [], windows: [], noisy: [],
  };
  let kills: KillRecord[];
  let finalExit: number | null;
  let stats: AdminState;
  let jobs: StatusJob[];
  try {
    const phase = await killPhase(r, seed, killsWanted);
    kills = phase.records;
    finalExit = await finalRun(r, phase.enqueued);
    if (r.noisy.length > 0) {
      r.violations.push(`${r.noisy.length} of ${r.windows.length} vodup runs printed an HTTP library's own output on stderr (run ${r.noisy[0].run}: "${r.noisy[0].line}").`);
    }
    jobs = await queueStatus(r.env);
    stats = await sandbox.state();
  } finally {
    r.current?.child.kill('SIGKILL');
    r.queue.close();
    await sandbox.stop();
  }

  // The sandbox wrote its state on SIGTERM: read its credentials, and open its data
  // in-process (no faults) to read the videos and the stored bytes.
  const state = JSON.parse(fs.readFileSync(path.join(dataDir, 'sandbox-state.json'), 'utf8')) as StateData;
  const reader = await startSandbox({ dataDir, store: 'disk' });
  let verdict: Verdict;
  let videos: number;
  try {
    const all = reader.videos();
    videos = all.length;
    verdict = await checkSoak({
      files, jobs, videos: all, stats, windows: r.windows,
      readObject: (b, k) => reader.readObject(b, k),
      faults: preset.faults,
      credentials: Object.values(state.credentials),
    });
  } finally {
    await reader.close();
  }
  const violations = [...r.violations, ...verdict.violations];
  const events = r.queue.eventCounts();
  const kept = !!opts.keep || violations.length > 0;
  if (!kept) fs.rmSync(workDir, { recursive: true, force: true });
  return {
    preset: preset.name, seed, kills, runs: r.windows.length, files, bytes,
    bytesReceived: stats.bytesReceived, fired: verdict.fired, outlived: verdict.outlived, faults: preset.faults,
    events, createUploadVideo: stats.createUploadVideo, requests: stats.requests, videos, finalExit,
    seconds: (Date.now() - t0) / 1000, violations, workDir, kept,
  };
}

/** The printed summary: seed, kills, faults fired, files, bytes, time, and the verdict. */
export function formatSummary(r: SoakReport): string {
  const byTrigger = new Map<Trigger, number>();
  for (const k of r.kills) byTrigger.set(k.point.trigger, (byTrigger.get(k.point.trigger) ?? 0) + 1);
  const firedBy = new Map<string, number>();
  const label: Record<string, string> = { cap: 'part cap', guard: 'time guard', exit: 'own exit' };
  for (const k of r.kills) firedBy.set(label[k.firedBy] ?? k.firedBy, (firedBy.get(label[k.firedBy] ?? k.firedBy) ?? 0) + 1);
  const faults = Object.entries(r.faults).map(([k, v]) => k === 'credentialTtlSeconds'
    ? `${k}=${v}: ${r.fired[k] ?? 0} credential renewals within a run (${r.outlived} after the run's first credential had expired)`
    : `${k}=${v}: fired ${r.fired[k] ?? 0}×`);
  const events = ['adopted', 'reconciled', 'upload-expired', 'waiting', 'failed'].map((t) => `${t} ${r.events[t] ?? 0}`).join(', ');
  const sum = (prefix: string): number => Object.entries(r.requests).filter(([k]) => k.startsWith(prefix)).reduce((n, [, v]) => n + v, 0);
  const lines = [
    `soak (${r.preset}) ${r.violations.length === 0 ? 'PASSED' : `FAILED (${r.violations.length} violation(s))`} — seed ${r.seed}`,
    `  kills: ${r.kills.length} (aimed: ${[...byTrigger].map(([t, n]) => `${t} ${n}`).join(', ')}; fired on: ${[...firedBy].map(([t, n]) => `${t} ${n}`).join(', ')}); ${r.runs} vodup runs in all`,
    `  faults: ${faults.join('; ')}`,
    `  files: ${r.files.length}, ${(r.bytes / MiB).toFixed(1)} MiB (${r.files.map((f) => f.size).join(', ')} bytes); OSS received ${(r.bytesReceived / MiB).toFixed(1)} MiB`,
    `  requests: VOD ${sum('vod:')}, OSS ${sum('oss:')} (UploadPart ${r.requests['oss:UploadPart'] ?? 0}, PutObject ${r.requests['oss:PutObject'] ?? 0}, CompleteMultipartUpload ${r.requests['oss:CompleteMultipartUpload'] ?? 0})`,
    `  VOD: ${r.createUploadVideo} CreateUploadVideo, ${r.videos} videos for ${r.files.length} files; queue events: ${events}; final exit ${r.finalExit ?? 'none'}`,
    `  time: ${r.seconds.toFixed(0)} s`,
  ];
  for (const v of r.violations) lines.push(`  VIOLATION: ${v}`);
  if (r.kept) lines.push(`  work folder kept: ${r.workDir}`);
  return lines.join('\n');
}

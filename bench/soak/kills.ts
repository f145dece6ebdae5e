// Where each kill -9 lands. A kill point is drawn from the seed before its run starts;
// what it waits for is counted by the sandbox (requests that reached it, bytes it
// received) or by the queue (parts recorded as acknowledged), so the same seed aims at
// the same moments of the upload: right after the Kth acknowledged part (others on the
// wire), a given number of bytes into the run (mid-part), a time after start (start-up,
// restore, ListParts, status polling), right after CreateUploadVideo reached VOD (the
// lost-answer case), or right after CompleteMultipartUpload reached OSS. Every kill also
// has a cap on the parts acknowledged in its run, derived from the work left, so the
// kills spread over the whole upload instead of it finishing early, and a time guard
// for a run that waits.

import type { CliChild, CliExit } from './cli';
import type { QueueProbe } from './queue-probe';
import type { Rng } from './rng';
import type { AdminState, SandboxProcess } from './sandbox-process';

export type Trigger = 'part' | 'bytes' | 'time' | 'create' | 'complete';

export interface KillPoint {
  trigger: Trigger;
  /** Kill at this many parts acknowledged in the run, whatever the trigger (≥ 1). */
  capParts: number;
  /** 'bytes': received by the sandbox during the run. */
  bytes: number;
  /** 'time': after the start of the process. */
  ms: number;
  /** Killed after this long whatever else (a run whose jobs wait out a backoff). */
  guardMs: number;
}

export interface KillContext {
  /** Parts not yet acknowledged, over all jobs (from `vodup status`). */
  remainingParts: number;
  /** Parts kept for the final, unkilled run. */
  reserveParts: number;
  killsLeft: number;
  /** False until a `vodup upload` has put the files in the queue. */
  enqueued: boolean;
  /** Jobs that have no VideoId yet (a CreateUploadVideo is still to come). */
  jobsWithoutVideo: number;
  /** Parts left to the started (VideoId) job closest to its CompleteMultipartUpload. */
  nearestJobParts: number;
  /** `--files`: jobs uploading at once. */
  filesInFlight: number;
  partSize: number;
  guardMs: number;
}

const TRIGGERS: readonly (readonly [Trigger, number])[] = [
  ['part', 35], ['bytes', 25], ['time', 20], ['create', 10], ['complete', 10],
];

/** Draws the next kill point; the same number of draws whatever the context, so later kills keep their seed. */
export function planKill(rng: Rng, ctx: KillContext): KillPoint {
  let trigger = rng.pick(TRIGGERS);
  const u = rng.next();
  const v = rng.next();
  const usable = Math.max(0, ctx.remainingParts - ctx.reserveParts);
  // About usable/killsLeft parts acknowledged per run, on average.
  let capParts = Math.max(1, Math.ceil((2 * u * usable) / Math.max(1, ctx.killsLeft)));
  if (trigger === 'create' && ctx.jobsWithoutVideo === 0) trigger = 'time';
  // A kill before `vodup upload` has enqueued anything tests nothing and wastes a kill.
  if (trigger === 'time' && !ctx.enqueued) trigger = 'part';
  // A complete comes when the started job closest to its end has its parts (shared with
  // the other files in flight), and a create when a job ends and frees a slot: leave
  // room for that when it costs at most a quarter of the budget left.
  if (trigger === 'create' || trigger === 'complete') {
    const room = (ctx.nearestJobParts + 1) * ctx.filesInFlight;
    if (room <= usable / 4) capParts = Math.max(capParts, room);
  }
  return {
    trigger,
    capParts,
    bytes: Math.max(1024, Math.round(v * capParts * ctx.partSize)),
    ms: Math.round(150 + v * 2850),
    guardMs: ctx.guardMs,
  };
}

export function describeKill(k: KillPoint): string {
  const what = {
    part: `right after acknowledged part #${k.capParts}`,
    bytes: `after ${k.bytes} bytes reach OSS`,
    time: `${k.ms} ms after start`,
    create: 'right after a CreateUploadVideo reaches VOD',
    complete: 'right after a CompleteMultipartUpload reaches OSS',
  }[k.trigger];
  return k.trigger === 'part' ? what : `${what}, or after acknowledged part #${k.capParts}`;
}

export interface KillOutcome {
  /** 'killed' by SIGKILL, or 'exited' on its own before its kill point. */
  outcome: 'killed' | 'exited';
  /** What fired the kill: the aimed trigger, the UploadPart cap, or the time guard. */
  firedBy: Trigger | 'cap' | 'guard' | 'exit';
  /** The counter that fired it, e.g. "acknowledged part #3". */
  detail: string;
  atMs: number;
  exit: CliExit;
}

const count = (s: AdminState, name: string): number => s.requests[name] ?? 0;

/** Which part of the kill point the sandbox's counters (relative to `base`) have reached, if any. */
function reached(k: KillPoint, base: AdminState, s: AdminState, parts: number, elapsed: number): { firedBy: KillOutcome['firedBy']; detail: string } | undefined {
  const bytes = s.bytesReceived - base.bytesReceived;
  if (k.trigger === 'bytes' && bytes >= k.bytes) return { firedBy: 'bytes', detail: `${bytes} bytes received` };
  if (k.trigger === 'time' && elapsed >= k.ms) return { firedBy: 'time', detail: `${elapsed} ms` };
  if (k.trigger === 'create' && count(s, 'vod:CreateUploadVideo') > count(base, 'vod:CreateUploadVideo')) return { firedBy: 'create', detail: 'CreateUploadVideo' };
  if (k.trigger === 'complete' && count(s, 'oss:CompleteMultipartUpload') > count(base, 'oss:CompleteMultipartUpload')) {
    return { firedBy: 'complete', detail: 'CompleteMultipartUpload' };
  }
  if (parts >= k.capParts) return { firedBy: k.trigger === 'part' ? 'part' : 'cap', detail: `acknowledged part #${parts}` };
  if (elapsed >= k.guardMs) return { firedBy: 'guard', detail: `the ${k.guardMs} ms guard` };
  return undefined;
}

/**
 * Watches the sandbox's counters and the queue while `run` works and kills it with
 * SIGKILL when the kill point is reached (polling every `pollMs`). `base` is the sandbox
 * state and `ackedBase` the acknowledged parts, both read just before the run started.
 */
export async function killAt(
  run: CliChild, sandbox: SandboxProcess, queue: QueueProbe, base: AdminState, ackedBase: number, k: KillPoint, pollMs: number,
): Promise<KillOutcome> {
  let exited = false;
  void run.exit.then(() => (exited = true));
  while (!exited) {
    const s = await sandbox.state();
    const parts = queue.ackedParts() - ackedBase;
    const elapsed = Date.now() - run.startedAt;
    const hit = exited ? undefined : reached(k, base, s, parts, elapsed);
    if (hit) {
      run.child.kill('SIGKILL');
      const exit = await run.exit;
      // It may have finished on its own in the instant between the poll and the kill.
      return { outcome: exit.signal === 'SIGKILL' ? 'killed' : 'exited', ...hit, atMs: elapsed, exit };
    }
    await new Promise((r) => setTimeout(r, pollMs));
  }
  return { outcome: 'exited', firedBy: 'exit', detail: 'its own exit', atMs: Date.now() - run.startedAt, exit: await run.exit };
}

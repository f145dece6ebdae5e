// One engine for the life of a command, and the rules around it that are not the
// command's business:
// - the first SIGINT/SIGTERM shuts the engine down gracefully (parts in flight settle,
//   the checkpoint stays consistent) and exits 130/143; a second SIGINT exits at once —
//   safe, because the queue is crash-safe and `vodup run` resumes it;
// - stdout closed by its reader (`vodup status | head -1`: EPIPE) ends the command
//   quietly: a command that only read the queue exits 0; one that was uploading stops
//   as on SIGTERM and exits 141 (128 + SIGPIPE, what a shell shows for a tool the pipe
//   ended), since its work is not done.

import type { EngineSettings } from '../../shared/types';
import { openEngine, UploadEngine, type EngineOptions, type UploadEngineApi } from '../engine/index';
import type { VideoProvider } from '../engine/provider';
import type { JobView, ProgressBatch } from '../../shared/types';
import { cliAccount } from './credentials';
import { EXIT } from './errors';
import { keepingAlive } from './keep-alive';

export interface SessionOptions {
  dbPath: string;
  settings?: Partial<EngineSettings>;
  /** Called at most once, on the engine's first need of the cloud. */
  provider: () => VideoProvider;
  /**
   * false: open the queue without starting the scheduler (status, pause, …), so that
   * reading or editing the queue never starts uploads; `Session.start()` starts it later
   * (`vodup run` first notes which jobs it is about to run).
   */
  start: boolean;
  /** Told when a signal starts the graceful stop. */
  onStopping?: (signal: NodeJS.Signals) => void;
}

export interface Session {
  engine: UploadEngineApi;
  /** Starts the scheduler of a session opened with `start: false`. */
  start(): Promise<void>;
  /** Shuts the engine down and removes the signal handlers. */
  close(): Promise<void>;
}

/** How the open session (a command has at most one) stops when stdout is gone. */
let stopForBrokenPipe: (() => void) | undefined;

/**
 * stdout's reader went away (EPIPE). Nothing more can be reported, so the command ends
 * without a word: at once when no session is open, else after the session's graceful stop.
 */
export function endOnBrokenPipe(): void {
  if (stopForBrokenPipe) stopForBrokenPipe();
  else process.exit(EXIT.ok);
}

export async function openSession(opts: SessionOptions): Promise<Session> {
  let provider: VideoProvider | undefined;
  let account: string | undefined;
  const engineOpts: EngineOptions = {
    dbPath: opts.dbPath,
    settings: opts.settings,
    // The CLI uploads with one account; every profile id maps to it.
    providerFor: () => (provider ??= opts.provider()),
    // …and so does the ledger's account (AccessKeyId@endpoint), read once when first needed.
    accountOf: () => (account ??= cliAccount()),
  };
  // openEngine also starts the scheduler; the bare constructor only opens the queue.
  const engine: UploadEngineApi = opts.start ? await openEngine(engineOpts) : new UploadEngine(engineOpts);
  let uploading = opts.start;

  let stopping = false;
  const stop = (code: number): void => {
    stopping = true;
    engine.shutdown().then(
      () => process.exit(code),
      () => process.exit(code),
    );
  };
  const onSignal = (signal: NodeJS.Signals): void => {
    const code = signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
    if (stopping) {
      if (signal === 'SIGINT') process.exit(code);
      return;
    }
    opts.onStopping?.(signal);
    stop(code);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  stopForBrokenPipe = () => {
    if (!stopping) stop(uploading ? EXIT.sigpipe : EXIT.ok);
  };

  return {
    engine,
    async start() {
      await engine.start();
      uploading = true;
    },
    async close() {
      // A signal or a closed stdout is already stopping the engine, and that stop ends the
      // process with its own exit code: the command must not go on to report and exit with
      // another one.
      if (stopping) return new Promise<never>(() => undefined);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      stopForBrokenPipe = undefined;
      await engine.shutdown();
    },
  };
}

/** Outside the transfer window nothing moves: say so, and until when. */
export function noteClosedWindow(engine: { totals(): { windowOpensAt?: number } }, reporter: { note(text: string): void }): void {
  const opensAt = engine.totals().windowOpensAt;
  if (opensAt !== undefined) {
    reporter.note(`Outside the transfer window: waiting until ${new Date(opensAt).toLocaleString()} (change it with --window, or "--window any").`);
  }
}

/**
 * How a transferring command waits: every job change goes to `onChange` and every progress
 * tick to the reporter while `start` runs and then `wait` (kept alive: see keep-alive.ts);
 * a closed transfer window is said first. The subscriptions end with the wait.
 */
export async function reportingWhile<T>(
  engine: Pick<UploadEngineApi, 'onDidChangeJobs' | 'onDidProgress' | 'totals'>,
  reporter: { note(text: string): void; progress(batch: ProgressBatch): void },
  onChange: (jobs: JobView[]) => void,
  start: () => Promise<void>,
  wait: () => Promise<T>,
): Promise<T> {
  const sub = engine.onDidChangeJobs(onChange);
  const psub = engine.onDidProgress((b) => reporter.progress(b));
  try {
    await start();
    noteClosedWindow(engine, reporter);
    return await keepingAlive(wait());
  } finally {
    sub.dispose();
    psub.dispose();
  }
}

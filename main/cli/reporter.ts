// What the operator sees while the CLI works. Three modes, chosen once:
// - json:  stdout carries nothing but one JSON line per file when it finishes;
//          live progress goes to stderr: the block when stderr is a terminal, else
//          the progress lines below.
// - live:  a terminal; state changes as lines, plus a progress block (overall and one
//          row per active file) redrawn in place at most 4 times a second.
// - plain: not a terminal (logs, CI); state changes as lines, and a progress line every
//          --progress-interval seconds while something moves (progress-lines.ts).
// A command with a scope (its own jobs) reports only those: other jobs of the queue that
// change meanwhile are not its business.

import readline from 'readline';
import {
  DONE_STATES, isKnownVodStatus, type DuplicateFile, type JobError, type JobState, type JobView, type ProgressBatch,
  type QueueTotals,
} from '../../shared/types';
import { fitWidth, formatBytes, formatDuration, formatSpeed, percentText } from './format';
import { ProgressLines } from './progress-lines';

/** The JSON line written for each file (`--json`). */
export interface FileRecord {
  path: string;
  jobId: number | null;
  videoId: string | null;
  /**
   * A job state, or "rejected" (invalid input) / "skipped" (not a VOD format, found in a
   * folder) / "duplicate" (the account has it already: `duplicate` says where).
   */
  state: JobState | 'rejected' | 'skipped' | 'duplicate';
  size: number | null;
  crc64: string | null;
  error: { code: string; message: string; hint?: string } | null;
  /** state "duplicate": the VideoId or job the account has this file as (--duplicates). */
  duplicate?: DuplicateFile;
}

export function recordOfJob(job: JobView): FileRecord {
  return {
    path: job.path,
    jobId: job.id,
    videoId: job.videoId ?? null,
    state: job.state,
    size: job.size,
    crc64: job.crc64 ?? null,
    error: job.error ? errorOf(job.error) : null,
  };
}

function errorOf(e: JobError): FileRecord['error'] {
  return e.hint ? { code: e.code, message: e.message, hint: e.hint } : { code: e.code, message: e.message };
}

export interface Reporter {
  /**
   * The jobs of this command: the progress block's totals ("Overall 91%", "n of m files
   * ready") count these, not the queue's history. Until a command tracks any, the
   * queue's totals are shown.
   */
  track(jobs: readonly JobView[]): void;
  jobsChanged(jobs: readonly JobView[]): void;
  progress(batch: ProgressBatch): void;
  /** A file is done for this run (or was never enqueued). */
  fileDone(rec: FileRecord): void;
  /** Human information (stdout in plain/live mode, stderr in json mode). */
  note(message: string): void;
  /** A problem with one input, always on stderr. */
  problem(path: string, message: string): void;
  close(): void;
}

export interface ReporterOptions {
  json: boolean;
  stdout?: NodeJS.WriteStream;
  stderr?: NodeJS.WriteStream;
  /** Job lookup for names and sizes of active jobs in the progress block. */
  lookup: (id: number) => JobView | undefined;
  /** The command's jobs, filled as it learns them; undefined = every job of the queue. */
  scope?: ReadonlySet<number>;
  /** Seconds between progress lines when no terminal shows the live block; 0 = none. */
  progressIntervalSec?: number;
}

/** Default of --progress-interval. */
export const DEFAULT_PROGRESS_INTERVAL_SEC = 30;

const REDRAW_MS = 250;
const MAX_FILE_ROWS = 10;

export function createReporter(opts: ReporterOptions): Reporter {
  const stdout = opts.stdout ?? process.stdout;
  const stderr = opts.stderr ?? process.stderr;
  // The command's jobs as last seen, for the live block's totals (scopeTotals).
  const tracked = new Map<number, JobView>();
  const live = stderr.isTTY ? new LiveBlock(stderr, opts.lookup, tracked) : undefined;
  const write = (stream: NodeJS.WritableStream, text: string): void => {
    if (live) live.clear();
    stream.write(text);
    if (live) live.draw();
  };
  const lastState = new Map<number, string>();
  const lines = live ? undefined : progressLines(opts, (line) => write(opts.json ? stderr : stdout, `${line}\n`));

  return {
    track(jobs) {
      for (const job of jobs) tracked.set(job.id, job);
    },
    jobsChanged(jobs) {
      for (const job of jobs) if (tracked.has(job.id)) tracked.set(job.id, job);
      for (const job of inScope(jobs, opts.scope)) {
        // A waiting job is shown again when the reason it waits for changes; a VOD status
        // the app does not know is a line of its own: polling goes on, and the operator
        // sees what it waits on instead of silence.
        const seen = job.state === 'waiting' ? `waiting:${job.error?.code ?? ''}`
          : job.state === 'uploaded' && job.vodStatus && !isKnownVodStatus(job.vodStatus) ? `${job.state}:${job.vodStatus}`
            : job.state;
        if (lastState.get(job.id) === seen) continue;
        lastState.set(job.id, seen);
        // JSON mode keeps stdout for the file lines, but never waits without a word.
        if (opts.json) {
          if (job.state === 'waiting') write(stderr, `vodup: ${describeState(job)}\n`);
          continue;
        }
        write(stdout, `${describeState(job)}\n`);
      }
    },
    progress(batch) {
      live?.update(batch);
      lines?.update(batch);
    },
    fileDone(rec) {
      if (opts.json) write(stdout, `${JSON.stringify(rec)}\n`);
      else if (rec.state === 'skipped') write(stdout, `skipped  ${rec.path}: ${rec.error?.message ?? ''}\n`);
      else if (rec.state === 'duplicate' && rec.duplicate) write(stdout, `duplicate  ${rec.path}: ${describeDuplicate(rec.duplicate)}\n`);
    },
    note(message) {
      write(opts.json ? stderr : stdout, `${message}\n`);
    },
    problem(path, message) {
      write(stderr, `vodup: ${path}: ${message}\n`);
    },
    close() {
      live?.close();
      lines?.close();
    },
  };
}

function inScope(jobs: readonly JobView[], scope: ReadonlySet<number> | undefined): readonly JobView[] {
  return scope ? jobs.filter((j) => scope.has(j.id)) : jobs;
}

/** Plain progress lines for output that is not a terminal, unless turned off. */
function progressLines(opts: ReporterOptions, write: (line: string) => void): ProgressLines | undefined {
  const seconds = opts.progressIntervalSec ?? DEFAULT_PROGRESS_INTERVAL_SEC;
  if (seconds <= 0) return undefined;
  return new ProgressLines({ intervalMs: seconds * 1000, write, lookup: opts.lookup, scope: opts.scope });
}

/**
 * The closing words of a command that ran jobs: how many reached the goal, and each
 * one that did not, with its state and why.
 */
export function outcomeSummary(finals: readonly JobView[], reached: (job: JobView) => boolean, goal: string): string {
  const bad = finals.filter((j) => !reached(j));
  // Awaiting review (VOD status Checking) is done for the uploader, and said apart.
  const review = finals.filter((j) => j.state === 'review' && reached(j)).length;
  const good = `${finals.length - bad.length - review} file(s) ${goal}` +
    (review > 0 ? `, ${review} awaiting review in VOD (\`vodup retry <id…>\` checks again)` : '');
  if (bad.length === 0) return `Done: ${good}.`;
  const lines = [`${good}, ${bad.length} not:`];
  for (const j of bad) {
    const why = j.error ? `${j.error.code}: ${j.error.message}${j.error.hint ? ` — ${j.error.hint}` : ''}` : '';
    lines.push(`  #${j.id} ${j.state}  ${j.path}${why ? `  ${why}` : ''}`);
  }
  lines.push(bad.some((j) => j.state === 'paused')
    ? 'They stay in the queue: `vodup resume <id…>` (paused) or `vodup retry <id…>` (failed, canceled), then `vodup run` (see `vodup status`).'
    : 'They stay in the queue: `vodup retry <id…>` then `vodup run` (see `vodup status`).');
  return lines.join('\n');
}

/** "uploaded on 2026-12-01 as VideoId …" / "already in the queue as #12", and where it was then. */
export function describeDuplicate(d: DuplicateFile): string {
  const what = d.kind === 'uploaded'
    ? `uploaded${d.uploadedAt !== undefined ? ` on ${new Date(d.uploadedAt).toISOString().slice(0, 10)}` : ''} as VideoId ${d.videoId}`
    : d.jobId !== undefined ? `already in the queue as #${d.jobId}` : 'a copy of another file of this command';
  return `${what}${d.previousPath ? ` (from ${d.previousPath})` : ''}`;
}

function describeState(job: JobView): string {
  const id = `#${job.id}`.padEnd(7);
  // The longest state ("completing") keeps a space before the path.
  const state = job.state.padEnd(11);
  let tail = '';
  if (job.videoId) tail += `  VideoId ${job.videoId}`;
  if (job.state === 'failed' || job.state === 'waiting') {
    if (job.error) tail += `  ${job.error.code}: ${job.error.message}${job.error.hint ? ` — ${job.error.hint}` : ''}`;
  }
  if (job.state === 'review') tail += '  awaiting review in VOD (status Checking); `vodup retry ' + job.id + '` checks again';
  if (job.state === 'uploaded' && job.vodStatus && !isKnownVodStatus(job.vodStatus)) {
    tail += `  VOD reports status "${job.vodStatus}", which this app does not know; it keeps checking`;
  }
  return `${id}${state}${job.path}${tail}`;
}

/** The in-place progress block on a terminal. */
class LiveBlock {
  private lines = 0;
  private batch: ProgressBatch | undefined;
  private lastDraw = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly out: NodeJS.WriteStream,
    private readonly lookup: (id: number) => JobView | undefined,
    private readonly scope: ReadonlyMap<number, JobView>,
  ) {}

  update(batch: ProgressBatch): void {
    this.batch = batch;
    const wait = this.lastDraw + REDRAW_MS - Date.now();
    if (wait <= 0) {
      this.clear();
      this.draw();
    } else if (!this.timer) {
      this.timer = setTimeout(() => {
        this.timer = undefined;
        this.clear();
        this.draw();
      }, wait);
      this.timer.unref();
    }
  }

  clear(): void {
    if (this.lines === 0) return;
    readline.moveCursor(this.out, 0, -this.lines);
    readline.cursorTo(this.out, 0);
    readline.clearScreenDown(this.out);
    this.lines = 0;
  }

  draw(): void {
    if (!this.batch) return;
    this.lastDraw = Date.now();
    const rows = this.render(this.batch).map((l) => fitWidth(l, this.out.columns));
    this.out.write(`${rows.join('\n')}\n`);
    this.lines = rows.length;
  }

  close(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.clear();
    this.batch = undefined; // nothing is redrawn after the final summary
  }

  private render(batch: ProgressBatch): string[] {
    const t = this.scope.size > 0 ? scopeTotals(this.scope, batch) : batch.totals;
    const remaining = Math.max(0, t.bytesTotal - t.bytesDone);
    const eta = t.speed > 0 ? remaining / t.speed : undefined;
    const ready = DONE_STATES.reduce((n, s) => n + (t.byState[s] ?? 0), 0);
    const out = [
      `Overall  ${percentText(t.bytesDone, t.bytesTotal)}  ${formatBytes(t.bytesDone)} / ${formatBytes(t.bytesTotal)}  ` +
        `${formatSpeed(t.speed)}  ETA ${formatDuration(eta)}  ${ready} of ${t.jobs} files ready`,
    ];
    const termRows = this.out.rows || 24; // 0 on some pseudo-terminals
    const room = Math.max(1, Math.min(MAX_FILE_ROWS, termRows - 3));
    const active = batch.jobs.filter((j) => {
      const job = this.lookup(j.id);
      return job !== undefined && job.state === 'uploading';
    });
    for (const p of active.slice(0, room)) {
      const job = this.lookup(p.id) as JobView;
      out.push(
        `  #${p.id} ${job.fileName}  ${percentText(p.bytesDone, job.size)}  ${formatBytes(p.bytesDone)} / ${formatBytes(job.size)}  ` +
          `${formatSpeed(p.speed)}  ETA ${formatDuration(p.etaSeconds)}`,
      );
    }
    if (active.length > room) out.push(`  … and ${active.length - room} more uploading`);
    return out;
  }
}

/**
 * Totals over the command's own jobs: sizes and states from their last views, bytes in
 * flight and speed from the progress batch.
 */
export function scopeTotals(scope: ReadonlyMap<number, JobView>, batch: ProgressBatch): QueueTotals {
  const live = new Map(batch.jobs.map((p) => [p.id, p]));
  const t: QueueTotals = { jobs: 0, byState: {}, bytesTotal: 0, bytesDone: 0, speed: 0 };
  for (const job of scope.values()) {
    t.jobs++;
    t.byState[job.state] = (t.byState[job.state] ?? 0) + 1;
    t.bytesTotal += job.size;
    const p = live.get(job.id);
    const complete = DONE_STATES.includes(job.state) || job.state === 'uploaded';
    t.bytesDone += complete ? job.size : Math.min(job.size, p?.bytesDone ?? job.bytesDone);
    t.speed += p?.speed ?? 0;
  }
  return t;
}

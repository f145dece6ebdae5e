// Progress for output that is not a terminal (a log, CI, `| tee`): no block redrawn in
// place, but one plain line every `intervalMs`, and only when something happened since
// the last one (bytes moved, or the reasons jobs wait for changed), so a long upload is
// never silent for minutes and an idle wait does not fill the log.
//
// The line covers the command's own files (its scope) when it has one, else the queue.

import { TERMINAL_STATES, type JobView, type ProgressBatch } from '../../shared/types';
import { formatBytes, formatDuration, formatSpeed, percentText } from './format';

export interface ProgressLinesOptions {
  intervalMs: number;
  write: (line: string) => void;
  lookup: (id: number) => JobView | undefined;
  /** The command's jobs; undefined = the whole queue (the engine's totals). */
  scope?: ReadonlySet<number>;
  now?: () => number;
}

interface Snapshot {
  bytesDone: number;
  bytesTotal: number;
  done: number;
  files: number;
  /** Waiting jobs by reason, as text: a change of reason is news. */
  waiting: string;
}

export class ProgressLines {
  private batch: ProgressBatch | undefined;
  /** The last line written, or the state when the first progress came: what news is measured against. */
  private last: { at: number; snap: Snapshot } | undefined;
  private readonly timer: NodeJS.Timeout;
  private readonly now: () => number;

  constructor(private readonly opts: ProgressLinesOptions) {
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => {
      try {
        this.tick();
      } catch {
        // The queue closed under the timer (a signal's shutdown): the command is ending,
        // and its own last words say how it ended.
        this.close();
      }
    }, opts.intervalMs);
    // The command's own work keeps the process alive, not this timer.
    this.timer.unref();
  }

  update(batch: ProgressBatch): void {
    this.batch = batch;
    if (!this.last) this.baseline();
  }

  close(): void {
    clearInterval(this.timer);
  }

  /** Writes a line if bytes moved or waiting reasons changed since the last one. */
  tick(): void {
    const prev = this.last;
    if (!prev) return this.baseline();
    const snap = this.snapshot();
    if (!snap) return;
    const at = this.now();
    if (snap.bytesDone === prev.snap.bytesDone && snap.waiting === prev.snap.waiting) return;
    this.last = { at, snap };
    const seconds = Math.max(0.001, (at - prev.at) / 1000);
    const speed = Math.max(0, snap.bytesDone - prev.snap.bytesDone) / seconds;
    const remaining = Math.max(0, snap.bytesTotal - snap.bytesDone);
    const eta = speed > 0 ? remaining / speed : undefined;
    // What adaptive concurrency chose (each at most its setting), when the engine said.
    const c = this.batch?.totals.concurrency;
    const atOnce = c ? `  ${c.parts} parts / ${c.files} files at once` : '';
    let line = `Progress  ${percentText(snap.bytesDone, snap.bytesTotal)}  ${formatBytes(snap.bytesDone)} / ${formatBytes(snap.bytesTotal)}  ` +
      `${formatSpeed(speed)}${atOnce}  ETA ${formatDuration(eta)}  ${snap.done} of ${snap.files} files done`;
    if (snap.waiting) line += `  waiting: ${snap.waiting}`;
    this.opts.write(line);
  }

  private baseline(): void {
    const snap = this.snapshot();
    // Waiting from the start is news too: the baseline has no reasons.
    if (snap) this.last = { at: this.now(), snap: { ...snap, waiting: '' } };
  }

  private snapshot(): Snapshot | undefined {
    const { scope } = this.opts;
    if (!scope) {
      const t = this.batch?.totals;
      if (!t) return undefined;
      const done = TERMINAL_STATES.reduce((n, s) => n + (t.byState[s] ?? 0), 0);
      const waiting = t.byState.waiting ? `${t.byState.waiting} job(s)` : '';
      return { bytesDone: t.bytesDone, bytesTotal: t.bytesTotal, done, files: t.jobs, waiting };
    }
    if (scope.size === 0) return undefined;
    let bytesDone = 0;
    let bytesTotal = 0;
    let done = 0;
    const reasons = new Map<string, number>();
    for (const id of scope) {
      const job = this.opts.lookup(id);
      if (!job) continue;
      bytesTotal += job.size;
      if (TERMINAL_STATES.includes(job.state)) done++;
      // getJob counts the bytes in flight too.
      bytesDone += Math.min(job.size, job.bytesDone);
      if (job.state === 'waiting') {
        const why = job.error?.code ?? 'waiting';
        reasons.set(why, (reasons.get(why) ?? 0) + 1);
      }
    }
    const waiting = [...reasons].sort(([a], [b]) => a.localeCompare(b)).map(([why, n]) => `${n} ${why}`).join(', ');
    return { bytesDone, bytesTotal, done, files: scope.size, waiting };
  }
}

// What the desktop shell does with the queue's activity, as plain logic the Electron
// glue feeds: keep the machine awake while uploading, show progress in the taskbar,
// and tell the operator when a batch finishes or a job fails.

import { TAB_STATES, type JobState, type JobView, type QueueTotals } from '../../shared/types';

/** States in which the app works on its own (queued jobs get scheduled). */
const BUSY_STATES: readonly JobState[] = ['queued', ...TAB_STATES.active, ...TAB_STATES.processing];

export function activeJobCount(totals: QueueTotals): number {
  return BUSY_STATES.reduce((n, s) => n + (totals.byState[s] ?? 0), 0);
}

export interface ProgressBarState {
  /** 0…1, or -1 to remove the bar. */
  progress: number;
  /** 'paused' when every active job waits (offline or throttled). */
  mode: 'normal' | 'paused' | 'none';
}

export function progressBarFor(totals: QueueTotals): ProgressBarState {
  const active = activeJobCount(totals);
  if (active === 0 || totals.bytesTotal <= 0) return { progress: -1, mode: 'none' };
  const progress = Math.min(1, Math.max(0, totals.bytesDone / totals.bytesTotal));
  return { progress, mode: (totals.byState.waiting ?? 0) === active ? 'paused' : 'normal' };
}

export interface PowerSaveBlockerLike {
  start(type: 'prevent-app-suspension' | 'prevent-display-sleep'): number;
  stop(id: number): void;
  isStarted(id: number): boolean;
}

/** Keeps the system from suspending while any job is active; lets it sleep when idle. */
export class PowerGuard {
  private id: number | undefined;

  constructor(private readonly blocker: PowerSaveBlockerLike) {}

  update(busy: boolean): void {
    if (busy && this.id === undefined) {
      this.id = this.blocker.start('prevent-app-suspension');
    } else if (!busy && this.id !== undefined) {
      if (this.blocker.isStarted(this.id)) this.blocker.stop(this.id);
      this.id = undefined;
    }
  }

  get active(): boolean {
    return this.id !== undefined;
  }

  dispose(): void {
    this.update(false);
  }
}

export interface Notice {
  title: string;
  body: string;
}

/**
 * Turns queue changes into notifications: one per burst of failures (a wrong key can
 * fail hundreds of jobs at once; that is one message, not hundreds), and one when the
 * queue goes from busy to idle.
 */
export class ActivityNotifier {
  private readonly failedSeen = new Set<number>();
  private busy = false;
  private failedSinceBusy = 0;

  constructor(private readonly notify: (n: Notice) => void) {}

  jobsChanged(jobs: readonly JobView[]): void {
    const newlyFailed: JobView[] = [];
    for (const j of jobs) {
      if (j.state === 'failed') {
        if (!this.failedSeen.has(j.id)) {
          this.failedSeen.add(j.id);
          newlyFailed.push(j);
        }
      } else {
        // Retried: a later failure is news again.
        this.failedSeen.delete(j.id);
      }
    }
    if (newlyFailed.length === 0) return;
    this.failedSinceBusy += newlyFailed.length;
    const first = newlyFailed[0];
    const reason = first.error ? `${first.error.message}${first.error.code ? ` (${first.error.code})` : ''}` : 'No reason given.';
    this.notify(newlyFailed.length === 1
      ? { title: `Upload failed: ${first.fileName}`, body: reason }
      : { title: `${newlyFailed.length} uploads failed`, body: `${first.fileName}: ${reason}` });
  }

  totalsChanged(totals: QueueTotals): void {
    const busy = activeJobCount(totals) > 0;
    if (busy && !this.busy) {
      this.failedSinceBusy = 0;
    } else if (!busy && this.busy) {
      const failed = this.failedSinceBusy;
      this.notify({
        title: failed > 0 ? 'Uploads finished with failures' : 'Uploads finished',
        body: `${totals.byState.ready ?? 0} ready, ${totals.byState.uploaded ?? 0} processing in VOD, ${totals.byState.failed ?? 0} failed.`,
      });
    }
    this.busy = busy;
  }
}

// `vodup run`: the resume path. Continues whatever the queue holds until the engine is
// idle, then accounts for every job it ran: one line each (`--json`), a summary, and
// exit 1 unless every one of them is ready.
//
// The account is read from the queue, not from change events: the engine sends those
// batched (50 ms), so a job's last change can land after the engine is idle, and jobs
// that fail at once can all settle before a batch is sent. The set of jobs is the
// runnable ones when the run starts (noted before the scheduler starts) plus any the
// engine reports on meanwhile (resumed from another shell, say).

import { DONE_STATES, TERMINAL_STATES, type JobState, type JobView } from '../../../shared/types';
import type { UploadEngineApi } from '../../engine/api';
import { connectedProvider } from '../credentials';
import { EXIT } from '../errors';
import { resolveDbPath } from '../paths';
import { createReporter, outcomeSummary, recordOfJob } from '../reporter';
import { openSession, reportingWhile } from '../session';
import { settingsFromFlags, type RunFlags } from './upload';

export type RunCommandFlags = RunFlags;

/** The states a run takes up: everything that moves on its own (not paused, not finished). */
const RUNNABLE: readonly JobState[] = ['queued', 'creating', 'uploading', 'completing', 'uploaded', 'downloading', 'verifying', 'waiting'];
const PAGE = 2000;

function runnableIds(engine: UploadEngineApi): number[] {
  const ids: number[] = [];
  for (const tab of ['pending', 'active'] as const) {
    for (let offset = 0; ; offset += PAGE) {
      const page = engine.queryJobs({ tab, sort: 'id', offset, limit: PAGE });
      for (const j of page.rows) if (RUNNABLE.includes(j.state)) ids.push(j.id);
      if (page.rows.length < PAGE) break;
    }
  }
  return ids;
}

export async function runCommand(flags: RunCommandFlags): Promise<number> {
  const engineRef: { current?: { getJob(id: number): JobView | undefined } } = {};
  // The jobs this run runs: its scope for reporting and progress.
  const ran = new Set<number>();
  const reporter = createReporter({
    json: !!flags.json, lookup: (id) => engineRef.current?.getJob(id), scope: ran, progressIntervalSec: flags.progressInterval,
  });
  const { provider } = await connectedProvider((note) => reporter.note(note));

  const session = await openSession({
    dbPath: resolveDbPath(flags.db),
    settings: settingsFromFlags(flags),
    start: false,
    provider: () => provider,
    onStopping: (signal) => reporter.note(`${signal}: stopping after the parts in flight… (Ctrl-C again quits at once)`),
  });
  const { engine } = session;
  engineRef.current = engine;
  const reported = new Set<number>();
  const report = (j: JobView): void => {
    if (reported.has(j.id)) return;
    reported.add(j.id);
    reporter.fileDone(recordOfJob(j));
  };
  let finals: JobView[] = [];
  let left: string[] = [];
  try {
    // Restore-pass jobs (interrupted uploads) are in a runnable state already.
    for (const id of runnableIds(engine)) ran.add(id);
    // Progress totals count the jobs this run takes on, not the queue's history.
    reporter.track([...ran].map((id) => engine.getJob(id)).filter((j): j is JobView => j !== undefined));
    const onChange = (jobs: JobView[]): void => {
      reporter.track(jobs.filter((j) => !ran.has(j.id) && !TERMINAL_STATES.includes(j.state)));
      // A job that moves during the run (resumed from another shell, say) is run by it.
      for (const j of jobs) if (!TERMINAL_STATES.includes(j.state)) ran.add(j.id);
      reporter.jobsChanged(jobs);
      for (const j of jobs) if (ran.has(j.id) && TERMINAL_STATES.includes(j.state)) report(j);
    };
    await reportingWhile(engine, reporter, onChange, () => session.start(), () => engine.whenIdle());
    finals = [...ran].sort((a, b) => a - b).map((id) => engine.getJob(id)).filter((j): j is JobView => j !== undefined);
    // Last words for each job, whatever batching the change events did.
    reporter.jobsChanged(finals);
    finals.forEach(report);
    left = Object.entries(engine.totals().byState)
      .filter(([s, n]) => n && !TERMINAL_STATES.includes(s as JobState))
      .map(([s, n]) => `${n} ${s}`);
  } finally {
    reporter.close();
    await session.close();
  }
  const stillQueued = left.length > 0 ? ` Still in the queue: ${left.join(', ')}.` : '';
  if (finals.length === 0) {
    reporter.note(`Nothing to run: no job in the queue is queued or unfinished.${stillQueued}`);
    return EXIT.ok;
  }
  const done = (j: JobView): boolean => DONE_STATES.includes(j.state);
  // Uploads end ready, downloads downloaded; a run of both says done.
  const kinds = new Set(finals.map((j) => j.kind));
  const goal = kinds.size > 1 ? 'done' : kinds.has('download') ? 'downloaded' : 'ready';
  reporter.note(`${outcomeSummary(finals, done, goal)}${stillQueued}`);
  return finals.every(done) ? EXIT.ok : EXIT.jobsFailed;
}

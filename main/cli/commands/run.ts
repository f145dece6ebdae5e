// `vodup run`: the resume path. Continues whatever the queue holds until the engine is
// idle; exits 1 when a job failed during this run.

import type { JobView } from '../../../shared/types';
import { TERMINAL_STATES } from '../../../shared/types';
import { createProvider, loadCredentials, preflight } from '../credentials';
import { EXIT } from '../errors';
import { resolveDbPath } from '../paths';
import { createReporter, recordOfJob } from '../reporter';
import { openSession } from '../session';
import { settingsFromFlags, type RunFlags } from './upload';
import { noteClosedWindow } from './upload';

export type RunCommandFlags = RunFlags;

export async function runCommand(flags: RunCommandFlags): Promise<number> {
  const creds = loadCredentials();
  const provider = createProvider(creds);
  await preflight(provider, creds);

  const engineRef: { current?: { getJob(id: number): JobView | undefined } } = {};
  const reporter = createReporter({ json: !!flags.json, lookup: (id) => engineRef.current?.getJob(id) });
  const session = await openSession({
    dbPath: resolveDbPath(flags.db),
    settings: settingsFromFlags(flags),
    start: true,
    provider: () => provider,
    onStopping: (signal) => reporter.note(`${signal}: stopping after the parts in flight… (Ctrl-C again quits at once)`),
  });
  const { engine } = session;
  engineRef.current = engine;
  const failed = new Map<number, JobView>();
  const finished = new Set<number>();
  const review = new Set<number>();
  const sub = engine.onDidChangeJobs((jobs) => {
    reporter.jobsChanged(jobs);
    for (const j of jobs) {
      if (!TERMINAL_STATES.includes(j.state)) continue;
      if (finished.has(j.id)) continue;
      finished.add(j.id);
      if (j.state === 'failed') failed.set(j.id, j);
      if (j.state === 'review') review.add(j.id);
      reporter.fileDone(recordOfJob(j));
    }
  });
  const psub = engine.onDidProgress((b) => reporter.progress(b));
  let t: ReturnType<typeof engine.totals>;
  try {
    await engine.start();
    noteClosedWindow(engine, reporter);
    await engine.whenIdle();
    t = engine.totals();
  } finally {
    sub.dispose();
    psub.dispose();
    reporter.close();
    await session.close();
  }
  const left = Object.entries(t.byState)
    .filter(([s, n]) => n && !TERMINAL_STATES.includes(s as JobView['state']))
    .map(([s, n]) => `${n} ${s}`);
  reporter.note(
    `Idle: ${finished.size} job(s) finished in this run, ${failed.size} failed` +
      (review.size > 0 ? `, ${review.size} awaiting review in VOD (\`vodup retry <id…>\` checks again).` : '.') +
      (left.length > 0 ? ` Still in the queue: ${left.join(', ')}.` : ''),
  );
  return failed.size > 0 ? EXIT.jobsFailed : EXIT.ok;
}

// Waits until each of a set of jobs has reached the state the command waits for,
// reporting each one as it gets there. Ends early when the engine is idle (nothing
// left that moves on its own, e.g. a job paused from elsewhere), so it never hangs.

import type { JobView } from '../../shared/types';
import type { UploadEngineApi } from '../engine/api';

export async function watchJobs(
  engine: UploadEngineApi,
  ids: readonly number[],
  isDone: (job: JobView) => boolean,
  onDone: (job: JobView) => void,
): Promise<JobView[]> {
  const pending = new Set(ids);
  const finals = new Map<number, JobView>();
  let resolveAll: () => void = () => {};
  const allDone = new Promise<void>((r) => (resolveAll = r));
  const settle = (job: JobView): void => {
    if (!pending.has(job.id) || !isDone(job)) return;
    pending.delete(job.id);
    finals.set(job.id, job);
    onDone(job);
    if (pending.size === 0) resolveAll();
  };
  const sub = engine.onDidChangeJobs((jobs) => jobs.forEach(settle));
  try {
    for (const id of ids) {
      const job = engine.getJob(id);
      if (job) settle(job);
    }
    if (pending.size > 0) await Promise.race([allDone, engine.whenIdle()]);
  } finally {
    sub.dispose();
  }
  // Idle with jobs short of the goal: report them as they stand.
  for (const id of [...pending]) {
    const job = engine.getJob(id);
    if (!job) continue;
    finals.set(id, job);
    onDone(job);
  }
  return ids.map((id) => finals.get(id)).filter((j): j is JobView => j !== undefined);
}

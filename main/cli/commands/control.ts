// `vodup pause|resume|retry|cancel <jobId…|all>`: changes jobs in the queue file.
// The scheduler is not started, so nothing uploads here: resumed and retried jobs
// wait for the next `vodup run` (or a desktop/web shell opened on the same queue).
// `retry --restart` lets a job whose file changed after its upload began upload the
// new version under the same VideoId (engine retry with restartChanged).

import type { JobView } from '../../../shared/types';
import type { VideoProvider } from '../../engine/provider';
import { createProvider, loadCredentials } from '../credentials';
import { CliError, EXIT } from '../errors';
import { resolveDbPath } from '../paths';
import { openSession } from '../session';
import { unavailableProvider } from './no-provider';

export type ControlAction = 'pause' | 'resume' | 'retry' | 'cancel';

export interface ControlFlags {
  db?: string;
  deleteVideo?: boolean;
  /** retry only: a job whose file changed starts again with the file as it is now. */
  restart?: boolean;
  json?: boolean;
}

/**
 * Cancel and retry --restart clean up in the cloud (abort the multipart upload; with
 * --delete-video also DeleteVideo). --delete-video needs the account; the others work
 * without one (OSS purges an upload left behind in ~7 days).
 */
function providerForControl(action: ControlAction, flags: ControlFlags): () => VideoProvider {
  if (flags.deleteVideo) {
    const creds = loadCredentials();
    return () => createProvider(creds);
  }
  if (action !== 'cancel' && !flags.restart) return () => unavailableProvider(`\`vodup ${action}\` only changes the queue.`);
  return () => {
    try {
      return createProvider(loadCredentials());
    } catch (err) {
      return unavailableProvider((err as Error).message);
    }
  };
}

export async function controlCommand(
  action: ControlAction,
  sel: number[] | 'all',
  flags: ControlFlags,
  out: NodeJS.WritableStream = process.stdout,
): Promise<number> {
  if (flags.deleteVideo && action !== 'cancel') throw new CliError('--delete-video only goes with `vodup cancel`.');
  if (flags.restart && action !== 'retry') throw new CliError('--restart only goes with `vodup retry`.');
  const dbPath = resolveDbPath(flags.db);
  const session = await openSession({ dbPath, start: false, provider: providerForControl(action, flags) });
  try {
    const { engine } = session;
    let code: number = EXIT.ok;
    let target: number[] | 'all' = 'all';
    if (sel !== 'all') {
      target = sel.filter((id) => {
        if (engine.getJob(id)) return true;
        process.stderr.write(`vodup: #${id}: no such job in ${dbPath} (see \`vodup status\`).\n`);
        code = EXIT.usage;
        return false;
      });
      if (target.length === 0) return code;
    }
    // Jobs whose file changed: a plain retry meets the same changed file, so say what does help.
    const changed = new Set((target === 'all' ? [] : target).filter((id) => engine.getJob(id)?.error?.code === 'FileChanged'));
    const since = Date.now();
    switch (action) {
      case 'pause': await engine.pause(target); break;
      case 'resume': await engine.resume(target); break;
      case 'retry': await engine.retry(target, { restartChanged: !!flags.restart }); break;
      case 'cancel': await engine.cancel(target, { deleteVideo: !!flags.deleteVideo }); break;
    }
    if (target !== 'all') {
      for (const id of target) {
        const job = engine.getJob(id) as JobView;
        const restarted = !!flags.restart && engine.listEvents(id, 20).some((e) => e.type === 'restarted' && e.at >= since);
        if (flags.json) {
          out.write(`${JSON.stringify({ id, state: job.state, path: job.path, ...(flags.restart ? { restarted } : {}) })}\n`);
          continue;
        }
        let note = '';
        if (restarted) note = `  (restarts from byte 0 with the file as it is now, same VideoId ${job.videoId})`;
        else if (action === 'retry' && changed.has(id) && !flags.restart) {
          note = `  (its file changed after the upload began: this retry fails again unless the original is back; \`vodup retry --restart ${id}\` uploads the new version)`;
        }
        out.write(`#${id} ${job.state}  ${job.path}${note}\n`);
      }
    } else if (!flags.json) {
      const by = Object.entries(engine.totals().byState).filter(([, n]) => n).map(([s, n]) => `${n} ${s}`);
      out.write(`${action} all: done. Queue: ${by.join(', ') || 'empty'}.\n`);
    }
    if ((action === 'resume' || action === 'retry') && !flags.json) out.write('`vodup run` uploads queued jobs.\n');
    return code;
  } finally {
    await session.close();
  }
}

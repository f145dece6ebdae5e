// `vodup watch <folder…>`: unattended ingest from drop folders. Every `interval` the
// folders are scanned (engine/drop-folder.ts); each video that kept its size and mtime
// for `settle` seconds is enqueued once, and the engine (holding the queue lock, as
// `vodup run`) uploads it. Runs until SIGINT/SIGTERM (exit 130/143 after a graceful stop).
//
// A file rewritten while its upload runs (a re-export, a copy that stalled longer than
// `settle`) belongs to that job until its object is complete: the job fails with
// FileChanged before anything is completed, the file is watched again, and once it has
// settled the job restarts with that version under the same VideoId (engine retry with
// restartChanged). A file rewritten after its upload completed is a new video.
//
// HLS: the files a playlist lists are uploaded with it, never as videos of their own
// (each is reported once as skipped). A playlist the engine refuses (a segment not
// copied yet) is reported once per reason and taken again whenever its files have
// changed and settled (drop-folder.ts), so it is enqueued once the copy is complete.

import fs from 'fs';
import path from 'path';
import type { DuplicatePolicy, JobView } from '../../../shared/types';
import { TERMINAL_STATES } from '../../../shared/types';
import type { UploadEngineApi } from '../../engine/api';
import { DropFolder, versionVerdict, type DropFile } from '../../engine/drop-folder';
import { isHlsPlaylist } from '../../engine/hls';
import { openQueueStore, type QueueStore } from '../../engine/store';
import { connectedProvider } from '../credentials';
import { CliError, EXIT } from '../errors';
import { resolveDbPath } from '../paths';
import { createReporter, describeDuplicate, recordOfJob, type Reporter } from '../reporter';
import { openSession } from '../session';
import { checkSharedFlags, planJobs, type MetaFlags } from '../upload-meta';
import { settingsFromFlags, type RunFlags } from './upload';

export interface WatchFlags extends MetaFlags, RunFlags {
  /** Seconds between scans. */
  interval: number;
  /** Seconds a file's size and mtime must stay unchanged before it is enqueued. */
  settle: number;
  /** A file the account already has (ledger or queue): skip (default), upload again, or fail. */
  duplicates?: DuplicatePolicy;
}

export async function watchCommand(folders: string[], flags: WatchFlags): Promise<number> {
  // 1. Bad input stops before anything runs: every watched path must be a folder now.
  const roots = [...new Set(folders.map((f) => path.resolve(f)))];
  const problems = [...checkSharedFlags(flags)];
  for (const root of roots) {
    let isDir = false;
    try {
      isDir = fs.statSync(root).isDirectory();
    } catch {
      problems.push({ path: root, message: 'No such folder. Create it (or mount it) and run the command again.' });
      continue;
    }
    if (!isDir) problems.push({ path: root, message: 'Not a folder: `vodup watch` watches folders; use `vodup upload` for single files.' });
  }
  if (problems.length > 0) {
    throw new CliError(problems.map((p) => `${p.path}: ${p.message}`).join('\n'));
  }

  const dbPath = resolveDbPath(flags.db);
  const engineRef: { current?: { getJob(id: number): JobView | undefined } } = {};
  const reporter = createReporter({ json: !!flags.json, lookup: (id) => engineRef.current?.getJob(id), progressIntervalSec: flags.progressInterval });
  // An upload-only RAM user passes, with a note that ids must be given by hand.
  const { provider } = await connectedProvider((note) => reporter.note(note));
  let stopping = false;
  const session = await openSession({
    dbPath,
    settings: settingsFromFlags(flags),
    start: true,
    provider: () => provider,
    onStopping: (signal) => {
      stopping = true;
      reporter.note(`${signal}: stopping after the parts in flight… (Ctrl-C again quits at once; \`vodup run\` resumes the queue)`);
    },
  });
  const { engine } = session;
  engineRef.current = engine;
  // The engine's own store is private to it; a second connection to the same WAL
  // database answers "is this file version already queued?" (reads only).
  const queue = openQueueStore(dbPath);

  const drop = new DropFolder({
    roots,
    settleMs: flags.settle * 1000,
    isKnown: (f) => versionVerdict(queue.jobsForPath(f.path), f) === 'known',
  });
  const reported = new Set<number>();
  const refusals = new Map<string, string>();
  const sub = engine.onDidChangeJobs((jobs) => {
    reporter.jobsChanged(jobs);
    for (const j of jobs) {
      if (!TERMINAL_STATES.includes(j.state) || reported.has(j.id)) continue;
      reported.add(j.id);
      reporter.fileDone(recordOfJob(j));
      // Its file is looked at again once it settles: a version the job did not take
      // (it changed under the upload) is then restarted or enqueued.
      drop.forget(j.path);
      if (j.state === 'failed' && j.error?.code === 'FileChanged') {
        reporter.note(`#${j.id} ${j.path} changed while uploading; it is uploaded again under the same VideoId once it has stayed unchanged for ${flags.settle} s.`);
      }
    }
  });
  const psub = engine.onDidProgress((b) => reporter.progress(b));

  try {
    await engine.start();
    reporter.note(`Watching ${roots.join(', ')} every ${flags.interval} s (a file is taken once unchanged for ${flags.settle} s). Ctrl-C stops.`);
    // Runs until a signal: the session's handler shuts the engine down and exits.
    for (;;) {
      try {
        await scanOnce(drop, queue, engine, flags, reporter, (id) => reported.delete(id), refusals);
      } catch (err) {
        if (stopping) break;
        throw err;
      }
      if (stopping) break;
      await new Promise((r) => setTimeout(r, flags.interval * 1000));
      if (stopping) break;
    }
    // The signal handler exits the process once the engine has stopped.
    await new Promise<never>(() => {});
    return EXIT.ok;
  } finally {
    sub.dispose();
    psub.dispose();
    reporter.close();
    queue.close();
    await session.close();
  }
}

async function scanOnce(
  drop: DropFolder,
  queue: Pick<QueueStore, 'jobsForPath'>,
  engine: Pick<UploadEngineApi, 'addJobs' | 'retry'>,
  flags: WatchFlags,
  reporter: Reporter,
  restarting: (jobId: number) => void,
  /** The reason each file was last refused for: the same refusal is not reported on every scan. */
  refusals: Map<string, string>,
): Promise<void> {
  const scan = await drop.scan();
  for (const l of scan.lost) {
    reporter.problem(l.path, `${l.message} Still watching: files are taken again once the folder is back.`);
  }
  for (const b of scan.back) reporter.note(`${b} is back; watching it again.`);
  for (const u of scan.unreadable) reporter.problem(u.path, u.message);
  for (const s of [...scan.ignored, ...scan.segments]) {
    reporter.fileDone({ path: s.path, jobId: null, videoId: null, state: 'skipped', size: null, crc64: null, error: { code: 'Skipped', message: s.message } });
  }
  for (const s of scan.segments) {
    // Taken as a video before the playlist that lists it arrived (a copy in another
    // order): it goes up with the playlist too; the operator decides about its own job.
    const own = queue.jobsForPath(s.path).filter((j) => j.state !== 'canceled');
    if (own.length === 0) continue;
    const unfinished = own.filter((j) => j.state !== 'ready').map((j) => j.id);
    const videos = own.filter((j) => j.state === 'ready' && j.videoId).map((j) => j.videoId);
    const what = [
      ...(unfinished.length > 0 ? [`vodup cancel ${unfinished.join(' ')} --delete-video`] : []),
      ...(videos.length > 0 ? [`delete VideoId ${videos.join(', ')} in the VOD console`] : []),
    ].join('; ');
    reporter.problem(s.path, `it was enqueued as a video of its own (#${own.map((j) => j.id).join(', #')}) before ${path.basename(s.playlist)} listed it; it is uploaded with that playlist as well. If it should not be a video of its own: ${what}.`);
  }
  const fresh: DropFile[] = [];
  for (const f of scan.ready) {
    const v = versionVerdict(queue.jobsForPath(f.path), f);
    if (v === 'new') {
      fresh.push(f);
    } else if (v !== 'known') {
      restarting(v.restart);
      await engine.retry([v.restart], { restartChanged: true });
      reporter.note(`restarting #${v.restart} with the new version of ${f.path} (it changed while uploading; same VideoId)`);
    }
  }
  if (fresh.length === 0) return;

  const plan = planJobs(fresh.map((f: DropFile) => ({ path: f.path, size: f.size })), titleFlags(flags));
  const policy = flags.duplicates ?? 'skip';
  const { added, rejected, duplicates } = await engine.addJobs(plan.jobs, { duplicates: policy });
  if (policy === 'fail' && duplicates.length > 0) {
    // A script asked to be stopped rather than to skip: the batch was not enqueued.
    for (const d of duplicates) {
      reporter.fileDone({ path: d.path, jobId: d.jobId ?? null, videoId: d.videoId ?? null, state: 'duplicate', size: null, crc64: null, error: null, duplicate: d });
    }
    throw new CliError(
      `${duplicates.map((d) => `${d.path}: ${describeDuplicate(d)}`).join('\n')}\n` +
      `Stopped watching (--duplicates fail): this account already has ${duplicates.length} file(s) that arrived; none of this scan's files were enqueued. ` +
      'Remove them from the folder, or watch with --duplicates skip (the default) or --duplicates upload.',
    );
  }
  for (const d of duplicates) {
    // Reported once per file and what it duplicates, not on every scan.
    const said = `duplicate:${d.videoId ?? d.jobId ?? d.previousPath}`;
    if (refusals.get(d.path) === said) continue;
    refusals.set(d.path, said);
    reporter.fileDone({ path: d.path, jobId: d.jobId ?? null, videoId: d.videoId ?? null, state: 'duplicate', size: null, crc64: null, error: null, duplicate: d });
    reporter.note(`skipped ${d.path} — ${describeDuplicate(d)} (\`--duplicates upload\` uploads such files again).`);
  }
  const refused = [...plan.problems.map((p) => ({ path: p.path, reason: p.message })), ...rejected];
  for (const r of refused) {
    if (refusals.get(r.path) === r.reason) continue;
    refusals.set(r.path, r.reason);
    const again = isHlsPlaylist(r.path) ? 'it is taken again once it or the files it lists change' : 'it is taken again when it changes';
    reporter.problem(r.path, `${r.reason} Not enqueued; ${again}.`);
    if (flags.json) {
      reporter.fileDone({ path: r.path, jobId: null, videoId: null, state: 'rejected', size: null, crc64: null, error: { code: 'InvalidInput', message: r.reason } });
    }
  }
  // Progress totals count what this watch took, not the queue's history.
  reporter.track(added);
  for (const job of added) {
    refusals.delete(job.path);
    reporter.note(`enqueued #${job.id}  ${job.path}`);
  }
}

/**
 * Files arrive one batch at a time, so a plain --title would title a lone file with
 * the title alone and the next lone file the same: always treat it as a template
 * ("Show" → "Show {name}"), as upload does for several files.
 */
function titleFlags(flags: MetaFlags): MetaFlags {
  if (flags.title === undefined || flags.title.includes('{name}')) return flags;
  return { ...flags, title: `${flags.title} {name}` };
}

// `vodup upload <files or folders…>`: validate everything first, enqueue the valid
// files, upload until each of them is done, report each file as it finishes.

import { DONE_STATES, type CategoryNode, type EngineSettings, type JobView } from '../../../shared/types';
import { createProvider, loadCredentials, preflight } from '../credentials';
import { CliError, EXIT } from '../errors';
import { expandInputs } from '../expand';
import { resolveDbPath } from '../paths';
import { createReporter, recordOfJob } from '../reporter';
import { openSession } from '../session';
import { readManifest } from '../../engine/manifest';
import { checkSharedFlags, manifestJobs, planJobs, type MetaFlags } from '../upload-meta';
import { watchJobs } from '../watch';
import { unavailableProvider } from './no-provider';

export interface RunFlags {
  partSize?: number;
  parallel?: number;
  files?: number;
  bwlimit?: number;
  window?: { start: string; end: string };
  db?: string;
  json?: boolean;
}

export interface UploadFlags extends MetaFlags, RunFlags {
  /** A CSV or JSON list of files with their own metadata (main/engine/manifest.ts). */
  manifest?: string;
  /** false with --no-wait-ready: done once the object is in OSS (`uploaded`). */
  waitReady: boolean;
  /** Enqueue paused and exit; `vodup resume` + `vodup run` upload them later. */
  hold?: boolean;
}

export function settingsFromFlags(flags: RunFlags): Partial<EngineSettings> {
  const s: Partial<EngineSettings> = {};
  if (flags.partSize !== undefined) s.partSizeMiB = flags.partSize;
  if (flags.parallel !== undefined) s.partsInFlight = flags.parallel;
  if (flags.files !== undefined) s.filesInFlight = flags.files;
  if (flags.bwlimit !== undefined) s.bandwidthLimit = flags.bwlimit;
  if (flags.window !== undefined) {
    s.windowStart = flags.window.start;
    s.windowEnd = flags.window.end;
  }
  return s;
}

// `review` (VOD status Checking: a person must approve the video) is done for the uploader.
const FINISHED_WAIT_READY = new Set(['ready', 'review', 'failed', 'canceled']);
const FINISHED_NO_WAIT = new Set(['uploaded', 'ready', 'review', 'failed', 'canceled']);

export async function uploadCommand(inputs: string[], flags: UploadFlags): Promise<number> {
  let engineRef: { getJob(id: number): JobView | undefined } | undefined;
  const reporter = createReporter({ json: !!flags.json, lookup: (id) => engineRef?.getJob(id) });
  try {
    return await upload(inputs, flags, reporter, (e) => (engineRef = e));
  } finally {
    reporter.close();
  }
}

async function upload(
  inputs: string[],
  flags: UploadFlags,
  reporter: ReturnType<typeof createReporter>,
  bindEngine: (e: { getJob(id: number): JobView | undefined }) => void,
): Promise<number> {
  // 1. Everything is checked before anything is enqueued; every problem is printed.
  if (inputs.length === 0 && !flags.manifest) {
    throw new CliError('Name the files or folders to upload, or a list of them with --manifest FILE.', EXIT.usage);
  }
  const expansion = await expandInputs(inputs);
  const shared = checkSharedFlags(flags);
  const plan = shared.length > 0 ? { jobs: [], problems: [] } : planJobs(expansion.files, flags);
  if (flags.manifest && shared.length === 0) {
    let manifest;
    try {
      manifest = await readManifest(flags.manifest, { categories: await categoriesFor(flags) });
    } catch (err) {
      throw new CliError(`The manifest ${flags.manifest} could not be read: ${(err as Error).message}`, EXIT.usage);
    }
    plan.jobs.push(...manifestJobs(manifest.items, flags));
    plan.problems.push(...manifest.problems.map((p) => ({ path: p.path ?? flags.manifest!, message: `${flags.manifest} row ${p.row}: ${p.message}` })));
  }
  const problems = [...shared, ...expansion.problems, ...plan.problems];
  for (const s of expansion.skipped) {
    reporter.fileDone({ path: s.path, jobId: null, videoId: null, state: 'skipped', size: null, crc64: null, error: { code: 'Skipped', message: s.message } });
  }
  const reject = (path: string, message: string): void => {
    reporter.problem(path, message);
    if (flags.json) {
      reporter.fileDone({ path, jobId: null, videoId: null, state: 'rejected', size: null, crc64: null, error: { code: 'InvalidInput', message } });
    }
  };
  for (const p of problems) reject(p.path, p.message);

  if (plan.jobs.length === 0) {
    reporter.note(problems.length > 0
      ? 'Nothing was enqueued: fix the problems above and run the command again.'
      : `No video or audio files found in ${inputs.join(', ')}.`);
    return EXIT.usage;
  }

  // 2. The account: refused credentials enqueue nothing (a held batch needs none yet).
  const creds = flags.hold ? undefined : loadCredentials();
  const provider = creds ? createProvider(creds) : undefined;
  if (provider && creds) {
    try {
      await preflight(provider, creds);
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      throw new CliError(`${err.message}\nNothing was enqueued: ${describeFiles(plan.jobs.map((j) => j.path))}.`, err.exitCode);
    }
  }

  const session = await openSession({
    dbPath: resolveDbPath(flags.db),
    settings: settingsFromFlags(flags),
    start: !flags.hold,
    provider: () => provider ?? unavailableProvider('Jobs added with --hold are uploaded by `vodup run`.'),
    onStopping: (signal) => reporter.note(
      `${signal}: stopping after the parts in flight… (Ctrl-C again quits at once; \`vodup run\` resumes the queue)`,
    ),
  });
  const { engine } = session;
  bindEngine(engine);
  try {
    const { added, rejected } = await engine.addJobs(plan.jobs, { hold: !!flags.hold });
    for (const r of rejected) reject(r.path, r.reason);
    const inputFailed = problems.length + rejected.length > 0;
    if (flags.hold) {
      for (const job of added) reporter.note(`#${job.id} held (paused)  ${job.path}`);
      reporter.note(`${added.length} file(s) enqueued paused. Start them with \`vodup resume all\` and \`vodup run\`.`);
      return inputFailed ? EXIT.usage : EXIT.ok;
    }

    const finished = flags.waitReady ? FINISHED_WAIT_READY : FINISHED_NO_WAIT;
    const sub = engine.onDidChangeJobs((jobs) => reporter.jobsChanged(jobs));
    const psub = engine.onDidProgress((b) => reporter.progress(b));
    let finals: JobView[];
    try {
      await engine.start();
      noteClosedWindow(engine, reporter);
      finals = await watchJobs(engine, added.map((j) => j.id), (j) => finished.has(j.state), (j) => reporter.fileDone(recordOfJob(j)));
    } finally {
      sub.dispose();
      psub.dispose();
    }

    const good = finals.filter((j) => DONE_STATES.includes(j.state) || (!flags.waitReady && j.state === 'uploaded'));
    const bad = finals.filter((j) => !good.includes(j));
    reporter.note(summary(good, bad, flags.waitReady));
    if (inputFailed) return EXIT.usage;
    return bad.length > 0 ? EXIT.jobsFailed : EXIT.ok;
  } finally {
    await session.close();
  }
}

/**
 * The account's category tree, so a manifest may name categories: asked only when the
 * credentials are there (not for --hold) and left out when the service does not answer
 * (the rows then need ids, and say so).
 */
async function categoriesFor(flags: UploadFlags): Promise<CategoryNode[] | undefined> {
  if (flags.hold) return undefined;
  try {
    return (await createProvider(loadCredentials()).getCatalog()).categories;
  } catch {
    return undefined;
  }
}

/** Outside the upload window nothing moves: say so, and until when. */
export function noteClosedWindow(engine: { totals(): { windowOpensAt?: number } }, reporter: { note(text: string): void }): void {
  const opensAt = engine.totals().windowOpensAt;
  if (opensAt !== undefined) {
    reporter.note(`Outside the upload window: waiting until ${new Date(opensAt).toLocaleString()} (change it with --window, or "--window any").`);
  }
}

function describeFiles(paths: readonly string[]): string {
  const shown = paths.slice(0, 5).join(', ');
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}

function summary(goodJobs: readonly JobView[], bad: readonly JobView[], waitReady: boolean): string {
  const what = waitReady ? 'ready' : 'uploaded';
  const review = goodJobs.filter((j) => j.state === 'review').length;
  const good = `${goodJobs.length - review} file(s) ${what}${review > 0 ? `, ${review} awaiting review in VOD (\`vodup retry <id…>\` checks again)` : ''}`;
  if (bad.length === 0) return `Done: ${good}.`;
  const lines = [`${good}, ${bad.length} not:`];
  for (const j of bad) {
    const why = j.error ? `${j.error.code}: ${j.error.message}${j.error.hint ? ` — ${j.error.hint}` : ''}` : '';
    lines.push(`  #${j.id} ${j.state}  ${j.path}${why ? `  ${why}` : ''}`);
  }
  lines.push('They stay in the queue: `vodup retry <id…>` then `vodup run` (see `vodup status`).');
  return lines.join('\n');
}

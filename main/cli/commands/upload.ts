// `vodup upload <files or folders…>`: validate everything first, enqueue the valid
// files, upload until each of them is done, report each file as it finishes.

import os from 'os';
import { DONE_STATES, type CategoryNode, type DuplicateFile, type DuplicatePolicy, type EngineSettings, type JobView, type MediaProbe } from '../../../shared/types';
import { classifyError } from '../../engine/errors';
import { FfprobeUnavailableError, PROBE_CONCURRENCY, probeMany, probeReason } from '../../engine/media-probe';
import { createProvider, loadCredentials, preflight, readCategoryTree } from '../credentials';
import { CliError, EXIT } from '../errors';
import { expandInputs } from '../expand';
import { resolveDbPath } from '../paths';
import { createReporter, describeDuplicate, outcomeSummary, recordOfJob, type Reporter } from '../reporter';
import { openSession, reportingWhile } from '../session';
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
  /** Seconds between progress lines off a terminal (0 = none). */
  progressInterval?: number;
}

export interface UploadFlags extends MetaFlags, RunFlags {
  /** A CSV or JSON list of files with their own metadata (main/engine/manifest.ts). */
  manifest?: string;
  /** false with --no-wait-ready: done once the object is in OSS (`uploaded`). */
  waitReady: boolean;
  /** Enqueue paused and exit; `vodup resume` + `vodup run` upload them later. */
  hold?: boolean;
  /** false with --no-probe: no ffprobe check of each file before it is enqueued. */
  probe?: boolean;
  /** Refuse files ffprobe cannot read as media (exit 2) instead of warning. */
  strict?: boolean;
  /** A file the account already has (ledger or queue): skip (default), upload again, or fail. */
  duplicates?: DuplicatePolicy;
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

/** What readManifest says of a category cell that is a name while no category tree was given. */
const NAMED_CATEGORY = /is not a category id/;

// `review` (VOD status Checking: a person must approve the video) is done for the uploader.
const FINISHED_WAIT_READY = new Set(['ready', 'review', 'failed', 'canceled']);
const FINISHED_NO_WAIT = new Set(['uploaded', 'ready', 'review', 'failed', 'canceled']);

export async function uploadCommand(inputs: string[], flags: UploadFlags): Promise<number> {
  let engineRef: { getJob(id: number): JobView | undefined } | undefined;
  // This command's jobs: older jobs of the queue that move meanwhile are not reported.
  const scope = new Set<number>();
  const reporter = createReporter({
    json: !!flags.json, lookup: (id) => engineRef?.getJob(id), scope, progressIntervalSec: flags.progressInterval,
  });
  try {
    return await upload(inputs, flags, reporter, (e) => (engineRef = e), scope);
  } finally {
    reporter.close();
  }
}

async function upload(
  inputs: string[],
  flags: UploadFlags,
  reporter: ReturnType<typeof createReporter>,
  bindEngine: (e: { getJob(id: number): JobView | undefined }) => void,
  scope: Set<number>,
): Promise<number> {
  // 1. Everything is checked before anything is enqueued; every problem is printed.
  if (inputs.length === 0 && !flags.manifest) {
    throw new CliError('Name the files or folders to upload, or a list of them with --manifest FILE.', EXIT.usage);
  }
  const expansion = await expandInputs(inputs);
  let categoryNote: string | undefined;
  const shared = checkSharedFlags(flags);
  const plan = shared.length > 0 ? { jobs: [], problems: [] } : planJobs(expansion.files, flags);
  if (flags.manifest && shared.length === 0) {
    const read = async (categories?: CategoryNode[]) => {
      try {
        return await readManifest(flags.manifest!, { categories });
      } catch (err) {
        throw new CliError(`The manifest ${flags.manifest} could not be read: ${(err as Error).message}`, EXIT.usage);
      }
    };
    let manifest = await read();
    // Rows that name their category (not an id) need the account's tree: asked only then.
    if (manifest.problems.some((p) => NAMED_CATEGORY.test(p.message))) {
      const tree = await categoriesFor();
      if (tree.categories) {
        manifest = await read(tree.categories);
      } else {
        categoryNote = `Category names need the account's category list, which could not be read: ${tree.unavailable} ` +
          'Give those rows category ids (numbers) instead.';
      }
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
  if (categoryNote) reporter.problem(flags.manifest!, categoryNote);

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
      await preflight(provider, creds, (note) => reporter.note(note));
    } catch (err) {
      if (!(err instanceof CliError)) throw err;
      throw new CliError(`${err.message}\nNothing was enqueued: ${describeFiles(plan.jobs.map((j) => j.path))}.`, err.exitCode);
    }
  }

  // 3. The media check, once the account is known to work (a refused key fails fast).
  if (flags.probe !== false) {
    const refused = await checkMedia(plan.jobs.map((j) => j.path), !!flags.strict, reporter, reject);
    if (refused.size > 0) {
      plan.jobs = plan.jobs.filter((j) => !refused.has(j.path));
      problems.push(...[...refused].map((path) => ({ path, message: 'not readable as media' })));
      if (plan.jobs.length === 0) {
        reporter.note('Nothing was enqueued: fix the problems above and run the command again.');
        return EXIT.usage;
      }
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
  let finals: JobView[];
  let inputFailed: boolean;
  try {
    // The part size is the job's own from now on: a held job keeps it for `vodup run`.
    const policy = flags.duplicates ?? 'skip';
    const { added, rejected, duplicates } = await engine.addJobs(plan.jobs, {
      hold: !!flags.hold,
      duplicates: policy,
      ...(flags.partSize ? { partSizeMiB: flags.partSize } : {}),
    });
    for (const job of added) scope.add(job.id);
    for (const r of rejected) reject(r.path, r.reason);
    reportDuplicates(duplicates, policy, reporter);
    if (policy === 'fail' && duplicates.length > 0) {
      // Nothing was enqueued (the engine adds all or none under `fail`).
      return EXIT.usage;
    }
    // Progress totals count this command's files, not the queue's history.
    reporter.track(added);
    inputFailed = problems.length + rejected.length > 0;
    if (flags.hold) {
      for (const job of added) reporter.note(`#${job.id} held (paused)  ${job.path}`);
      reporter.note(`${added.length} file(s) enqueued paused. Start them with \`vodup resume all\` and \`vodup run\`.`);
      return inputFailed ? EXIT.usage : EXIT.ok;
    }

    const finished = flags.waitReady ? FINISHED_WAIT_READY : FINISHED_NO_WAIT;
    finals = await reportingWhile(engine, reporter, (jobs) => reporter.jobsChanged(jobs), () => engine.start(),
      () => watchJobs(engine, added.map((j) => j.id), (j) => finished.has(j.state), (j) => reporter.fileDone(recordOfJob(j))));
    // Last words for each job, whatever batching the change events did.
    reporter.jobsChanged(finals);
  } finally {
    // Progress reads the queue: it stops before the queue closes.
    reporter.close();
    // Does not return when a signal or a closed stdout stopped the command (session.ts).
    await session.close();
  }
  const reached = (j: JobView): boolean => DONE_STATES.includes(j.state) || (!flags.waitReady && j.state === 'uploaded');
  reporter.note(outcomeSummary(finals, reached, flags.waitReady ? 'ready' : 'uploaded'));
  if (inputFailed) return EXIT.usage;
  return finals.every(reached) ? EXIT.ok : EXIT.jobsFailed;
}

/**
 * Each duplicate with what the account has it as (plain: a line; --json: a line with
 * state "duplicate"), then what the policy did with them. A skip is not a failure.
 */
export function reportDuplicates(duplicates: readonly DuplicateFile[], policy: DuplicatePolicy, reporter: Reporter): void {
  if (duplicates.length === 0) return;
  for (const d of duplicates) {
    reporter.fileDone({ path: d.path, jobId: d.jobId ?? null, videoId: d.videoId ?? null, state: 'duplicate', size: null, crc64: null, error: null, duplicate: d });
    if (policy === 'fail') reporter.problem(d.path, describeDuplicate(d));
  }
  reporter.note(policy === 'fail'
    ? `Nothing was enqueued: ${duplicates.length} file(s) this account already has (--duplicates fail). ` +
      'Leave them out, or use --duplicates skip (the default) or --duplicates upload (new VideoIds).'
    : `${duplicates.length} file(s) skipped: this account already has them. \`--duplicates upload\` uploads them again as new videos.`);
}

/**
 * The account's category tree, so a manifest may name categories — with --hold too,
 * whenever credentials are there. Without it (no credentials, a RAM user that may not
 * read categories, no network) the rows need ids, and `unavailable` says why.
 */
async function categoriesFor(): Promise<{ categories?: CategoryNode[]; unavailable?: string }> {
  let creds;
  try {
    creds = loadCredentials();
  } catch (err) {
    // No credentials, or unusable ones: loadCredentials' message says which and what to set.
    return { unavailable: (err as Error).message };
  }
  try {
    return { categories: await readCategoryTree(creds) };
  } catch (err) {
    const e = classifyError(err);
    return {
      unavailable: e.kind === 'permission'
        ? `the AccessKey ${creds.accessKeyId} may not read categories (${e.code}).`
        : `${e.code}: ${e.message}`,
    };
  }
}

/**
 * Files probed at once. Each probe is mostly ffprobe starting up (~25 ms of CPU), so
 * one per core; at least the app's NAS-friendly two, at most 8.
 */
const UPLOAD_PROBE_CONCURRENCY = Math.min(8, Math.max(PROBE_CONCURRENCY, os.availableParallelism()));
/** From this many files on, the check is announced: it takes a while (about 2,000 files a minute on 2 cores). */
const ANNOUNCE_PROBE_FROM = 200;

/**
 * Asks ffprobe whether each file reads as media (media-probe.ts) before it is enqueued:
 * VOD would take any bytes and only fail at transcoding, after the whole upload. Warns
 * for each one that does not, or with --strict refuses it; returns the refused paths.
 * Without ffprobe the files go on unchecked, said once (--strict refuses to go on).
 */
async function checkMedia(
  paths: readonly string[],
  strict: boolean,
  reporter: ReturnType<typeof createReporter>,
  reject: (path: string, message: string) => void,
): Promise<Set<string>> {
  let probes: Record<string, MediaProbe>;
  if (paths.length >= ANNOUNCE_PROBE_FROM) {
    reporter.note(`Checking ${paths.length} files with ffprobe before they are enqueued… (--no-probe skips this)`);
  }
  try {
    probes = await probeMany(paths, { concurrency: UPLOAD_PROBE_CONCURRENCY });
  } catch (err) {
    if (!(err instanceof FfprobeUnavailableError)) throw err;
    if (strict) throw new CliError(`${err.message}\n--strict needs it to check the files; nothing was enqueued (or drop --strict, or skip the check with --no-probe).`, EXIT.usage);
    reporter.problem(paths.length === 1 ? paths[0] : `${paths.length} files`, `not checked as media: ${err.message}`);
    return new Set();
  }
  const refused = new Set<string>();
  for (const path of paths) {
    const p = probes[path];
    if (p.ok) continue;
    const why = `not readable as media: ${probeReason(p)}; VOD would accept the upload and fail to transcode it`;
    if (strict) {
      refused.add(path);
      reject(path, `${why}. Refused (--strict): nothing was enqueued for it.`);
    } else {
      reporter.problem(path, `warning: ${why} (--strict refuses such files).`);
    }
  }
  return refused;
}

function describeFiles(paths: readonly string[]): string {
  const shown = paths.slice(0, 5).join(', ');
  return paths.length > 5 ? `${shown} and ${paths.length - 5} more` : shown;
}

// `vodup download <VideoIds…|--from results.csv> --what … --out DIR`: enqueues one
// download job per item of each video into the same queue uploads use, and runs it as
// `vodup upload` does, reporting each file as it finishes. Running the same command
// again (or `vodup run`) continues an interrupted download: the items are found in the
// queue (same video, item and folder) instead of being added twice, and each goes on
// from its last checkpointed range.

import fs from 'node:fs';
import path from 'node:path';
import { parse as parseCsv } from 'csv-parse/sync';
import type { DownloadWhat } from '../../../shared/library';
import { TERMINAL_STATES, type JobView } from '../../../shared/types';
import { connectedProvider } from '../credentials';
import { CliError, EXIT } from '../errors';
import { resolveDbPath } from '../paths';
import { createReporter, outcomeSummary, recordOfJob } from '../reporter';
import { openSession, reportingWhile } from '../session';
import { watchJobs } from '../watch';
import { settingsFromFlags, type RunFlags } from './upload';

export interface DownloadFlags extends RunFlags {
  what: DownloadWhat;
  out: string;
  /** A results export (CSV or JSON, `vodup export`) whose video_id column names the videos. */
  from?: string;
  name?: string;
  sidecar?: boolean;
  /** Enqueue paused and exit; `vodup resume` + `vodup run` download them later. */
  hold?: boolean;
}

/** A VideoId as VOD makes them: 32 hex digits (the sandbox's too). */
const VIDEO_ID = /^[0-9a-zA-Z]{8,64}$/;

/**
 * The VideoIds of a results export: the `video_id` column of `vodup export`'s CSV (or
 * of its JSON), empty cells skipped; a file without that column is refused.
 */
export function readVideoIds(file: string): string[] {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8').replace(/^\uFEFF/, '');
  } catch (err) {
    throw new CliError(`${file} could not be read: ${(err as Error).message}`, EXIT.usage);
  }
  let rows: Record<string, unknown>[];
  try {
    rows = /^\s*[[{]/.test(text)
      ? ([] as Record<string, unknown>[]).concat(JSON.parse(text) as Record<string, unknown>[])
      : parseCsv(text, { columns: true, skip_empty_lines: true, bom: true, relax_column_count: true }) as Record<string, unknown>[];
  } catch (err) {
    throw new CliError(`${file} is not a results export (CSV or JSON): ${(err as Error).message}`, EXIT.usage);
  }
  const column = ['video_id', 'VideoId', 'videoId'].find((c) => rows.some((r) => c in r));
  if (!column) throw new CliError(`${file} has no video_id column: give the results export of \`vodup export\` (or name the VideoIds).`, EXIT.usage);
  return rows.map((r) => String(r[column] ?? '').trim()).filter(Boolean);
}

export async function downloadCommand(ids: string[], flags: DownloadFlags): Promise<number> {
  let engineRef: { getJob(id: number): JobView | undefined } | undefined;
  const scope = new Set<number>();
  const reporter = createReporter({
    json: !!flags.json, lookup: (id) => engineRef?.getJob(id), scope, progressIntervalSec: flags.progressInterval,
  });
  try {
    const videoIds = [...ids, ...(flags.from ? readVideoIds(flags.from) : [])].map((s) => s.trim()).filter(Boolean);
    if (videoIds.length === 0) throw new CliError('Name the videos to download (VideoIds), or a results export with --from FILE.', EXIT.usage);
    const bad = videoIds.filter((v) => !VIDEO_ID.test(v));
    if (bad.length > 0) throw new CliError(`Not VideoIds: ${bad.slice(0, 5).join(', ')}${bad.length > 5 ? ` and ${bad.length - 5} more` : ''}. Nothing was enqueued.`, EXIT.usage);

    const { provider } = await connectedProvider((note) => reporter.note(note));
    const session = await openSession({
      dbPath: resolveDbPath(flags.db),
      settings: settingsFromFlags(flags),
      start: false,
      provider: () => provider,
      onStopping: (signal) => reporter.note(`${signal}: stopping after the ranges in flight… (Ctrl-C again quits at once; the same command or \`vodup run\` continues)`),
    });
    const { engine } = session;
    engineRef = engine;
    let finals: JobView[] = [];
    let rejectedCount = 0;
    try {
      const res = await engine.addDownloads({
        videoIds: [...new Set(videoIds)], what: flags.what, outDir: path.resolve(flags.out), nameTemplate: flags.name, sidecar: !!flags.sidecar,
      }, { hold: !!flags.hold });
      rejectedCount = res.rejected.length;
      for (const r of res.rejected) {
        reporter.problem(r.path, r.reason);
        if (flags.json) reporter.fileDone({ path: r.path, jobId: null, videoId: r.path, state: 'rejected', size: null, crc64: null, error: { code: r.code ?? 'Rejected', message: r.reason } });
      }
      // The same command again: what failed or was canceled is asked for again; what is
      // on its way goes on; what is done is reported as done.
      const again = res.existing.filter((j) => j.state === 'failed' || j.state === 'canceled').map((j) => j.id);
      if (again.length > 0 && !flags.hold) await engine.retry(again);
      if (res.existing.length > 0) reporter.note(`${res.existing.length} item(s) already in the queue for ${path.resolve(flags.out)}: continued, not added again.`);
      const jobs = [...res.added, ...res.existing];
      for (const j of jobs) scope.add(j.id);
      reporter.track(jobs);
      if (jobs.length === 0) {
        reporter.note('Nothing was enqueued: see the problems above.');
        return EXIT.usage;
      }
      if (flags.hold) {
        reporter.note(`${res.added.length} download(s) enqueued paused. Start them with \`vodup resume all\` and \`vodup run\`.`);
        return rejectedCount > 0 ? EXIT.usage : EXIT.ok;
      }
      finals = await reportingWhile(engine, reporter, (changed) => reporter.jobsChanged(changed), () => session.start(),
        () => watchJobs(engine, jobs.map((j) => j.id), (j) => TERMINAL_STATES.includes(j.state), (j) => reporter.fileDone(recordOfJob(j))));
      reporter.jobsChanged(finals);
    } finally {
      reporter.close();
      await session.close();
    }
    const done = (j: JobView): boolean => j.state === 'downloaded';
    reporter.note(outcomeSummary(finals, done, 'downloaded'));
    if (rejectedCount > 0) return EXIT.usage;
    return finals.every(done) ? EXIT.ok : EXIT.jobsFailed;
  } finally {
    reporter.close();
  }
}

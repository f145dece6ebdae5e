// A file that changes while `vodup` uploads it, end to end: the real CLI process, the
// sandbox over loopback (slowed with its bandwidth fault so the change lands mid-upload),
// real files. The change must stop the job before CompleteMultipartUpload (FileChanged,
// exit 1, no object, the VideoId still unfinished); `vodup retry --restart` uploads the
// new version under the same VideoId; `vodup watch` does that by itself once the file
// has settled again.
import Database from 'better-sqlite3';
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import type { Sandbox } from '../../main/sandbox/index';
import {
  cliEnv, jsonLines, runCli, startCli, waitFor, writeRandomFile, useCliSandbox, type CliRun,
} from '../fixtures/cli-harness';
// The JSON line the CLI prints per file, as the CLI declares it.
import type { FileRecord as FileLine } from '../../main/cli/reporter';


interface JobRow {
  id: number;
  path: string;
  state: string;
  bytes_done: number;
  video_id: string | null;
}

const MiB = 1024 * 1024;
const cli = useCliSandbox('cli-changed');
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});
afterEach(() => sandbox.faults.reset());

const hex = (b: Buffer): string => crc64(b).toString(16).padStart(16, '0');
const completes = (): number => sandbox.stats().requests['oss:CompleteMultipartUpload'] ?? 0;

/** The queue as the running CLI has committed it (a second, read-only connection to its WAL database). */
function jobs(db: string): JobRow[] {
  if (!fs.existsSync(db)) return [];
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return conn.prepare('SELECT id, path, state, bytes_done, video_id FROM jobs ORDER BY id').all() as JobRow[];
  } catch {
    return []; // the schema is not there yet
  } finally {
    conn.close();
  }
}

function events(db: string, jobId: number): string[] {
  const conn = new Database(db, { readonly: true, fileMustExist: true });
  try {
    return (conn.prepare('SELECT type FROM events WHERE job_id = ? ORDER BY id').all(jobId) as { type: string }[]).map((e) => e.type);
  } finally {
    conn.close();
  }
}

interface StatusLine {
  id: number;
  state: string;
  videoId: string | null;
  size: number;
  crc64: string | null;
  error: { code: string; message: string } | null;
}

/** `vodup status --json`: every job of the queue. */
async function status(db: string): Promise<StatusLine[]> {
  const res = await runCli(['status', '--db', db, '--json'], cliEnv(sandbox, home));
  expect(res.code, res.stderr).toBe(0);
  return jsonLines<StatusLine>(res.stdout);
}

/** Waits (checking every 20 ms) until `check` holds; fails with the CLI's output if it exits first. */
async function until(run: CliRun, check: () => boolean, what: string): Promise<void> {
  if ((await waitFor(check, run.child, 20)) !== 'met') {
    throw new Error(`vodup exited before ${what}: ${JSON.stringify(await run.result)}`);
  }
}

/** Every job of these files has at least one part acknowledged by OSS and recorded. */
const partAcked = (db: string, files: string[]) => (): boolean => {
  const rows = jobs(db);
  return files.every((f) => rows.some((r) => r.path === f && r.bytes_done >= MiB));
};

/** The VideoId is still unfinished in VOD and holds no object. */
async function expectNoObject(videoId: string): Promise<void> {
  const video = sandbox.video(videoId)!;
  expect(video.status).toBe('Uploading');
  expect(await sandbox.readObject(video.bucket, video.objectKey)).toBeUndefined();
}

function overwriteMiddle(p: string): void {
  const fd = fs.openSync(p, 'r+');
  try {
    const size = fs.fstatSync(fd).size;
    fs.writeSync(fd, crypto.randomBytes(64 * 1024), 0, 64 * 1024, Math.floor(size / 2) + 12_345);
  } finally {
    fs.closeSync(fd);
  }
}

describe('a file that changes while it uploads', () => {
  it('stops each changed file before completing it (overwritten, touched, appended), exits 1 with FileChanged, and finishes the rest', async () => {
    const dir = path.join(home, 'a');
    const db = path.join(home, 'a.db');
    const size = 6 * MiB;
    const names = ['overwritten.mp4', 'touched.mp4', 'appended.mp4'];
    const [overwritten, touched, appended] = names.map((n) => path.join(dir, n));
    for (const f of [overwritten, touched, appended]) writeRandomFile(f, size);
    const steady = writeRandomFile(path.join(dir, 'steady.mp4'), MiB + 1);
    const completesBefore = completes();
    const videosBefore = sandbox.stats().createUploadVideo;

    sandbox.faults.set({ bandwidth: 2 * MiB });
    const run = startCli(['upload', dir, '--part-size', '1', '--parallel', '3', '--files', '4', '--db', db, '--json'], cliEnv(sandbox, home));
    await until(run, partAcked(db, [overwritten, touched, appended]), 'a part of each file was acknowledged');
    overwriteMiddle(overwritten);
    fs.utimesSync(touched, new Date(), new Date());
    fs.appendFileSync(appended, crypto.randomBytes(1000));

    const res = await run.result;
    expect(res.code, res.stderr).toBe(1);
    const lines = new Map(jsonLines<FileLine>(res.stdout).map((l) => [path.basename(l.path), l]));
    expect(lines.get('steady.mp4')).toMatchObject({ state: 'ready', crc64: hex(steady) });
    for (const name of names) {
      const line = lines.get(name)!;
      expect(line.state, name).toBe('failed');
      expect(line.error?.code, name).toBe('FileChanged');
      expect(line.error?.message, name).toMatch(new RegExp(`^${path.join(dir, name).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')} changed after its upload began: `));
      expect(line.error?.hint, name).toContain(`vodup retry --restart ${line.jobId}`);
      await expectNoObject(line.videoId!);
    }
    expect(lines.get('overwritten.mp4')!.error!.message).toMatch(/it was modified (again )?at \d{4}-/);
    expect(lines.get('touched.mp4')!.error!.message).toMatch(/it was modified (again )?at \d{4}-/);
    expect(lines.get('appended.mp4')!.error!.message).toContain(`its size changed from ${size} to ${size + 1000} bytes`);
    // The summary tells the operator what to do.
    expect(res.stderr).toContain('FileChanged');
    // Only the steady file was completed; one video per file.
    expect(completes() - completesBefore).toBe(1);
    expect(sandbox.stats().createUploadVideo - videosBefore).toBe(4);

    // A plain retry meets the same changed file: it says so, and fails again the same way.
    const job = lines.get('overwritten.mp4')!;
    const retry = await runCli(['retry', String(job.jobId), '--db', db], cliEnv(sandbox, home));
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toContain(`\`vodup retry --restart ${job.jobId}\` uploads the new version`);
    await runCli(['run', '--db', db], cliEnv(sandbox, home));
    const again = (await status(db)).find((j) => j.id === job.jobId)!;
    expect(again.state).toBe('failed');
    expect(again.error?.code).toBe('FileChanged');
    expect(again.error?.message).toMatch(/changed after its upload began: /);
    await expectNoObject(job.videoId!);

    // --restart uploads the file as it is now, from byte 0, under the same VideoId.
    const restart = await runCli(['retry', '--restart', String(job.jobId), '--db', db], cliEnv(sandbox, home));
    expect(restart.code, restart.stderr).toBe(0);
    expect(restart.stdout).toContain(`#${job.jobId} queued`);
    expect(restart.stdout).toContain(`restarts from byte 0 with the file as it is now, same VideoId ${job.videoId}`);
    sandbox.faults.reset();
    const rerun = await runCli(['run', '--db', db], cliEnv(sandbox, home));
    expect(rerun.code, rerun.stderr).toBe(0);
    const now = fs.readFileSync(overwritten);
    const done = (await status(db)).find((j) => j.id === job.jobId)!;
    expect(done).toMatchObject({ state: 'ready', videoId: job.videoId, crc64: hex(now), size: now.length });
    const video = sandbox.video(job.videoId!)!;
    expect(video.status).toBe('Normal');
    expect((await sandbox.readObject(video.bucket, video.objectKey))?.equals(now)).toBe(true);
    expect(sandbox.stats().createUploadVideo - videosBefore).toBe(4);
    expect(events(db, job.jobId!)).toContain('restarted');
    // The other changed files were not part of that retry.
    expect(jobs(db).filter((r) => r.state === 'failed').map((r) => path.basename(r.path)).sort()).toEqual(['appended.mp4', 'touched.mp4']);
  });

  it('fails a file truncated mid-upload at once with FileChanged, never as a stalled part', async () => {
    const dir = path.join(home, 'b');
    const db = path.join(home, 'b.db');
    const file = path.join(dir, 'cut.mp4');
    writeRandomFile(file, 8 * MiB);
    const completesBefore = completes();

    sandbox.faults.set({ bandwidth: MiB });
    const run = startCli(['upload', file, '--part-size', '1', '--parallel', '2', '--db', db, '--json'], cliEnv(sandbox, home));
    await until(run, partAcked(db, [file]), 'a part was acknowledged');
    fs.truncateSync(file, MiB + MiB / 2);

    const res = await run.result;
    expect(res.code, res.stderr).toBe(1);
    const [line] = jsonLines<FileLine>(res.stdout);
    expect(line.state).toBe('failed');
    expect(line.error?.code).toBe('FileChanged');
    // Seen by the check after a part (size) or by the part that read past the new end.
    expect(line.error?.message).toMatch(new RegExp(`its size changed from ${8 * MiB} to ${1.5 * MiB} bytes|it shrank while uploading`));
    expect(res.stdout + res.stderr).not.toContain('PartStalled');
    await expectNoObject(line.videoId!);
    expect(completes() - completesBefore).toBe(0);
  }, 45_000); // below the 60 s stall watchdog: a part left waiting for its missing bytes fails the test

  it('vodup watch: restarts a file that changed under its upload once it has settled again, under the same VideoId', async () => {
    const folder = path.join(home, 'drop');
    const db = path.join(home, 'watch.db');
    const file = path.join(folder, 'reexport.mp4');
    writeRandomFile(file, 4 * MiB);
    const videosBefore = sandbox.stats().createUploadVideo;

    sandbox.faults.set({ bandwidth: MiB });
    const run = startCli(['watch', folder, '--interval', '1', '--settle', '1', '--part-size', '1', '--db', db, '--json'], cliEnv(sandbox, home));
    const out = { text: '' };
    run.child.stdout!.on('data', (d: string) => (out.text += d));
    try {
      await until(run, partAcked(db, [file]), 'a part was acknowledged');
      // A re-export: rewritten in place, then written for longer than --settle.
      overwriteMiddle(file);
      await until(run, () => jsonLines<FileLine>(out.text).some((l) => l.state === 'failed'), 'the job failed');
      // The writer goes on for ~2 s (longer than --settle and two scans), as an export does.
      await new Promise<void>((resolve) => {
        let left = 15;
        const write = (): void => {
          fs.appendFileSync(file, crypto.randomBytes(4096));
          if (--left > 0) return;
          clearInterval(timer);
          resolve();
        };
        const timer = setInterval(write, 150);
        write();
      });
    } finally {
      sandbox.faults.reset();
    }
    const final = fs.readFileSync(file);
    await until(run, () => jsonLines<FileLine>(out.text).some((l) => l.state === 'ready'), 'the new version was ready');

    const lines = jsonLines<FileLine>(out.text);
    const failed = lines.find((l) => l.state === 'failed')!;
    const ready = lines.find((l) => l.state === 'ready')!;
    expect(failed.error?.code).toBe('FileChanged');
    expect(ready).toMatchObject({ jobId: failed.jobId, videoId: failed.videoId, crc64: hex(final), size: final.length });
    const video = sandbox.video(ready.videoId!)!;
    expect((await sandbox.readObject(video.bucket, video.objectKey))?.equals(final)).toBe(true);
    expect(sandbox.stats().createUploadVideo - videosBefore).toBe(1);
    // Restarted once, after the writes stopped: a restart while it was still being
    // written would have met another change and restarted again.
    expect(events(db, failed.jobId!).filter((e) => e === 'restarted')).toHaveLength(1);

    run.child.kill('SIGTERM');
    const res = await run.result;
    expect(res.code).toBe(143);
    expect(res.stderr).toContain(`#${failed.jobId} ${file} changed while uploading; it is uploaded again under the same VideoId`);
  });
});

// `vodup watch <folder>` end to end: real CLI process, real sandbox over loopback.
import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, startCli, waitFor, writeRandomFile, type CliRun, useCliSandbox } from '../fixtures/cli-harness';
// The JSON line the CLI prints per file, as the CLI declares it.
import type { FileRecord as FileLine } from '../../main/cli/reporter';


const cli = useCliSandbox('cli-watch');
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

/** The JSON lines printed so far. */
function linesOf(out: { text: string }): FileLine[] {
  return jsonLines<FileLine>(out.text);
}

function watch(folder: string, db: string): { run: CliRun; out: { text: string }; err: { text: string } } {
  const run = startCli(['watch', folder, '--interval', '1', '--settle', '1', '--db', db, '--json'], cliEnv(sandbox, home));
  const out = { text: '' };
  const err = { text: '' };
  run.child.stdout!.on('data', (d: string) => (out.text += d));
  run.child.stderr!.on('data', (d: string) => (err.text += d));
  return { run, out, err };
}

/** Waits for `check` while vodup watch runs, at most `limitMs`. */
async function until(run: CliRun, check: () => boolean, what: string, limitMs = 60_000): Promise<void> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), limitMs)));
  const r = await Promise.race([waitFor(check, run.child, 20), late]);
  clearTimeout(timer);
  if (r === 'late') throw new Error(`vodup watch: no ${what} within ${limitMs} ms`);
  if (r !== 'met') throw new Error(`vodup watch exited before ${what}: ${JSON.stringify(await run.result)}`);
}

const hex = (b: Buffer): string => crc64(b).toString(16).padStart(16, '0');

async function stopAndCheck(run: CliRun, db: string): Promise<void> {
  run.child.kill('SIGTERM');
  const res = await run.result;
  expect(res.code, res.stderr).toBe(143);
  const status = await runCli(['status', '--db', db, '--json'], cliEnv(sandbox, home));
  expect(status.code, status.stderr).toBe(0);
  const active = jsonLines<{ state: string }>(status.stdout).filter((j) => ['creating', 'uploading', 'completing'].includes(j.state));
  expect(active).toEqual([]);
}

describe('vodup watch <folder>', () => {
  it('uploads each dropped video once, ignores other files, and does not upload them again after a restart', async () => {
    const folder = path.join(home, 'drop');
    const db = path.join(home, 'q1.db');
    const before = sandbox.stats().createUploadVideo;
    const a = writeRandomFile(path.join(folder, 'a.mp4'), 200_000);
    const b = writeRandomFile(path.join(folder, 'sub', 'b.mov'), 120_000);
    writeRandomFile(path.join(folder, 'notes.txt'), 100);

    const first = watch(folder, db);
    const ready = (n: number) => () => linesOf(first.out).filter((l) => l.state === 'ready').length >= n;
    await until(first.run, ready(2), 'two files were ready');
    // A file dropped later is taken by a later scan; the first two are not taken again.
    const c = writeRandomFile(path.join(folder, 'c.mp4'), 90_000);
    await until(first.run, ready(3), 'the third file was ready');

    const lines = linesOf(first.out);
    const skipped = lines.filter((l) => l.state === 'skipped');
    expect(skipped.map((l) => path.basename(l.path))).toEqual(['notes.txt']);
    const done = new Map(lines.filter((l) => l.state === 'ready').map((l) => [path.basename(l.path), l]));
    expect([...done.keys()].sort()).toEqual(['a.mp4', 'b.mov', 'c.mp4']);
    for (const [name, buf] of [['a.mp4', a], ['b.mov', b], ['c.mp4', c]] as const) {
      expect(done.get(name)!.crc64).toBe(hex(buf));
    }
    expect(sandbox.stats().createUploadVideo - before).toBe(3);
    await stopAndCheck(first.run, db);

    // The same queue after a restart: only the new file is uploaded.
    const second = watch(folder, db);
    const d = writeRandomFile(path.join(folder, 'd.mp4'), 70_000);
    await until(second.run, () => linesOf(second.out).some((l) => l.state === 'ready' && l.path.endsWith('d.mp4')), 'd.mp4 was ready');
    expect(linesOf(second.out).find((l) => l.path.endsWith('d.mp4'))!.crc64).toBe(hex(d));
    expect(sandbox.stats().createUploadVideo - before).toBe(4);
    await stopAndCheck(second.run, db);
  });

  it('takes a file still being written only once it stopped changing, with its final bytes', async () => {
    const folder = path.join(home, 'growing');
    const db = path.join(home, 'q2.db');
    const file = path.join(folder, 'live.mp4');
    writeRandomFile(file, 50_000);
    const before = sandbox.stats().createUploadVideo;
    const w = watch(folder, db);

    // The writer: appends a chunk every 150 ms for ~3 s (longer than --settle 1 and
    // several scans), so the watcher sees it change; then it stops.
    await new Promise<void>((resolve) => {
      let left = 20;
      const timer = setInterval(() => {
        fs.appendFileSync(file, writeRandomChunk());
        if (--left === 0) {
          clearInterval(timer);
          resolve();
        }
      }, 150);
    });
    const final = fs.readFileSync(file);

    await until(w.run, () => linesOf(w.out).some((l) => l.state === 'ready'), 'the growing file was ready');
    const line = linesOf(w.out).find((l) => l.state === 'ready')!;
    expect(line.size).toBe(final.length);
    expect(line.crc64).toBe(hex(final));
    expect(sandbox.stats().createUploadVideo - before).toBe(1);
    const video = sandbox.video(line.videoId!)!;
    const stored = await sandbox.readObject(video.bucket, video.objectKey);
    expect(stored?.equals(final)).toBe(true);
    await stopAndCheck(w.run, db);
  });
  it('takes an HLS package copied in stages (playlist first) as one job once its segments are there, never a segment as a job', async () => {
    // A real package, made by ffmpeg elsewhere and then copied into the watched folder.
    const made = path.join(home, 'hls-made');
    fs.mkdirSync(made, { recursive: true });
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=4:size=160x120:rate=10', '-g', '10',
      '-hls_time', '1', '-hls_playlist_type', 'vod', '-hls_segment_filename', 'seg%03d.ts', 'out.m3u8'], { cwd: made });
    const segments = fs.readdirSync(made).filter((f) => f.endsWith('.ts')).sort();
    expect(segments.length).toBeGreaterThanOrEqual(3);
    const folder = path.join(home, 'hls-drop');
    fs.mkdirSync(folder, { recursive: true });
    const db = path.join(home, 'q-hls.db');
    const playlist = path.join(folder, 'out.m3u8');
    const copy = (name: string): void => fs.copyFileSync(path.join(made, name), path.join(folder, name));
    const before = sandbox.stats().createUploadVideo;
    const w = watch(folder, db);
    const refusals = (): FileLine[] => linesOf(w.out).filter((l) => l.state === 'rejected' && l.path === playlist);

    // 1. The playlist alone (rsync copies it first: "out.m3u8" sorts before "seg000.ts").
    copy('out.m3u8');
    await until(w.run, () => refusals().length > 0, 'refusal of the playlist');
    expect(refusals()[0].error?.message).toContain('"seg000.ts"');
    expect(refusals()[0].error?.message).toContain(path.join(folder, 'seg000.ts'));

    // 2. The last segment arrives; seg000.ts is still missing. Once the last segment has
    // settled the playlist is looked at again (drop-folder.test.ts) and refused for the
    // same reason: not reported again. The marker, written after it, settles no earlier,
    // so when the marker is ready that has happened.
    copy(segments[segments.length - 1]);
    const marker = path.join(folder, 'marker.mp4');
    writeRandomFile(marker, 20_000);
    await until(w.run, () => linesOf(w.out).some((l) => l.state === 'ready' && l.path === marker), 'the marker video ready');
    expect(refusals()).toHaveLength(1);

    // 3. The rest of the copy: the package is complete and settles, and is enqueued.
    for (const s of segments.slice(0, -1)) copy(s);
    await until(w.run, () => linesOf(w.out).some((l) => l.path === playlist && (l.state === 'ready' || l.state === 'failed')), 'the playlist\'s job to end');

    const lines = linesOf(w.out);
    const jobs = lines.filter((l) => l.jobId !== null);
    expect(jobs.map((l) => [path.basename(l.path), l.state])).toEqual([['marker.mp4', 'ready'], ['out.m3u8', 'ready']]);
    // Every segment reported once as part of the playlist, never as a job or a refusal.
    const skipped = lines.filter((l) => l.state === 'skipped');
    expect(skipped.map((l) => path.basename(l.path)).sort()).toEqual(segments);
    expect(skipped.every((l) => l.error?.message.startsWith('Segment of out.m3u8'))).toBe(true);
    expect(lines.filter((l) => l.path.endsWith('.ts') && l.state !== 'skipped')).toEqual([]);
    expect(refusals()).toHaveLength(1);
    expect(w.err.text.split('Not enqueued; it is taken again once it or the files it lists change')).toHaveLength(2);
    expect(sandbox.stats().createUploadVideo - before).toBe(2);

    const job = jobs.find((l) => l.path === playlist)!;
    const video = sandbox.video(job.videoId!)!;
    expect(video.missingSegments).toBeUndefined();
    expect(video.status).toBe('Normal');
    expect((await sandbox.readObject(video.bucket, video.objectKey))!.equals(fs.readFileSync(playlist))).toBe(true);
    for (const s of segments) {
      expect((await sandbox.readObject(video.bucket, video.objectPrefix + s))?.equals(fs.readFileSync(path.join(made, s))), s).toBe(true);
    }
    await stopAndCheck(w.run, db);
    const queued = jsonLines<{ path: string; videoId: string | null }>((await runCli(['status', '--db', db, '--json'], cliEnv(sandbox, home))).stdout);
    expect(queued.map((j) => path.basename(j.path)).sort()).toEqual(['marker.mp4', 'out.m3u8']);
  });
  it('says so when a segment was taken as a video of its own before its playlist arrived', async () => {
    const folder = path.join(home, 'hls-late-list');
    const db = path.join(home, 'q-late.db');
    const seg = path.join(folder, 'early.ts');
    writeRandomFile(seg, 30_000);
    const w = watch(folder, db);
    await until(w.run, () => linesOf(w.out).some((l) => l.path === seg && l.state === 'ready'), 'the lone .ts ready');
    const own = linesOf(w.out).find((l) => l.path === seg)!;

    const playlist = path.join(folder, 'early.m3u8');
    fs.writeFileSync(playlist, '#EXTM3U\n#EXTINF:2,\nearly.ts\n#EXT-X-ENDLIST\n');
    await until(w.run, () => linesOf(w.out).some((l) => l.path === playlist && l.state === 'ready'), 'the playlist ready');
    expect(linesOf(w.out).filter((l) => l.path === seg).map((l) => l.state)).toEqual(['ready', 'skipped']);
    expect(w.err.text).toContain(`${seg}: it was enqueued as a video of its own (#${own.jobId}) before early.m3u8 listed it`);
    // It is done: only VOD can remove it now.
    expect(w.err.text).toContain(`If it should not be a video of its own: delete VideoId ${own.videoId} in the VOD console.`);
    await stopAndCheck(w.run, db);
  });
});

function writeRandomChunk(): Buffer {
  return Buffer.from(Array.from({ length: 4096 }, () => Math.floor(Math.random() * 256)));
}

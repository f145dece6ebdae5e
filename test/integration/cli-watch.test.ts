// `vodup watch <folder>` end to end: real CLI process, real sandbox over loopback.
import fs from 'fs';
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, startCli, waitFor, writeRandomFile, type CliRun, useCliSandbox } from '../fixtures/cli-harness';

interface FileLine {
  path: string;
  jobId: number | null;
  videoId: string | null;
  state: string;
  size: number | null;
  crc64: string | null;
}

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

function watch(folder: string, db: string): { run: CliRun; out: { text: string } } {
  const run = startCli(['watch', folder, '--interval', '1', '--settle', '1', '--db', db, '--json'], cliEnv(sandbox, home));
  const out = { text: '' };
  run.child.stdout!.on('data', (d: string) => (out.text += d));
  return { run, out };
}

async function until(run: CliRun, check: () => boolean, what: string): Promise<void> {
  const r = await waitFor(check, run.child, 20);
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
});

function writeRandomChunk(): Buffer {
  return Buffer.from(Array.from({ length: 4096 }, () => Math.floor(Math.random() * 256)));
}

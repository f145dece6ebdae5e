// The headline promise: kill -9 the CLI anywhere, start `vodup run`, and the upload
// ends complete, byte-exact, with one VideoId per file and little data sent twice.
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../main/sandbox/index';
import {
  cliEnv, jsonLines, runCli, startCli, useCliSandbox, waitFor, writeRandomFile,
} from '../fixtures/cli-harness';

const MiB = 1024 * 1024;
const PART_MIB = 1;
const PARALLEL = 4;
const KILLS = 12;

const cli = useCliSandbox('cli-crash', { store: 'disk' });
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

describe('vodup killed with SIGKILL at random points', () => {
  it('resumes with `vodup run` to byte-exact objects, one VideoId per file, bounded re-sends', async () => {
    const folder = path.join(home, 'media');
    const sources = new Map<string, Buffer>([
      [path.join(folder, 'big.mp4'), writeRandomFile(path.join(folder, 'big.mp4'), 40 * MiB + 12_345)],
      [path.join(folder, 'medium.mov'), writeRandomFile(path.join(folder, 'medium.mov'), 3 * MiB + 1)],
      [path.join(folder, 'small.mp3'), writeRandomFile(path.join(folder, 'small.mp3'), 700_000)],
    ]);
    const totalBytes = [...sources.values()].reduce((n, b) => n + b.length, 0);
    const env = cliEnv(sandbox, home);
    const tuning = ['--part-size', String(PART_MIB), '--parallel', String(PARALLEL), '--files', '2'];

    // Each round: start the CLI, let the sandbox receive a random amount of new bytes
    // (a different point in the upload every time), then kill -9 it.
    const killPoints: number[] = [];
    let kills = 0;
    for (let round = 0; kills < KILLS; round++) {
      expect(round, 'the upload finished before enough kills; make the file bigger').toBeLessThan(KILLS + 5);
      const args = round === 0 ? ['upload', folder, ...tuning, '--json'] : ['run', ...tuning, '--json'];
      const run = startCli(args, env);
      const start = sandbox.stats().bytesReceived;
      const after = Math.floor((0.2 + Math.random() * 2) * MiB);
      const outcome = await waitFor(() => sandbox.stats().bytesReceived >= start + after, run.child);
      if (outcome === 'met') {
        run.child.kill('SIGKILL');
        const res = await run.result;
        expect(res.signal).toBe('SIGKILL');
        kills++;
        killPoints.push(sandbox.stats().bytesReceived);
      } else {
        const res = await run.result;
        expect(res.code, res.stderr).toBe(0);
      }
    }
    expect(new Set(killPoints).size).toBeGreaterThanOrEqual(10);

    const final = await runCli(['run', ...tuning, '--json'], env);
    expect(final.code, final.stderr).toBe(0);

    const status = await runCli(['status', '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    const jobs = jsonLines<{ path: string; state: string; videoId: string | null }>(status.stdout);
    expect(jobs.map((j) => j.path).sort()).toEqual([...sources.keys()].sort());
    expect(jobs.every((j) => j.state === 'ready')).toBe(true);

    // One VideoId per file, ever.
    expect(sandbox.stats().createUploadVideo).toBe(sources.size);
    expect(sandbox.videos()).toHaveLength(sources.size);
    for (const job of jobs) {
      const video = sandbox.video(job.videoId!)!;
      expect(video.status).toBe('Normal');
      const stored = await sandbox.readObject(video.bucket, video.objectKey);
      expect(stored?.length).toBe(sources.get(job.path)!.length);
      expect(stored!.equals(sources.get(job.path)!)).toBe(true);
    }

    // Re-sent bytes: at most the parts in flight when each kill hit.
    const resent = sandbox.stats().bytesReceived - totalBytes;
    expect(resent).toBeGreaterThanOrEqual(0);
    expect(resent).toBeLessThanOrEqual(kills * PARALLEL * PART_MIB * MiB);
  });
});

// `vodup` through an OSS outage, and with videos under review or in a status the app
// does not know: the real CLI process against the sandbox over loopback.
import path from 'path';
import { describe, expect, it } from 'vitest';
import { openQueueStore } from '../../main/engine/store';
import { cliEnv, jsonLines, runCli, startCli, waitFor, writeRandomFile, useCliSandbox } from '../fixtures/cli-harness';

const MiB = 1024 * 1024;

interface StatusLine {
  id: number;
  state: string;
  vodStatus: string | null;
  videoId: string | null;
  error: { code: string; message: string } | null;
}

const plain = useCliSandbox('cli-outage');
const reviewed = useCliSandbox('cli-review', { review: true });

describe('vodup upload through an outage', () => {
  it('waits out an OSS outage, says in a few words what it waits for, completes, and keeps stderr clean', async () => {
    const { sandbox, home } = plain;
    const env = cliEnv(sandbox, home);
    const file = path.join(home, 'outage.mp4');
    const bytes = writeRandomFile(file, 6 * MiB + 11);
    // Random bytes: no media check, whose warning would be on stderr.
    const run = startCli(['upload', file, '--part-size', '1', '--parallel', '3', '--bwlimit', '2', '--no-probe'], env);
    // The outage starts once parts are on the wire.
    const started = await waitFor(() => (sandbox.stats().requests['oss:UploadPart'] ?? 0) > 0, run.child);
    expect(started).toBe('met');
    sandbox.faults.set({ outageSeconds: 20 });
    const res = await run.result;

    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(sandbox.stats().injected.outageDrops).toBeGreaterThan(0);
    // Nothing but the command's own words: no urllib warnings, no state-machine errors.
    expect(res.stderr).toBe('');
    const waiting = res.stdout.split('\n').filter((l) => /^#\d+\s+waiting\s/.test(l));
    expect(waiting.length).toBeGreaterThan(0);
    for (const line of waiting) {
      expect(line).toMatch(/Could not reach (OSS|VOD) \(127\.0\.0\.1:\d+\): [a-z ]+\./);
      expect(line).toMatch(/continues by itself when the network is back/);
      expect(line).not.toMatch(/headers:|keepalive|socketHandled|agent status|https?:\/\//);
    }
    expect(res.stdout).toMatch(/Done: 1 file\(s\) ready\./);

    // The library's own text is kept, in the job's event log.
    const store = openQueueStore(path.join(home, 'vodup', 'queue.db'));
    try {
      const job = store.jobsInStates(['ready'])[0];
      expect(job.path).toBe(file);
      const details = store.listEvents(job.id, 10_000)
        .filter((e) => e.type === 'waiting')
        .map((e) => (e.data as { detail?: string }).detail ?? '');
      expect(details.some((d) => /ECONNRESET|socket hang up|ResponseError/.test(d))).toBe(true);
      const video = sandbox.video(job.videoId!)!;
      expect((await sandbox.readObject(video.bucket, video.objectKey))?.equals(bytes)).toBe(true);
    } finally {
      store.close();
    }
    expect(sandbox.stats().createUploadVideo).toBe(1);
  });
});

describe('vodup with review before publishing', () => {
  it('counts a video under review as done (exit 0, "awaiting review"); retry + run make it ready once released', async () => {
    const { sandbox, home } = reviewed;
    const env = cliEnv(sandbox, home, { VODUP_HOME: path.join(home, 'q-review') });
    const file = path.join(home, 'review.mp4');
    writeRandomFile(file, 300_000);
    const up = await runCli(['upload', file], env);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.stdout).toMatch(/Done: 0 file\(s\) ready, 1 awaiting review in VOD/);

    const [job] = jsonLines<StatusLine>((await runCli(['status', '--json'], env)).stdout);
    expect([job.state, job.vodStatus]).toEqual(['review', 'Checking']);

    sandbox.setVideoStatus(job.videoId!, 'Normal');
    const retry = await runCli(['retry', String(job.id)], env);
    expect(retry.code, retry.stderr).toBe(0);
    expect(retry.stdout).toMatch(/^#1 uploaded/m);
    const run = await runCli(['run'], env);
    expect(run.code, run.stdout + run.stderr).toBe(0);
    const [after] = jsonLines<StatusLine>((await runCli(['status', '--json'], env)).stdout);
    expect([after.state, after.vodStatus, after.videoId]).toEqual(['ready', 'Normal', job.videoId]);
    expect(sandbox.stats().createUploadVideo).toBe(1);
  });

  it('says so when VOD reports a status the app does not know, keeps checking, and finishes when VOD moves on', async () => {
    const { sandbox, home } = reviewed;
    const env = cliEnv(sandbox, home, { VODUP_HOME: path.join(home, 'q-unknown') });
    const file = path.join(home, 'unknown.mp4');
    writeRandomFile(file, 300_000);
    const before = new Set(sandbox.videos().map((v) => v.videoId));
    const run = startCli(['upload', file], env);
    let out = '';
    run.child.stdout!.on('data', (d: string) => (out += d));
    // As soon as the object is complete (the first status poll comes a second later).
    const complete = await waitFor(() => sandbox.videos().some((v) => !before.has(v.videoId) && v.uploadedAt !== undefined), run.child);
    expect(complete).toBe('met');
    const video = sandbox.videos().find((v) => !before.has(v.videoId))!;
    sandbox.setVideoStatus(video.videoId, 'Remastering');
    expect(await waitFor(() => /VOD reports status "Remastering", which this app does not know; it keeps checking/.test(out), run.child)).toBe('met');
    sandbox.setVideoStatus(video.videoId, 'Normal');
    const res = await run.result;
    expect(res.code, res.stdout + res.stderr).toBe(0);
    expect(res.stdout).toMatch(/Done: 1 file\(s\) ready\./);
  });
});

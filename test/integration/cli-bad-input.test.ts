// Bad input never loses work: each problem is named with its file, the exit code says
// something went wrong, and the other jobs in the same queue still complete.
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, writeRandomFile, useCliSandbox } from '../fixtures/cli-harness';

interface StatusLine {
  id: number;
  path: string;
  state: string;
  videoId: string | null;
}

const cli = useCliSandbox('cli-bad');
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

describe('vodup with bad input', () => {
  it('names each bad file and its problem, exits non-zero, and loses none of the other jobs', async () => {
    const env = cliEnv(sandbox, home);
    const dir = path.join(home, 'in');
    const held = [path.join(dir, 'held-1.mp4'), path.join(dir, 'held-2.mp4')];
    held.forEach((p) => writeRandomFile(p, 200_000));
    const good = path.join(dir, 'good.mp4');
    writeRandomFile(good, 300_000);
    const other = path.join(dir, 'other.mp4');
    writeRandomFile(other, 100_000);
    const unsupported = path.join(dir, 'readme.docx');
    writeRandomFile(unsupported, 10);
    const missing = path.join(dir, 'missing.mp4');

    // Two jobs already waiting in the queue.
    const hold = await runCli(['upload', ...held, '--hold'], env);
    expect(hold.code, hold.stderr).toBe(0);

    // A missing and an unsupported file next to a good one: the good one still goes.
    const mixed = await runCli(['upload', good, missing, unsupported, '--json'], env);
    expect(mixed.code).toBe(2);
    expect(mixed.stderr).toContain(`${missing}: No such file`);
    expect(mixed.stderr).toMatch(new RegExp(`${unsupported.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: "\\.docx" is not a format`));
    const lines = jsonLines<{ path: string; state: string; videoId: string | null }>(mixed.stdout);
    expect(lines.find((l) => l.path === good)?.state).toBe('ready');
    expect(lines.filter((l) => l.state === 'rejected').map((l) => l.path).sort()).toEqual([missing, unsupported].sort());

    const longTitle = await runCli(['upload', other, '--title', 'x'.repeat(129)], env);
    expect(longTitle.code).toBe(2);
    expect(longTitle.stderr).toContain(`${other}: Title has 129 characters; the limit is 128.`);

    const tags = Array.from({ length: 17 }, (_, i) => `t${i}`).join(',');
    const manyTags = await runCli(['upload', other, '--tags', tags], env);
    expect(manyTags.code).toBe(2);
    expect(manyTags.stderr).toContain(`${other}: 17 tags; at most 16 are allowed.`);

    const wrongKey = await runCli(['upload', other], cliEnv(sandbox, home, { VOD_ACCESS_KEY_SECRET: 'not-the-secret' }));
    expect(wrongKey.code).toBe(2);
    expect(wrongKey.stderr).toMatch(/refused the AccessKey/);
    expect(wrongKey.stderr).toContain('VOD_ACCESS_KEY_SECRET');
    expect(wrongKey.stderr).toContain(`Nothing was enqueued: ${other}`);
    expect(wrongKey.stderr).not.toContain(sandbox.accessKeySecret);

    const noKey = await runCli(['upload', other], cliEnv(sandbox, home, { VOD_ACCESS_KEY_ID: undefined, VOD_ACCESS_KEY_SECRET: undefined }));
    expect(noKey.code).toBe(2);
    expect(noKey.stderr).toMatch(/VOD_ACCESS_KEY_ID/);

    // Nothing invalid entered the queue, nothing valid was lost.
    const status = await runCli(['status', '--json'], env);
    expect(status.code, status.stderr).toBe(0);
    const jobs = jsonLines<StatusLine>(status.stdout);
    expect(jobs.map((j) => [j.path, j.state]).sort()).toEqual([[good, 'ready'], [held[0], 'paused'], [held[1], 'paused']].sort());

    // The held jobs complete.
    expect((await runCli(['resume', 'all'], env)).code).toBe(0);
    const run = await runCli(['run', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    const after = jsonLines<StatusLine>((await runCli(['status', '--json'], env)).stdout);
    expect(after.map((j) => j.state)).toEqual(['ready', 'ready', 'ready']);
    expect(new Set(after.map((j) => j.videoId)).size).toBe(3);
    expect(sandbox.stats().createUploadVideo).toBe(3);
  });

  it('refuses bad flag values before doing anything', async () => {
    const env = cliEnv(sandbox, home);
    const res = await runCli(['upload', path.join(home, 'in', 'good.mp4'), '--parallel', '0'], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain("option '--parallel <n>' argument '0' is invalid. Give a whole number from 1 to 256.");
    const user = await runCli(['upload', path.join(home, 'in', 'good.mp4'), '--user-data', '[1,2]'], env);
    expect(user.code).toBe(2);
    expect(user.stderr).toContain('UserData must be a JSON object.');
    const extend = await runCli(['upload', path.join(home, 'in', 'good.mp4'), '--user-data', JSON.stringify({ Extend: { note: 'n'.repeat(600) } })], env);
    expect(extend.code).toBe(2);
    expect(extend.stderr).toContain("UserData's Extend is 611 bytes; VOD takes at most 512");
    const storage = await runCli(['upload', path.join(home, 'in', 'good.mp4'), '--storage-location', 'my-bucket'], env);
    expect(storage.code).toBe(2);
    expect(storage.stderr).toContain('"my-bucket" is not a VOD storage address.');
  });
});

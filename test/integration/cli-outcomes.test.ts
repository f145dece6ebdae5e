// What the CLI says happened, and its exit code, for every job it ran: jobs that fail at
// once, the last job of a run, a held job's part size, a full disk under the queue, a
// closed stdout. Real CLI processes against the sandbox.

import { spawn } from 'child_process';
import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, REPO, runCli, startCli, tempDir, waitFor, writeRandomFile, useCliSandbox, type CliResult } from '../fixtures/cli-harness';
// The JSON line the CLI prints per file, as the CLI declares it.
import type { FileRecord as FileLine } from '../../main/cli/reporter';


const MiB = 1024 * 1024;
const cli = useCliSandbox('cli-outcomes');
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

/** A queue of its own for each test. */
function db(name: string): string[] {
  return ['--db', path.join(home, `${name}.db`)];
}

function statusJson(dbArgs: string[]): Promise<{ id: number; state: string; path: string }[]> {
  return runCli(['status', '--json', ...dbArgs], cliEnv(sandbox, home)).then((r) => jsonLines(r.stdout));
}

describe('vodup run accounts for every job it ran', () => {
  it('counts jobs that all fail at once: exit 1, each named in the summary', async () => {
    const q = db('all-fail');
    const folder = path.join(home, 'gone');
    for (const n of ['a', 'b', 'c']) writeRandomFile(path.join(folder, `${n}.mp4`), 120_000);
    expect((await runCli(['upload', '--hold', folder, ...q], cliEnv(sandbox, home))).code).toBe(0);
    fs.rmSync(folder, { recursive: true });
    await runCli(['resume', 'all', ...q], cliEnv(sandbox, home));

    const res = await runCli(['run', ...q], cliEnv(sandbox, home));
    expect(res.code, res.stdout + res.stderr).toBe(1);
    expect(res.stdout).toContain('0 file(s) ready, 3 not:');
    for (const n of ['a', 'b', 'c']) expect(res.stdout).toMatch(new RegExp(`#\\d+ failed  ${path.join(folder, `${n}.mp4`).replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}  ENOENT`));

    await runCli(['retry', 'all', ...q], cliEnv(sandbox, home));
    const json = await runCli(['run', '--json', ...q], cliEnv(sandbox, home));
    expect(json.code).toBe(1);
    const lines = jsonLines<FileLine>(json.stdout);
    expect(lines.map((l) => l.state)).toEqual(['failed', 'failed', 'failed']);
    expect(lines.every((l) => l.error?.code === 'ENOENT')).toBe(true);
  });

  it('--json prints one line per job, the last one too, and exit 1 when one failed', async () => {
    const q = db('mixed');
    const folder = path.join(home, 'mixed');
    const files = ['1.mp4', '2.mp4', '3.mp4'].map((n) => path.join(folder, n));
    files.forEach((f) => writeRandomFile(f, 200_000));
    expect((await runCli(['upload', '--hold', folder, ...q], cliEnv(sandbox, home))).code).toBe(0);
    fs.rmSync(files[1]);
    await runCli(['resume', 'all', ...q], cliEnv(sandbox, home));

    const res = await runCli(['run', '--json', ...q], cliEnv(sandbox, home));
    expect(res.code, res.stderr).toBe(1);
    const byPath = new Map(jsonLines<FileLine>(res.stdout).map((l) => [l.path, l]));
    expect(byPath.size).toBe(3);
    expect(byPath.get(files[0])?.state).toBe('ready');
    expect(byPath.get(files[1])?.state).toBe('failed');
    expect(byPath.get(files[2])?.state).toBe('ready');
    expect(res.stderr).toContain('2 file(s) ready, 1 not:');

    // Nothing left to run: said so, exit 0, no lines.
    const again = await runCli(['run', '--json', ...q], cliEnv(sandbox, home));
    expect(again.code).toBe(0);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('Nothing to run');
  });
});

describe('options kept with held jobs', () => {
  it('a held job uploads later with the --part-size it was added with', async () => {
    const q = db('part-size');
    const file = path.join(home, 'parts', 'four-parts.mp4');
    const bytes = writeRandomFile(file, 3 * MiB + 1);
    expect((await runCli(['upload', '--hold', '--part-size', '1', file, ...q], cliEnv(sandbox, home))).code).toBe(0);
    await runCli(['resume', 'all', ...q], cliEnv(sandbox, home));
    const partsBefore = sandbox.stats().requests['oss:UploadPart'] ?? 0;
    // run without --part-size: the default (16 MiB) would send one piece.
    const res = await runCli(['run', '--json', ...q], cliEnv(sandbox, home));
    expect(res.code, res.stderr).toBe(0);
    expect((sandbox.stats().requests['oss:UploadPart'] ?? 0) - partsBefore).toBe(4);
    const [line] = jsonLines<FileLine>(res.stdout);
    const video = sandbox.video(line.videoId!)!;
    expect((await sandbox.readObject(video.bucket, video.objectKey))?.equals(bytes)).toBe(true);
  });

  it('--hold resolves manifest category names with the credentials, and says what is needed without them', async () => {
    const q = db('hold-names');
    const folder = path.join(home, 'named');
    writeRandomFile(path.join(folder, 'match.mp4'), 150_000);
    const manifest = path.join(folder, 'list.csv');
    fs.writeFileSync(manifest, 'path,category\nmatch.mp4,Sports/Football\n');

    const noKeys = cliEnv(sandbox, await tempDir('no-keys'), { VOD_ACCESS_KEY_ID: undefined, VOD_ACCESS_KEY_SECRET: undefined });
    const refused = await runCli(['upload', '--hold', '--manifest', manifest, ...q], noKeys);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain('Category "Sports/Football" is not a category id');
    expect(refused.stderr).toMatch(/Category names need the account's category list, which could not be read: No Alibaba Cloud credentials found/);
    expect(refused.stderr).toContain('Give those rows category ids (numbers) instead.');
    expect(await statusJson(q)).toEqual([]);

    const held = await runCli(['upload', '--hold', '--manifest', manifest, ...q], cliEnv(sandbox, home));
    expect(held.code, held.stderr).toBe(0);
    await runCli(['resume', 'all', ...q], cliEnv(sandbox, home));
    const res = await runCli(['run', '--json', ...q], cliEnv(sandbox, home));
    expect(res.code, res.stderr).toBe(0);
    const [line] = jsonLines<FileLine>(res.stdout);
    expect(sandbox.video(line.videoId!)!.cateId).toBe(1000006);
  });
});

describe('credentials from the standard places', () => {
  it('uploads with ~/.alibabacloud/credentials in a temp HOME, and with ALIBABA_CLOUD_* variables', async () => {
    const userHome = await tempDir('ini-home');
    fs.mkdirSync(path.join(userHome, '.alibabacloud'));
    fs.writeFileSync(path.join(userHome, '.alibabacloud', 'credentials'),
      `[default]\ntype = access_key\naccess_key_id = ${sandbox.accessKeyId}\naccess_key_secret = ${sandbox.accessKeySecret}\n`);
    const file = path.join(home, 'ini', 'from-ini.mp4');
    writeRandomFile(file, 100_000);
    const env = cliEnv(sandbox, userHome, { VOD_ACCESS_KEY_ID: undefined, VOD_ACCESS_KEY_SECRET: undefined, VOD_REGION: undefined });
    const res = await runCli(['upload', file, '--json', ...db('ini')], env);
    expect(res.code, res.stderr).toBe(0);
    expect(jsonLines<FileLine>(res.stdout)[0].state).toBe('ready');

    const std = cliEnv(sandbox, await tempDir('std-home'), {
      VOD_ACCESS_KEY_ID: undefined, VOD_ACCESS_KEY_SECRET: undefined,
      ALIBABA_CLOUD_ACCESS_KEY_ID: sandbox.accessKeyId, ALIBABA_CLOUD_ACCESS_KEY_SECRET: sandbox.accessKeySecret,
    });
    const file2 = path.join(home, 'ini', 'from-env.mp4');
    writeRandomFile(file2, 100_000);
    const res2 = await runCli(['upload', file2, '--json', ...db('std-env')], std);
    expect(res2.code, res2.stderr).toBe(0);
  });

  it('uploads with a least-privilege RAM user (no catalog reads) when categories are given by id', async () => {
    const file = path.join(home, 'ram', 'limited.mp4');
    const bytes = writeRandomFile(file, 200_000);
    const env = cliEnv(sandbox, home, { VOD_ACCESS_KEY_ID: sandbox.uploadOnly.accessKeyId, VOD_ACCESS_KEY_SECRET: sandbox.uploadOnly.accessKeySecret });
    const forbiddenBefore = sandbox.stats().errors['Forbidden.RAM'] ?? 0;
    const res = await runCli(['upload', file, '--category', '1000002', '--json', ...db('ram')], env);
    expect(res.code, res.stderr).toBe(0);
    // The preflight's catalog read was refused (that proved the key), and the operator is told what that means.
    expect((sandbox.stats().errors['Forbidden.RAM'] ?? 0) - forbiddenBefore).toBeGreaterThan(0);
    expect(res.stderr).toContain(`The AccessKey ${sandbox.uploadOnly.accessKeyId} works, but may not read the account's catalog (Forbidden.RAM): give categories, template groups and workflows by id.`);
    const [line] = jsonLines<FileLine>(res.stdout);
    expect(line.state).toBe('ready');
    const video = sandbox.video(line.videoId!)!;
    expect(video.cateId).toBe(1000002);
    expect((await sandbox.readObject(video.bucket, video.objectKey))?.equals(bytes)).toBe(true);

    // A wrong secret for the same user is still refused before anything is enqueued.
    const bad = await runCli(['upload', file, ...db('ram-bad')], { ...env, VOD_ACCESS_KEY_SECRET: 'not-the-secret' });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/VOD refused the AccessKey .* \(SignatureDoesNotMatch/);
  });

  it('refuses a region VOD does not serve before anything is enqueued', async () => {
    const file = path.join(home, 'hz', 'clip.mp4');
    writeRandomFile(file, 100_000);
    const q = db('hangzhou');
    const before = sandbox.stats().createUploadVideo;
    const res = await runCli(['upload', file, ...q], cliEnv(sandbox, home, { VOD_REGION: 'cn-hangzhou', VOD_ENDPOINT: undefined }));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('VOD does not serve the region "cn-hangzhou" (there is no vod.cn-hangzhou.aliyuncs.com)');
    expect(res.stderr).toContain('The region came from VOD_REGION.');
    expect(sandbox.stats().createUploadVideo).toBe(before);
    expect(await statusJson(q)).toEqual([]);
  });
});

describe('a command never ends quietly with its work undone', () => {
  it('waits out a full disk under the queue, saying so, and then finishes (exit 0 only then)', async () => {
    // A real full disk: the queue lives on a 4 MiB tmpfs that a filler file fills up.
    const mnt = await tempDir('cli-tmpfs');
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    const filler = path.join(mnt, 'filler');
    sandbox.faults.set({ bandwidth: 2 * MiB });
    try {
      const file = path.join(home, 'disk', 'full.mp4');
      const bytes = writeRandomFile(file, 10 * MiB);
      const run = startCli(['upload', file, '--part-size', '1', '--parallel', '2', '--db', path.join(mnt, 'queue.db')], cliEnv(sandbox, home));
      let out = '';
      let err = '';
      run.child.stdout!.on('data', (d: Buffer) => (out += String(d)));
      run.child.stderr!.on('data', (d: Buffer) => (err += String(d)));
      expect(await waitFor(() => /uploading/.test(out), run.child)).toBe('met');

      const fh = fs.openSync(filler, 'w');
      try {
        for (;;) fs.writeSync(fh, Buffer.alloc(64 * 1024));
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        fs.closeSync(fh);
      }
      // It says what it waits for. The engine's retry of the write runs on an unref'd timer:
      // the command used to find nothing left to wait on here and exit 0 with the job half done.
      expect(await waitFor(() => /waiting .*DiskFull: The disk that holds the upload queue is full/.test(out), run.child)).toBe('met');

      fs.rmSync(filler);
      const res: CliResult = await run.result;
      expect(res.code, err).toBe(0);
      expect(out).toContain('Done: 1 file(s) ready.');
      // The wait is said on stdout, once; no engine warning or stack on stderr.
      expect(err).not.toMatch(/Warning|IllegalTransition|\n\s+at /);
      const video = sandbox.videos().find((v) => v.title === 'full')!;
      expect((await sandbox.readObject(video.bucket, video.objectKey))?.equals(bytes)).toBe(true);
    } finally {
      sandbox.faults.reset();
      execFileSync('umount', ['-l', mnt]);
    }
  });

  it('ends quietly when stdout is closed: exit 0 after reading, 141 after stopping uploads', async () => {
    const q = db('epipe');
    const folder = path.join(home, 'epipe');
    const files = ['1.mp4', '2.mp4'].map((n) => path.join(folder, n));
    files.forEach((f) => writeRandomFile(f, 1 * MiB));
    expect((await runCli(['upload', '--hold', folder, ...q], cliEnv(sandbox, home))).code).toBe(0);

    /** The CLI with a stdout whose reader is gone before it writes: every write is EPIPE. */
    const closedStdout = (args: string[]): Promise<CliResult> => new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(REPO, 'bin', 'vodup.js'), ...args], { env: cliEnv(sandbox, home), stdio: ['ignore', 'pipe', 'pipe'] });
      child.stdout!.destroy();
      let stderr = '';
      child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
      child.once('error', reject);
      child.once('close', (code, signal) => resolve({ code, signal, stdout: '', stderr }));
    });

    const status = await closedStdout(['status', ...q]);
    expect(status.stderr).toBe('');
    expect(status.code).toBe(0);

    // One file at a time, slowly: the first file's line (the first write) comes while the second uploads.
    await runCli(['resume', 'all', ...q], cliEnv(sandbox, home));
    sandbox.faults.set({ bandwidth: 1 * MiB });
    try {
      const upload = await closedStdout(['run', '--json', '--files', '1', '--part-size', '1', ...q]);
      expect(upload.stderr).toBe('');
      expect(upload.code).toBe(141);
    } finally {
      sandbox.faults.reset();
    }
    // Stopped with a consistent checkpoint: one done, the other back in line (or complete in
    // OSS and waiting for VOD's status), none left mid-transfer.
    const [first, second] = (await statusJson(q)).map((j) => j.state);
    expect(first).toBe('ready');
    expect(['queued', 'uploaded']).toContain(second);
  });
});

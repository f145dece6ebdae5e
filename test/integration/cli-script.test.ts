// The CLI in a script: `vodup catalog`, progress lines when the output is not a terminal,
// a command that reports only its own jobs, the media check on upload (--strict), and
// `vodup sandbox --print-env`. Real CLI processes against a real sandbox over loopback.

import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, writeRandomFile, useCliSandbox } from '../fixtures/cli-harness';
// The JSON line the CLI prints per file, as the CLI declares it.
import type { FileRecord as FileLine } from '../../main/cli/reporter';

const MiB = 1024 * 1024;


const cli = useCliSandbox('cli-script');
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});
afterEach(() => sandbox.faults.reset());

const db = (name: string): string[] => ['--db', path.join(home, name, 'queue.db')];

describe('vodup catalog', () => {
  it('lists categories as a tree, template groups with the default and no-transcode marked, workflows and apps', async () => {
    const res = await runCli(['catalog'], cliEnv(sandbox, home));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
    const lines = res.stdout.split('\n');
    // Children are indented under their parent, ids first.
    const movies = lines.indexOf('  1000001  Movies');
    expect(movies).toBeGreaterThanOrEqual(0);
    expect(lines[movies + 1]).toBe('    1000002  Action');
    expect(lines[movies + 2]).toBe('      1000003  Classics');
    expect(res.stdout).toMatch(/^ {2}a1b2c3d4e5f60718293a4b5c6d7e8f90 {2}Default \(MP4 LD\/SD\/HD\) {2}\(default\)$/m);
    expect(res.stdout).toMatch(/^ {2}VOD_NO_TRANSCODE {2}No transcoding {2}\(no transcoding, locked\)$/m);
    expect(res.stdout).toMatch(/^Workflows \(--workflow <id>\):\n {2}\w{32} {2}\S/m);
    expect(res.stdout).toContain('  app-2000001  Training videos');
  });

  it('--json gives the whole catalog as one object', async () => {
    const res = await runCli(['catalog', '--json'], cliEnv(sandbox, home));
    expect(res.code, res.stderr).toBe(0);
    const [catalog] = jsonLines<{ categories: { cateId: number; children: { cateId: number }[] }[]; templateGroups: { id: string; isDefault: boolean; noTranscode: boolean }[]; workflows: unknown[]; apps: { appId: string }[]; refused: unknown[] }>(res.stdout);
    expect(catalog.refused).toEqual([]);
    expect(catalog.categories.find((c) => c.cateId === 1000001)?.children.map((c) => c.cateId)).toContain(1000002);
    expect(catalog.templateGroups.filter((g) => g.isDefault)).toHaveLength(1);
    expect(catalog.templateGroups.find((g) => g.noTranscode)?.id).toBe('VOD_NO_TRANSCODE');
    expect(catalog.workflows.length).toBeGreaterThan(0);
    expect(catalog.apps.map((a) => a.appId)).toEqual(expect.arrayContaining(['app-1000000', 'app-2000001']));
  });

  it('with an upload-only RAM user names every refused part with VOD\'s answer, and exits 2 as nothing could be read', async () => {
    const env = cliEnv(sandbox, home, { VOD_ACCESS_KEY_ID: sandbox.uploadOnly.accessKeyId, VOD_ACCESS_KEY_SECRET: sandbox.uploadOnly.accessKeySecret });
    const res = await runCli(['catalog'], env);
    expect(res.code, res.stderr).toBe(2);
    for (const part of ['categories', 'template groups', 'workflows', 'applications']) {
      expect(res.stderr).toContain(`may not list ${part} (Forbidden.RAM: User not authorized`);
    }
    expect(res.stdout).toContain('Categories (--category <CateId>):\n  not readable with this AccessKey (Forbidden.RAM): give ids by hand.');
    expect(res.stderr).not.toContain(sandbox.uploadOnly.accessKeySecret);

    const json = await runCli(['catalog', '--json'], env);
    expect(json.code).toBe(2);
    const [catalog] = jsonLines<{ refused: { part: string; code: string }[] }>(json.stdout);
    expect(catalog.refused.map((r) => `${r.part}:${r.code}`)).toEqual(['categories', 'templateGroups', 'workflows', 'apps'].map((p) => `${p}:Forbidden.RAM`));
  });
});

describe('progress lines when the output is not a terminal', () => {
  it('appear at the interval during a slow upload: on stdout in plain mode, on stderr with --json', async () => {
    // One part in flight at a time: the bytes handed to the socket move part by part.
    sandbox.faults.set({ bandwidth: 4 * MiB });
    const plainFile = path.join(home, 'progress', 'plain.mp4');
    const jsonFile = path.join(home, 'progress', 'json.mp4');
    writeRandomFile(plainFile, 6 * MiB);
    writeRandomFile(jsonFile, 6 * MiB);
    const common = ['--part-size', '1', '--parallel', '1', '--progress-interval', '1', '--no-probe'];
    const [plain, json] = await Promise.all([
      runCli(['upload', plainFile, ...common, ...db('progress-plain')], cliEnv(sandbox, home)),
      runCli(['upload', jsonFile, ...common, '--json', ...db('progress-json')], cliEnv(sandbox, home)),
    ]);
    expect(plain.code, plain.stderr).toBe(0);
    expect(json.code, json.stderr).toBe(0);
    // (A line may end with the reasons jobs wait for, should a part be retried on a busy machine.)
    const line = /^Progress {2}\d+% {2}[\d.]+ \w?B \/ 6\.00 MB {2}\S.* {2}ETA \S+ {2}[01] of 1 files done( {2}waiting: .+)?$/m;
    expect(plain.stdout, plain.stdout + plain.stderr).toMatch(line);
    expect(json.stderr, json.stderr).toMatch(line);
    // stdout of --json stays one JSON line per file.
    expect(jsonLines<FileLine>(json.stdout).map((l) => l.state)).toEqual(['ready']);
  });
});

describe('a command reports its own jobs only', () => {
  it('an older job of the queue that runs meanwhile is not reported by a new upload', async () => {
    const q = db('own-jobs');
    const old = path.join(home, 'own', 'older.mp4');
    const mine = path.join(home, 'own', 'mine.mp4');
    writeRandomFile(old, MiB);
    writeRandomFile(mine, MiB);
    expect((await runCli(['upload', '--hold', '--no-probe', old, ...q], cliEnv(sandbox, home))).code).toBe(0);
    expect((await runCli(['resume', 'all', ...q], cliEnv(sandbox, home))).code).toBe(0);

    const res = await runCli(['upload', mine, '--no-probe', ...q], cliEnv(sandbox, home));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toMatch(new RegExp(`^#\\d+\\s+ready\\s+${mine.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`, 'm'));
    expect(res.stdout).not.toContain(old);
    expect(res.stdout).toContain('Done: 1 file(s) ready.');
    // The older job did move during that command (the engine runs the whole queue).
    const status = jsonLines<{ path: string; state: string }>((await runCli(['status', '--json', ...q], cliEnv(sandbox, home))).stdout);
    expect(status.find((j) => j.path === old)?.state).not.toBe('queued');
  });
});

describe('the media check on upload', () => {
  const folder = () => path.join(home, 'probe');
  const empty = () => path.join(folder(), 'empty.mp4');
  const junk = () => path.join(folder(), 'junk.mov');
  const clip = () => path.join(folder(), 'clip.mp4');
  beforeAll(() => {
    fs.mkdirSync(folder(), { recursive: true });
    fs.writeFileSync(empty(), '');
    // Not random bytes: ffprobe now and then reads those as a raw stream (h263).
    fs.writeFileSync(junk(), 'not a video\n'.repeat(6_000));
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=1:size=160x120:rate=10', '-c:v', 'libx264', clip()]);
  });

  it('warns for a zero-byte and a non-media file, and uploads them all the same', async () => {
    const res = await runCli(['upload', empty(), junk(), clip(), '--json', ...db('probe-warn')], cliEnv(sandbox, home));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`vodup: ${empty()}: warning: not readable as media: the file is empty (0 bytes); VOD would accept the upload and fail to transcode it`);
    expect(res.stderr).toMatch(new RegExp(`vodup: ${junk().replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: warning: not readable as media: .+; VOD would accept the upload and fail to transcode it`));
    expect(res.stderr).not.toContain(clip());
    expect(jsonLines<FileLine>(res.stdout).map((l) => l.state)).toEqual(['ready', 'ready', 'ready']);
  });

  it('--strict refuses them (exit 2, nothing enqueued for them) and uploads the real media', async () => {
    const q = db('probe-strict');
    const res = await runCli(['upload', empty(), junk(), clip(), '--strict', '--json', ...q], cliEnv(sandbox, home));
    expect(res.code, res.stderr).toBe(2);
    const lines = jsonLines<FileLine>(res.stdout);
    expect(lines.filter((l) => l.state === 'rejected').map((l) => l.path).sort()).toEqual([empty(), junk()].sort());
    expect(lines.find((l) => l.path === clip())?.state).toBe('ready');
    expect(res.stderr).toContain('Refused (--strict): nothing was enqueued for it.');
    const status = jsonLines<{ path: string }>((await runCli(['status', '--json', ...q], cliEnv(sandbox, home))).stdout);
    expect(status.map((j) => j.path)).toEqual([clip()]);
  });

  it('--no-probe skips the check', async () => {
    const res = await runCli(['upload', empty(), '--no-probe', '--hold', ...db('probe-off')], cliEnv(sandbox, home));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toBe('');
  });
});

describe('vodup sandbox --print-env', () => {
  it('starts a sandbox in the background on --data, prints its environment, finds it again, and keeps the keys across a restart', async () => {
    const data = path.join(home, 'bg-sandbox');
    const env = { PATH: process.env.PATH, HOME: home };
    const parse = (text: string): Record<string, string> => Object.fromEntries(
      [...text.matchAll(/^export (\w+)='?([^'\n]*)'?$/gm)].map((m) => [m[1], m[2]]),
    );
    const pids: number[] = [];
    const alive = (pid: number): boolean => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    };
    const stop = async (pid: number): Promise<void> => {
      process.kill(pid, 'SIGTERM');
      const deadline = Date.now() + 10_000;
      while (alive(pid)) {
        if (Date.now() > deadline) throw new Error(`the sandbox ${pid} did not stop on SIGTERM`);
        await new Promise((r) => setTimeout(r, 20));
      }
    };
    try {
      const first = await runCli(['sandbox', '--data', data, '--print-env'], env);
      expect(first.code, first.stderr).toBe(0);
      const vars = parse(first.stdout);
      pids.push(Number(vars.VODUP_SANDBOX_PID));
      expect(vars.VOD_ENDPOINT).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(vars.TENCENTCLOUD_SECRET_ID).toMatch(/^AKID\w{32}$/);
      expect(vars.TENCENTCLOUD_SECRET_KEY).toHaveLength(32);
      expect(vars.TENCENTCLOUD_REGION).toBe('ap-guangzhou');
      expect(first.stdout).toContain('unset TENCENTCLOUD_SESSION_TOKEN');
      expect(first.stderr).toContain('sandbox started in the background');

      // The environment works: the catalog reads with it.
      const catalog = await runCli(['catalog'], { ...env, ...vars, VODUP_HOME: path.join(home, 'bg-vodup') });
      expect(catalog.code, catalog.stderr).toBe(0);

      const again = await runCli(['sandbox', '--data', data, '--print-env'], env);
      expect(again.code, again.stderr).toBe(0);
      expect(parse(again.stdout)).toEqual(vars);
      expect(again.stderr).toContain('runs already');

      await stop(pids[0]);
      const restarted = await runCli(['sandbox', '--data', data, '--print-env'], env);
      expect(restarted.code, restarted.stderr).toBe(0);
      const after = parse(restarted.stdout);
      pids.push(Number(after.VODUP_SANDBOX_PID));
      expect(after.VODUP_SANDBOX_PID).not.toBe(vars.VODUP_SANDBOX_PID);
      expect(after.VOD_ACCESS_KEY_ID).toBe(vars.VOD_ACCESS_KEY_ID);
      expect(after.VOD_ACCESS_KEY_SECRET).toBe(vars.VOD_ACCESS_KEY_SECRET);
      expect(after.TENCENTCLOUD_SECRET_ID).toBe(vars.TENCENTCLOUD_SECRET_ID);
      expect(after.TENCENTCLOUD_SECRET_KEY).toBe(vars.TENCENTCLOUD_SECRET_KEY);
    } finally {
      for (const pid of pids) if (pid && alive(pid)) process.kill(pid, 'SIGTERM');
    }
  });
});

// `--duplicates skip|upload|fail` and `vodup ledger export`: real CLI processes against
// the sandbox, one queue, the same folder uploaded again after it completed.
import fs from 'fs';
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, startCli, useCliSandbox, waitFor, writeRandomFile } from '../fixtures/cli-harness';
// The JSON line the CLI prints per file, as the CLI declares it.
import type { FileRecord as FileLine } from '../../main/cli/reporter';


const cli = useCliSandbox('cli-dup');
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

describe('vodup upload --duplicates', () => {
  it('skips a folder uploaded before (with VideoIds), fails on request, uploads again on request; the ledger exports them', async () => {
    const folder = path.join(home, 'media');
    const files = ['a.mp4', 'b.mov', 'c.mp3'].map((n, i) => {
      writeRandomFile(path.join(folder, n), 100_000 + i);
      return path.join(folder, n);
    });
    const env = cliEnv(sandbox, home);

    const first = await runCli(['upload', folder, '--json'], env);
    expect(first.code, first.stderr).toBe(0);
    const uploaded = new Map(jsonLines<FileLine>(first.stdout).map((l) => [l.path, l.videoId!]));
    expect([...uploaded.keys()].sort()).toEqual(files);
    expect(sandbox.stats().createUploadVideo).toBe(3);

    // Default: every file is a duplicate, each with its VideoId; nothing is created; exit 0.
    const again = await runCli(['upload', folder, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const dups = jsonLines<FileLine>(again.stdout);
    expect(dups.map((l) => [l.path, l.state, l.videoId]).sort()).toEqual(files.map((f) => [f, 'duplicate', uploaded.get(f)]));
    expect(again.stderr).toContain('3 file(s) skipped');
    expect(sandbox.stats().createUploadVideo).toBe(3);

    // Plain mode: a line per skip, naming the VideoId; a moved file is still known.
    const moved = path.join(home, 'elsewhere', 'renamed.mp4');
    fs.mkdirSync(path.dirname(moved));
    fs.renameSync(files[0], moved);
    const plain = await runCli(['upload', moved], env);
    expect(plain.code, plain.stderr).toBe(0);
    expect(plain.stdout).toMatch(new RegExp(`duplicate  ${moved}: uploaded on \\d{4}-\\d\\d-\\d\\d as VideoId ${uploaded.get(files[0])} \\(from ${files[0]}\\)`));
    fs.renameSync(moved, files[0]);

    // fail: non-zero, each named, nothing enqueued (the new file neither).
    writeRandomFile(path.join(folder, 'new.mp4'), 5_000);
    const fail = await runCli(['upload', folder, '--duplicates', 'fail'], env);
    expect(fail.code).toBe(2);
    for (const f of files) expect(fail.stderr).toContain(`${f}: uploaded on`);
    expect(fail.stdout).toContain('Nothing was enqueued');
    expect(sandbox.stats().createUploadVideo).toBe(3);
    fs.rmSync(path.join(folder, 'new.mp4'));

    // upload: new VideoIds for all three.
    const deliberate = await runCli(['upload', folder, '--duplicates', 'upload', '--json'], env);
    expect(deliberate.code, deliberate.stderr).toBe(0);
    const second = jsonLines<FileLine>(deliberate.stdout);
    expect(second.map((l) => l.state)).toEqual(['ready', 'ready', 'ready']);
    for (const l of second) expect(l.videoId).not.toBe(uploaded.get(l.path));
    expect(sandbox.stats().createUploadVideo).toBe(6);

    const json = await runCli(['ledger', 'export', '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as { video_id: string; path: string; account: string; crc64_hex: string }[];
    expect(rows.map((r) => r.video_id).sort()).toEqual([...uploaded.values(), ...second.map((l) => l.videoId!)].sort());
    expect(new Set(rows.map((r) => r.account))).toEqual(new Set([`${sandbox.accessKeyId}@${sandbox.url}`]));
    expect(json.stdout).not.toContain(sandbox.accessKeySecret);
    const csv = await runCli(['ledger', 'export'], env);
    expect(csv.code, csv.stderr).toBe(0);
    expect(csv.stdout.split('\r\n')[0]).toBe('\uFEFFaccount,video_id,title,path,size_bytes,sample_hash,crc64_hex,uploaded_at,job_id');
    expect(csv.stdout.trim().split('\r\n')).toHaveLength(7);
    // Another account has uploaded nothing.
    const other = await runCli(['ledger', 'export', '--json'], cliEnv(sandbox, home, { VOD_ACCESS_KEY_ID: 'someone-else' }));
    expect(JSON.parse(other.stdout)).toEqual([]);
  });

  it('vodup watch skips a dropped file this account uploaded (a JSON line with its VideoId); --duplicates fail stops it, exit 2', async () => {
    const env = cliEnv(sandbox, home);
    const db = path.join(home, 'watch.db');
    const src = path.join(home, 'w-src', 'show.mp4');
    writeRandomFile(src, 80_000);
    const up = await runCli(['upload', src, '--db', db, '--json'], env);
    expect(up.code, up.stderr).toBe(0);
    const videoId = jsonLines<FileLine>(up.stdout)[0].videoId;
    const drop = path.join(home, 'w-drop');
    fs.mkdirSync(drop);
    fs.copyFileSync(src, path.join(drop, 'show copy.mp4'));
    const created = sandbox.stats().createUploadVideo;

    const run = startCli(['watch', drop, '--interval', '1', '--settle', '0', '--db', db, '--json'], env);
    let out = '';
    run.child.stdout!.on('data', (d: string) => (out += d));
    const dup = () => jsonLines<FileLine>(out).find((l) => l.state === 'duplicate');
    expect(await waitFor(() => dup() !== undefined, run.child, 20)).toBe('met');
    expect(dup()).toMatchObject({ path: path.join(drop, 'show copy.mp4'), videoId, duplicate: { kind: 'uploaded', videoId, previousPath: src } });
    run.child.kill('SIGTERM');
    expect((await run.result).code).toBe(143);
    expect(sandbox.stats().createUploadVideo).toBe(created);

    const strict = await runCli(['watch', drop, '--interval', '1', '--settle', '0', '--db', db, '--duplicates', 'fail'], env);
    expect(strict.code).toBe(2);
    expect(strict.stderr).toContain(`${path.join(drop, 'show copy.mp4')}: uploaded on`);
    expect(strict.stderr).toContain('Stopped watching (--duplicates fail)');
    expect(sandbox.stats().createUploadVideo).toBe(created);
  }, 120_000);

  it('vodup ledger seed: a fresh queue learns the files VOD has (same bytes, proven by CRC-64), and upload then skips them', async () => {
    const env = cliEnv(sandbox, home);
    const folder = path.join(home, 'seed');
    const old = path.join(folder, 'old.mp4');
    writeRandomFile(old, 60_000);
    const up = await runCli(['upload', old, '--db', path.join(home, 'machine-a.db'), '--json'], env);
    expect(up.code, up.stderr).toBe(0);
    const videoId = jsonLines<FileLine>(up.stdout)[0].videoId;
    // Same name and size, other bytes: VOD has a video of that title and size, not this file.
    const lookalike = path.join(home, 'seed-b', 'old.mp4');
    writeRandomFile(lookalike, 60_000);
    writeRandomFile(path.join(folder, 'new.mp4'), 1_000);

    const fresh = path.join(home, 'machine-b.db');
    const seed = await runCli(['ledger', 'seed', folder, lookalike, '--db', fresh, '--json'], env);
    expect(seed.code, seed.stderr).toBe(0);
    const byPath = new Map(jsonLines<{ path: string; outcome: string; videoId?: string }>(seed.stdout).map((l) => [l.path, l]));
    expect(byPath.get(old)).toMatchObject({ outcome: 'seeded', videoId });
    expect(byPath.get(path.join(folder, 'new.mp4'))).toMatchObject({ outcome: 'not-found' });
    expect(byPath.get(lookalike)).toMatchObject({ outcome: 'unverified', candidates: [videoId] });

    const created = sandbox.stats().createUploadVideo;
    const again = await runCli(['upload', folder, '--db', fresh, '--json'], env);
    expect(again.code, again.stderr).toBe(0);
    const lines = jsonLines<FileLine>(again.stdout);
    expect(lines.find((l) => l.path === old)).toMatchObject({ state: 'duplicate', videoId });
    expect(lines.find((l) => l.path.endsWith('new.mp4'))?.state).toBe('ready');
    expect(sandbox.stats().createUploadVideo).toBe(created + 1);
  }, 120_000);
});

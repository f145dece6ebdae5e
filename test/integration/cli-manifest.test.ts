// `vodup upload --manifest list.csv`: per-file metadata from a spreadsheet, end to end.
import fs from 'fs';
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, writeRandomFile, useCliSandbox } from '../fixtures/cli-harness';

const cli = useCliSandbox('cli-manifest');
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

describe('vodup upload --manifest', () => {
  it('uploads each listed file with its own row\'s metadata, fills the rest from the flags, and names bad rows', async () => {
    const folder = path.join(home, 'delivery');
    writeRandomFile(path.join(folder, 'ep1.mp4'), 300_000);
    writeRandomFile(path.join(folder, 'ep2.webm'), 200_000);
    writeRandomFile(path.join(folder, 'ep4.mkv'), 200_000);
    const manifest = path.join(folder, 'list.csv');
    fs.writeFileSync(manifest, [
      '\uFEFF文件,资源名称,分类,标签,资源描述',
      'ep1.mp4,第一集,1000002,"drama,s1",The first one',
      'ep2.webm,Episode two,Sports/Football,,',
      `ep3.mp4,${'x'.repeat(129)},,,`,
      'ep4.mkv,Episode four,,,',
    ].join('\r\n'));

    const res = await runCli(['upload', '--manifest', manifest, '--template-group', 'VOD_NO_TRANSCODE', '--tags', 'batch', '--json'], cliEnv(sandbox, home));
    // A bad row is bad input (exit 2), but the good rows are uploaded.
    expect(res.code, res.stderr).toBe(2);
    expect(res.stderr).toContain(`${manifest} row 3: Title has 129 characters; the limit is 128.`);
    // An MKV does not play without transcoding: refused with the no-transcode group, not left to poll forever.
    expect(res.stderr).toMatch(/ep4\.mkv: .*"\.mkv" does not play without transcoding/);
    const done = jsonLines<{ path: string; state: string; videoId: string | null }>(res.stdout).filter((l) => l.state === 'ready');
    expect(done.map((l) => path.basename(l.path)).sort()).toEqual(['ep1.mp4', 'ep2.webm']);

    const byFile = new Map(done.map((l) => [path.basename(l.path), sandbox.video(l.videoId!)!]));
    expect(byFile.get('ep1.mp4')).toMatchObject({ title: '第一集', cateId: 1000002, tags: ['drama', 's1'], description: 'The first one', templateGroupId: 'VOD_NO_TRANSCODE' });
    // Row 2 names its category (resolved in the account's tree) and leaves tags empty: the flag fills them.
    expect(byFile.get('ep2.webm')).toMatchObject({ title: 'Episode two', cateId: 1000006, tags: ['batch'], templateGroupId: 'VOD_NO_TRANSCODE' });
    expect(sandbox.stats().createUploadVideo).toBe(2);
  });

  it('refuses an unreadable manifest clearly and enqueues nothing', async () => {
    const bad = path.join(home, 'bad.json');
    fs.writeFileSync(bad, '{"path":"x.mp4"}');
    const before = sandbox.stats().createUploadVideo;
    const res = await runCli(['upload', '--manifest', bad], cliEnv(sandbox, home));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('could not be read: A JSON manifest is an array of objects, one per file.');
    expect(sandbox.stats().createUploadVideo).toBe(before);
  });
});

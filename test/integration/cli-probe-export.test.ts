// `vodup probe` on real media made by ffmpeg and `vodup export` of a real queue file,
// run as the real CLI (node bin/vodup.js) in a child process.

import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openQueueStore } from '../../main/engine/store';
import { ensureBuilt, jsonLines, runCli, tempDir } from '../fixtures/cli-harness';

let home: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  ensureBuilt();
  home = tempDir('cli-probe-export');
  env = { PATH: process.env.PATH, HOME: home, VODUP_HOME: path.join(home, 'vodup') };
});

afterAll(() => {
  fs.rmSync(home, { recursive: true, force: true });
});

describe('vodup probe', () => {
  it('summarises real media, warns about a corrupt file, and exits 1 because of it', async () => {
    const dir = path.join(home, 'media');
    fs.mkdirSync(dir, { recursive: true });
    const clip = path.join(dir, 'clip.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=25',
      '-f', 'lavfi', '-i', 'sine=duration=2', '-shortest', '-c:v', 'libx264', '-c:a', 'aac', clip]);
    const bad = path.join(dir, 'broken.mp4');
    // Not random bytes: ffprobe now and then reads those as a raw stream (h263).
    fs.writeFileSync(bad, 'not a video\n'.repeat(6_000));
    fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a VOD format: skipped by the folder walk');

    const text = await runCli(['probe', dir], env);
    expect(text.code, text.stderr).toBe(1);
    expect(text.stdout).toContain(`${clip}\t0:02 · 320×240 · h264/aac\n`);
    expect(text.stdout).toMatch(new RegExp(`${bad.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}\tWARNING: Not readable as media`));
    expect(text.stdout).toContain('2 file(s), 1 not readable as media.');

    const json = await runCli(['probe', clip, '--json'], env);
    expect(json.code, json.stderr).toBe(0);
    expect(jsonLines(json.stdout)).toEqual([expect.objectContaining({ path: clip, ok: true, width: 320, height: 240, videoCodec: 'h264' })]);
  });

  it('exits 2 for a path that does not exist, and says so', async () => {
    const res = await runCli(['probe', path.join(home, 'nope.mp4')], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('No such file or folder.');
  });

  it('falls back to the bundled ffprobe when $VODUP_FFPROBE is wrong and PATH has none', async () => {
    const clip = path.join(home, 'media', 'clip.mp4');
    const res = await runCli(['probe', clip], { ...env, VODUP_FFPROBE: path.join(home, 'no-ffprobe'), PATH: '/nonexistent' });
    // The bundled @ffprobe-installer binary is the next candidate and runs.
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toContain('320×240');
  });
});

describe('vodup export', () => {
  it('writes the failed jobs of a queue to a CSV file, and all of them as JSON to stdout', async () => {
    const db = path.join(home, 'export', 'queue.db');
    const store = openQueueStore(db);
    const [ok, failed] = store.insertJobs([
      { path: '/in/晚间新闻.mp4', fileName: '晚间新闻.mp4', size: 10, mtimeMs: 1, meta: { title: '晚间新闻, 第一集', tags: [] } },
      { path: '/in/b.mp4', fileName: 'b.mp4', size: 20, mtimeMs: 1, meta: { title: 'B', tags: [] } },
    ]);
    store.transition(failed, 'creating');
    store.transition(failed, 'failed', { error: { code: 'Forbidden.RAM', message: 'No "vod:CreateUploadVideo" permission.', retryable: false } });
    store.close();

    const out = path.join(home, 'export', 'failed.csv');
    const res = await runCli(['export', '--db', db, '--tab', 'failed', '--out', out], env);
    expect(res.code, res.stderr).toBe(0);
    expect(res.stdout).toBe('');
    const lines = fs.readFileSync(out, 'utf8').split('\r\n');
    expect(lines[0].startsWith('\uFEFFjob_id,path,file_name,title,video_id,state')).toBe(true);
    expect(lines[1]).toMatch(new RegExp(`^${failed},/in/b.mp4,b.mp4,B,,failed,.*,Forbidden\\.RAM,"No ""vod:CreateUploadVideo"" permission\\.",,,,upload,,aliyun$`));
    expect(lines.slice(2)).toEqual(['']);

    const json = await runCli(['export', '--db', db, '--format', 'json'], env);
    expect(json.code, json.stderr).toBe(0);
    const rows = JSON.parse(json.stdout) as { job_id: number; title: string; state: string }[];
    expect(rows.map((r) => [r.job_id, r.title, r.state])).toEqual([[ok, '晚间新闻, 第一集', 'queued'], [failed, 'B', 'failed']]);
  });

  it('refuses a queue that does not exist instead of creating one, and a bad format', async () => {
    const missing = path.join(home, 'nowhere', 'queue.db');
    const res = await runCli(['export', '--db', missing], env);
    expect(res.code).toBe(2);
    expect(res.stderr).toContain(`No queue at ${missing}`);
    expect(fs.existsSync(missing)).toBe(false);
    const bad = await runCli(['export', '--format', 'xlsx'], env);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/Allowed choices are csv, json/);
  });
});

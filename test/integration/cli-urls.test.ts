// `vodup urls` as the real CLI (node bin/vodup.js) against the sandbox: URL lists of more
// than the console's 200 videos as CSV and JSON, rows in the selection's order, every URL
// fetchable, a failed video reported in its row and by the exit code.

import fs from 'fs';
import path from 'path';
import { parse } from 'csv-parse/sync';
import { describe, expect, it } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import { openQueueStore } from '../../main/engine/store';
import { cliEnv, jsonLines, runCli, useCliSandbox } from '../fixtures/cli-harness';

interface Row { video_id: string; title: string; key: string; kind: string; definition: string; format: string; url: string; expires_at: string; size_bytes: string; error_code: string; error_message: string }

const VIDEOS = 230;

async function until(check: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('vodup urls', () => {
  const cs = useCliSandbox('cli-urls');
  const ids: string[] = [];

  async function videos(): Promise<string[]> {
    if (ids.length > 0) return ids;
    const sb = cs.sandbox;
    for (let i = 0; i < VIDEOS; i++) {
      ids.push((await sb.createSyntheticVideo({ size: 2048 + i, title: `clip ${i}` })).videoId);
    }
    await until(() => ids.every((id) => sb.video(id)!.status === 'Normal'), 'every video to be Normal');
    return ids;
  }

  it(`writes a CSV of ${VIDEOS} videos' source and two definitions, in order, every URL working`, async () => {
    const list = await videos();
    const dir = path.join(cs.home, 'csv');
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, 'ids.txt'), `${list.join('\n')}\n`);
    const out = path.join(dir, 'urls.csv');
    const res = await runCli(['urls', '--from', path.join(dir, 'ids.txt'), '--what', 'source,streams:HD,streams:SD', '--out', out], cliEnv(cs.sandbox, cs.home));
    expect(res.code, res.stderr).toBe(0);
    expect(res.stderr).toContain(`${VIDEOS * 3} URLs of ${VIDEOS} videos written to ${out}`);
    const text = fs.readFileSync(out, 'utf8');
    expect(text.startsWith('\uFEFFvideo_id,title,key,kind,')).toBe(true);
    const rows = parse(text, { columns: true, bom: true }) as Row[];
    expect(rows).toHaveLength(VIDEOS * 3);
    expect([...new Set(rows.map((r) => r.video_id))]).toEqual(list);
    for (const [i, id] of list.entries()) {
      const mine = rows.filter((r) => r.video_id === id);
      expect(mine.map((r) => r.key)).toEqual(['source', 'stream:SD:mp4', 'stream:HD:mp4']);
      expect(mine[0]).toMatchObject({ title: `clip ${i}`, kind: 'source', size_bytes: String(2048 + i), error_code: '' });
    }
    const soon = Date.now() + 3500_000;
    expect(rows.every((r) => Date.parse(r.expires_at) > soon)).toBe(true);
    // A sample of the URLs, fetched: right bytes (size, and the CRC-64 the server states).
    for (const r of [rows[0], rows[4], rows[rows.length - 1]]) {
      const got = await fetch(r.url);
      const body = Buffer.from(await got.arrayBuffer());
      expect(body.length).toBe(Number(r.size_bytes));
      expect(got.headers.get('x-oss-hash-crc64ecma')).toBe(crc64(body).toString(10));
    }
  });

  it('writes JSON (lines on stdout, an array to a file) and reads ids from a results-style CSV', async () => {
    const list = (await videos()).slice(0, 210);
    const dir = path.join(cs.home, 'json');
    fs.mkdirSync(dir, { recursive: true });
    const from = path.join(dir, 'results.csv');
    fs.writeFileSync(from, `\uFEFFjob_id,path,title,video_id,state\r\n${list.map((id, i) => `${i + 1},"/v/a,b ${i}.mp4","t ""${i}""",${id},ready`).join('\r\n')}\r\n`);
    const env = cliEnv(cs.sandbox, cs.home);
    const lines = await runCli(['urls', '--from', from, '--what', 'cover,snapshots', '--json'], env);
    expect(lines.code, lines.stderr).toBe(0);
    const rows = jsonLines<Row & { encrypted: boolean }>(lines.stdout);
    expect(rows).toHaveLength(210 * 4);
    expect(rows.slice(0, 4).map((r) => r.key)).toEqual(['cover', 'snapshot:1', 'snapshot:2', 'snapshot:3']);
    expect((await fetch(rows[1].url)).status).toBe(200);

    const out = path.join(dir, 'urls.json');
    const file = await runCli(['urls', ...list.slice(0, 3), '--what', 'streams', '--format', 'json', '--out', out, '--json'], env);
    expect(file.code, file.stderr).toBe(0);
    expect(jsonLines(file.stdout)).toEqual([{ videos: 3, urls: 9, failed: 0, out, format: 'json' }]);
    const arr = JSON.parse(fs.readFileSync(out, 'utf8')) as Row[];
    expect(arr.map((r) => r.key)).toEqual(Array(3).fill(['stream:LD:mp4', 'stream:SD:mp4', 'stream:HD:mp4']).flat());
  });

  it('reports a video it cannot resolve in its row, keeps the others, and exits 1; bad input exits 2', async () => {
    const [a, b] = await videos();
    const missing = '0123456789abcdef0123456789abcdef';
    const env = cliEnv(cs.sandbox, cs.home);
    const res = await runCli(['urls', a, missing, b, '--what', 'source', '--format', 'csv'], env);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`vodup: ${missing}: InvalidVideo.NotFound`);
    const rows = parse(res.stdout, { columns: true, bom: true }) as Row[];
    expect(rows.map((r) => [r.video_id, r.key, r.error_code])).toEqual([[a, 'source', ''], [missing, '', 'InvalidVideo.NotFound'], [b, 'source', '']]);

    const badWhat = await runCli(['urls', a, '--what', 'source,thumbnails'], env);
    expect(badWhat.code).toBe(2);
    expect(badWhat.stderr).toContain('"thumbnails" is not something a video has');
    const badId = await runCli(['urls', 'https://example.com/x.mp4', '--what', 'source'], env);
    expect(badId.code).toBe(2);
    expect(badId.stderr).toContain('Not VideoIds');
    const none = await runCli(['urls', '--what', 'source'], env);
    expect(none.code).toBe(2);
  });

  it('takes the videos a --match search finds, page after page', async () => {
    const seeded = cs.sandbox.seedVideos({ count: 130, titlePrefix: 'matchme', tags: ['urls'] });
    const res = await runCli(['urls', '--match', 'title=matchme', '--match', 'tag=urls', '--what', 'source', '--json'], cliEnv(cs.sandbox, cs.home));
    expect(res.code, res.stderr).toBe(0);
    const rows = jsonLines<Row>(res.stdout);
    // Newest first, as the search sorts by default; every one once.
    expect(rows.map((r) => r.video_id)).toEqual([...seeded].reverse());
    const got = await fetch(rows[0].url);
    expect(got.status).toBe(200);
    expect(Buffer.from(await got.arrayBuffer()).length).toBe(Number(rows[0].size_bytes));
    const both = await runCli(['urls', seeded[0], '--match', 'title=matchme', '--what', 'source'], cliEnv(cs.sandbox, cs.home));
    expect(both.code).toBe(2);
  });

  it('takes every VideoId of the queue with --from-queue', async () => {
    const [a, b, c] = await videos();
    const db = path.join(cs.home, 'queue', 'queue.db');
    fs.mkdirSync(path.dirname(db), { recursive: true });
    const store = openQueueStore(db);
    try {
      const jobs = store.insertJobs(['a', 'b', 'none', 'c'].map((n) => ({ path: `/m/${n}.mp4`, fileName: `${n}.mp4`, size: 1, mtimeMs: 1, meta: { title: n, tags: [] } })));
      store.updateJob(jobs[0], { videoId: a });
      store.updateJob(jobs[1], { videoId: b });
      store.updateJob(jobs[3], { videoId: c });
    } finally {
      store.close();
    }
    const res = await runCli(['urls', '--from-queue', '--db', db, '--what', 'source', '--json'], cliEnv(cs.sandbox, cs.home));
    expect(res.code, res.stderr).toBe(0);
    expect(jsonLines<Row>(res.stdout).map((r) => r.video_id)).toEqual([a, b, c]);
    const noQueue = await runCli(['urls', '--from-queue', '--db', path.join(cs.home, 'nope.db'), '--what', 'source'], cliEnv(cs.sandbox, cs.home));
    expect(noQueue.code).toBe(2);
    expect(noQueue.stderr).toContain('No queue at');
  });
});

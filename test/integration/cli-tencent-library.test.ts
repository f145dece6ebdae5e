// `VOD_PROVIDER=tencent vodup library / edit / delete / urls / download`: the real CLI
// (node bin/vodup.js) with Tencent's standard variables against the sandbox's Tencent
// personality (tencentcloud-sdk-nodejs-vod; media URLs signed for Key hotlink protection
// and verified by COS's CRC-64), a real queue and real files.
import fs from 'fs';
import path from 'path';
import { describe, expect, it } from 'vitest';
import type { LibraryVideo, VideoOpResult } from '../../shared/library';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, useCliSandbox } from '../fixtures/cli-harness';

const MiB = 1024 * 1024;
const T0 = Date.parse('2025-03-01T00:00:00Z');

function tencentEnv(sb: Sandbox, home: string): NodeJS.ProcessEnv {
  return cliEnv(sb, home, {
    VOD_ACCESS_KEY_ID: undefined, VOD_ACCESS_KEY_SECRET: undefined, VOD_REGION: undefined,
    VOD_PROVIDER: 'tencent',
    TENCENTCLOUD_SECRET_ID: sb.tencent.secretId,
    TENCENTCLOUD_SECRET_KEY: sb.tencent.secretKey,
    TENCENTCLOUD_REGION: sb.tencent.region,
    VOD_ENDPOINT: sb.tencent.endpoint,
  });
}

describe('vodup library, edit, delete, urls and download on a Tencent account', () => {
  const ctx = useCliSandbox('cli-tc-library', { store: 'disk', transcodeMs: 50 });

  it('lists, edits (a missing FileId reported), deletes with confirmation, exports URLs and downloads byte-exact', async () => {
    const sb = ctx.sandbox;
    const env = tencentEnv(sb, ctx.home);
    const ids = sb.tencent.seedMedia({ count: 12, namePrefix: 'ep', tags: ['s1'], classId: 2, createdFrom: T0, stepMs: 1000, procedure: 'LongVideoPreset', size: 2 * MiB + 3 });
    sb.tencent.seedMedia({ count: 5, namePrefix: 'other', createdFrom: T0, stepMs: 1000 });

    const listed = await runCli(['library', '--tag', 's1', '--cate', '1', '--all', '--sort', 'asc', '--json'], env);
    expect(listed.code).toBe(0);
    const videos = jsonLines<LibraryVideo>(listed.stdout);
    expect(videos.map((v) => v.videoId)).toEqual(ids);
    expect(videos[0]).toMatchObject({ title: 'ep 1', cateId: 2, tags: ['s1'], status: 'Normal' });

    const missing = '1999999999999999999';
    const edited = await runCli(['edit', ids[0], missing, ids[1], '--title-template', '{title} (fixed)', '--add-tag', 'hd', '--json'], env);
    expect(edited.code).toBe(1);
    const results = new Map(jsonLines<VideoOpResult>(edited.stdout).map((r) => [r.videoId, r]));
    expect(results.get(ids[0])!.ok).toBe(true);
    expect(results.get(ids[1])!.ok).toBe(true);
    expect(results.get(missing)).toMatchObject({ ok: false, code: 'ResourceNotFound.FileNotExist' });
    expect(sb.tencent.media(ids[1])).toMatchObject({ name: 'ep 2 (fixed)', tags: ['s1', 'hd'] });
    expect(edited.stderr).toMatch(/2 changed, 1 failed/);

    // More than five without --yes, where nobody can confirm: refused, nothing deleted.
    const six = ids.slice(6, 12);
    const refused = await runCli(['delete', ...six], env);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/without confirmation: give --yes/);
    for (const id of six) expect(sb.tencent.media(id)).toBeDefined();
    const deleted = await runCli(['delete', ...six, '--yes', '--json'], env);
    expect(deleted.code).toBe(0);
    expect(jsonLines<VideoOpResult>(deleted.stdout).map((r) => [r.videoId, r.ok])).toEqual(six.map((id) => [id, true]));
    for (const id of six) expect(sb.tencent.media(id)).toBeUndefined();

    const urls = await runCli(['urls', ids[2], '--what', 'source,streams:100030', '--json'], env);
    expect(urls.code).toBe(0);
    const rows = jsonLines<{ video_id: string; key: string; url: string; expires_at: string }>(urls.stdout);
    expect(rows.map((r) => r.key)).toEqual(['source', 'stream:100030:mp4']);
    expect(rows.every((r) => /[?&]t=[0-9a-f]+&sign=[0-9a-f]{32}$/.test(r.url) && r.expires_at)).toBe(true);

    const out = path.join(ctx.home, 'tc-downloads');
    const db = path.join(ctx.home, 'tc-queue.db');
    const download = await runCli(['download', ids[2], ids[3], '--what', 'source,streams:100030', '--out', out, '--db', db, '--json'], env);
    expect(download.code).toBe(0);
    const lines = jsonLines<{ state: string; path: string; videoId: string }>(download.stdout);
    expect(lines).toHaveLength(4);
    expect(lines.every((l) => l.state === 'downloaded')).toBe(true);
    // Each file is byte for byte the source or the 720p transcode of its media; each media gave both.
    const matched: string[] = [];
    for (const l of lines) {
      const m = sb.tencent.media(l.videoId)!;
      const bytes = fs.readFileSync(l.path);
      for (const [kind, key] of [['source', m.storagePath.replace(/^\//, '')], ['stream', `vodtranscode/${l.videoId}/v.f100030.mp4`]]) {
        if (Buffer.compare((await sb.readObject(sb.tencent.bucket, key))!, bytes) === 0) matched.push(`${l.videoId}:${kind}`);
      }
    }
    expect(matched.sort()).toEqual([`${ids[2]}:source`, `${ids[2]}:stream`, `${ids[3]}:source`, `${ids[3]}:stream`].sort());
  });
});

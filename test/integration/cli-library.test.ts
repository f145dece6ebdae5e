// `vodup library`, `vodup edit` and `vodup delete`: the real CLI (node bin/vodup.js) against
// an in-process sandbox seeded with thousands of videos.
import { describe, expect, it } from 'vitest';
import type { LibraryVideo, VideoOpResult } from '../../shared/library';
import { cliEnv, jsonLines, runCli, useCliSandbox } from '../fixtures/cli-harness';

const T0 = Date.parse('2024-05-01T00:00:00Z');

describe('vodup library / edit / delete', () => {
  const ctx = useCliSandbox('library');
  const env = () => cliEnv(ctx.sandbox, ctx.home);
  let seeded = false;
  let episodes: string[] = [];
  let shows: string[] = [];
  const seed = (): void => {
    if (seeded) return;
    seeded = true;
    episodes = ctx.sandbox.seedVideos({ count: 5200, titlePrefix: 'episode', cateId: 1000001, tags: ['s1'], createdFrom: T0, stepMs: 60_000 });
    shows = ctx.sandbox.seedVideos({ count: 300, titlePrefix: 'show', createdFrom: T0 + 10 * 86_400_000, stepMs: 1000 });
  };

  it('lists with filters, and --all reaches past the 5,000-result window', async () => {
    seed();
    const first = await runCli(['library', '--title', 'episode', '--cate', '1000001', '--tag', 's1', '--status', 'Normal', '--json'], env());
    expect(first.code).toBe(0);
    const page = jsonLines<LibraryVideo>(first.stdout);
    expect(page).toHaveLength(50);
    expect(page[0]).toMatchObject({ videoId: episodes[5199], title: 'episode 5200', status: 'Normal', cateId: 1000001, tags: ['s1'] });
    expect(first.stderr).toMatch(/50 of 5200 matching/);

    const all = await runCli(['library', '--title', 'episode', '--all', '--sort', 'asc', '--json'], env());
    expect(all.code).toBe(0);
    const ids = jsonLines<LibraryVideo>(all.stdout).map((v) => v.videoId);
    expect(ids).toEqual(episodes);

    const day = await runCli(['library', '--from', '2024-05-01', '--to', '2024-05-01', '--limit', '2000'], env());
    expect(day.code).toBe(0);
    expect(day.stdout.trim().split('\n')).toHaveLength(1 + 1440);
    expect(day.stdout.split('\n')[0]).toMatch(/^VIDEOID\tSTATUS/);

    const bad = await runCli(['library', '--from', 'yesterday'], env());
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/2024-01-31/);
  });

  it('edits 300 titles found by --match, one result each', async () => {
    seed();
    const dry = await runCli(['edit', '--match', 'title=show', '--title-template', '{title} (fixed)', '--dry-run', '--json'], env());
    expect(dry.code).toBe(0);
    expect(jsonLines(dry.stdout)).toHaveLength(300);
    expect(ctx.sandbox.video(shows[0])!.title).toBe('show 1');

    const res = await runCli(['edit', '--match', 'title=show', '--title-template', '{title} (fixed)', '--add-tag', 'hd', '--json'], env());
    expect(res.code).toBe(0);
    const results = jsonLines<VideoOpResult>(res.stdout);
    expect(results).toHaveLength(300);
    expect(results.every((r) => r.ok)).toBe(true);
    expect(res.stderr).toMatch(/300 changed, 0 failed/);
    expect(ctx.sandbox.video(shows[299])).toMatchObject({ title: 'show 300 (fixed)', tags: ['hd'] });
  });

  it('reports a missing and a forbidden video as failed and still changes the others (exit 1)', async () => {
    seed();
    ctx.sandbox.setVideoForbidden(episodes[1], true);
    const res = await runCli(['edit', episodes[0], episodes[1], 'f'.repeat(32), episodes[2], '--title-template', '{title}!', '--json'], env());
    ctx.sandbox.setVideoForbidden(episodes[1], false);
    expect(res.code).toBe(1);
    const byId = new Map(jsonLines<VideoOpResult>(res.stdout).map((r) => [r.videoId, r]));
    expect(byId.size).toBe(4);
    expect(byId.get(episodes[0])!.ok).toBe(true);
    expect(byId.get(episodes[2])!.ok).toBe(true);
    expect(byId.get(episodes[1])).toMatchObject({ ok: false, code: 'Forbidden' });
    expect(byId.get('f'.repeat(32))).toMatchObject({ ok: false, code: 'InvalidVideo.NotFound' });
    expect(ctx.sandbox.video(episodes[0])!.title).toBe('episode 1!');
    expect(res.stderr).toMatch(/2 changed, 2 failed/);
  });

  it('refuses to delete more than 5 videos without --yes when nobody can confirm; --yes deletes; --source-only keeps the video', async () => {
    seed();
    const six = episodes.slice(10, 16);
    const refused = await runCli(['delete', ...six], env());
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/Refusing to delete .* of 6 videos without confirmation: give --yes/);
    for (const id of six) expect(ctx.sandbox.video(id)).toBeDefined();

    const dry = await runCli(['delete', ...six, '--dry-run'], env());
    expect(dry.code).toBe(0);
    expect(dry.stdout.trim().split('\n')).toHaveLength(6);

    const done = await runCli(['delete', ...six, '--yes', '--json'], env());
    expect(done.code).toBe(0);
    expect(jsonLines<VideoOpResult>(done.stdout).map((r) => [r.videoId, r.ok])).toEqual(six.map((id) => [id, true]));
    for (const id of six) expect(ctx.sandbox.video(id)).toBeUndefined();

    // Five or fewer need no --yes.
    const source = await runCli(['delete', episodes[20], '--source-only'], env());
    expect(source.code).toBe(0);
    expect(ctx.sandbox.video(episodes[20])).toMatchObject({ sourceDeleted: true });

    const gone = await runCli(['delete', six[0], '--json'], env());
    expect(gone.code).toBe(1);
    expect(jsonLines<VideoOpResult>(gone.stdout)[0]).toMatchObject({ ok: false, code: 'InvalidVideo.NotFound' });

    const neither = await runCli(['delete'], env());
    expect(neither.code).toBe(2);
    expect(neither.stderr).toMatch(/VideoIds, or --match/);
  });
});

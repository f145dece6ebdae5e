// LibraryService over the Alibaba provider, the unmodified @alicloud/pop-core and the
// sandbox: searches past SearchMedia's 5,000-result window, a 300-title bulk edit with a
// missing and a forbidden video, deletes (whole or source only), a lost answer to a delete,
// throttling retried, and videos linked to the queue's jobs (real SQLite).
import fs from 'fs';
import os from 'os';
import path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LibraryService } from '../../main/engine/library/library-service';
import { planEdits } from '../../main/engine/library/edit-plan';
import type { RetryPolicy } from '../../main/engine/retry';
import { openQueueStore, type QueueStore } from '../../main/engine/store';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox, type Sandbox } from '../../main/sandbox';

const T0 = Date.parse('2024-03-01T00:00:00Z');
/** Backoff is not waited for (the sleep below returns at once); many attempts so throttling at 30 % always ends. */
const POLICY: RetryPolicy = { baseMs: 1, maxMs: 1, factor: 1, jitter: 0, maxAttempts: 30 };

describe('LibraryService against the sandbox', () => {
  let sb: Sandbox;
  let root: string;
  let store: QueueStore;
  let provider: AliyunVodProvider;
  let episodes: string[];
  const betweenAttempts: (() => void)[] = [];
  const service = (): LibraryService => new LibraryService({
    providerFor: () => provider,
    jobIdsForVideos: (ids) => store.jobIdsForVideos(ids),
    policy: POLICY,
    sleep: async () => { betweenAttempts.shift()?.(); },
  });

  beforeAll(async () => {
    root = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-library-'));
    sb = await startSandbox({ store: 'null', dataDir: path.join(root, 'sandbox'), transcodeMs: 50 });
    provider = new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url }, { sleep: async () => undefined, policy: POLICY });
    store = openQueueStore(path.join(root, 'queue.db'));
    episodes = sb.seedVideos({ count: 6000, titlePrefix: 'episode', cateId: 1000001, tags: ['s1'], createdFrom: T0, stepMs: 60_000 });
    sb.seedVideos({ count: 50, titlePrefix: 'trailer', createdFrom: T0, stepMs: 1000 });
  });
  afterAll(async () => {
    store?.close();
    await sb?.close();
    fs.rmSync(root, { recursive: true, force: true });
  });

  it('pages through 6,000 results past the 5,000-result window, each once, newest first, through throttling', async () => {
    const seen: string[] = [];
    let cursor: string | undefined;
    let pages = 0;
    const throttled = sb.stats().injected.throttles;
    sb.faults.set({ throttleRate: 0.2 });
    try {
      do {
        const page = await service().search({ title: 'episode', cateId: 1000001, tags: ['s1'], statuses: ['Normal'], pageSize: 100, cursor });
        expect(page.total).toBe(6000);
        seen.push(...page.videos.map((v) => v.videoId));
        cursor = page.next;
        pages++;
      } while (cursor);
    } finally {
      sb.faults.set({ throttleRate: 0 });
    }
    expect(sb.stats().injected.throttles).toBeGreaterThan(throttled);
    expect(pages).toBe(60);
    expect(new Set(seen).size).toBe(6000);
    expect(seen).toEqual([...episodes].reverse());
    const all = await service().searchAll({ title: 'episode', createdFrom: T0 + 5500 * 60_000, sort: 'CreationTime:Asc' });
    expect(all.videos.map((v) => v.videoId)).toEqual(episodes.slice(5500));
    const limited = await service().searchAll({ title: 'episode' }, { limit: 150 });
    expect(limited.videos).toHaveLength(150);
    expect(limited.next).toBeDefined();
  });

  it('links videos this queue uploaded to their jobs', async () => {
    const [jobId] = store.insertJobs([{ path: '/m/ep.mp4', fileName: 'ep.mp4', size: 1, mtimeMs: 1, meta: { title: 'ep', tags: [] } }]);
    store.updateJob(jobId, { videoId: episodes[5999] });
    const page = await service().search({ title: 'episode', pageSize: 2 });
    expect(page.videos[0]).toMatchObject({ videoId: episodes[5999], jobId });
    expect(page.videos[1].jobId).toBeUndefined();
    const details = await service().details([episodes[5999], '0'.repeat(32)]);
    expect(details.get(episodes[5999])).toMatchObject({ jobId, status: 'Normal', tags: ['s1'], source: { fileName: 'episode-6000.mp4' } });
    expect(details.get(episodes[5999])!.streams.map((s) => s.definition)).toEqual(['OD']);
    expect(details.get('0'.repeat(32))).toBeUndefined();
  });

  it('edits 300 titles under throttling, reporting the missing and the forbidden video and doing the rest', async () => {
    const targets = episodes.slice(0, 300);
    sb.setVideoForbidden(targets[7], true);
    const patches = planEdits(targets.map((id, i) => ({ videoId: id, title: `episode ${i + 1}`, tags: ['s1'] })), { titleTemplate: '{title} (fixed)', addTags: ['hd'] });
    patches.push({ videoId: '0'.repeat(32), title: 'nobody' });
    patches.push({ videoId: targets[3], title: 'x'.repeat(200) });
    const before = sb.stats().injected.throttles;
    sb.faults.set({ throttleRate: 0.3 });
    let results;
    try {
      results = await service().edit(patches);
    } finally {
      sb.faults.set({ throttleRate: 0 });
    }
    expect(sb.stats().injected.throttles).toBeGreaterThan(before);
    expect(results).toHaveLength(302);
    expect(results.map((r) => r.videoId)).toEqual(patches.map((p) => p.videoId));
    const failed = results.filter((r) => !r.ok);
    expect(failed.map((r) => [r.videoId, r.code])).toEqual([
      [targets[7], 'Forbidden'],
      ['0'.repeat(32), 'InvalidVideo.NotFound'],
      [targets[3], 'DuplicateVideo'],
    ]);
    for (const [i, id] of targets.entries()) {
      if (i === 7) expect(sb.video(id)!.title).toBe(`episode ${i + 1}`);
      else expect(sb.video(id)).toMatchObject({ title: `episode ${i + 1} (fixed)`, tags: ['s1', 'hd'] });
    }
    sb.setVideoForbidden(targets[7], false);
  });

  it('refuses an invalid edit alone, before sending it', async () => {
    const [r] = await service().edit([{ videoId: episodes[400], title: 'x'.repeat(129) }]);
    expect(r).toMatchObject({ ok: false, code: 'TitleTooLong' });
    expect(sb.video(episodes[400])!.title).toBe('episode 401');
  });

  it('deletes videos, or only their source; a delete whose answer was lost counts as done', async () => {
    const [a, b, c, d] = episodes.slice(1000, 1004);
    const source = await service().delete([a], { sourceOnly: true });
    expect(source).toEqual([{ videoId: a, ok: true }]);
    expect(sb.video(a)).toMatchObject({ sourceDeleted: true });
    // The first DeleteVideo is carried out but its answer lost; the resend finds the videos
    // gone, which is what was asked, and says why — for an id VOD never had as well, since
    // after a lost answer nobody can tell the two apart.
    sb.faults.set({ lostAnswerRate: 1 });
    betweenAttempts.push(() => sb.faults.set({ lostAnswerRate: 0 }));
    const lostBefore = sb.stats().injected.lostAnswers;
    const deleted = await service().delete([b, c, b, '1'.repeat(32)]);
    expect(sb.stats().injected.lostAnswers).toBe(lostBefore + 1);
    expect(deleted.map((r) => [r.videoId, r.ok])).toEqual([[b, true], [c, true], ['1'.repeat(32), true]]);
    for (const r of deleted) expect(r.message).toMatch(/answer was lost/);
    const [missing] = await service().delete(['1'.repeat(32)]);
    expect(missing).toMatchObject({ ok: false, code: 'InvalidVideo.NotFound' });
    expect(sb.video(b)).toBeUndefined();
    expect(sb.video(c)).toBeUndefined();
    // Transcoding again: Transcoding, then Normal.
    const [t] = await service().transcode([d], 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
    expect(t).toEqual({ videoId: d, ok: true });
    expect(sb.video(d)!.status).toBe('Transcoding');
    const [refused] = await service().transcode([a], 'a1b2c3d4e5f60718293a4b5c6d7e8f90');
    expect(refused).toMatchObject({ ok: false, code: 'Forbidden.IllegalStatus' });
  });
});

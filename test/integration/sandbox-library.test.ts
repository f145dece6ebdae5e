// The sandbox's media library against the real, unmodified @alicloud/pop-core: SearchMedia's
// Match syntax, its 5,000-result window and ScrollToken, UpdateVideoInfos, DeleteVideo,
// DeleteMezzanines, SubmitTranscodeJobs, seeding, and the upload-only RAM user's refusals.
import RPCClient from '@alicloud/pop-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSandbox, type Sandbox } from '../../main/sandbox';

interface Media { MediaId: string; CreationTime: string; Video: { VideoId: string; Title: string; Status: string; Tags: string; CateId?: number } }
interface SearchAnswer { Total: number; ScrollToken?: string; MediaList: Media[] }
interface RpcFailure extends Error { data?: { Code: string; Message: string } }

const DAY = 86_400_000;
const T0 = Date.parse('2024-01-01T00:00:00Z');

function client(sb: Sandbox, keyId = sb.accessKeyId, secret = sb.accessKeySecret): RPCClient {
  return new RPCClient({ accessKeyId: keyId, accessKeySecret: secret, endpoint: sb.url, apiVersion: '2017-03-21' });
}

async function refusal(p: Promise<unknown>): Promise<{ Code: string; Message: string }> {
  try {
    await p;
  } catch (err) {
    const data = (err as RpcFailure).data;
    if (data) return data;
    throw err;
  }
  throw new Error('expected the call to be refused');
}

describe('sandbox media library', () => {
  let sb: Sandbox;
  let vod: RPCClient;
  const search = (params: Record<string, unknown>) => vod.request<SearchAnswer>('SearchMedia', params, { method: 'POST' });

  beforeAll(async () => {
    sb = await startSandbox({ store: 'null', transcodeMs: 50 });
    vod = client(sb);
    // 6,000 in January 2024 (one every 5 minutes), 300 of them in category 1000001 with a tag.
    sb.seedVideos({ count: 5700, titlePrefix: 'january', createdFrom: T0, stepMs: 300_000 });
    sb.seedVideos({ count: 300, titlePrefix: 'show', cateId: 1000001, tags: ['s1', 'drama'], createdFrom: T0 + 20 * DAY + 1000, stepMs: 60_000 });
    sb.seedVideos({ count: 40, titlePrefix: 'broken', status: 'TranscodeFail', createdFrom: T0 + 40 * DAY, stepMs: 1000 });
  });
  afterAll(async () => sb?.close());

  it('filters by title, category, tags, status and creation time with and/or/in', async () => {
    const all = await search({ PageSize: 1 });
    expect(all.Total).toBe(6040);
    expect((await search({ Match: "Title = 'show'", PageSize: 5 })).Total).toBe(300);
    expect((await search({ Match: 'CateId = 1000001 and Tags in (\'drama\',\'x\')' })).Total).toBe(300);
    expect((await search({ Match: "Status in ('TranscodeFail','Blocked')" })).Total).toBe(40);
    expect((await search({ Match: "(Status = 'TranscodeFail' or Title = 'show')" })).Total).toBe(340);
    // January 1st: 288 five-minute slots, [from, to) with a half-open range.
    const day = await search({ Match: "CreationTime = ['2024-01-01T00:00:00Z','2024-01-02T00:00:00Z')", SortBy: 'CreationTime:Asc', PageSize: 100 });
    expect(day.Total).toBe(288);
    expect(day.MediaList[0].CreationTime).toBe('2024-01-01T00:00:00Z');
    // Open-ended range, newest first by default.
    const late = await search({ Match: "CreationTime = ('2024-02-05T00:00:00Z',)", PageSize: 100 });
    expect(late.Total).toBe(40);
    expect(Date.parse(late.MediaList[0].CreationTime)).toBeGreaterThan(Date.parse(late.MediaList[39].CreationTime));
    const bad = await refusal(search({ Match: "Colour = 'red'" }));
    expect(bad.Code).toBe('InvalidParameter');
    expect(bad.Message).toMatch(/Colour/);
    expect((await refusal(search({ SortBy: 'Title:Desc' }))).Code).toBe('InvalidParameter');
    expect((await refusal(search({ PageSize: 101 }))).Code).toBe('InvalidParameter');
  });

  it('reaches only 5,000 results by PageNo; past them a ScrollToken walks every page once', async () => {
    const match = "Title = 'january'";
    const edge = await search({ Match: match, PageNo: 50, PageSize: 100 });
    expect(edge.MediaList).toHaveLength(100);
    const refused = await refusal(search({ Match: match, PageNo: 51, PageSize: 100 }));
    expect(refused.Code).toBe('InvalidParameter');
    expect(refused.Message).toMatch(/5000.*ScrollToken/);

    const seen = new Set<string>();
    let token: string | undefined;
    let total = 0;
    for (let pageNo = 1; ; pageNo++) {
      const page = await search({ Match: match, SortBy: 'CreationTime:Asc', PageNo: pageNo, PageSize: 100, ...(token ? { ScrollToken: token } : {}) });
      total = page.Total;
      expect(page.ScrollToken).toMatch(/^[0-9a-f]{32}$/);
      token = page.ScrollToken;
      for (const m of page.MediaList) {
        expect(seen.has(m.MediaId)).toBe(false);
        seen.add(m.MediaId);
      }
      if (page.MediaList.length < 100) break;
    }
    expect(total).toBe(5700);
    expect(seen.size).toBe(5700);

    // The same token may read its current page again, but not jump more than 100 records ahead.
    const first = await search({ Match: match, PageNo: 1, PageSize: 20 });
    const again = await search({ Match: match, PageNo: 1, PageSize: 20, ScrollToken: first.ScrollToken });
    expect(again.MediaList.map((m) => m.MediaId)).toEqual(first.MediaList.map((m) => m.MediaId));
    expect((await search({ Match: match, PageNo: 6, PageSize: 20, ScrollToken: first.ScrollToken })).MediaList).toHaveLength(20);
    expect((await refusal(search({ Match: match, PageNo: 13, PageSize: 20, ScrollToken: first.ScrollToken }))).Message).toMatch(/at most 100 records/);
    expect((await refusal(search({ Match: "Title = 'show'", PageNo: 2, PageSize: 20, ScrollToken: first.ScrollToken }))).Message).toMatch(/another search/);
    expect((await refusal(search({ Match: match, PageNo: 2, ScrollToken: 'f'.repeat(32) }))).Message).toMatch(/expired or does not exist/);
  });

  it('bulk-edits 20 videos a call, reporting missing and forbidden ones', async () => {
    const page = await search({ Match: "Title = 'show'", PageSize: 20 });
    const ids = page.MediaList.map((m) => m.MediaId);
    sb.setVideoForbidden(ids[1], true);
    const content = ids.slice(0, 19).map((id) => ({ VideoId: id, Title: `fixed ${id.slice(0, 6)}`, Tags: 'a,b' }));
    content.push({ VideoId: '0'.repeat(32), Title: 'nobody', Tags: 'a' });
    const res = await vod.request<{ NonExistVideoIds: string[]; ForbiddenVideoIds: string[] }>('UpdateVideoInfos', { UpdateContent: JSON.stringify(content) }, { method: 'POST' });
    expect(res.NonExistVideoIds).toEqual(['0'.repeat(32)]);
    expect(res.ForbiddenVideoIds).toEqual([ids[1]]);
    expect(sb.video(ids[0])!.title).toBe(`fixed ${ids[0].slice(0, 6)}`);
    expect(sb.video(ids[0])!.tags).toEqual(['a', 'b']);
    expect(sb.video(ids[1])!.title).not.toMatch(/^fixed/);
    const tooMany = Array.from({ length: 21 }, (_, i) => ({ VideoId: ids[i % 20], Title: 'x' }));
    expect((await refusal(vod.request('UpdateVideoInfos', { UpdateContent: JSON.stringify(tooMany) }, { method: 'POST' }))).Code).toBe('CountExceededMax');
    expect((await refusal(vod.request('UpdateVideoInfos', { UpdateContent: JSON.stringify([{ VideoId: ids[2], Title: 'x'.repeat(129) }]) }, { method: 'POST' }))).Code).toBe('InvalidParameter');
    sb.setVideoForbidden(ids[1], false);
  });

  it('deletes videos or only their source, and transcodes again: Transcoding, then Normal', async () => {
    const page = await search({ Match: "Status = 'TranscodeFail'", PageSize: 5 });
    const [a, b, c] = page.MediaList.map((m) => m.MediaId);
    const del = await vod.request<{ NonExistVideoIds?: string[] }>('DeleteVideo', { VideoIds: `${a},${'1'.repeat(32)}` }, { method: 'POST' });
    expect(del.NonExistVideoIds).toEqual(['1'.repeat(32)]);
    expect(sb.video(a)).toBeUndefined();
    expect((await search({ Match: `VideoId = '${a}'` })).Total).toBe(0);
    // Seeded videos play from their source (no transcoding): only Force removes it.
    const kept = await vod.request<{ UnRemoveableVideoIds: string[] }>('DeleteMezzanines', { VideoIds: b }, { method: 'POST' });
    expect(kept.UnRemoveableVideoIds).toEqual([b]);
    await vod.request('DeleteMezzanines', { VideoIds: b, Force: true }, { method: 'POST' });
    expect(sb.video(b)!.sourceDeleted).toBe(true);
    expect((await refusal(vod.request('SubmitTranscodeJobs', { VideoId: b, TemplateGroupId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' }, { method: 'POST' }))).Code).toBe('Forbidden.IllegalStatus');
    const job = await vod.request<{ TranscodeTaskId: string }>('SubmitTranscodeJobs', { VideoId: c, TemplateGroupId: 'a1b2c3d4e5f60718293a4b5c6d7e8f90' }, { method: 'POST' });
    expect(job.TranscodeTaskId).toMatch(/^[0-9a-f]{32}$/);
    expect(sb.video(c)!.status).toBe('Transcoding');
    await expect.poll(() => sb.video(c)!.status, { timeout: 5000, interval: 10 }).toBe('Normal');
  });

  it('refuses the library to the upload-only RAM user', async () => {
    const ram = client(sb, sb.uploadOnly.accessKeyId, sb.uploadOnly.accessKeySecret);
    for (const [action, params] of [
      ['SearchMedia', {}], ['UpdateVideoInfos', { UpdateContent: '[]' }], ['DeleteMezzanines', { VideoIds: 'x' }], ['SubmitTranscodeJobs', { VideoId: 'x', TemplateGroupId: 'y' }],
    ] as const) {
      expect((await refusal(ram.request(action, params, { method: 'POST' }))).Code).toBe('Forbidden.RAM');
    }
  });

  it('forgets a ScrollToken after its lifetime', async () => {
    const short = await startSandbox({ store: 'null', scrollTokenTtlMs: 0 });
    try {
      short.seedVideos({ count: 30 });
      const c = client(short);
      const first = await c.request<SearchAnswer>('SearchMedia', { PageSize: 10 }, { method: 'POST' });
      expect(first.ScrollToken).toBeTruthy();
      const gone = await refusal(c.request('SearchMedia', { PageNo: 2, PageSize: 10, ScrollToken: first.ScrollToken }, { method: 'POST' }));
      expect(gone.Message).toMatch(/expired or does not exist/);
    } finally {
      await short.close();
    }
  });

  it('seeds over the admin endpoint, and refuses a bad seed without seeding', async () => {
    const post = (body: unknown) => fetch(`${sb.url}/__admin/videos/seed`, { method: 'POST', body: JSON.stringify(body) });
    const ok = await post({ count: 3, titlePrefix: 'admin seeded', tags: ['x'], status: 'Checking', createdFrom: '2023-06-01T00:00:00Z' });
    expect(ok.status).toBe(200);
    const body = await ok.json() as { count: number; first: string; last: string };
    expect(body.count).toBe(3);
    expect(sb.video(body.first)).toMatchObject({ title: 'admin seeded 1', tags: ['x'], status: 'Checking', createdAt: Date.parse('2023-06-01T00:00:00Z') });
    const before = sb.videos().length;
    const bad = await post({ count: 2, cateId: 42 });
    expect(bad.status).toBe(400);
    expect(((await bad.json()) as { Message: string }).Message).toMatch(/category 42/);
    expect(sb.videos().length).toBe(before);
  });

  it('seeds 100,000 videos and answers a search over them at once', async () => {
    const big = await startSandbox({ store: 'null' });
    try {
      const ids = big.seedVideos({ count: 100_000, titlePrefix: 'bulk' });
      expect(ids).toHaveLength(100_000);
      const c = client(big);
      // pop-core's own 3 s timeout is for a quiet machine; CI shares two cores between workers.
      const slow = { method: 'POST', timeout: 60_000 };
      const res = await c.request<SearchAnswer>('SearchMedia', { Match: "Title = 'bulk 99999'", PageSize: 10 }, slow);
      expect(res.MediaList.map((m) => m.Video.Title)).toContain('bulk 99999');
      const newest = await c.request<SearchAnswer>('SearchMedia', { PageSize: 1 }, slow);
      expect(newest.Total).toBe(100_000);
      expect(newest.MediaList[0].MediaId).toBe(ids[ids.length - 1]);
      // Seeded after the newest video: appended to the live index, found in order.
      const later = big.seedVideos({ count: 5, titlePrefix: 'later', createdFrom: Date.now() + 60_000 });
      const after = await c.request<SearchAnswer>('SearchMedia', { PageSize: 6 }, slow);
      expect(after.Total).toBe(100_005);
      expect(after.MediaList.map((m) => m.MediaId)).toEqual([...later].reverse().concat(ids[ids.length - 1]));
    } finally {
      await big.close();
    }
  });
});

// The Tencent media library (main/engine/tencent/tencent-library.ts behind TencentProvider)
// against the sandbox's Tencent personality on the unmodified tencentcloud-sdk-nodejs-vod:
// search past SearchMedia's 5,000 window with filters, bulk edit with a missing FileId,
// delete (whole media and source only), a task flow run again (its SessionId de-dup after a
// lost answer), and downloads of a source and a transcode through the engine, byte-exact
// and verified by COS's CRC-64, from URLs signed for the domain's Key hotlink protection.
import { promises as fsp } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openEngine, type UploadEngine } from '../../main/engine';
import { classifyError } from '../../main/engine/errors';
import { LibraryService } from '../../main/engine/library/library-service';
import type { MediaLibraryPort } from '../../main/engine/library/port';
import type { DownloadWhat } from '../../shared/library';
import { writeUrlList } from '../../main/engine/library/url-export';
import type { RetryPolicy } from '../../main/engine/retry';
import { TencentProvider } from '../../main/engine/tencent/tencent-provider';
import { startSandbox, type Sandbox } from '../../main/sandbox';
import { tempDir } from '../helpers/files';

const MiB = 1024 * 1024;
/** Media seeded this long ago have their task flow's output (transcodeMs is 50). */
const TRANSCODED = Date.now() - 3_600_000;
const FAST: RetryPolicy = { baseMs: 5, maxMs: 50, factor: 2, jitter: 0.5, maxAttempts: 5 };

let sb: Sandbox;
let dir: string;
let provider: TencentProvider;
let service: LibraryService;

function newProvider(opts: { mediaUrlTtlSec?: number } = {}): TencentProvider {
  return new TencentProvider(
    { secretId: sb.tencent.secretId, secretKey: sb.tencent.secretKey, region: sb.tencent.region, endpoint: sb.tencent.endpoint, subAppId: sb.tencent.subAppId },
    { policy: FAST, ...opts },
  );
}

beforeAll(async () => {
  dir = await tempDir();
  sb = await startSandbox({ dataDir: path.join(dir, 'data'), transcodeMs: 50 });
  provider = newProvider();
  service = new LibraryService({ providerFor: () => provider, jobIdsForVideos: () => new Map(), policy: FAST });
});

afterAll(async () => {
  await sb.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

/** GET a URL; status and body. */
function get(url: string, range?: string): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers: range ? { Range: range } : {} }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      res.on('error', reject);
    }).on('error', reject);
  });
}

describe('Tencent media library against the sandbox', () => {
  it('searches past the 5,000-result window with a tag filter, newest first, each media once', async () => {
    // 5,150 tagged media, three or four to a CreateTime second (a window's edge falls inside a second), and others among them.
    const start = Date.UTC(2025, 0, 1);
    const tagged = sb.tencent.seedMedia({ count: 5150, namePrefix: 'bulk', tags: ['bulk'], createdFrom: start, stepMs: 300 });
    sb.tencent.seedMedia({ count: 40, namePrefix: 'noise', tags: ['other'], createdFrom: start, stepMs: 300 });
    const calls = () => sb.stats().requests['tc:SearchMedia'] ?? 0;
    const before = calls();

    const first = await service.search({ tags: ['bulk'], pageSize: 100 });
    expect(first.total).toBe(5000); // TotalCount stops at 5,000 on the service
    expect(first.next).toBeDefined();

    const all = await service.searchAll({ tags: ['bulk'], pageSize: 100 });
    const ids = all.videos.map((v) => v.videoId);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.length).toBe(5150);
    expect(new Set(ids)).toEqual(new Set(tagged));
    expect(all.videos.every((v) => v.tags.includes('bulk'))).toBe(true);
    const times = all.videos.map((v) => v.createdAt);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    expect(all.total).toBe(5150);
    expect(all.next).toBeUndefined();
    expect(calls() - before).toBeGreaterThanOrEqual(53);

    // Oldest first, 70 a page: the window moves at another offset, again inside a second.
    const asc = await service.searchAll({ tags: ['bulk'], pageSize: 70, sort: 'CreationTime:Asc' });
    expect(new Set(asc.videos.map((v) => v.videoId))).toEqual(new Set(tagged));
    expect(asc.videos).toHaveLength(5150);
    const ascTimes = asc.videos.map((v) => v.createdAt);
    expect(ascTimes).toEqual([...ascTimes].sort((a, b) => a - b));

    // The service itself refuses an Offset past the window (the engine never sends one).
    const err = await provider.client.call('SearchMedia', { Tags: ['bulk'], Offset: 4950, Limit: 100 }).catch((e: unknown) => classifyError(e, 'tencent'));
    expect(err).toMatchObject({ code: 'InvalidParameterValue' });
  });

  it('filters by class (with its subclasses), time, status and title, oldest first', async () => {
    const t0 = Date.UTC(2024, 5, 1);
    const films = sb.tencent.seedMedia({ count: 6, namePrefix: 'feature-2026', classId: 4, createdFrom: t0, stepMs: 60_000 });
    sb.tencent.seedMedia({ count: 3, namePrefix: 'series', classId: 6, createdFrom: t0, stepMs: 60_000 });
    sb.tencent.setMediaStatus(films[5], 'Forbidden');
    const inFilms = await service.searchAll({ cateId: 1, createdFrom: t0, createdTo: t0 + 10 * 60_000, sort: 'CreationTime:Asc', pageSize: 2 });
    expect(inFilms.videos.map((v) => v.videoId)).toEqual(films);
    expect(inFilms.videos[0]).toMatchObject({ cateId: 4, cateName: 'Films-Features-2026', status: 'Normal', appId: String(sb.tencent.subAppId) });
    const window = await service.searchAll({ cateId: 1, createdFrom: t0 + 60_000, createdTo: t0 + 3 * 60_000, sort: 'CreationTime:Asc' });
    expect(window.videos.map((v) => v.videoId)).toEqual(films.slice(1, 3));
    const blocked = await service.searchAll({ cateId: 4, statuses: ['Blocked'] });
    expect(blocked.videos.map((v) => [v.videoId, v.status])).toEqual([[films[5], 'Blocked']]);
    const byTitle = await service.searchAll({ title: 'feature-2026 3' });
    expect(byTitle.videos[0].videoId).toBe(films[2]);
    await expect(service.search({ statuses: ['Transcoding'] })).rejects.toMatchObject({ code: 'InvalidLibraryQuery' });
  });

  it('edits in bulk: one result per FileId, a missing one reported and the rest done', async () => {
    const ids = sb.tencent.seedMedia({ count: 25, namePrefix: 'edit', tags: ['x', 'keep'] });
    const missing = '1999999999999999999';
    const patches = [...ids.map((id, i) => ({ videoId: id, title: `Episode ${i + 1}`, description: 'fixed', tags: ['keep', 'new'], cateId: 3 })), { videoId: missing, title: 'nobody', tags: ['a'] }];
    const results = await service.edit(patches);
    expect(results).toHaveLength(26);
    expect(results.slice(0, 25).every((r) => r.ok)).toBe(true);
    expect(results[25]).toMatchObject({ videoId: missing, ok: false, code: 'ResourceNotFound.FileNotExist', notFound: true });
    const m = sb.tencent.media(ids[7])!;
    expect(m).toMatchObject({ name: 'Episode 8', description: 'fixed', classId: 3 });
    expect([...m.tags!].sort()).toEqual(['keep', 'new']);
    // Read back through the port, as the Library's details drawer does.
    const details = await service.details([ids[7], missing]);
    expect(details.get(missing)).toBeUndefined();
    expect(details.get(ids[7])).toMatchObject({ title: 'Episode 8', description: 'fixed', cateId: 3, tags: expect.arrayContaining(['keep', 'new']) as unknown });
    // Clearing tags, and a missing FileId when no tags are asked (ModifyMediaInfo's own refusal).
    const [cleared, gone] = await service.edit([{ videoId: ids[0], tags: [] }, { videoId: missing, title: 'x' }]);
    expect(cleared.ok).toBe(true);
    expect(sb.tencent.media(ids[0])!.tags).toEqual([]);
    expect(gone).toMatchObject({ ok: false, code: 'ResourceNotFound.FileNotExist', notFound: true });
    // A class that does not exist: this media's refusal, not retried.
    const modifies = () => sb.stats().requests['tc:ModifyMediaInfo'] ?? 0;
    const sentBefore = modifies();
    const [noClass] = await service.edit([{ videoId: ids[2], cateId: 999 }]);
    expect(noClass).toMatchObject({ ok: false, code: 'FailedOperation.ClassNoFound' });
    expect(noClass.retryable).toBeFalsy();
    expect(modifies() - sentBefore).toBe(1);
    // A cover by URL is refused per media (Tencent takes image bytes), the rest of that patch not sent.
    const [cover] = await service.edit([{ videoId: ids[1], title: 'with cover', coverUrl: 'http://example.com/c.jpg' }]);
    expect(cover).toMatchObject({ ok: false, code: 'CoverUrlUnsupported' });
    expect(sb.tencent.media(ids[1])!.name).toBe('Episode 2');
  });

  it('deletes whole media or only the source, one result per FileId', async () => {
    const ids = sb.tencent.seedMedia({ count: 3, namePrefix: 'del', procedure: 'LongVideoPreset', createdFrom: TRANSCODED });
    const missing = '1888888888888888888';
    const res = await service.delete([ids[0], missing, ids[1]]);
    expect(res.map((r) => [r.videoId, r.ok, r.code])).toEqual([[ids[0], true, undefined], [missing, false, 'ResourceNotFound.FileNotExist'], [ids[1], true, undefined]]);
    expect(sb.tencent.media(ids[0])).toBeUndefined();
    const [src] = await service.delete([ids[2]], { sourceOnly: true });
    expect(src.ok).toBe(true);
    expect(sb.tencent.media(ids[2])).toMatchObject({ sourceDeleted: true });
    const urls = await provider.mediaUrls(ids[2], { source: true, streams: {} });
    expect(urls.map((u) => u.key)).toEqual(['stream:100010:mp4', 'stream:100020:mp4', 'stream:100030:mp4']);
  });

  it('runs a task flow again; a lost answer is resent with the same SessionId and counted once', async () => {
    const [id, other] = sb.tencent.seedMedia({ count: 2, namePrefix: 'again' });
    expect(await provider.mediaUrls(id, { streams: {} })).toEqual([]);
    const [ok] = await service.transcode([id], 'HD-H264');
    expect(ok).toMatchObject({ videoId: id, ok: true });
    const tasks = await provider.client.describeTasks(id);
    expect(tasks).toHaveLength(1);

    const sent = () => sb.stats().requests['tc:ProcessMediaByProcedure'] ?? 0;
    const before = sent();
    sb.faults.set({ lostAnswerRate: 1 });
    let res;
    try {
      res = await service.transcode([other], 'SnapshotOnly');
    } finally {
      sb.faults.set({ lostAnswerRate: 0 });
    }
    expect(res[0]).toMatchObject({ videoId: other, ok: true });
    expect(res[0].message).toMatch(/lost/);
    expect(sent() - before).toBe(2);
    expect(sb.stats().errors['tc:InvalidParameterValue.SessionId']).toBe(1);
    expect(sb.tencent.media(other)).toMatchObject({ procedure: 'SnapshotOnly' });
    const [bad] = await service.transcode([id], 'NoSuchFlow');
    expect(bad).toMatchObject({ ok: false, code: 'InvalidParameterValue.ProcedureName' });
  });

  it('signs media URLs for the domain\'s Key hotlink protection; unsigned or expired ones are refused', async () => {
    const [id] = sb.tencent.seedMedia({ count: 1, namePrefix: 'signed', size: 4096, procedure: 'LongVideoPreset', createdFrom: TRANSCODED });
    const [mine] = await provider.mediaUrls(id, { source: true });
    expect(mine.url).toMatch(/\?t=[0-9a-f]+&sign=[0-9a-f]{32}$/);
    expect(mine.expiresAt).toBeGreaterThan(Date.now());
    const ok = await get(mine.url, 'bytes=0-99');
    expect(ok.status).toBe(206);
    expect(ok.headers['x-cos-hash-crc64ecma']).toBe(sb.tencent.media(id)!.crc64);
    expect(ok.headers['x-oss-hash-crc64ecma']).toBeUndefined();
    expect((await get(mine.url.replace(/\?.*$/, ''))).status).toBe(403);
    // The Library's links (cover, snapshots) are signed too, so they open.
    const details = (await service.details([id])).get(id)!;
    expect(details.streams.map((st) => st.definition)).toEqual(['100010', '100020', '100030']);
    expect(details.snapshots).toHaveLength(3);
    for (const link of [details.coverUrl!, ...details.snapshots]) expect((await get(link)).status).toBe(200);
    const stale = newProvider({ mediaUrlTtlSec: -60 });
    const [old] = await stale.mediaUrls(id, { source: true });
    const refused = await get(old.url);
    expect(refused.status).toBe(403);
    expect(refused.body.toString()).toMatch(/expired/);
  });

  it('downloads a source and a transcode through the engine, byte-exact and verified by COS\'s CRC-64; exports their URLs', async () => {
    const [id] = sb.tencent.seedMedia({ count: 1, namePrefix: 'fetch me', size: 3 * MiB + 77, procedure: 'LongVideoPreset', createdFrom: TRANSCODED });
    const out = path.join(dir, 'out');
    const engine: UploadEngine = await openEngine({
      dbPath: path.join(dir, 'queue.db'),
      providerFor: () => provider,
      settings: { filesInFlight: 2, partsInFlight: 4, partSizeMiB: 1 },
    });
    try {
      const res = await engine.addDownloads({ videoIds: [id], what: { source: true, streams: { definitions: ['100030'] } }, outDir: out });
      expect(res.rejected).toEqual([]);
      expect(res.added.map((j) => j.download?.itemKey).sort()).toEqual(['source', 'stream:100030:mp4']);
      await engine.whenIdle();
      const jobs = engine.queryJobs({ offset: 0, limit: 10, sort: 'id' }).rows.filter((j) => j.kind === 'download');
      expect(jobs.map((j) => [j.state, j.error?.code])).toEqual([['downloaded', undefined], ['downloaded', undefined]]);
      const m = sb.tencent.media(id)!;
      const keys = { source: m.storagePath.replace(/^\//, ''), 'stream:100030:mp4': `vodtranscode/${id}/v.f100030.mp4` };
      for (const j of jobs) {
        const key = keys[j.download!.itemKey as keyof typeof keys];
        const expected = await sb.readObject(sb.tencent.bucket, key);
        expect(expected).toBeDefined();
        expect(Buffer.compare(await fsp.readFile(j.path), expected!)).toBe(0);
        const verified = engine.listEvents(j.id).find((e) => e.type === 'verified');
        expect(verified?.data).toMatchObject({ by: 'crc64', crc64: sb.objectInfo(sb.tencent.bucket, key)!.crc64 });
      }
    } finally {
      await engine.shutdown();
    }

    // A URL the CDN refuses (403: its signature expired early) is resolved again and the download goes on.
    const [late] = sb.tencent.seedMedia({ count: 1, namePrefix: 'refused once', size: MiB + 5, createdFrom: TRANSCODED });
    const stale = newProvider({ mediaUrlTtlSec: -60 });
    let resolutions = 0;
    const refusedBefore = sb.stats().errors['tc-url:KeySignRefused'] ?? 0;
    const second: UploadEngine = await openEngine({
      dbPath: path.join(dir, 'queue-403.db'),
      providerFor: () => provider,
      // Until the CDN has refused one, resolutions hand out an already expired URL that claims an hour of life.
      libraryFor: () => ({
        mediaUrls: async (v: string, w: DownloadWhat) => (++resolutions > 0 && (sb.stats().errors['tc-url:KeySignRefused'] ?? 0) === refusedBefore
          ? (await stale.mediaUrls(v, w)).map((u) => ({ ...u, expiresAt: Date.now() + 3_600_000 }))
          : provider.mediaUrls(v, w)),
      }) as unknown as MediaLibraryPort,
      settings: { filesInFlight: 1, partsInFlight: 2, partSizeMiB: 1 },
    });
    try {
      await second.addDownloads({ videoIds: [late], what: { source: true }, outDir: path.join(dir, 'out-403') });
      await second.whenIdle();
      const [job] = second.queryJobs({ offset: 0, limit: 10, sort: 'id' }).rows.filter((j) => j.kind === 'download');
      expect([job.state, job.error?.code]).toEqual(['downloaded', undefined]);
      const key = sb.tencent.media(late)!.storagePath.replace(/^\//, '');
      expect(Buffer.compare(await fsp.readFile(job.path), (await sb.readObject(sb.tencent.bucket, key))!)).toBe(0);
      expect((sb.stats().errors['tc-url:KeySignRefused'] ?? 0) - refusedBefore).toBeGreaterThanOrEqual(1);
      expect(second.listEvents(job.id).some((e) => e.type === 'url-resolved')).toBe(true);
      expect(resolutions).toBeGreaterThanOrEqual(3); // enqueue, the driver's first (refused), the one after the 403
    } finally {
      await second.shutdown();
    }

    // The URL list of the same selection: every item with its expiry.
    const chunks: string[] = [];
    const { Writable } = await import('node:stream');
    const sink = new Writable({ write(c: Buffer, _e, done) { chunks.push(c.toString()); done(); } });
    const summary = await writeUrlList({ mediaUrls: (v, w) => provider.mediaUrls(v, w) }, [id, '1777777777777777777'], { what: { source: true, streams: {}, snapshots: true, sprites: true, cover: true }, format: 'json' }, sink);
    const rows = JSON.parse(chunks.join('')) as Array<{ video_id: string; key: string | null; url: string | null; expires_at: string | null; error_code: string | null }>;
    expect(summary.urls).toBe(3 + 1 + 3 + 1 + 1);
    expect(rows.filter((r) => r.video_id === id).map((r) => r.key)).toEqual([
      'source', 'stream:100010:mp4', 'stream:100020:mp4', 'stream:100030:mp4', 'cover', 'snapshot:1', 'snapshot:2', 'snapshot:3', 'sprite:1',
    ]);
    expect(rows.filter((r) => r.video_id === id).every((r) => r.url?.includes('&sign=') && r.expires_at)).toBe(true);
    expect(rows.find((r) => r.video_id === '1777777777777777777')?.error_code).toBeTruthy();
  });
});

// The provider's mediaUrls against the sandbox through the real VodClient (pop-core):
// stable keys across resolutions, expiry from the URL or AuthTimeout, sizes and MD5, the
// filters of DownloadWhat, and errors classified in one place.
import crypto from 'crypto';
import OSS from 'ali-oss';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../main/engine/errors';
import { urlExpiry } from '../../main/engine/vod/aliyun-media';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { crc64 } from '../../main/engine/oss/crc64';
import { NO_TRANSCODE_GROUP_ID, startSandbox, type Sandbox } from '../../main/sandbox';
import type { MediaUrl } from '../../shared/library';

async function until<T>(check: () => Promise<T | undefined>, what: string, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('AliyunVodProvider.mediaUrls', () => {
  let sb: Sandbox;
  let provider: AliyunVodProvider;
  const retried: string[] = [];

  async function upload(body: Buffer, params: { TemplateGroupId?: string; FileName?: string } = {}): Promise<string> {
    const created = await provider.createUpload({
      meta: { title: 'media urls', tags: [], templateGroupId: params.TemplateGroupId },
      fileName: params.FileName ?? 'movie.mp4', size: body.length,
    });
    const oss = new OSS({
      region: `oss-${sb.region}`, accessKeyId: created.credential.accessKeyId, accessKeySecret: created.credential.accessKeySecret,
      stsToken: created.credential.securityToken, bucket: created.address.bucket, endpoint: created.address.endpoint, refreshSTSTokenInterval: 3_000_000,
    });
    await oss.put(created.address.objectKey, body);
    return created.videoId;
  }

  const normal = (id: string) => until(async () => (await provider.getVideoStatus(id)) === 'Normal' || undefined, `${id} Normal`);

  beforeAll(async () => {
    sb = await startSandbox({ transcodeMs: 100 });
    // Backoff without waiting: a video still transcoding is retried as the call policy says.
    provider = new AliyunVodProvider(
      { accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url },
      { sleep: async () => {}, onRetry: (action) => { retried.push(action); } },
    );
  });
  afterAll(async () => {
    await sb.close();
  });

  it('resolves source, streams, cover, snapshots and sprite with stable keys and fresh URLs', async () => {
    const body = crypto.randomBytes(30 * 1024);
    const id = await upload(body);
    await normal(id);
    const what = { source: true, streams: {}, cover: true, snapshots: true, sprites: true };
    const first = await provider.mediaUrls(id, what);
    const second = await provider.mediaUrls(id, what);
    const keys = (l: MediaUrl[]) => l.map((m) => m.key);
    expect(keys(first)).toEqual(['source', 'stream:LD:mp4', 'stream:SD:mp4', 'stream:HD:mp4', 'cover', 'snapshot:1', 'snapshot:2', 'snapshot:3', 'sprite:1']);
    expect(keys(second)).toEqual(keys(first));
    // Same items, fresh signatures (the CDN ones carry a new rand each time).
    expect(second.find((m) => m.key === 'snapshot:1')!.url).not.toBe(first.find((m) => m.key === 'snapshot:1')!.url);

    const source = first[0];
    expect(source).toMatchObject({ videoId: id, title: 'media urls', kind: 'source', size: body.length, fileName: 'movie.mp4' });
    expect(source.md5).toBe(crypto.createHash('md5').update(body).digest('hex'));
    expect(source.expiresAt).toBe(Number(new URL(source.url).searchParams.get('Expires')) * 1000);
    expect(source.expiresAt! - Date.now()).toBeGreaterThan(3500_000);
    const got = Buffer.from(await (await fetch(source.url)).arrayBuffer());
    expect(got.equals(body)).toBe(true);

    for (const s of first.filter((m) => m.kind === 'stream')) {
      expect(s.format).toBe('mp4');
      const res = await fetch(s.url);
      const bytes = Buffer.from(await res.arrayBuffer());
      expect(bytes.length).toBe(s.size);
      expect(res.headers.get('x-oss-hash-crc64ecma')).toBe(crc64(bytes).toString(10));
      expect(s.md5).toBeUndefined();
    }
    const snap = first.find((m) => m.key === 'snapshot:2')!;
    expect(snap.kind).toBe('snapshot');
    expect(snap.fileName).toBe('cover00002.jpg');
    // CDN URLs do not say when they expire: counted from the request and the AuthTimeout asked (≥ 3,600 s for snapshots).
    expect(snap.expiresAt! - Date.now()).toBeGreaterThan(3500_000);
    expect((await fetch(snap.url)).status).toBe(200);
  });

  it('asks only for what is wanted: definitions and formats filter, NoneStream means no streams', async () => {
    const id = await upload(crypto.randomBytes(9 * 1024));
    await normal(id);
    const hd = await provider.mediaUrls(id, { streams: { definitions: ['HD', 'SD'] } });
    expect(hd.map((m) => m.key)).toEqual(['stream:SD:mp4', 'stream:HD:mp4']);
    expect(await provider.mediaUrls(id, { streams: { definitions: ['4K'] } })).toEqual([]);
    expect(await provider.mediaUrls(id, {})).toEqual([]);
    const raw = await upload(crypto.randomBytes(2 * 1024), { TemplateGroupId: NO_TRANSCODE_GROUP_ID, FileName: 'raw.mov' });
    const only = await provider.mediaUrls(raw, { source: true, streams: {} });
    expect(only.map((m) => m.key)).toEqual(['source']);
  });

  it('honours OutputType and AuthTimeout and counts expiry from them', async () => {
    const id = await upload(crypto.randomBytes(4 * 1024), { TemplateGroupId: NO_TRANSCODE_GROUP_ID });
    provider.mediaOptions = { outputType: 'cdn', authTimeoutSec: 120 };
    try {
      const before = Date.now();
      const [src] = await provider.mediaUrls(id, { source: true });
      expect(src.url).toContain('auth_key=');
      expect(src.expiresAt!).toBeGreaterThanOrEqual(before + 120_000);
      expect(src.expiresAt!).toBeLessThanOrEqual(Date.now() + 120_000);
    } finally {
      provider.mediaOptions = {};
    }
    expect(urlExpiry('http://h/k?x-oss-date=20260101T000000Z&x-oss-expires=60&x-oss-signature=s', 0, undefined)).toBe(Date.UTC(2026, 0, 1) + 60_000);
    expect(urlExpiry('http://h/public.jpg', 0, 100)).toBeUndefined();
  });

  it('classifies refusals: a video not yet Normal (retryable), an unknown video (notFound)', async () => {
    const id = await upload(crypto.randomBytes(2 * 1024));
    sb.setVideoStatus(id, 'Transcoding');
    retried.length = 0;
    const transcoding = classifyError(await provider.mediaUrls(id, { streams: {} }).catch((e: unknown) => e));
    expect(transcoding).toMatchObject({ code: 'Forbidden.IllegalStatus', kind: 'parameter', retryable: true, params: { videoStatus: 'Transcoding' } });
    expect(transcoding.hint).toMatch(/once it is Normal/);
    expect(retried.length).toBeGreaterThan(0);
    expect(retried.every((a) => a === 'GetPlayInfo')).toBe(true);
    sb.setVideoStatus(id, 'Blocked');
    retried.length = 0;
    const blocked = classifyError(await provider.mediaUrls(id, { streams: {} }).catch((e: unknown) => e));
    expect(blocked).toMatchObject({ code: 'Forbidden.IllegalStatus', retryable: false });
    expect(retried).toEqual([]);
    // The source can be had whatever the status.
    expect((await provider.mediaUrls(id, { source: true })).map((m) => m.key)).toEqual(['source']);
    const unknown = classifyError(await provider.mediaUrls('0'.repeat(32), { source: true }).catch((e: unknown) => e));
    expect(unknown).toMatchObject({ code: 'InvalidVideo.NotFound', kind: 'notFound', retryable: false });
  });
});

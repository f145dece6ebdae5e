// The sandbox's media side against the unmodified @alicloud/pop-core and plain fetch:
// transcoded streams per definition, snapshots, GetMezzanineInfo / GetPlayInfo /
// ListSnapshots, and the signed, expiring OSS and CDN URLs they hand out (Range, CRC-64
// header, 403 after expiry), with faults and a changed object.
import crypto from 'crypto';
import OSS from 'ali-oss';
import RPCClient from '@alicloud/pop-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import {
  FHD_TEMPLATE_GROUP_ID, HLS_TEMPLATE_GROUP_ID, NO_TRANSCODE_GROUP_ID, SYNTHETIC_PERIOD, startSandbox, syntheticBytes, type Sandbox,
} from '../../main/sandbox';

interface PlayInfo { PlayURL: string; Definition: string; Format: string; Size: number; Width: number; Height: number; Bitrate: string; Encrypt: number; Status: string; StreamType: string }
interface PlayInfoResponse { VideoBase: { OutputType: string; CoverURL?: string }; PlayInfoList: { PlayInfo: PlayInfo[] } }
interface Mezzanine { FileURL: string; Size: number; FileName: string; OutputType: string; CRC64?: string; FileMD5?: string }
interface Snapshots { MediaSnapshot: { Total: number; Snapshots: { Snapshot: { Index: number; Url: string }[] } } }
interface ClientError extends Error { code?: string; data?: { Code: string; Message: string } }

const KiB = 1024;
const decode = <T>(b64: string): T => JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as T;

async function rejection(p: Promise<unknown>): Promise<ClientError> {
  try {
    await p;
  } catch (err) {
    return err as ClientError;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Polls `check` until it returns a value, with a deadline: the only waiting these tests do. */
async function until<T>(check: () => Promise<T | undefined>, what: string, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** The object key a signed URL names: /__oss/<bucket>/<key> or /__cdn/<key>. */
function keyOf(url: string): string {
  const parts = new URL(url).pathname.split('/').slice(1).map(decodeURIComponent);
  return (parts[0] === '__oss' ? parts.slice(2) : parts.slice(1)).join('/');
}

async function get(url: string, headers: Record<string, string> = {}, method = 'GET'): Promise<{ status: number; headers: Headers; body: Buffer }> {
  const res = await fetch(url, { method, headers });
  return { status: res.status, headers: res.headers, body: Buffer.from(await res.arrayBuffer()) };
}

describe('sandbox media: streams, snapshots and signed URLs', () => {
  let sb: Sandbox;
  let vod: RPCClient;

  async function upload(body: Buffer, params: Record<string, unknown> = {}): Promise<string> {
    const r = await vod.request<{ VideoId: string; UploadAddress: string; UploadAuth: string }>(
      'CreateUploadVideo', { Title: 'media', FileName: 'media.mp4', ...params }, { method: 'POST' });
    const address = decode<{ Endpoint: string; Bucket: string; FileName: string }>(r.UploadAddress);
    const auth = decode<{ AccessKeyId: string; AccessKeySecret: string; SecurityToken: string; Region: string }>(r.UploadAuth);
    const oss = new OSS({
      region: `oss-${auth.Region}`, accessKeyId: auth.AccessKeyId, accessKeySecret: auth.AccessKeySecret, stsToken: auth.SecurityToken,
      bucket: address.Bucket, endpoint: address.Endpoint, refreshSTSTokenInterval: 3_000_000,
    });
    await oss.put(address.FileName, body);
    return r.VideoId;
  }

  const normal = (videoId: string) => until(async () => {
    const info = await vod.request<{ Video: { Status: string } }>('GetVideoInfo', { VideoId: videoId });
    return info.Video.Status === 'Normal' ? true : undefined;
  }, `${videoId} to be Normal`);

  const playInfo = (videoId: string, params: Record<string, unknown> = {}) =>
    vod.request<PlayInfoResponse>('GetPlayInfo', { VideoId: videoId, ...params }, { method: 'POST' });

  beforeAll(async () => {
    sb = await startSandbox({ transcodeMs: 120 });
    vod = new RPCClient({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, endpoint: sb.url, apiVersion: '2017-03-21' });
  });
  afterAll(async () => {
    await sb.close();
  });

  it('makes LD/SD/HD mp4 streams with the default group, each byte-exact, distinct and growing with the definition', async () => {
    const source = crypto.randomBytes(40 * KiB);
    const id = await upload(source);
    const early = await rejection(playInfo(id));
    expect(early.code).toBe('Forbidden.IllegalStatus');
    expect(early.data?.Message).toMatch(/^Status of the video is illegal\. Current Status is (UploadSucc|Transcoding)\.$/);
    await normal(id);
    const play = await playInfo(id, { OutputType: 'oss' });
    expect(play.VideoBase.OutputType).toBe('oss');
    const streams = play.PlayInfoList.PlayInfo;
    expect(streams.map((s) => `${s.Definition}:${s.Format}`)).toEqual(['LD:mp4', 'SD:mp4', 'HD:mp4']);
    expect(streams.map((s) => [s.Width, s.Height])).toEqual([[640, 360], [960, 540], [1280, 720]]);
    expect(streams[0].Size).toBeLessThan(streams[1].Size);
    expect(streams[1].Size).toBeLessThan(streams[2].Size);
    expect(streams.every((s) => s.Encrypt === 0 && s.Status === 'Normal' && s.StreamType === 'video')).toBe(true);
    const bodies: Buffer[] = [];
    for (const s of streams) {
      expect(s.PlayURL).toMatch(/\/__oss\/[^?]+\?Expires=\d+&OSSAccessKeyId=[^&]+&Signature=/);
      const got = await get(s.PlayURL);
      expect(got.status).toBe(200);
      expect(got.body.length).toBe(s.Size);
      expect(got.headers.get('x-oss-hash-crc64ecma')).toBe(crc64(got.body).toString(10));
      // The bytes the sandbox says the object has, read another way (not over HTTP).
      expect(got.body.equals((await sb.readObject(sb.bucket, keyOf(s.PlayURL)))!)).toBe(true);
      // And against the documented recipe: the seed names the video, the item and the source's ETag.
      const expected = syntheticBytes({ seed: `stream:${id}:${s.Definition}:mp4:${sb.video(id)!.etag}` }, 0, s.Size - 1);
      expect(got.body.equals(expected)).toBe(true);
      bodies.push(got.body);
    }
    // Distinct content, not one object at three sizes, and not the source.
    expect(bodies[0].equals(bodies[1].subarray(0, bodies[0].length))).toBe(false);
    expect(bodies[2].equals(source)).toBe(false);
  });

  it('filters by Definition and Formats, answers NoneStream and NotFound as documented', async () => {
    const id = await upload(crypto.randomBytes(8 * KiB));
    await normal(id);
    const hd = await playInfo(id, { Definition: 'HD,SD' });
    expect(hd.PlayInfoList.PlayInfo.map((s) => s.Definition)).toEqual(['SD', 'HD']);
    const none = await rejection(playInfo(id, { Definition: '4K' }));
    expect(none.code).toBe('InvalidVideo.NoneStream');
    expect(none.data?.Message).toBe("The video has no stream to play for the request parameter 'Formats: , Definition: 4K, StreamType: '.");
    expect((await rejection(playInfo(id, { Formats: 'm3u8' }))).code).toBe('InvalidVideo.NoneStream');
    expect((await rejection(playInfo('0'.repeat(32)))).code).toBe('InvalidVideo.NotFound');
    expect((await rejection(playInfo(id, { OutputType: 'ftp' }))).code).toBe('InvalidParameter');
    expect((await rejection(playInfo(id, { OutputType: 'oss', AuthTimeout: 2_592_001 }))).code).toBe('InvalidParameter');

    const hls = await upload(crypto.randomBytes(8 * KiB), { TemplateGroupId: HLS_TEMPLATE_GROUP_ID });
    await normal(hls);
    expect((await playInfo(hls)).PlayInfoList.PlayInfo.map((s) => s.Format)).toEqual(['m3u8', 'm3u8', 'm3u8']);
    // OSS URLs are for MP4 streams only (GetPlayInfo's OutputType note).
    expect((await rejection(playInfo(hls, { OutputType: 'oss' }))).code).toBe('InvalidVideo.NoneStream');

    const fhd = await upload(crypto.randomBytes(8 * KiB), { TemplateGroupId: FHD_TEMPLATE_GROUP_ID });
    await normal(fhd);
    expect((await playInfo(fhd)).PlayInfoList.PlayInfo.map((s) => [s.Definition, s.Height])).toEqual([['FHD', 1080]]);
  });

  it('gives only the original with VOD_NO_TRANSCODE: the OD stream is the source itself', async () => {
    const source = crypto.randomBytes(12 * KiB);
    const id = await upload(source, { TemplateGroupId: NO_TRANSCODE_GROUP_ID });
    const play = await playInfo(id);
    expect(play.PlayInfoList.PlayInfo.map((s) => s.Definition)).toEqual(['OD']);
    expect((await get(play.PlayInfoList.PlayInfo[0].PlayURL)).body.equals(source)).toBe(true);
    // A source in a format players do not take has no stream at all.
    const mov = await upload(crypto.randomBytes(4 * KiB), { TemplateGroupId: NO_TRANSCODE_GROUP_ID, FileName: 'raw.mov' });
    expect((await rejection(playInfo(mov))).code).toBe('InvalidVideo.NoneStream');
  });

  it('serves the source by GetMezzanineInfo as OSS and CDN URLs with Range, CRC-64, ETag, and a FileMD5 where it is true', async () => {
    const source = crypto.randomBytes(300 * KiB);
    const id = await upload(source);
    const before = Date.now();
    const oss = (await vod.request<{ Mezzanine: Mezzanine }>('GetMezzanineInfo', { VideoId: id, OutputType: 'oss', AuthTimeout: 600 })).Mezzanine;
    expect(oss).toMatchObject({ Size: source.length, FileName: 'media.mp4', OutputType: 'oss', CRC64: crc64(source).toString(10) });
    expect(oss.FileMD5).toBe(crypto.createHash('md5').update(source).digest('hex'));
    const expires = Number(new URL(oss.FileURL).searchParams.get('Expires'));
    expect(expires * 1000).toBeGreaterThanOrEqual(before + 599_000);
    expect(expires * 1000).toBeLessThanOrEqual(Date.now() + 600_000);

    const range = await get(oss.FileURL, { Range: 'bytes=1000-70999' });
    expect(range.status).toBe(206);
    expect(range.headers.get('content-range')).toBe(`bytes 1000-70999/${source.length}`);
    expect(range.headers.get('content-length')).toBe('70000');
    expect(range.body.equals(source.subarray(1000, 71000))).toBe(true);
    // The CRC header is the whole object's, whatever the range.
    expect(range.headers.get('x-oss-hash-crc64ecma')).toBe(crc64(source).toString(10));
    expect(range.headers.get('etag')).toMatch(/^"[0-9A-F]{32}"$/);
    expect(Date.parse(range.headers.get('last-modified')!)).toBeGreaterThan(0);
    expect((await get(oss.FileURL, { Range: `bytes=${source.length}-` })).status).toBe(416);
    // Signed for GET: the verb is part of the signature, so HEAD is refused, as on OSS.
    const head = await get(oss.FileURL, {}, 'HEAD');
    expect(head.status).toBe(403);
    expect(Buffer.from(head.headers.get('x-oss-err')!, 'base64').toString()).toContain('<Code>SignatureDoesNotMatch</Code>');
    const tampered = oss.FileURL.replace(/Expires=(\d+)/, (_m, e: string) => `Expires=${Number(e) + 1}`);
    expect((await get(tampered)).body.toString()).toContain('<Code>SignatureDoesNotMatch</Code>');

    const cdn = (await vod.request<{ Mezzanine: Mezzanine }>('GetMezzanineInfo', { VideoId: id })).Mezzanine;
    expect(cdn.OutputType).toBe('cdn');
    expect(cdn.FileURL).toMatch(/\/__cdn\/[^?]+\?auth_key=\d+-[0-9a-f]+-0-[0-9a-f]{32}$/);
    const cdnHead = await get(cdn.FileURL, { Range: 'bytes=0-0' }, 'HEAD');
    expect(cdnHead.status).toBe(206);
    expect(cdnHead.headers.get('x-oss-hash-crc64ecma')).toBe(crc64(source).toString(10));
    expect((await get(cdn.FileURL)).body.equals(source)).toBe(true);
    expect((await get(cdn.FileURL.replace(/auth_key=\d/, 'auth_key=9'))).status).toBe(403);
  });

  it('refuses a URL after it expired: OSS 403 AccessDenied "Request has expired.", CDN a bare 403', async () => {
    const source = crypto.randomBytes(5 * KiB);
    const id = await upload(source, { TemplateGroupId: NO_TRANSCODE_GROUP_ID });
    sb.faults.set({ urlTtlSeconds: 1 });
    try {
      const oss = (await vod.request<{ Mezzanine: Mezzanine }>('GetMezzanineInfo', { VideoId: id, OutputType: 'oss', AuthTimeout: 3600 })).Mezzanine;
      const cdn = (await vod.request<{ Mezzanine: Mezzanine }>('GetMezzanineInfo', { VideoId: id })).Mezzanine;
      expect(Number(new URL(oss.FileURL).searchParams.get('Expires')) * 1000).toBeLessThanOrEqual(Date.now() + 1000);
      const expired = await until(async () => {
        const r = await get(oss.FileURL);
        return r.status === 200 ? undefined : r;
      }, 'the OSS URL to expire', 5000);
      expect(expired.status).toBe(403);
      const xml = expired.body.toString();
      expect(xml).toContain('<Code>AccessDenied</Code>');
      expect(xml).toContain('<Message>Request has expired.</Message>');
      expect(xml).toMatch(/<Expires>[^<]+<\/Expires><ServerTime>[^<]+<\/ServerTime>/);
      const cdnExpired = await until(async () => {
        const r = await get(cdn.FileURL);
        return r.status === 200 ? undefined : r;
      }, 'the CDN URL to expire', 5000);
      expect(cdnExpired.status).toBe(403);
    } finally {
      sb.faults.set({ urlTtlSeconds: 0 });
    }
    // A URL resolved again works.
    const fresh = (await vod.request<{ Mezzanine: Mezzanine }>('GetMezzanineInfo', { VideoId: id, OutputType: 'oss' })).Mezzanine;
    expect((await get(fresh.FileURL)).body.equals(source)).toBe(true);
  });

  it('lists cover snapshots and a sprite as JPEG objects, and picks a cover when none was set', async () => {
    const id = await upload(crypto.randomBytes(6 * KiB));
    await normal(id);
    const covers = await vod.request<Snapshots>('ListSnapshots', { VideoId: id });
    expect(covers.MediaSnapshot.Total).toBe(3);
    expect(covers.MediaSnapshot.Snapshots.Snapshot.map((s) => s.Index)).toEqual([1, 2, 3]);
    const images: Buffer[] = [];
    for (const s of covers.MediaSnapshot.Snapshots.Snapshot) {
      const r = await get(s.Url);
      expect(r.status).toBe(200);
      expect(r.headers.get('content-type')).toBe('image/jpeg');
      expect([...r.body.subarray(0, 3)]).toEqual([0xff, 0xd8, 0xff]);
      images.push(r.body);
    }
    expect(new Set(images.map((b) => crypto.createHash('md5').update(b).digest('hex'))).size).toBe(3);
    const sprite = await vod.request<Snapshots>('ListSnapshots', { VideoId: id, SnapshotType: 'SpriteSnapshot' });
    expect(sprite.MediaSnapshot.Total).toBe(1);
    expect((await get(sprite.MediaSnapshot.Snapshots.Snapshot[0].Url)).status).toBe(200);
    expect((await vod.request<Snapshots>('ListSnapshots', { VideoId: id, SnapshotType: 'NormalSnapshot' })).MediaSnapshot.Total).toBe(0);
    expect((await rejection(vod.request('ListSnapshots', { VideoId: id, SnapshotType: 'Poster' }))).code).toBe('InvalidParameter');

    const info = await vod.request<{ Video: { CoverURL: string; Snapshots: { Snapshot: string[] } } }>('GetVideoInfo', { VideoId: id });
    expect(info.Video.Snapshots.Snapshot).toHaveLength(3);
    const cover = await get(info.Video.CoverURL);
    expect(cover.body.equals(images[0])).toBe(true);

    const uploading = (await vod.request<{ VideoId: string }>('CreateUploadVideo', { Title: 'x', FileName: 'x.mp4' }, { method: 'POST' })).VideoId;
    expect((await rejection(vod.request('ListSnapshots', { VideoId: uploading }))).code).toBe('Forbidden.IllegalStatus');
  });

  it('changes the ETag, CRC-64 and bytes of a replaced object, and of the streams made from a replaced source', async () => {
    const id = await upload(crypto.randomBytes(9 * KiB));
    await normal(id);
    const mezz = (await vod.request<{ Mezzanine: Mezzanine }>('GetMezzanineInfo', { VideoId: id, OutputType: 'oss' })).Mezzanine;
    const before = await get(mezz.FileURL);
    const hdBefore = await get((await playInfo(id, { Definition: 'HD' })).PlayInfoList.PlayInfo[0].PlayURL);
    const key = sb.video(id)!.objectKey;
    const replacement = crypto.randomBytes(9 * KiB);
    const res = await fetch(`${sb.url}/__admin/objects/${sb.bucket}/${key}`, { method: 'POST', body: replacement });
    expect(res.status).toBe(200);
    const after = await get(mezz.FileURL);
    expect(after.body.equals(replacement)).toBe(true);
    expect(after.headers.get('etag')).not.toBe(before.headers.get('etag'));
    expect(after.headers.get('x-oss-hash-crc64ecma')).toBe(crc64(replacement).toString(10));
    expect(Date.parse(after.headers.get('last-modified')!)).toBeGreaterThan(Date.parse(before.headers.get('last-modified')!));
    // A new source is transcoded again: new streams once it is Normal again.
    await normal(id);
    const hdAfter = await get((await playInfo(id, { Definition: 'HD' })).PlayInfoList.PlayInfo[0].PlayURL);
    expect(hdAfter.headers.get('etag')).not.toBe(hdBefore.headers.get('etag'));
    expect(hdAfter.body.equals(hdBefore.body)).toBe(false);

    // A stream object replaced on its own (code API, synthetic bytes).
    const ld = (await playInfo(id, { Definition: 'LD' })).PlayInfoList.PlayInfo[0];
    const ldKey = keyOf(ld.PlayURL);
    const changed = await sb.replaceObject(sb.bucket, ldKey, { seed: 'changed', size: 5000 });
    const ldNow = await get(ld.PlayURL);
    expect(ldNow.body.equals(syntheticBytes({ seed: 'changed' }, 0, 4999))).toBe(true);
    expect(ldNow.headers.get('etag')).toBe(changed.etag);
    expect(ldNow.headers.get('x-oss-hash-crc64ecma')).toBe(crc64(ldNow.body).toString(10));
    expect((await playInfo(id, { Definition: 'LD' })).PlayInfoList.PlayInfo[0].Size).toBe(5000);
  });

  it('applies errorRate, resetRate and counts them on signed-URL downloads', async () => {
    const source = crypto.randomBytes(600 * KiB);
    const id = await upload(source, { TemplateGroupId: NO_TRANSCODE_GROUP_ID });
    const url = (await vod.request<{ Mezzanine: Mezzanine }>('GetMezzanineInfo', { VideoId: id, OutputType: 'oss' })).Mezzanine.FileURL;
    const stats0 = sb.stats();
    sb.faults.set({ errorRate: 1 });
    const failed = await get(url);
    sb.faults.set({ errorRate: 0, resetRate: 1, resetAfterBytes: 64 * KiB });
    const cut = await fetch(url).then((r) => r.arrayBuffer()).then(() => 'complete', (err: Error) => `cut: ${err.message}`);
    sb.faults.set({ resetRate: 0 });
    const whole = await get(url);
    const stats1 = sb.stats();
    expect(failed.status).toBe(500);
    expect(failed.body.toString()).toContain('<Code>InternalError</Code>');
    expect(cut).toMatch(/^cut: /);
    expect(whole.body.equals(source)).toBe(true);
    expect(stats1.injected.errors - stats0.injected.errors).toBe(1);
    expect(stats1.injected.resets - stats0.injected.resets).toBe(1);
    expect(stats1.requests['oss-url:GET'] - (stats0.requests['oss-url:GET'] ?? 0)).toBe(3);
    expect(stats1.bytesSent - stats0.bytesSent).toBeGreaterThanOrEqual(source.length);
  });

  it('serves a synthetic source of any size with its CRC-64, and ranges across the pattern period', async () => {
    const size = 3 * SYNTHETIC_PERIOD + 12_345;
    const v = await sb.createSyntheticVideo({ size, templateGroupId: NO_TRANSCODE_GROUP_ID });
    const mezz = (await vod.request<{ Mezzanine: Mezzanine }>('GetMezzanineInfo', { VideoId: v.videoId, OutputType: 'oss' })).Mezzanine;
    expect(mezz.Size).toBe(size);
    expect(mezz.FileMD5).toBeUndefined();
    const whole = await get(mezz.FileURL);
    expect(whole.body.length).toBe(size);
    expect(crc64(whole.body).toString(10)).toBe(v.crc64);
    expect(whole.headers.get('x-oss-hash-crc64ecma')).toBe(v.crc64);
    const start = SYNTHETIC_PERIOD - 100;
    const part = await get(mezz.FileURL, { Range: `bytes=${start}-${start + 8 * 1024 * 1024}` });
    expect(part.status).toBe(206);
    expect(part.body.equals(whole.body.subarray(start, Math.min(size, start + 8 * 1024 * 1024 + 1)))).toBe(true);
    // The period is not a power of two: two 1 MiB-aligned ranges differ.
    expect(whole.body.subarray(0, 1024).equals(whole.body.subarray(1024 * 1024, 1024 * 1024 + 1024))).toBe(false);

    // Over the admin API (a sandbox in another process): 64 GiB described without a byte stored.
    const res = await fetch(`${sb.url}/__admin/videos/synthetic`, { method: 'POST', body: JSON.stringify({ size: 64 * 1024 ** 3, templateGroupId: NO_TRANSCODE_GROUP_ID }) });
    const big = await res.json() as { VideoId: string; Size: number; CRC64: string };
    expect(big.Size).toBe(64 * 1024 ** 3);
    const bigUrl = (await vod.request<{ Mezzanine: Mezzanine }>('GetMezzanineInfo', { VideoId: big.VideoId, OutputType: 'oss' })).Mezzanine.FileURL;
    const tail = await get(bigUrl, { Range: 'bytes=-1000' });
    expect(tail.status).toBe(206);
    expect(tail.headers.get('x-oss-hash-crc64ecma')).toBe(big.CRC64);
    expect(tail.body.equals(syntheticBytes({ seed: `source:${big.VideoId}` }, 64 * 1024 ** 3 - 1000, 64 * 1024 ** 3 - 1))).toBe(true);
    expect((await fetch(`${sb.url}/__admin/videos/synthetic`, { method: 'POST', body: '{"size": -1}' })).status).toBe(400);
  });
});

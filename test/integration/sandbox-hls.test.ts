// The sandbox's HLS behaviour against the real, unmodified clients: ObjectPrefix in the
// UploadAddress of an .m3u8, an STS credential that reaches that prefix and nothing
// else, and a video that is complete when its playlist arrives (with the segments it
// lists already there).
import OSS from 'ali-oss';
import RPCClient from '@alicloud/pop-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import { startSandbox, type Sandbox } from '../../main/sandbox';

interface Address { Endpoint: string; Bucket: string; FileName: string; ObjectPrefix?: string }
interface Auth { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string; Region: string }
interface Upload { videoId: string; address: Address; auth: Auth }
interface PutResult { res: { status: number; headers: Record<string, string> } }
interface Oss {
  put(name: string, body: Buffer): Promise<PutResult>;
  initMultipartUpload(name: string): Promise<{ uploadId: string }>;
}

const decode = <T>(b64: string): T => JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as T;

async function createUpload(vod: RPCClient, fileName: string): Promise<Upload> {
  const r = await vod.request<{ VideoId: string; UploadAddress: string; UploadAuth: string }>(
    'CreateUploadVideo', { Title: fileName, FileName: fileName }, { method: 'POST' });
  return { videoId: r.VideoId, address: decode<Address>(r.UploadAddress), auth: decode<Auth>(r.UploadAuth) };
}

function oss(u: { address: Address; auth: Auth }): Oss {
  return new OSS({
    region: `oss-${u.auth.Region}`, accessKeyId: u.auth.AccessKeyId, accessKeySecret: u.auth.AccessKeySecret,
    stsToken: u.auth.SecurityToken, bucket: u.address.Bucket, endpoint: u.address.Endpoint, timeout: 30_000,
    refreshSTSTokenInterval: 3_000_000,
  }) as unknown as Oss;
}

async function rejection(p: Promise<unknown>): Promise<{ code?: string; status?: number; message: string }> {
  try {
    await p;
  } catch (err) {
    return err as { code?: string; status?: number; message: string };
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Polls the sandbox until the video has `status`; the test's only waiting. */
async function statusReaches(sb: Sandbox, videoId: string, status: string): Promise<void> {
  const deadline = Date.now() + 10_000;
  while (sb.video(videoId)?.status !== status) {
    if (Date.now() > deadline) throw new Error(`video ${videoId} stayed ${sb.video(videoId)?.status}, never ${status}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const PLAYLIST = Buffer.from('#EXTM3U\n#EXT-X-VERSION:3\n#EXT-X-TARGETDURATION:2\n#EXTINF:2.0,\nseg0.ts\n#EXTINF:2.0,\nlow/seg1.ts\n#EXT-X-ENDLIST\n');

describe('sandbox: HLS uploads', () => {
  let sb: Sandbox;
  let vod: RPCClient;
  beforeAll(async () => {
    sb = await startSandbox({ transcodeMs: 200 });
    vod = new RPCClient({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, endpoint: sb.url, apiVersion: '2017-03-21' });
  });
  afterAll(() => sb.close());

  it('hands out ObjectPrefix, the playlist\'s folder, for an .m3u8 only, and again on refresh', async () => {
    const hls = await createUpload(vod, 'show.m3u8');
    const folder = hls.address.FileName.slice(0, hls.address.FileName.lastIndexOf('/') + 1);
    expect(hls.address.FileName).toMatch(/^sv\/[0-9a-f-]+\/[0-9a-f-]+\.m3u8$/);
    expect(hls.address.ObjectPrefix).toBe(folder);
    const refreshed = await vod.request<{ UploadAddress: string }>('RefreshUploadVideo', { VideoId: hls.videoId });
    expect(decode<Address>(refreshed.UploadAddress)).toEqual(hls.address);
    const mp4 = await createUpload(vod, 'clip.mp4');
    expect(mp4.address.ObjectPrefix).toBeUndefined();
  });

  it('lets the credential write the playlist and anything under ObjectPrefix, nothing else', async () => {
    const hls = await createUpload(vod, 'scope.m3u8');
    const client = oss(hls);
    const prefix = hls.address.ObjectPrefix!;
    const seg = Buffer.from('segment bytes');
    const put = await client.put(`${prefix}720p/seg0.ts`, seg);
    expect(put.res.headers['x-oss-hash-crc64ecma']).toBe(crc64(seg).toString());
    expect((await client.initMultipartUpload(`${prefix}big.ts`)).uploadId).toMatch(/^[0-9A-F]{32}$/);

    const sibling = await rejection(client.put(`${prefix.slice(0, -1)}x/seg0.ts`, seg));
    expect(sibling.code).toBe('AccessDenied');
    expect(sibling.status).toBe(403);
    expect(sibling.message).toContain(prefix);
    expect((await rejection(client.put('sv/elsewhere/seg0.ts', seg))).code).toBe('AccessDenied');
    expect((await rejection(client.put(prefix, seg))).code).toBe('AccessDenied');

    // An ordinary video's credential has no prefix: its own folder is closed to it.
    const mp4 = await createUpload(vod, 'clip.mp4');
    const folder = mp4.address.FileName.slice(0, mp4.address.FileName.lastIndexOf('/') + 1);
    expect((await rejection(oss(mp4).put(`${folder}seg0.ts`, seg))).code).toBe('AccessDenied');
  });

  it('completes the video when the playlist arrives after its segments', async () => {
    const hls = await createUpload(vod, 'ordered.m3u8');
    const client = oss(hls);
    const prefix = hls.address.ObjectPrefix!;
    await client.put(`${prefix}seg0.ts`, Buffer.from('zero'));
    await client.put(`${prefix}low/seg1.ts`, Buffer.from('one'));
    expect(sb.video(hls.videoId)!.status).toBe('Uploading');
    await client.put(hls.address.FileName, PLAYLIST);
    expect(sb.video(hls.videoId)!.missingSegments).toBeUndefined();
    await statusReaches(sb, hls.videoId, 'Normal');
    expect((await sb.readObject(hls.address.Bucket, `${prefix}low/seg1.ts`))!.toString()).toBe('one');
  });

  it('fails the transcode of a playlist that arrived before its segments, until it is sent again', async () => {
    const hls = await createUpload(vod, 'early.m3u8');
    const client = oss(hls);
    const prefix = hls.address.ObjectPrefix!;
    await client.put(`${prefix}seg0.ts`, Buffer.from('zero'));
    await client.put(hls.address.FileName, PLAYLIST);
    expect(sb.video(hls.videoId)!.missingSegments).toEqual(['low/seg1.ts']);
    expect(sb.video(hls.videoId)!.status).toBe('TranscodeFail');

    await client.put(`${prefix}low/seg1.ts`, Buffer.from('one'));
    expect(sb.video(hls.videoId)!.status).toBe('TranscodeFail');
    await client.put(hls.address.FileName, PLAYLIST);
    expect(sb.video(hls.videoId)!.missingSegments).toBeUndefined();
    await statusReaches(sb, hls.videoId, 'Normal');
  });

  it('follows a master playlist into its variant playlists', async () => {
    const hls = await createUpload(vod, 'master.m3u8');
    const client = oss(hls);
    const prefix = hls.address.ObjectPrefix!;
    const master = Buffer.from('#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=800000\nv1/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=400000\nv2/index.m3u8\n');
    const variant = Buffer.from('#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\nseg%201.m4s\n#EXT-X-ENDLIST\n');
    await client.put(`${prefix}v1/index.m3u8`, variant);
    await client.put(`${prefix}v1/init.mp4`, Buffer.from('init'));
    await client.put(`${prefix}v2/index.m3u8`, variant);
    await client.put(`${prefix}v2/seg 1.m4s`, Buffer.from('s'));
    await client.put(hls.address.FileName, master);
    // v1 lacks its segment, v2 its init section; percent-encoding is decoded as a player would.
    expect(sb.video(hls.videoId)!.missingSegments).toEqual(['v1/seg 1.m4s', 'v2/init.mp4']);
  });
});

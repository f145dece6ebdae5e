// The sandbox against the real, unmodified clients over loopback: @alicloud/pop-core
// for VOD's RPC API and ali-oss for OSS, the same code paths the engine uses.
import crypto from 'crypto';
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import OSS from 'ali-oss';
import RPCClient from '@alicloud/pop-core';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import { NO_TRANSCODE_GROUP_ID, VOD_VIDEO_STATUSES, parseFaults, startSandbox, type Sandbox } from '../../main/sandbox';
import { runSandboxCommand } from '../../main/sandbox/command';

interface UploadAuth { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string; Expiration: string; ExpireUTCTime: string; Region: string }
interface UploadAddress { Endpoint: string; Bucket: string; FileName: string }
interface Created { VideoId: string; address: UploadAddress; auth: UploadAuth }
interface ClientError extends Error { code?: string; status?: number; data?: { Code: string }; entry?: { response?: { statusCode: number } } }

/**
 * ali-oss's low-level calls as the library really takes and returns them (@types/ali-oss
 * is narrower: it wants every ListParts query field and no per-call headers).
 */
interface OssResult { res: { status: number; headers: Record<string, string> } }
interface LowLevelOss {
  initMultipartUpload(name: string): Promise<OssResult & { uploadId: string }>;
  uploadPart(name: string, uploadId: string, partNo: number, file: Buffer, start: number, end: number, options?: { headers?: Record<string, string> }): Promise<OssResult & { etag: string }>;
  listParts(name: string, uploadId: string, query?: Record<string, string | number>): Promise<OssResult & { parts: unknown; isTruncated: unknown; nextPartNumberMarker: string }>;
  completeMultipartUpload(name: string, uploadId: string, parts: { number: number; etag: string }[]): Promise<OssResult & { etag: string }>;
  abortMultipartUpload(name: string, uploadId: string): Promise<OssResult>;
  put(name: string, body: Buffer): Promise<OssResult>;
  head(name: string): Promise<OssResult>;
  get(name: string, options?: { headers?: Record<string, string> }): Promise<OssResult & { content: Buffer }>;
}
type VerboseRpc = { request(action: string, params: object): Promise<[unknown, { url: string }]> };
const verboseClient = (sb: Sandbox): VerboseRpc =>
  new (RPCClient as unknown as new (c: RPCClient.Config, verbose: boolean) => VerboseRpc)(
    { accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, endpoint: sb.url, apiVersion: '2017-03-21' }, true);

const decode = <T>(b64: string): T => JSON.parse(Buffer.from(b64, 'base64').toString('utf8')) as T;

function vodClient(sb: Sandbox, secret = sb.accessKeySecret, keyId = sb.accessKeyId): RPCClient {
  return new RPCClient({ accessKeyId: keyId, accessKeySecret: secret, endpoint: sb.url, apiVersion: '2017-03-21' });
}

async function createVideo(vod: RPCClient, params: Record<string, unknown> = {}): Promise<Created> {
  const r = await vod.request<{ VideoId: string; UploadAddress: string; UploadAuth: string }>(
    'CreateUploadVideo', { Title: 'clip', FileName: 'clip.mp4', ...params }, { method: 'POST' });
  return { VideoId: r.VideoId, address: decode<UploadAddress>(r.UploadAddress), auth: decode<UploadAuth>(r.UploadAuth) };
}

function ossClient(c: { address: UploadAddress; auth: UploadAuth }, extra: Partial<OSS.Options> = {}): LowLevelOss {
  return new OSS({
    region: `oss-${c.auth.Region}`,
    accessKeyId: c.auth.AccessKeyId,
    accessKeySecret: c.auth.AccessKeySecret,
    stsToken: c.auth.SecurityToken,
    bucket: c.address.Bucket,
    endpoint: c.address.Endpoint,
    timeout: 30_000,
    // Only silences ali-oss's advice to use its interval refresh (the engine owns refresh).
    refreshSTSTokenInterval: 3_000_000,
    ...extra,
  }) as unknown as LowLevelOss;
}

async function rejection(p: Promise<unknown>): Promise<ClientError> {
  try {
    await p;
  } catch (err) {
    return err as ClientError;
  }
  throw new Error('expected the call to fail, it succeeded');
}

/** Polls `check` until it returns a value; the only waiting the tests do. */
async function until<T>(check: () => Promise<T | undefined>, what: string, limitMs = 20_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = await check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

function randomBytes(n: number, seed: number): Buffer {
  // Deterministic but non-repeating content so a misplaced part changes the bytes.
  const out = Buffer.alloc(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13; x >>>= 0; x ^= x >>> 17; x ^= x << 5; x >>>= 0;
    out[i] = x & 0xff;
  }
  return out;
}

/** Buffer equality without a deep diff of every byte (slow for big buffers). */
function sameBytes(actual: Buffer | undefined, expected: Buffer): boolean {
  return actual !== undefined && actual.equals(expected);
}

function rawGet(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    http.get(url, { headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
}

function rawPost(url: string, body: string): Promise<{ status: number; body: Buffer }> {
  return new Promise((resolve, reject) => {
    const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks) }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

const KiB = 1024;

describe('sandbox: VOD RPC', () => {
  let sb: Sandbox;
  let vod: RPCClient;
  beforeAll(async () => {
    sb = await startSandbox({ transcodeMs: 300 });
    vod = vodClient(sb);
  });
  afterAll(() => sb.close());
  afterEach(() => sb.faults.reset());

  it('answers a signed call over GET and over POST', async () => {
    const viaGet = await vod.request<{ RequestId: string; SubTotal: number; SubCategories: { Category: { CateName: string; Level: number }[] } }>('GetCategories', { CateId: -1 });
    expect(viaGet.RequestId).toMatch(/^[0-9A-F-]{36}$/);
    expect(viaGet.SubCategories.Category.map((c) => c.CateName)).toContain('Movies');
    expect(viaGet.SubCategories.Category.every((c) => c.Level === 0)).toBe(true);
    const viaPost = await vod.request<{ TranscodeTemplateGroupList: { TranscodeTemplateGroupId: string; IsDefault: string }[] }>('ListTranscodeTemplateGroup', {}, { method: 'POST' });
    const ids = viaPost.TranscodeTemplateGroupList.map((g) => g.TranscodeTemplateGroupId);
    expect(ids).toContain(NO_TRANSCODE_GROUP_ID);
    expect(viaPost.TranscodeTemplateGroupList.filter((g) => g.IsDefault === 'Default')).toHaveLength(1);
  });

  it('walks the three-level category tree with paging, and adds categories', async () => {
    const movies = await vod.request<{ SubTotal: number; SubCategories: { Category: { CateId: number; Level: number; SubTotal: number }[] } }>('GetCategories', { CateId: 1000001, PageSize: 1, PageNo: 2 });
    expect(movies.SubTotal).toBe(2);
    expect(movies.SubCategories.Category).toHaveLength(1);
    const added = await vod.request<{ Category: { CateId: number; Level: number } }>('AddCategory', { CateName: 'Slow motion', ParentId: 1000002 });
    expect(added.Category.Level).toBe(2);
    const tooDeep = await rejection(vod.request('AddCategory', { CateName: 'Fourth', ParentId: added.Category.CateId }));
    expect(tooDeep.code).toBe('Forbidden.ExceedMaxLevel');
  });

  it('refuses a wrong secret with SignatureDoesNotMatch', async () => {
    const err = await rejection(vodClient(sb, 'not-the-secret').request('GetCategories', {}));
    expect(err.code).toBe('SignatureDoesNotMatch');
    expect(err.entry?.response?.statusCode ?? 400).toBe(400);
  });

  it('refuses an unknown AccessKeyId', async () => {
    const err = await rejection(vodClient(sb, sb.accessKeySecret, 'LTAIunknownkey000000000').request('GetCategories', {}));
    expect(err.code).toBe('InvalidAccessKeyId.NotFound');
  });

  it('refuses a replayed SignatureNonce', async () => {
    const verbose = verboseClient(sb);
    const [, entry] = await verbose.request('ListAppInfo', {});
    const again = await rawGet(entry.url);
    const body = JSON.parse(again.body.toString()) as { Code: string; RequestId: string; HostId: string };
    expect(body.Code).toBe('SignatureNonceUsed');
    expect(body.RequestId).toBeTruthy();
    expect(body.HostId).toContain('vod.');
    expect(again.status).toBe(400);
  });

  it('refuses a Timestamp outside the 15-minute window', async () => {
    const verbose = verboseClient(sb);
    const [, entry] = await verbose.request('ListWorkflow', {});
    // Moving the timestamp also breaks the signature, but the window is checked first.
    const stale = entry.url.replace(/Timestamp=[^&]+/, 'Timestamp=2020-01-01T00%3A00%3A00Z');
    const body = JSON.parse((await rawGet(stale)).body.toString()) as { Code: string };
    expect(body.Code).toBe('InvalidTimeStamp.Expired');
  });

  it('answers an unknown action with InvalidAction.NotFound', async () => {
    const err = await rejection(vod.request('LaunchRocket', {}));
    expect(err.code).toBe('InvalidAction.NotFound');
  });

  it('validates CreateUploadVideo metadata like VOD', async () => {
    const long = await rejection(createVideo(vod, { Title: 'x'.repeat(129) }));
    expect(long.code).toBe('InvalidParameter');
    expect(long.message).toMatch(/129/);
    await expect(createVideo(vod, { Title: '片'.repeat(128) })).resolves.toBeTruthy();
    expect((await rejection(createVideo(vod, { FileName: 'notes.txt' }))).code).toBe('InvalidParameter');
    expect((await rejection(createVideo(vod, { Tags: Array.from({ length: 17 }, (_, i) => `t${i}`).join(',') }))).code).toBe('InvalidParameter');
    expect((await rejection(createVideo(vod, { Tags: 'a'.repeat(33) }))).code).toBe('InvalidParameter');
    expect((await rejection(createVideo(vod, { Description: 'd'.repeat(1025) }))).code).toBe('InvalidParameter');
    expect((await rejection(createVideo(vod, { TemplateGroupId: 'nope' }))).code).toBe('InvalidTemplateGroupId.NotFound');
  });

  it('hands out an upload address on the sandbox and a fresh credential on refresh', async () => {
    const before = sb.stats().createUploadVideo;
    const c = await createVideo(vod, { Title: 'Refreshing', Tags: 'a,b', CateId: 1000004 });
    expect(sb.stats().createUploadVideo).toBe(before + 1);
    expect(c.address.Endpoint).toBe(sb.url);
    expect(c.address.Bucket).toBe(sb.bucket);
    expect(c.address.FileName).toMatch(/^sv\/.+\.mp4$/);
    expect(c.auth.Expiration).toBe('3000');
    expect(c.auth.Region).toBe('cn-shanghai');
    const r = await vod.request<{ UploadAddress: string; UploadAuth: string }>('RefreshUploadVideo', { VideoId: c.VideoId });
    expect(decode<UploadAddress>(r.UploadAddress)).toEqual(c.address);
    expect(decode<UploadAuth>(r.UploadAuth).AccessKeyId).not.toBe(c.auth.AccessKeyId);
    expect((await rejection(vod.request('RefreshUploadVideo', { VideoId: 'f'.repeat(32) }))).code).toBe('InvalidVideo.NotFound');
    const v = sb.video(c.VideoId);
    expect(v).toMatchObject({ title: 'Refreshing', tags: ['a', 'b'], cateId: 1000004, status: 'Uploading', objectKey: c.address.FileName });
  });

  it('answers the catalog calls the UI makes', async () => {
    const wf = await vod.request<{ WorkflowList: { WorkflowId: string }[] }>('ListWorkflow', {});
    expect(wf.WorkflowList.length).toBeGreaterThan(0);
    // The address the VOD console shows under Storage (no API lists it).
    const location = `${sb.bucket}.oss-cn-shanghai.aliyuncs.com`;
    const c = await createVideo(vod, { StorageLocation: location, WorkflowId: wf.WorkflowList[0].WorkflowId });
    expect((await rejection(createVideo(vod, { StorageLocation: 'elsewhere.oss-cn-beijing.aliyuncs.com' }))).code).toBe('InvalidStorage.NotFound');
    const infos = await vod.request<{ VideoList: { VideoId: string; StorageLocation: string }[]; NonExistVideoIds: string[] }>('GetVideoInfos', { VideoIds: `${c.VideoId},${'0'.repeat(32)}` });
    expect(infos.VideoList.map((v) => v.VideoId)).toEqual([c.VideoId]);
    expect(infos.VideoList[0].StorageLocation).toBe(location);
    expect(infos.NonExistVideoIds).toEqual(['0'.repeat(32)]);
    const notYet = await rejection(vod.request('GetPlayInfo', { VideoId: c.VideoId }));
    expect(notYet.code).toBe('Forbidden.IllegalStatus');
  });

  it('answers throttling and 5xx faults', async () => {
    sb.faults.set({ throttleRate: 1 });
    const throttled = await rejection(vod.request('ListAppInfo', {}));
    expect(throttled.code).toBe('Throttling.User');
    sb.faults.set({ throttleRate: 0, errorRate: 1 });
    const failed = await rejection(vod.request('ListAppInfo', {}));
    expect(['ServiceUnavailable', 'InternalError']).toContain(failed.code);
    expect(failed.entry?.response?.statusCode ?? 500).toBeGreaterThanOrEqual(500);
    sb.faults.set({ errorRate: 0 });
    const apps = await vod.request<{ AppInfoList: { AppId: string }[] }>('ListAppInfo', {});
    expect(apps.AppInfoList.map((a) => a.AppId)).toContain('app-1000000');
    expect(sb.stats().injected.throttles).toBeGreaterThan(0);
  });

  it('destroys connections during an outage and serves again after it (admin API)', async () => {
    const set = await rawPost(`${sb.url}/__admin/faults`, JSON.stringify({ outageSeconds: 60 }));
    expect(set.status).toBe(200);
    const err = await rejection(vodClient(sb).request('ListWorkflow', {}));
    expect(err.code ?? err.message).toMatch(/ECONNRESET|socket hang up|EPIPE/i);
    const state = JSON.parse((await rawGet(`${sb.url}/__admin/state`)).body.toString()) as { injected: { outageDrops: number }; faults: { outageUntil: number } };
    expect(state.injected.outageDrops).toBeGreaterThan(0);
    expect(state.faults.outageUntil).toBeGreaterThan(Date.now());
    const bad = await rawPost(`${sb.url}/__admin/faults`, JSON.stringify({ errorRate: 2 }));
    expect(bad.status).toBe(400);
    await rawPost(`${sb.url}/__admin/faults`, JSON.stringify({ outageUntil: 0 }));
    const wf = await vodClient(sb).request<{ WorkflowList: unknown[] }>('ListWorkflow', {});
    expect(wf.WorkflowList.length).toBeGreaterThan(0);
  });
});

describe('sandbox: OSS with STS credentials from UploadAuth', () => {
  let sb: Sandbox;
  let vod: RPCClient;
  beforeAll(async () => {
    sb = await startSandbox({ transcodeMs: 300 });
    vod = vodClient(sb);
  });
  afterAll(() => sb.close());
  afterEach(() => sb.faults.reset());

  it('completes a 3-part upload with a re-uploaded part: right bytes, right CRC-64, status reaches Normal', async () => {
    const c = await createVideo(vod, { Title: 'Three parts' });
    const oss = ossClient(c);
    const key = c.address.FileName;
    const p1 = randomBytes(150 * KiB, 1);
    const p2old = randomBytes(120 * KiB, 2);
    const p2 = randomBytes(130 * KiB, 3);
    const p3 = randomBytes(7 * KiB, 4);
    const { uploadId } = await oss.initMultipartUpload(key);
    const r1 = await oss.uploadPart(key, uploadId, 1, p1, 0, p1.length);
    const r2old = await oss.uploadPart(key, uploadId, 2, p2old, 0, p2old.length);
    const r3 = await oss.uploadPart(key, uploadId, 3, p3, 0, p3.length);
    const r2 = await oss.uploadPart(key, uploadId, 2, p2, 0, p2.length);
    expect(r2.etag).toBe(`"${crypto.createHash('md5').update(p2).digest('hex').toUpperCase()}"`);
    expect(r2.etag).not.toBe(r2old.etag);
    expect(r2.res.headers['x-oss-hash-crc64ecma']).toBe(crc64(p2).toString());

    const listed = await oss.listParts(key, uploadId, {});
    const parts = listed.parts as { PartNumber: string; ETag: string; Size: string; HashCrc64ecma: string }[];
    expect(parts.map((p) => p.PartNumber)).toEqual(['1', '2', '3']);
    expect(parts[1]).toMatchObject({ ETag: r2.etag, Size: String(p2.length), HashCrc64ecma: crc64(p2).toString() });

    const stale = await rejection(oss.completeMultipartUpload(key, uploadId, [
      { number: 1, etag: r1.etag }, { number: 2, etag: r2old.etag }, { number: 3, etag: r3.etag },
    ]));
    expect(stale.code).toBe('InvalidPart');

    expect(sb.video(c.VideoId)?.status).toBe('Uploading');
    const done = await oss.completeMultipartUpload(key, uploadId, [
      { number: 1, etag: r1.etag }, { number: 2, etag: r2.etag }, { number: 3, etag: r3.etag },
    ]);
    const whole = Buffer.concat([p1, p2, p3]);
    const expectedCrc = crc64(whole).toString();
    expect(done.res.headers['x-oss-hash-crc64ecma']).toBe(expectedCrc);
    expect(sameBytes(await sb.readObject(c.address.Bucket, key), whole)).toBe(true);

    const head = await oss.head(key);
    const hh = head.res.headers;
    expect(Number(hh['content-length'])).toBe(whole.length);
    expect(hh['x-oss-hash-crc64ecma']).toBe(expectedCrc);
    expect(hh.etag).toMatch(/^"[0-9A-F]{32}-3"$/);
    const ranged = await oss.get(key, { headers: { Range: `bytes=${150 * KiB - 10}-${150 * KiB + 9}` } });
    expect(ranged.res.status).toBe(206);
    expect(sameBytes(ranged.content, whole.subarray(150 * KiB - 10, 150 * KiB + 10))).toBe(true);

    const video = sb.video(c.VideoId);
    expect(video).toMatchObject({ size: whole.length, crc64: expectedCrc });
    // Status is computed from timestamps; poll GetVideoInfo until it settles.
    const seen: string[] = [];
    await until(async () => {
      const info = await vod.request<{ Video: { Status: string; Size: number } }>('GetVideoInfo', { VideoId: c.VideoId });
      if (seen[seen.length - 1] !== info.Video.Status) seen.push(info.Video.Status);
      return info.Video.Status === 'Normal' ? true : undefined;
    }, 'status Normal');
    const order = ['UploadSucc', 'Transcoding', 'Normal'];
    expect(seen[seen.length - 1]).toBe('Normal');
    expect(seen.every((s) => order.includes(s))).toBe(true);
    expect(seen.map((s) => order.indexOf(s))).toEqual([...seen.map((s) => order.indexOf(s))].sort());

    const mezz = await vod.request<{ Mezzanine: { FileURL: string; Size: number } }>('GetMezzanineInfo', { VideoId: c.VideoId });
    expect(mezz.Mezzanine.Size).toBe(whole.length);
    const fetched = await rawGet(mezz.Mezzanine.FileURL);
    expect(fetched.status).toBe(200);
    expect(sameBytes(fetched.body, whole)).toBe(true);
    // The default template group's renditions (sandbox-media.test.ts covers their bytes).
    const play = await vod.request<{ PlayInfoList: { PlayInfo: { Definition: string }[] } }>('GetPlayInfo', { VideoId: c.VideoId });
    expect(play.PlayInfoList.PlayInfo.map((s) => s.Definition)).toEqual(['LD', 'SD', 'HD']);
  });

  it('goes straight to Normal with the no-transcode template group', async () => {
    const c = await createVideo(vod, { Title: 'As is', TemplateGroupId: NO_TRANSCODE_GROUP_ID });
    const body = randomBytes(3 * KiB, 9);
    await ossClient(c).put(c.address.FileName, body);
    const info = await vod.request<{ Video: { Status: string; Size: number } }>('GetVideoInfo', { VideoId: c.VideoId });
    expect(info.Video).toMatchObject({ Status: 'Normal', Size: body.length });
  });

  it('pages ListParts past 1,000 parts', async () => {
    const c = await createVideo(vod, { Title: 'Many parts' });
    const oss = ossClient(c);
    const key = c.address.FileName;
    const { uploadId } = await oss.initMultipartUpload(key);
    const numbers = Array.from({ length: 1003 }, (_, i) => i + 1);
    const one = Buffer.from('x');
    for (let i = 0; i < numbers.length; i += 16) {
      await Promise.all(numbers.slice(i, i + 16).map((n) => oss.uploadPart(key, uploadId, n, one, 0, 1)));
    }
    const first = await oss.listParts(key, uploadId, {});
    expect(first.parts).toHaveLength(1000);
    expect(String(first.isTruncated)).toBe('true');
    expect(first.nextPartNumberMarker).toBe('1000');
    const second = await oss.listParts(key, uploadId, { 'part-number-marker': first.nextPartNumberMarker, 'max-parts': '2' });
    expect((second.parts as { PartNumber: string }[]).map((p) => p.PartNumber)).toEqual(['1001', '1002']);
    expect(String(second.isTruncated)).toBe('true');
    const last = await oss.listParts(key, uploadId, { 'part-number-marker': second.nextPartNumberMarker });
    // ali-oss's quirk: a single part comes back as an object, not an array.
    expect((last.parts as { PartNumber: string }).PartNumber).toBe('1003');
    expect(String(last.isTruncated)).toBe('false');
    expect((await rejection(oss.listParts(key, uploadId, { 'max-parts': '1001' }))).code).toBe('InvalidArgument');
  });

  it('answers NoSuchUpload after an abort', async () => {
    const c = await createVideo(vod);
    const oss = ossClient(c);
    const key = c.address.FileName;
    const { uploadId } = await oss.initMultipartUpload(key);
    const body = randomBytes(2 * KiB, 5);
    await oss.uploadPart(key, uploadId, 1, body, 0, body.length);
    await oss.abortMultipartUpload(key, uploadId);
    expect((await rejection(oss.listParts(key, uploadId, {}))).code).toBe('NoSuchUpload');
    const fresh = ossClient(c);
    expect((await rejection(fresh.uploadPart(key, uploadId, 2, body, 0, body.length))).code).toBe('NoSuchUpload');
    expect((await rejection(fresh.completeMultipartUpload(key, uploadId, [{ number: 1, etag: '"X"' }]))).code).toBe('NoSuchUpload');
  });

  it('refuses parts under 100 KiB except the last with EntityTooSmall', async () => {
    const c = await createVideo(vod);
    const oss = ossClient(c);
    const key = c.address.FileName;
    const { uploadId } = await oss.initMultipartUpload(key);
    const small = randomBytes(100 * KiB - 1, 6);
    const r1 = await oss.uploadPart(key, uploadId, 1, small, 0, small.length);
    const r2 = await oss.uploadPart(key, uploadId, 2, small, 0, small.length);
    const err = await rejection(oss.completeMultipartUpload(key, uploadId, [{ number: 1, etag: r1.etag }, { number: 2, etag: r2.etag }]));
    expect(err.code).toBe('EntityTooSmall');
    expect(err.status).toBe(400);
    // The same small part alone is the last part, which may be small.
    await oss.completeMultipartUpload(key, uploadId, [{ number: 1, etag: r1.etag }]);
    expect((await sb.readObject(sb.bucket, key))?.length).toBe(small.length);
  });

  it('checks Content-MD5 when sent', async () => {
    const c = await createVideo(vod);
    const oss = ossClient(c);
    const key = c.address.FileName;
    const { uploadId } = await oss.initMultipartUpload(key);
    const body = randomBytes(4 * KiB, 7);
    const wrong = crypto.createHash('md5').update('other bytes').digest('base64');
    const bad = await rejection(oss.uploadPart(key, uploadId, 1, body, 0, body.length, { headers: { 'Content-MD5': wrong } }));
    expect(bad.code).toBe('BadDigest');
    const malformed = await rejection(oss.uploadPart(key, uploadId, 1, body, 0, body.length, { headers: { 'Content-MD5': 'abc' } }));
    expect(malformed.code).toBe('InvalidDigest');
    const right = crypto.createHash('md5').update(body).digest('base64');
    const ok = await oss.uploadPart(key, uploadId, 1, body, 0, body.length, { headers: { 'Content-MD5': right } });
    expect(ok.etag).toBe(`"${crypto.createHash('md5').update(body).digest('hex').toUpperCase()}"`);
    const listed = await oss.listParts(key, uploadId, {});
    expect((listed.parts as { PartNumber: string }).PartNumber).toBe('1');
  });

  it('enforces the STS credential: expiry, token, scope, unknown key, clock skew', async () => {
    sb.faults.set({ credentialTtlSeconds: 0 });
    const c = await createVideo(vod);
    expect(c.auth.Expiration).toBe('0');
    const expired = await rejection(ossClient(c).initMultipartUpload(c.address.FileName));
    expect(expired.code).toBe('SecurityTokenExpired');
    expect(expired.status).toBe(403);

    sb.faults.reset();
    const r = await vod.request<{ UploadAuth: string }>('RefreshUploadVideo', { VideoId: c.VideoId });
    const fresh = { address: c.address, auth: decode<UploadAuth>(r.UploadAuth) };
    const { uploadId } = await ossClient(fresh).initMultipartUpload(c.address.FileName);
    expect(uploadId).toMatch(/^[0-9A-F]{32}$/);

    const otherKey = await rejection(ossClient(fresh).put('sv/someone-else/other.mp4', Buffer.from('x')));
    expect(otherKey.code).toBe('AccessDenied');
    const badToken = await rejection(ossClient({ ...fresh, auth: { ...fresh.auth, SecurityToken: 'CAISforged' } }).head(c.address.FileName));
    expect(badToken.status).toBe(403);
    const badTokenPut = await rejection(ossClient({ ...fresh, auth: { ...fresh.auth, SecurityToken: 'CAISforged' } }).put(c.address.FileName, Buffer.from('x')));
    expect(badTokenPut.code).toBe('InvalidSecurityToken');
    const unknown = await rejection(ossClient({ ...fresh, auth: { ...fresh.auth, AccessKeyId: 'STS.nobody' } }).put(c.address.FileName, Buffer.from('x')));
    expect(unknown.code).toBe('InvalidAccessKeyId');
    const wrongSecret = await rejection(ossClient({ ...fresh, auth: { ...fresh.auth, AccessKeySecret: 'nope' } }).put(c.address.FileName, Buffer.from('x')));
    expect(wrongSecret.code).toBe('SignatureDoesNotMatch');
    const skewed = await rejection(ossClient(fresh, { amendTimeSkewed: 20 * 60 * 1000 } as Partial<OSS.Options>).put(c.address.FileName, Buffer.from('x')));
    expect(skewed.code).toBe('RequestTimeTooSkewed');
  });

  it('uploads a cover with CreateUploadImage and serves it at ImageURL', async () => {
    const r = await vod.request<{ ImageId: string; ImageURL: string; UploadAddress: string; UploadAuth: string }>('CreateUploadImage', { ImageType: 'cover', ImageExt: 'jpg' });
    const c = { address: decode<UploadAddress>(r.UploadAddress), auth: decode<UploadAuth>(r.UploadAuth) };
    expect(c.address.FileName).toMatch(/^image\/cover\/.+\.jpg$/);
    const jpeg = randomBytes(5 * KiB, 11);
    await ossClient(c).put(c.address.FileName, jpeg);
    const got = await rawGet(r.ImageURL);
    expect(got.status).toBe(200);
    expect(sameBytes(got.body, jpeg)).toBe(true);
    const video = await createVideo(vod);
    await vod.request('UpdateVideoInfo', { VideoId: video.VideoId, CoverURL: r.ImageURL, Title: 'With cover', Tags: 'x,y' });
    const info = await vod.request<{ Video: { CoverURL: string; Title: string; Tags: string } }>('GetVideoInfo', { VideoId: video.VideoId });
    expect(info.Video).toMatchObject({ CoverURL: r.ImageURL, Title: 'With cover', Tags: 'x,y' });
    const found = await vod.request<{ Total: number; MediaList: { MediaId: string }[] }>('SearchMedia', { Match: "Title = 'With cover'" });
    expect(found.MediaList.map((m) => m.MediaId)).toEqual([video.VideoId]);
    const del = await vod.request<{ NonExistVideoIds?: unknown }>('DeleteVideo', { VideoIds: video.VideoId });
    expect(del.NonExistVideoIds).toBeUndefined();
    expect(sb.video(video.VideoId)).toBeUndefined();
  });

  it('answers InternalError with errorRate=1 and cuts bodies with resetRate=1', async () => {
    const c = await createVideo(vod);
    const oss = ossClient(c);
    const key = c.address.FileName;
    const { uploadId } = await oss.initMultipartUpload(key);
    const body = randomBytes(256 * KiB, 12);
    sb.faults.set({ errorRate: 1 });
    const failed = await rejection(oss.uploadPart(key, uploadId, 1, body, 0, body.length));
    expect(failed.code).toBe('InternalError');
    expect(failed.status).toBe(500);
    sb.faults.set({ errorRate: 0, resetRate: 1, resetAfterBytes: 64 * KiB });
    const cut = await rejection(ossClient(c).uploadPart(key, uploadId, 1, body, 0, body.length));
    expect(cut.status ?? -1).toBeLessThanOrEqual(0);
    sb.faults.reset();
    const parts = await ossClient(c).listParts(key, uploadId, {});
    expect(parts.parts).toEqual([]);
    expect(sb.stats().injected.resets).toBe(1);
    // With a bandwidth cap and latency the same part still arrives intact.
    sb.faults.set({ bandwidth: 20 * 1024 * 1024, latencyMs: 5 });
    const slow = await ossClient(c).uploadPart(key, uploadId, 1, body, 0, body.length);
    expect(slow.res.headers['x-oss-hash-crc64ecma']).toBe(crc64(body).toString());
  });
});

describe('sandbox: faults from flags and the command', () => {
  it('parses fault flags and explains bad ones', () => {
    const before = Date.now();
    const f = parseFaults('errorRate=0.1, resetRate=0.05,outageSeconds=20,credentialTtlSeconds=5');
    expect(f).toMatchObject({ errorRate: 0.1, resetRate: 0.05, credentialTtlSeconds: 5 });
    expect(f.outageUntil).toBeGreaterThanOrEqual(before + 20_000);
    expect(() => parseFaults('errorRate=1.5')).toThrow(/probability/);
    expect(() => parseFaults('errorRat=0.1')).toThrow(/Unknown fault "errorRat"/);
    expect(() => parseFaults('errorRate')).toThrow(/name=value/);
  });

  it('prints one JSON line that a client can use, with faults from flags', async () => {
    const lines: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      lines.push(String(chunk));
      return true;
    });
    let sb: Sandbox | undefined;
    try {
      sb = await runSandboxCommand({ store: 'null', faults: 'throttleRate=1' });
    } finally {
      spy.mockRestore();
    }
    try {
      expect(lines).toHaveLength(1);
      const info = JSON.parse(lines[0]) as { endpoint: string; region: string; accessKeyId: string; accessKeySecret: string; uploadOnly: { accessKeyId: string; accessKeySecret: string }; admin: string };
      expect(info).toMatchObject({ endpoint: sb.url, region: 'cn-shanghai', admin: `${sb.url}/__admin`, uploadOnly: sb.uploadOnly });
      expect(info.uploadOnly.accessKeyId).not.toBe(info.accessKeyId);
      const vod = new RPCClient({ accessKeyId: info.accessKeyId, accessKeySecret: info.accessKeySecret, endpoint: info.endpoint, apiVersion: '2017-03-21' });
      expect((await rejection(vod.request('ListAppInfo', {}))).code).toBe('Throttling.User');
    } finally {
      await sb.close();
    }
  });
});

describe('sandbox: persistence', () => {
  it('keeps keys, videos, uploads, credentials and bytes across a restart with the same dataDir', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sandbox-persist-'));
    try {
      const first = await startSandbox({ dataDir, transcodeMs: 0 });
      const vod = vodClient(first);
      const c = await createVideo(vod, { Title: 'Survives restarts' });
      const oss = ossClient(c);
      const key = c.address.FileName;
      const { uploadId } = await oss.initMultipartUpload(key);
      const a = randomBytes(100 * KiB, 21);
      const b = randomBytes(10 * KiB, 22);
      const ra = await oss.uploadPart(key, uploadId, 1, a, 0, a.length);
      const keys = { id: first.accessKeyId, secret: first.accessKeySecret, url: first.url };
      await first.close();

      const second = await startSandbox({ dataDir, transcodeMs: 0 });
      try {
        expect(second.accessKeyId).toBe(keys.id);
        expect(second.accessKeySecret).toBe(keys.secret);
        expect(second.video(c.VideoId)).toMatchObject({ title: 'Survives restarts', status: 'Uploading' });
        // The endpoint moved (new port); the credential and the upload did not.
        const again = ossClient({ address: { ...c.address, Endpoint: second.url }, auth: c.auth });
        const listed = await again.listParts(key, uploadId, {});
        expect((listed.parts as { ETag: string }).ETag).toBe(ra.etag);
        const rb = await again.uploadPart(key, uploadId, 2, b, 0, b.length);
        await again.completeMultipartUpload(key, uploadId, [{ number: 1, etag: ra.etag }, { number: 2, etag: rb.etag }]);
      } finally {
        await second.close();
      }

      const third = await startSandbox({ dataDir, transcodeMs: 0 });
      try {
        expect(sameBytes(await third.readObject(third.bucket, key), Buffer.concat([a, b]))).toBe(true);
        const info = await vodClient(third).request<{ Video: { Status: string } }>('GetVideoInfo', { VideoId: c.VideoId });
        expect(info.Video.Status).toBe('Normal');
        expect(third.video(c.VideoId)?.crc64).toBe(crc64(Buffer.concat([a, b])).toString());
      } finally {
        await third.close();
      }
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('expires incomplete uploads after uploadExpirySeconds', async () => {
    const sb = await startSandbox({ uploadExpirySeconds: 0 });
    try {
      const c = await createVideo(vodClient(sb));
      const oss = ossClient(c);
      const { uploadId } = await oss.initMultipartUpload(c.address.FileName);
      expect((await rejection(oss.listParts(c.address.FileName, uploadId, {}))).code).toBe('NoSuchUpload');
    } finally {
      await sb.close();
    }
  });
});

/** GetVideoInfo's Status, through the real client. */
async function statusOf(vod: RPCClient, videoId: string): Promise<string> {
  return (await vod.request<{ Video: { Status: string } }>('GetVideoInfo', { VideoId: videoId })).Video.Status;
}

async function uploadSmall(vod: RPCClient, params: Record<string, unknown> = {}): Promise<Created> {
  const c = await createVideo(vod, params);
  await ossClient(c).put(c.address.FileName, randomBytes(3 * KiB, 21));
  return c;
}

describe('sandbox: behaviours of the real service (review, statuses, RAM, search, RequestTimeout)', () => {
  let sb: Sandbox;
  let vod: RPCClient;
  beforeAll(async () => {
    sb = await startSandbox({ transcodeMs: 150 });
    vod = vodClient(sb);
  });
  afterAll(() => sb.close());
  afterEach(() => sb.faults.reset());

  it('answers 400 RequestTimeout to an UploadPart or PutObject under requestTimeoutRate, keeps nothing, and counts it', async () => {
    const c = await createVideo(vod);
    const key = c.address.FileName;
    const { uploadId } = await ossClient(c).initMultipartUpload(key);
    const body = randomBytes(300 * KiB, 31);
    sb.faults.set({ requestTimeoutRate: 1, resetAfterBytes: 64 * KiB });
    const before = sb.stats().injected.requestTimeouts;
    const timedOut = await rejection(ossClient(c).uploadPart(key, uploadId, 1, body, 0, body.length));
    expect(timedOut.status).toBe(400);
    expect(timedOut.code).toBe('RequestTimeout');
    expect(timedOut.message).toMatch(/not read from or written to within the timeout period/);
    const put = await rejection(ossClient(c).put(key, body));
    expect(put.code).toBe('RequestTimeout');
    expect(sb.stats().injected.requestTimeouts).toBe(before + 2);
    expect(sb.stats().errors.RequestTimeout).toBeGreaterThanOrEqual(2);
    sb.faults.set({ requestTimeoutRate: 0 });
    expect((await ossClient(c).listParts(key, uploadId, {})).parts).toEqual([]);
    expect(await sb.readObject(c.address.Bucket, key)).toBeUndefined();
    // The same connection-level client goes on to succeed: the fault left no state behind.
    const ok = await ossClient(c).uploadPart(key, uploadId, 1, body, 0, body.length);
    expect(ok.res.headers['x-oss-hash-crc64ecma']).toBe(crc64(body).toString());
  });

  it('pins any status through the admin API, shows it in GetVideoInfo(s) and SearchMedia, and unpins with null', async () => {
    const c = await uploadSmall(vod, { Title: 'status pins', TemplateGroupId: NO_TRANSCODE_GROUP_ID });
    expect(await statusOf(vod, c.VideoId)).toBe('Normal');
    for (const status of [...VOD_VIDEO_STATUSES, 'SomeFutureStatus']) {
      const r = await rawPost(`${sb.url}/__admin/videos/${c.VideoId}/status`, JSON.stringify({ status }));
      expect(r.status).toBe(200);
      expect(await statusOf(vod, c.VideoId)).toBe(status);
    }
    await rawPost(`${sb.url}/__admin/videos/${c.VideoId}/status`, JSON.stringify({ status: 'ProduceFail' }));
    const infos = await vod.request<{ VideoList: { VideoId: string; Status: string }[] }>('GetVideoInfos', { VideoIds: c.VideoId });
    expect(infos.VideoList).toEqual([expect.objectContaining({ VideoId: c.VideoId, Status: 'ProduceFail' })]);
    const found = await vod.request<{ MediaList: { Video: { Status: string } }[] }>('SearchMedia', { Match: "Status in ('ProduceFail')" });
    expect(found.MediaList.map((m) => m.Video.Status)).toEqual(['ProduceFail']);
    expect(sb.video(c.VideoId)?.status).toBe('ProduceFail');
    const cleared = await rawPost(`${sb.url}/__admin/videos/${c.VideoId}/status`, JSON.stringify({ status: null }));
    expect(JSON.parse(cleared.body.toString())).toEqual({ VideoId: c.VideoId, Status: 'Normal' });
    expect((await rawPost(`${sb.url}/__admin/videos/${c.VideoId}/status`, JSON.stringify({ status: 'not a word' }))).status).toBe(400);
    expect((await rawPost(`${sb.url}/__admin/videos/${c.VideoId}/status`, '{')).status).toBe(400);
    const missing = await rawPost(`${sb.url}/__admin/videos/nope/status`, JSON.stringify({ status: 'Normal' }));
    expect(missing.status).toBe(404);
    expect(sb.setVideoStatus('nope', 'Normal')).toBe(false);
  });

  it('gives the upload-only RAM user the upload calls and answers 403 Forbidden.RAM to the rest', async () => {
    const ram = vodClient(sb, sb.uploadOnly.accessKeySecret, sb.uploadOnly.accessKeyId);
    const c = await uploadSmall(ram, { Title: 'least privilege', TemplateGroupId: NO_TRANSCODE_GROUP_ID });
    expect(await statusOf(ram, c.VideoId)).toBe('Normal');
    const refreshed = await ram.request<{ UploadAuth: string }>('RefreshUploadVideo', { VideoId: c.VideoId });
    expect(decode<UploadAuth>(refreshed.UploadAuth).AccessKeyId).toMatch(/^STS\./);
    await ram.request('UpdateVideoInfo', { VideoId: c.VideoId, Title: 'renamed' });
    expect((await ram.request<{ VideoList: unknown[] }>('GetVideoInfos', { VideoIds: c.VideoId })).VideoList).toHaveLength(1);
    const image = await ram.request<{ ImageId: string }>('CreateUploadImage', { ImageType: 'cover', ImageExt: 'png' });
    expect(image.ImageId).toMatch(/^[0-9a-f]{32}$/);
    for (const action of ['GetCategories', 'ListTranscodeTemplateGroup', 'SearchMedia', 'ListWorkflow', 'ListAppInfo', 'DescribeVodStorageData', 'GetPlayInfo']) {
      const err = await rejection(ram.request(action, { VideoId: c.VideoId }));
      expect({ action, code: err.code, status: err.entry?.response?.statusCode }).toEqual({ action, code: 'Forbidden.RAM', status: 403 });
      expect(err.data?.Code).toBe('Forbidden.RAM');
      expect(err.message).toMatch(/User not authorized to operate on the specified resource/);
    }
    // No OSS access with the RAM user's own keys.
    const direct = new OSS({
      region: `oss-${sb.region}`, accessKeyId: sb.uploadOnly.accessKeyId, accessKeySecret: sb.uploadOnly.accessKeySecret,
      bucket: c.address.Bucket, endpoint: sb.url,
    }) as unknown as LowLevelOss;
    expect((await rejection(direct.get(c.address.FileName))).code).toBe('AccessDenied');
    // A wrong secret for that user is still a signature error, not a permission one.
    expect((await rejection(vodClient(sb, 'wrong', sb.uploadOnly.accessKeyId).request('GetVideoInfo', { VideoId: c.VideoId }))).code).toBe('SignatureDoesNotMatch');
    await ram.request('DeleteVideo', { VideoIds: c.VideoId });
    expect(sb.video(c.VideoId)).toBeUndefined();
  });

  it('matches Title loosely in SearchMedia, as a full-text index does', async () => {
    const tag = `t${crypto.randomBytes(4).toString('hex')}`;
    const titles = [`${tag} clip 1`, `${tag} clip 10`, `1 clip ${tag}`, `${tag} other`, `${tag} 夏天的海`];
    const ids = new Map<string, string>();
    for (const t of titles) ids.set(t, (await createVideo(vod, { Title: t })).VideoId);
    const search = async (q: string) => {
      const r = await vod.request<{ MediaList: { Video: { Title: string } }[] }>('SearchMedia', { Match: `Title = '${q}'`, PageSize: 100 });
      return r.MediaList.map((m) => m.Video.Title).sort();
    };
    expect(await search(`${tag} clip 1`)).toEqual([`${tag} clip 1`, `${tag} clip 10`, `1 clip ${tag}`].sort());
    expect(await search(`${tag.toUpperCase()} CLIP`)).toEqual([`${tag} clip 1`, `${tag} clip 10`, `1 clip ${tag}`].sort());
    expect(await search(`海 ${tag}`)).toEqual([`${tag} 夏天的海`]);
    expect(await search(`${tag} missing`)).toEqual([]);
    const multi = await vod.request<{ Total: number }>('SearchMedia', { Match: `Title in ('${tag} other','${tag} 夏天') and Status = 'Uploading'` });
    expect(multi.Total).toBe(2);
  });
});

describe('sandbox: review before publishing, search lag, ossDenyList', () => {
  let sb: Sandbox;
  let vod: RPCClient;
  const lagMs = 1500;
  beforeAll(async () => {
    sb = await startSandbox({ transcodeMs: 150, review: true, searchLagMs: lagMs, ossDenyList: true });
    vod = vodClient(sb);
  });
  afterAll(() => sb.close());

  it('ends a complete video in Checking and keeps it there until the admin API releases it', async () => {
    const direct = await uploadSmall(vod, { Title: 'no transcode, reviewed', TemplateGroupId: NO_TRANSCODE_GROUP_ID });
    expect(await statusOf(vod, direct.VideoId)).toBe('Checking');
    const transcoded = await uploadSmall(vod, { Title: 'transcoded, reviewed' });
    const seen = new Set<string>();
    await until(async () => {
      const s = await statusOf(vod, transcoded.VideoId);
      seen.add(s);
      return s === 'Checking' ? s : undefined;
    }, 'the transcoded video to reach Checking');
    expect([...seen].every((s) => ['UploadSucc', 'Transcoding', 'Checking'].includes(s))).toBe(true);
    expect((await rejection(vod.request('GetPlayInfo', { VideoId: direct.VideoId }))).code).toBe('Forbidden.IllegalStatus');
    const released = await rawPost(`${sb.url}/__admin/videos/${direct.VideoId}/status`, JSON.stringify({ status: 'Normal' }));
    expect(released.status).toBe(200);
    expect(await statusOf(vod, direct.VideoId)).toBe('Normal');
    expect(await statusOf(vod, transcoded.VideoId)).toBe('Checking');
    const play = await vod.request<{ PlayInfoList: { PlayInfo: unknown[] } }>('GetPlayInfo', { VideoId: direct.VideoId });
    expect(play.PlayInfoList.PlayInfo).toHaveLength(1);
  });

  it('finds a new video in SearchMedia only searchLagMs after its creation', async () => {
    const title = `lagging ${crypto.randomBytes(4).toString('hex')}`;
    const c = await createVideo(vod, { Title: title });
    const createdAt = sb.video(c.VideoId)!.createdAt;
    let emptyBeforeLag = 0;
    const foundAt = await until(async () => {
      const sentAt = Date.now();
      const r = await vod.request<{ Total: number }>('SearchMedia', { Match: `Title = '${title}'` });
      if (r.Total > 0) return Date.now();
      // An empty answer is only right for a request sent while the lag lasted.
      expect(sentAt).toBeLessThan(createdAt + lagMs);
      emptyBeforeLag++;
      return undefined;
    }, 'the video to become searchable');
    expect(foundAt).toBeGreaterThanOrEqual(createdAt + lagMs);
    expect(emptyBeforeLag).toBeGreaterThan(0);
    expect(await statusOf(vod, c.VideoId)).toBe('Uploading');
  });

  it('refuses ListParts and HeadObject to the STS credential with AccessDenied (ossDenyList) and still takes the upload', async () => {
    const c = await createVideo(vod, { Title: 'strict policy' });
    const oss = ossClient(c);
    const key = c.address.FileName;
    const { uploadId } = await oss.initMultipartUpload(key);
    const p1 = randomBytes(120 * KiB, 41);
    const r1 = await oss.uploadPart(key, uploadId, 1, p1, 0, p1.length);
    const listed = await rejection(oss.listParts(key, uploadId, {}));
    expect({ status: listed.status, code: listed.code }).toEqual({ status: 403, code: 'AccessDenied' });
    await oss.completeMultipartUpload(key, uploadId, [{ number: 1, etag: r1.etag }]);
    const head = await rejection(oss.head(key));
    expect({ status: head.status, code: head.code }).toEqual({ status: 403, code: 'AccessDenied' });
    const got = await oss.get(key);
    expect(sameBytes(got.content, p1)).toBe(true);
  });
});

// The sandbox's Tencent personality against the official, unmodified Tencent clients:
// tencentcloud-sdk-nodejs-vod (API 3.0, TC3-HMAC-SHA256) and cos-nodejs-sdk-v5 (COS XML
// API, q-sign-algorithm=sha1 with the TempCertificate's x-cos-security-token).
import crypto from 'crypto';
import { createRequire } from 'module';
import fs from 'fs';
import http from 'http';
import os from 'os';
import path from 'path';
import COS from 'cos-nodejs-sdk-v5';
import * as tencentcloud from 'tencentcloud-sdk-nodejs-vod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import { startSandbox, type Sandbox } from '../../main/sandbox';
import { verifyTc3 } from '../../main/sandbox/tencent/tc3-signature';

const VodClient = tencentcloud.vod.v20180717.Client;
type Vod = InstanceType<typeof VodClient>;

function vodClient(sb: Sandbox, secretKey = sb.tencent.secretKey, reqMethod: 'POST' | 'GET' = 'POST'): Vod {
  const u = new URL(sb.tencent.endpoint);
  return new VodClient({
    credential: { secretId: sb.tencent.secretId, secretKey },
    region: sb.tencent.region,
    profile: { httpProfile: { protocol: `${u.protocol}//`, endpoint: u.host, reqTimeout: 10, reqMethod } },
  });
}

interface TempCert { SecretId: string; SecretKey: string; Token: string; ExpiredTime: number }
function cosClient(sb: Sandbox, cert: TempCert): COS {
  return new COS({ SecretId: cert.SecretId, SecretKey: cert.SecretKey, SecurityToken: cert.Token, Domain: sb.tencent.cosDomain, ChunkRetryTimes: 0 });
}

interface CosErr { code?: string; statusCode?: number; message?: string }

describe('sandbox: Tencent personality with the official clients', () => {
  let sb: Sandbox;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-tencent-'));
    sb = await startSandbox({ dataDir: path.join(dir, 'data'), transcodeMs: 300 });
  });
  afterAll(async () => {
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers a signed DescribeAllClass and DescribeProcedureTemplates', async () => {
    const vod = vodClient(sb);
    const classes = await vod.DescribeAllClass({ SubAppId: sb.tencent.subAppId });
    expect(classes.ClassInfoSet?.map((c) => c.Name)).toContain('Features');
    const features = classes.ClassInfoSet?.find((c) => c.Name === 'Films');
    expect(features?.SubClassIdSet?.length).toBe(2);
    const procs = await vod.DescribeProcedureTemplates({ Limit: 2 });
    expect(procs.TotalCount).toBe(3);
    expect(procs.ProcedureTemplateSet).toHaveLength(2);
    expect(sb.stats().requests['tc:DescribeAllClass']).toBe(1);
  });

  it('refuses a wrong SecretKey with AuthFailure.SignatureFailure', async () => {
    const err = await vodClient(sb, 'not-the-key').DescribeAllClass({}).catch((e: { code?: string }) => e);
    expect((err as { code?: string }).code).toBe('AuthFailure.SignatureFailure');
  });

  it('ApplyUpload → COS sliceUploadFile → CommitUpload → DescribeMediaInfos, with matching CRC-64', async () => {
    const vod = vodClient(sb);
    const file = path.join(dir, 'clip.mp4');
    const bytes = crypto.randomBytes(2 * 1024 * 1024 + 12345);
    fs.writeFileSync(file, bytes);
    const applied = await vod.ApplyUpload({ MediaType: 'mp4', MediaName: 'clip one', ClassId: 2, Procedure: 'HD-H264' });
    const cert = applied.TempCertificate as TempCert;
    expect(cert.ExpiredTime).toBeGreaterThan(Date.now() / 1000);
    const cos = cosClient(sb, cert);
    const up = await cos.sliceUploadFile({ Bucket: applied.StorageBucket!, Region: applied.StorageRegion!, Key: applied.MediaStoragePath!, FilePath: file, ChunkSize: 1024 * 1024 });
    expect(up.statusCode).toBe(200);
    const head = await cos.headObject({ Bucket: applied.StorageBucket!, Region: applied.StorageRegion!, Key: applied.MediaStoragePath! });
    expect(head.headers?.['x-cos-hash-crc64ecma']).toBe(crc64(bytes).toString(10));
    const committed = await vod.CommitUpload({ VodSessionKey: applied.VodSessionKey! });
    expect(committed.FileId).toMatch(/^\d{19}$/);
    const again = await vod.CommitUpload({ VodSessionKey: applied.VodSessionKey! });
    expect(again.FileId).toBe(committed.FileId);
    // GET, as the SDK can also send it: parameters flattened into the signed query string.
    const info = await vodClient(sb, sb.tencent.secretKey, 'GET').DescribeMediaInfos({ FileIds: [committed.FileId!, '1234567890123456789'] });
    expect(info.NotExistFileIdSet).toEqual(['1234567890123456789']);
    expect(info.MediaInfoSet?.[0].BasicInfo?.Name).toBe('clip one');
    expect(info.MediaInfoSet?.[0].BasicInfo?.Status).toBe('Normal');
    expect(info.MediaInfoSet?.[0].BasicInfo?.ClassPath).toBe('Films-Features');
    expect(info.MediaInfoSet?.[0].MetaData?.Size).toBe(bytes.length);
    const served = Buffer.from(await (await fetch(committed.MediaUrl!)).arrayBuffer());
    expect(served.equals(bytes)).toBe(true);

    // The Procedure's task flow: WAITING → PROCESSING → FINISH, found by FileId.
    const tasks = await vod.DescribeTasks({ FileId: committed.FileId! });
    expect(tasks.TaskSet).toHaveLength(1);
    const taskId = tasks.TaskSet![0].TaskId!;
    expect(['WAITING', 'PROCESSING', 'FINISH']).toContain(tasks.TaskSet![0].Status);
    const deadline = Date.now() + 10_000;
    let detail = await vod.DescribeTaskDetail({ TaskId: taskId });
    while (detail.Status !== 'FINISH') {
      if (Date.now() > deadline) throw new Error(`the task flow stayed ${String(detail.Status)}`);
      await new Promise((r) => setTimeout(r, 20));
      detail = await vod.DescribeTaskDetail({ TaskId: taskId });
    }
    expect(detail.TaskType).toBe('Procedure');
    expect(detail.ProcedureTask?.FileId).toBe(committed.FileId);
    expect(detail.FinishTime).not.toBe('');
    const noTask = await vod.DescribeTaskDetail({ TaskId: 'no-such-task' }).catch((e: { code?: string }) => e);
    expect((noTask as { code?: string }).code).toBe('InvalidParameterValue.TaskId');
  });

  it('multipart at the low level: per-part and whole-object CRC-64, ListParts paging, EntityTooSmall, Range GET', async () => {
    const vod = vodClient(sb);
    const applied = await vod.ApplyUpload({ MediaType: 'mov' });
    const cos = cosClient(sb, applied.TempCertificate as TempCert);
    const loc = { Bucket: applied.StorageBucket!, Region: applied.StorageRegion!, Key: applied.MediaStoragePath! };
    const MB = 1024 * 1024;
    const parts = [crypto.randomBytes(MB), crypto.randomBytes(MB), crypto.randomBytes(MB), crypto.randomBytes(777)];
    const init = await cos.multipartInit(loc);
    const etags: { PartNumber: number; ETag: string }[] = [];
    for (const [i, body] of parts.entries()) {
      const res = await cos.multipartUpload({ ...loc, UploadId: init.UploadId, PartNumber: i + 1, Body: body });
      expect(res.headers?.['x-cos-hash-crc64ecma']).toBe(crc64(body).toString(10));
      expect(res.ETag).toBe(`"${crypto.createHash('md5').update(body).digest('hex')}"`);
      etags.push({ PartNumber: i + 1, ETag: res.ETag });
    }
    const page1 = await cos.multipartListPart({ ...loc, UploadId: init.UploadId, MaxParts: 3 });
    expect(page1.Part.map((p) => Number(p.PartNumber))).toEqual([1, 2, 3]);
    expect(page1.IsTruncated).toBe('true');
    expect(String(page1.NextPartNumberMarker)).toBe('3');
    const page2 = await cos.multipartListPart({ ...loc, UploadId: init.UploadId, MaxParts: 3, PartNumberMarker: '3' });
    expect(page2.Part.map((p) => Number(p.PartNumber))).toEqual([4]);
    expect(page2.IsTruncated).toBe('false');

    // A completion may leave parts out: parts 1 and 4 make an object of 1 MB + 777 bytes.
    await cos.multipartComplete({ ...loc, UploadId: init.UploadId, Parts: [etags[0], etags[3]] });
    const head = await cos.headObject(loc);
    expect(head.headers?.['content-length']).toBe(String(MB + 777));
    expect(head.headers?.['x-cos-hash-crc64ecma']).toBe(crc64(Buffer.concat([parts[0], parts[3]])).toString(10));
    // A part under 1 MB anywhere but last is refused, as COS refuses it.
    const init2 = await cos.multipartInit(loc);
    const a = await cos.multipartUpload({ ...loc, UploadId: init2.UploadId, PartNumber: 1, Body: parts[3] });
    const b = await cos.multipartUpload({ ...loc, UploadId: init2.UploadId, PartNumber: 2, Body: parts[0] });
    const tooSmall = await cos.multipartComplete({ ...loc, UploadId: init2.UploadId, Parts: [{ PartNumber: 1, ETag: a.ETag }, { PartNumber: 2, ETag: b.ETag }] })
      .catch((e: CosErr) => e);
    expect((tooSmall as CosErr).code).toBe('EntityTooSmall');
    await cos.multipartAbort({ ...loc, UploadId: init2.UploadId });
    const gone = await cos.multipartListPart({ ...loc, UploadId: init2.UploadId }).catch((e: CosErr) => e);
    expect((gone as CosErr).code).toBe('NoSuchUpload');

    // The full upload again under a fresh id: the object's CRC-64 is the whole file's.
    const whole = Buffer.concat(parts);
    const init3 = await cos.multipartInit(loc);
    const listed: { PartNumber: number; ETag: string }[] = [];
    for (const [i, body] of parts.entries()) {
      const r = await cos.multipartUpload({ ...loc, UploadId: init3.UploadId, PartNumber: i + 1, Body: body });
      listed.push({ PartNumber: i + 1, ETag: r.ETag });
    }
    const done = await cos.multipartComplete({ ...loc, UploadId: init3.UploadId, Parts: listed });
    expect(done.headers?.['x-cos-hash-crc64ecma']).toBe(crc64(whole).toString(10));
    const ranged = await cos.getObject({ ...loc, Range: `bytes=${MB - 10}-${MB + 9}` });
    expect(ranged.statusCode).toBe(206);
    expect(Buffer.from(ranged.Body as Buffer).equals(whole.subarray(MB - 10, MB + 10))).toBe(true);
  });

  it('keeps a temporary key to its session folder, and CommitUpload waits for the object', async () => {
    const vod = vodClient(sb);
    const mine = await vod.ApplyUpload({ MediaType: 'mp4' });
    const other = await vod.ApplyUpload({ MediaType: 'mp4' });
    const cos = cosClient(sb, mine.TempCertificate as TempCert);
    const denied = await cos.putObject({ Bucket: other.StorageBucket!, Region: other.StorageRegion!, Key: other.MediaStoragePath!, Body: Buffer.from('x') })
      .catch((e: CosErr) => e);
    expect((denied as CosErr).code).toBe('AccessDenied');
    expect((denied as CosErr).statusCode).toBe(403);
    const early = await vod.CommitUpload({ VodSessionKey: mine.VodSessionKey! }).catch((e: { code?: string }) => e);
    expect((early as { code?: string }).code).toBe('ResourceNotFound');
    const unknown = await vod.CommitUpload({ VodSessionKey: 'not-a-session' }).catch((e: { code?: string }) => e);
    expect((unknown as { code?: string }).code).toBe('InvalidParameterValue.VodSessionKey');
    const ownKey = await cosClient(sb, { SecretId: sb.tencent.secretId, SecretKey: sb.tencent.secretKey, Token: '', ExpiredTime: 0 })
      .putObject({ Bucket: mine.StorageBucket!, Region: mine.StorageRegion!, Key: mine.MediaStoragePath!, Body: Buffer.from('x') }).catch((e: CosErr) => e);
    expect((ownKey as CosErr).code).toBe('AccessDenied');
    const wrongApp = await vod.DescribeAllClass({ SubAppId: sb.tencent.subAppId + 1 }).catch((e: { code?: string }) => e);
    expect((wrongApp as { code?: string }).code).toBe('InvalidParameterValue.SubAppId');
  });

  it('refuses an expired temporary key at COS (ExpiredToken), and a cover is required when asked for', async () => {
    const vod = vodClient(sb);
    sb.faults.set({ credentialTtlSeconds: 0 });
    try {
      const applied = await vod.ApplyUpload({ MediaType: 'mp4' });
      const cert = applied.TempCertificate as TempCert;
      expect(cert.ExpiredTime).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
      const err = await cosClient(sb, cert).putObject({ Bucket: applied.StorageBucket!, Region: applied.StorageRegion!, Key: applied.MediaStoragePath!, Body: Buffer.from('late') })
        .catch((e: CosErr) => e);
      expect((err as CosErr).code).toBe('ExpiredToken');
    } finally {
      sb.faults.reset();
    }
    const withCover = await vod.ApplyUpload({ MediaType: 'mp4', CoverType: 'jpg' });
    expect(withCover.CoverStoragePath).toMatch(/cover\.jpg$/);
    const cos = cosClient(sb, withCover.TempCertificate as TempCert);
    const loc = { Bucket: withCover.StorageBucket!, Region: withCover.StorageRegion! };
    await cos.putObject({ ...loc, Key: withCover.MediaStoragePath!, Body: Buffer.from('media') });
    const noCover = await vod.CommitUpload({ VodSessionKey: withCover.VodSessionKey! }).catch((e: { code?: string }) => e);
    expect((noCover as { code?: string }).code).toBe('ResourceNotFound');
    await cos.putObject({ ...loc, Key: withCover.CoverStoragePath!, Body: Buffer.from('jpeg') });
    const ok = await vod.CommitUpload({ VodSessionKey: withCover.VodSessionKey! });
    expect(ok.CoverUrl).toMatch(/cover\.jpg$/);
  });

  it('injects 5xx, throttling and a lost CommitUpload answer, and counts them; the lost commit leaves one FileId', async () => {
    const vod = vodClient(sb);
    const before = sb.stats().injected;
    const applied = await vod.ApplyUpload({ MediaType: 'mp4' });
    const cos = cosClient(sb, applied.TempCertificate as TempCert);
    const loc = { Bucket: applied.StorageBucket!, Region: applied.StorageRegion!, Key: applied.MediaStoragePath! };
    const puts = () => sb.stats().requests['cos:PutObject'] ?? 0;
    const putsBefore = puts();
    sb.faults.set({ errorRate: 1 });
    try {
      const apiErr = await vod.DescribeAllClass({}).catch((e: { code?: string }) => e);
      expect((apiErr as { code?: string }).code).toBe('InternalError');
      const cosErr = await cos.putObject({ ...loc, Body: Buffer.from('x') }).catch((e: CosErr) => e);
      expect((cosErr as CosErr).statusCode).toBe(500);
      expect((cosErr as CosErr).code).toBe('InternalError');
    } finally {
      sb.faults.reset();
    }
    // cos-nodejs-sdk-v5 retries a 5xx by itself (up to four tries in all): every try met the fault.
    expect(puts() - putsBefore).toBeGreaterThanOrEqual(1);
    expect(sb.stats().injected.errors).toBe(before.errors + 1 + (puts() - putsBefore));

    sb.faults.set({ throttleRate: 1 });
    try {
      const throttled = await vod.DescribeAllClass({}).catch((e: { code?: string }) => e);
      expect((throttled as { code?: string }).code).toBe('RequestLimitExceeded');
    } finally {
      sb.faults.reset();
    }
    expect(sb.stats().injected.throttles).toBe(before.throttles + 1);

    await cos.putObject({ ...loc, Body: crypto.randomBytes(4096) });
    sb.faults.set({ lostAnswerRate: 1 });
    try {
      const lost = await vod.CommitUpload({ VodSessionKey: applied.VodSessionKey! }).catch((e: Error) => e);
      expect(lost).toBeInstanceOf(Error);
    } finally {
      sb.faults.reset();
    }
    expect(sb.stats().injected.lostAnswers).toBe(before.lostAnswers + 1);
    const retried = await vod.CommitUpload({ VodSessionKey: applied.VodSessionKey! });
    const again = await vod.CommitUpload({ VodSessionKey: applied.VodSessionKey! });
    expect(again.FileId).toBe(retried.FileId);
    expect(sb.tencent.media(retried.FileId!)?.size).toBe(4096);
  });

  it('cuts a COS part body on the resetRate fault, counts it, and takes the part again; pins a media status', async () => {
    const vod = vodClient(sb);
    const applied = await vod.ApplyUpload({ MediaType: 'mp4' });
    const cos = cosClient(sb, applied.TempCertificate as TempCert);
    const loc = { Bucket: applied.StorageBucket!, Region: applied.StorageRegion!, Key: applied.MediaStoragePath! };
    const body = crypto.randomBytes(256 * 1024);
    const init = await cos.multipartInit(loc);
    const resets = sb.stats().injected.resets;
    sb.faults.set({ resetRate: 1, resetAfterBytes: 64 * 1024 });
    try {
      const cut = await cos.multipartUpload({ ...loc, UploadId: init.UploadId, PartNumber: 1, Body: body }).then(() => undefined, (e: CosErr) => e);
      expect(['ECONNRESET', 'EPIPE']).toContain(cut?.code);
    } finally {
      sb.faults.reset();
    }
    expect(sb.stats().injected.resets).toBeGreaterThan(resets);
    const listed = await cos.multipartListPart({ ...loc, UploadId: init.UploadId });
    expect(listed.Part ?? []).toHaveLength(0);
    const part = await cos.multipartUpload({ ...loc, UploadId: init.UploadId, PartNumber: 1, Body: body });
    await cos.multipartComplete({ ...loc, UploadId: init.UploadId, Parts: [{ PartNumber: 1, ETag: part.ETag }] });
    const { FileId } = await vod.CommitUpload({ VodSessionKey: applied.VodSessionKey! });
    expect(sb.tencent.setMediaStatus(FileId!, 'Forbidden')).toBe(true);
    const info = await vod.DescribeMediaInfos({ FileIds: [FileId!], Filters: ['basicInfo'] });
    expect(info.MediaInfoSet?.[0].BasicInfo?.Status).toBe('Forbidden');
    expect(info.MediaInfoSet?.[0].MetaData).toBeNull();
  });

  it('also answers COS in the virtual-host form (Host: <bucket>.cos.<region>.myqcloud.com)', async () => {
    const vod = vodClient(sb);
    const applied = await vod.ApplyUpload({ MediaType: 'mp4' });
    const cert = applied.TempCertificate as TempCert;
    const host = `${applied.StorageBucket!}.cos.${applied.StorageRegion!}.myqcloud.com`;
    const key = applied.MediaStoragePath!.replace(/^\//, '');
    const body = Buffer.from('virtual-host body');
    // The official client's own signer, over the headers this request sends.
    const headers = { Host: host, 'Content-Length': String(body.length), 'x-cos-security-token': cert.Token };
    const authorization = COS.getAuthorization({ SecretId: cert.SecretId, SecretKey: cert.SecretKey, Method: 'PUT', Key: key, Headers: headers });
    const u = new URL(sb.url);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request({ host: u.hostname, port: Number(u.port), method: 'PUT', path: `/${key.split('/').map(encodeURIComponent).join('/')}`, headers: { ...headers, Authorization: authorization } }, (res) => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
      });
      req.on('error', reject);
      req.end(body);
    });
    expect(status).toBe(200);
    const head = await cosClient(sb, cert).headObject({ Bucket: applied.StorageBucket!, Region: applied.StorageRegion!, Key: key });
    expect(head.headers?.['x-cos-hash-crc64ecma']).toBe(crc64(body).toString(10));
  });
});

describe('sandbox: Tencent session lifetime, commit repeats, persistence and the signature clock', () => {
  it('expires a VodSessionKey, answers a repeated commit with an error in "error" mode, and keeps the account across a restart', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-tencent2-'));
    let sb = await startSandbox({ dataDir: dir, tencentSessionTtlSeconds: 0, tencentCommitRepeat: 'error', store: 'null' });
    try {
      const vod = vodClient(sb);
      const applied = await vod.ApplyUpload({ MediaType: 'mp4' });
      const expired = await vod.CommitUpload({ VodSessionKey: applied.VodSessionKey! }).catch((e: { code?: string; message?: string }) => e);
      expect((expired as { code?: string }).code).toBe('InvalidParameterValue.VodSessionKey');
      expect((expired as { message?: string }).message).toMatch(/expired/);
      const ids = { secretId: sb.tencent.secretId, bucket: sb.tencent.bucket };
      await sb.close();
      sb = await startSandbox({ dataDir: dir, tencentCommitRepeat: 'error', store: 'null' });
      expect({ secretId: sb.tencent.secretId, bucket: sb.tencent.bucket }).toEqual(ids);
      const vod2 = vodClient(sb);
      const fresh = await vod2.ApplyUpload({ MediaType: 'mp4' });
      await cosClient(sb, fresh.TempCertificate as TempCert).putObject({ Bucket: fresh.StorageBucket!, Region: fresh.StorageRegion!, Key: fresh.MediaStoragePath!, Body: Buffer.from('abc') });
      const first = await vod2.CommitUpload({ VodSessionKey: fresh.VodSessionKey! });
      const repeat = await vod2.CommitUpload({ VodSessionKey: fresh.VodSessionKey! }).catch((e: { code?: string; message?: string }) => e);
      expect((repeat as { code?: string }).code).toBe('InvalidParameterValue.VodSessionKey');
      expect((repeat as { message?: string }).message).toContain(first.FileId!);
    } finally {
      await sb.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('verifies the SDK\'s own TC3 signature and refuses it more than five minutes late (AuthFailure.SignatureExpire)', () => {
    // The official signer from tencentcloud-sdk-nodejs-common, fed a request as the SDK builds it.
    const signerModule = createRequire(import.meta.url)('tencentcloud-sdk-nodejs-common/tencentcloud/common/sign') as { default: { sign3(o: object): string } };
    const timestamp = Math.floor(Date.now() / 1000);
    const headers = { 'Content-Type': 'application/json', Host: '127.0.0.1:1234', 'X-TC-Action': 'DescribeAllClass', 'X-TC-Timestamp': timestamp, 'X-TC-Version': '2018-07-17' };
    const authorization = signerModule.default.sign3({
      method: 'POST', url: 'http://127.0.0.1:1234/', payload: {}, timestamp, service: '127', secretId: 'AKIDtest', secretKey: 'secret', multipart: false, headers,
    });
    const req = {
      method: 'POST', path: '/', query: '', body: Buffer.from('{}'),
      headers: { authorization, 'content-type': 'application/json', host: '127.0.0.1:1234', 'x-tc-action': 'DescribeAllClass', 'x-tc-timestamp': String(timestamp), 'x-tc-version': '2018-07-17' },
    };
    const lookup = (id: string) => (id === 'AKIDtest' ? 'secret' : undefined);
    expect(verifyTc3(req, lookup, timestamp * 1000).action).toBe('DescribeAllClass');
    expect(() => verifyTc3(req, lookup, (timestamp + 301) * 1000)).toThrow(expect.objectContaining({ code: 'AuthFailure.SignatureExpire' }));
    expect(() => verifyTc3(req, () => undefined, timestamp * 1000)).toThrow(expect.objectContaining({ code: 'AuthFailure.SecretIdNotFound' }));
    expect(() => verifyTc3({ ...req, body: Buffer.from('{"x":1}') }, lookup, timestamp * 1000)).toThrow(expect.objectContaining({ code: 'AuthFailure.SignatureFailure' }));
  });
});

/**
 * The client upload signature as Tencent's own Node example signs it
 * (https://cloud.tencent.com/document/product/584/9371): querystring of the parameters,
 * Base64(HMAC-SHA1(SecretKey, original) ‖ original). Written here apart from the provider's.
 */
function docSignature(secretId: string, secretKey: string, extra: Record<string, string | number> = {}, lifetime = 86_400): string {
  const current = Math.floor(Date.now() / 1000);
  const original = new URLSearchParams(Object.entries({ secretId, currentTimeStamp: current, expireTime: current + lifetime, random: Math.round(Math.random() * 2 ** 32), ...extra }).map(([k, v]) => [k, String(v)])).toString();
  const buf = Buffer.from(original, 'utf8');
  return Buffer.concat([crypto.createHmac('sha1', secretKey).update(buf).digest(), buf]).toString('base64');
}

interface UgcAnswer {
  code: number;
  message: string;
  data?: {
    video: { storagePath: string; storageSignature: string };
    storageAppId: number; storageBucket: string; storageRegionV5: string; vodSessionKey: string; timestamp: number;
    tempCertificate: { secretId: string; secretKey: string; token: string; expiredTime: number };
  };
}

/** POST /v3/index.php?Action=ApplyUploadUGC as vod-js-sdk-v6 sends it (JSON body). */
async function applyUploadUGC(sb: Sandbox, body: Record<string, unknown>): Promise<{ status: number; answer: UgcAnswer }> {
  const res = await fetch(`${sb.tencent.endpoint}/v3/index.php?Action=ApplyUploadUGC`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) });
  return { status: res.status, answer: await res.json() as UgcAnswer };
}

describe('sandbox: the client-upload endpoint ApplyUploadUGC', () => {
  let sb: Sandbox;
  let dir: string;
  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sb-tencent-ugc-'));
    sb = await startSandbox({ dataDir: dir, store: 'null' });
  });
  afterAll(async () => {
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('renews an ApplyUpload session\'s key for the same storage path ("resume from break point"); the old and new keys both work until their end', async () => {
    const vod = vodClient(sb);
    const applied = await vod.ApplyUpload({ MediaType: 'mp4', MediaName: 'renew-me' });
    const sig = docSignature(sb.tencent.secretId, sb.tencent.secretKey, { vodSubAppId: sb.tencent.subAppId });
    const { status, answer } = await applyUploadUGC(sb, { signature: sig, vodSessionKey: applied.VodSessionKey });
    expect(status).toBe(200);
    expect(answer.code).toBe(0);
    const d = answer.data!;
    expect(d.vodSessionKey).toBe(applied.VodSessionKey);
    expect(d.video.storagePath).toBe(applied.MediaStoragePath);
    // The client endpoint names the bucket and its appid apart (vod-js-sdk-v6 joins them).
    expect(`${d.storageBucket}-${d.storageAppId}`).toBe(applied.StorageBucket);
    expect(d.storageRegionV5).toBe(applied.StorageRegion);
    expect(d.tempCertificate.secretId).not.toBe(applied.TempCertificate!.SecretId);
    expect(Math.abs(d.timestamp - Date.now() / 1000)).toBeLessThan(5);
    const cert = { SecretId: d.tempCertificate.secretId, SecretKey: d.tempCertificate.secretKey, Token: d.tempCertificate.token, ExpiredTime: d.tempCertificate.expiredTime };
    await cosClient(sb, cert).putObject({ Bucket: applied.StorageBucket!, Region: applied.StorageRegion!, Key: applied.MediaStoragePath!, Body: Buffer.from('renewed') });
    const committed = await vod.CommitUpload({ VodSessionKey: applied.VodSessionKey! });
    expect(committed.FileId).toMatch(/^\d{19}$/);
    expect(sb.stats().requests['tc:ApplyUploadUGC:renewed']).toBe(1);
  });

  it('opens a new session from videoName/videoType, the signature\'s procedure and classId applied', async () => {
    const sig = docSignature(sb.tencent.secretId, sb.tencent.secretKey, { procedure: 'SnapshotOnly', classId: 3 });
    const { answer } = await applyUploadUGC(sb, { signature: sig, videoName: 'phone clip', videoType: 'mp4', videoSize: 3 });
    expect(answer.code).toBe(0);
    expect(answer.data!.video.storagePath).toMatch(/\.mp4$/);
    expect(answer.data!.vodSessionKey).toBeTruthy();
  });

  it('refuses a bad or expired signature, an unknown vodSubAppId, an unknown or committed session, a used one-time signature; counts each', async () => {
    const vod = vodClient(sb);
    const applied = await vod.ApplyUpload({ MediaType: 'mp4' });
    const ok = (extra: Record<string, string | number> = {}, lifetime?: number) => docSignature(sb.tencent.secretId, sb.tencent.secretKey, extra, lifetime);
    const code = async (body: Record<string, unknown>) => (await applyUploadUGC(sb, body)).answer.code;
    expect(await code({ signature: docSignature(sb.tencent.secretId, 'y'.repeat(32)), vodSessionKey: applied.VodSessionKey })).toBe(10003);
    expect(await code({ signature: docSignature('AKIDnotthisaccount', sb.tencent.secretKey), vodSessionKey: applied.VodSessionKey })).toBe(10003);
    expect(await code({ signature: ok({}, -10), vodSessionKey: applied.VodSessionKey })).toBe(10004);
    expect(await code({ signature: ok({ vodSubAppId: 1 }), vodSessionKey: applied.VodSessionKey })).toBe(10006);
    expect(await code({ signature: ok(), vodSessionKey: 'not-a-session' })).toBe(10005);
    expect(await code({ vodSessionKey: applied.VodSessionKey })).toBe(10002);
    const once = ok({ oneTimeValid: 1 });
    expect(await code({ signature: once, vodSessionKey: applied.VodSessionKey })).toBe(0);
    expect(await code({ signature: once, vodSessionKey: applied.VodSessionKey })).toBe(10003);
    sb.tencent.setUgcMode('refuse');
    try {
      expect(await code({ signature: ok(), vodSessionKey: applied.VodSessionKey })).toBe(10007);
    } finally {
      sb.tencent.setUgcMode('renew');
    }
    await cosClient(sb, applied.TempCertificate as TempCert).putObject({ Bucket: applied.StorageBucket!, Region: applied.StorageRegion!, Key: applied.MediaStoragePath!, Body: Buffer.from('x') });
    await vod.CommitUpload({ VodSessionKey: applied.VodSessionKey! });
    expect(await code({ signature: ok(), vodSessionKey: applied.VodSessionKey })).toBe(10005);
    const errors = sb.stats().errors;
    for (const c of [10002, 10003, 10004, 10005, 10006, 10007]) expect(errors[`tc:ugc:${c}`], String(c)).toBeGreaterThanOrEqual(1);
  });
});

// The sandbox's Tencent personality against the official, unmodified Tencent clients:
// tencentcloud-sdk-nodejs-vod (API 3.0, TC3-HMAC-SHA256) and cos-nodejs-sdk-v5 (COS XML
// API, q-sign-algorithm=sha1 with the TempCertificate's x-cos-security-token).
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import COS from 'cos-nodejs-sdk-v5';
import * as tencentcloud from 'tencentcloud-sdk-nodejs-vod';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import { startSandbox, type Sandbox } from '../../main/sandbox';

const VodClient = tencentcloud.vod.v20180717.Client;
type Vod = InstanceType<typeof VodClient>;

function vodClient(sb: Sandbox, secretKey = sb.tencent.secretKey): Vod {
  const u = new URL(sb.tencent.endpoint);
  return new VodClient({
    credential: { secretId: sb.tencent.secretId, secretKey },
    region: sb.tencent.region,
    profile: { httpProfile: { protocol: `${u.protocol}//`, endpoint: u.host, reqTimeout: 10 } },
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
    sb = await startSandbox({ dataDir: path.join(dir, 'data') });
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
    const info = await vod.DescribeMediaInfos({ FileIds: [committed.FileId!, '1234567890123456789'] });
    expect(info.NotExistFileIdSet).toEqual(['1234567890123456789']);
    expect(info.MediaInfoSet?.[0].BasicInfo?.Name).toBe('clip one');
    expect(info.MediaInfoSet?.[0].BasicInfo?.Status).toBe('Normal');
    expect(info.MediaInfoSet?.[0].BasicInfo?.ClassPath).toBe('Films-Features');
    expect(info.MediaInfoSet?.[0].MetaData?.Size).toBe(bytes.length);
    const served = Buffer.from(await (await fetch(committed.MediaUrl!)).arrayBuffer());
    expect(served.equals(bytes)).toBe(true);
  });
});

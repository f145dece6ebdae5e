// The null store takes an object past 4 GiB (offsets beyond 2^32) from the real
// ali-oss client: sizes, the part CRC-64 and the combined object CRC-64 must be right
// although no byte is kept. The body is generated (one random MiB repeated), so the
// test needs neither a 4 GiB file nor 4 GiB of memory.
import crypto from 'crypto';
import { Readable } from 'stream';
import OSS from 'ali-oss';
import RPCClient from '@alicloud/pop-core';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { crc64, crc64Combine } from '../../main/engine/oss/crc64';
import { startSandbox, type Sandbox } from '../../main/sandbox';

const MiB = 1024 * 1024;
const BLOCK = crypto.randomBytes(MiB);
const BLOCK_CRC = crc64(BLOCK);

function repeated(blocks: number): Readable {
  let sent = 0;
  return new Readable({
    highWaterMark: 4 * MiB,
    read() {
      this.push(sent++ < blocks ? BLOCK : null);
    },
  });
}

/** CRC-64 of BLOCK repeated `blocks` times, by doubling with crc64Combine. */
function repeatedCrc(blocks: number): bigint {
  let result = 0n;
  let resultLen = 0;
  let power = BLOCK_CRC;
  let powerLen = MiB;
  for (let n = blocks; n > 0; n >>= 1) {
    if (n & 1) {
      result = resultLen === 0 ? power : crc64Combine(result, power, powerLen);
      resultLen += powerLen;
    }
    power = crc64Combine(power, power, powerLen);
    powerLen *= 2;
  }
  return result;
}

/** ali-oss's low-level calls as the library takes them (its @types want every ListParts field). */
interface OssResult { res: { headers: Record<string, string> } }
interface LowLevelOss {
  initMultipartUpload(name: string): Promise<{ uploadId: string }>;
  uploadPart(name: string, uploadId: string, partNo: number, file: Readable | Buffer, start: number, end: number): Promise<OssResult & { etag: string }>;
  listParts(name: string, uploadId: string, query?: Record<string, string>): Promise<{ parts: unknown }>;
  completeMultipartUpload(name: string, uploadId: string, parts: { number: number; etag: string }[]): Promise<OssResult>;
  head(name: string): Promise<OssResult>;
  get(name: string): Promise<unknown>;
}

let sb: Sandbox;
beforeAll(async () => {
  sb = await startSandbox({ store: 'null', transcodeMs: 0 });
});
afterAll(() => sb.close());

it('accepts an object past 4 GiB through the null store with the right sizes and CRC-64', async () => {
  const vod = new RPCClient({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, endpoint: sb.url, apiVersion: '2017-03-21' });
  const created = await vod.request<{ VideoId: string; UploadAddress: string; UploadAuth: string }>('CreateUploadVideo', { Title: 'Huge', FileName: 'huge.mkv' });
  const address = JSON.parse(Buffer.from(created.UploadAddress, 'base64').toString()) as { Endpoint: string; Bucket: string; FileName: string };
  const auth = JSON.parse(Buffer.from(created.UploadAuth, 'base64').toString()) as { AccessKeyId: string; AccessKeySecret: string; SecurityToken: string; Region: string };
  const oss = new OSS({
    region: `oss-${auth.Region}`, accessKeyId: auth.AccessKeyId, accessKeySecret: auth.AccessKeySecret, stsToken: auth.SecurityToken,
    bucket: address.Bucket, endpoint: address.Endpoint, timeout: 300_000, refreshSTSTokenInterval: 3_000_000,
  }) as unknown as LowLevelOss;
  const key = address.FileName;
  const part1Blocks = 4096; // exactly 2^32 bytes
  const part1Size = part1Blocks * MiB;
  const tail = Buffer.concat([BLOCK, Buffer.from('end')]);
  const { uploadId } = await oss.initMultipartUpload(key);

  const r1 = await oss.uploadPart(key, uploadId, 1, repeated(part1Blocks), 0, part1Size);
  const part1Crc = repeatedCrc(part1Blocks);
  expect(r1.res.headers['x-oss-hash-crc64ecma']).toBe(part1Crc.toString());
  expect(r1.etag).toMatch(/^"[0-9A-F]{32}"$/);
  const r2 = await oss.uploadPart(key, uploadId, 2, tail, 0, tail.length);
  expect(r2.etag).toBe(`"${crypto.createHash('md5').update(tail).digest('hex').toUpperCase()}"`);

  const listed = await oss.listParts(key, uploadId, {});
  const parts = listed.parts as { PartNumber: string; Size: string }[];
  expect(parts.map((p) => Number(p.Size))).toEqual([part1Size, tail.length]);

  const done = await oss.completeMultipartUpload(key, uploadId, [{ number: 1, etag: r1.etag }, { number: 2, etag: r2.etag }]);
  const total = part1Size + tail.length;
  const expectedCrc = crc64Combine(part1Crc, crc64(tail), tail.length).toString();
  expect(done.res.headers['x-oss-hash-crc64ecma']).toBe(expectedCrc);

  const head = await oss.head(key);
  const h = head.res.headers;
  expect(Number(h['content-length'])).toBe(total);
  expect(total).toBeGreaterThan(2 ** 32);
  expect(h['x-oss-hash-crc64ecma']).toBe(expectedCrc);
  expect(sb.video(created.VideoId)).toMatchObject({ size: total, crc64: expectedCrc, status: 'Normal' });
  expect(sb.stats().bytesReceived).toBeGreaterThanOrEqual(total);

  const get = await oss.get(key).catch((e: { code?: string }) => e);
  expect((get as { code?: string }).code).toBe('NotImplemented');
});

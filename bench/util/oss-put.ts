// The baseline the engine is measured against: one signed OSS PutObject, the file
// piped from fs.createReadStream into a plain http.request — the floor of what a
// client can do on this wire. Signed here by hand (OSS signature V1, ~10 lines)
// rather than through ali-oss because ali-oss's request stack is part of what the
// engine's number includes and the baseline should not.
// OSS takes at most 5 GiB in one PutObject, so a bigger file goes as consecutive
// PUTs of ≤ 4 GiB each, one at a time over one connection after another.

/** The most one PUT sends here (OSS's own limit is 5 GiB). */
export const RAW_PUT_MAX_BYTES = 4 * 1024 ** 3;

export async function rawPutFile(file: string, size: number, address: UploadAddress, cred: UploadCredential, region: string): Promise<void> {
  let start = 0;
  do {
    await rawPut(file, start, Math.min(size, start + RAW_PUT_MAX_BYTES), address, cred, region);
    start += RAW_PUT_MAX_BYTES;
  } while (start < size);
}

import crypto from 'crypto';
import fs from 'fs';
import http from 'http';
import type { UploadAddress, UploadCredential } from '../../main/engine/provider';

/** One PutObject of bytes [start, end) of the file. */
async function rawPut(file: string, start: number, end: number, address: UploadAddress, cred: UploadCredential, region: string): Promise<void> {
  const url = new URL(address.endpoint);
  const date = new Date().toUTCString();
  const contentType = 'application/octet-stream';
  const ossHeaders: Record<string, string> = { 'x-oss-date': date, 'x-oss-security-token': cred.securityToken };
  const canonicalHeaders = Object.keys(ossHeaders).sort().map((k) => `${k}:${ossHeaders[k]}\n`).join('');
  const toSign = `PUT\n\n${contentType}\n${date}\n${canonicalHeaders}/${address.bucket}/${address.objectKey}`;
  const signature = crypto.createHmac('sha1', cred.accessKeySecret).update(toSign).digest('base64');
  await new Promise<void>((resolve, reject) => {
    const req = http.request({
      host: url.hostname,
      port: url.port,
      method: 'PUT',
      path: `/${address.objectKey.split('/').map(encodeURIComponent).join('/')}`,
      headers: {
        // A local OSS reads the bucket from the Host's first label, as ali-oss sends it.
        Host: `${address.bucket}.oss-${region}.aliyuncs.com`,
        'Content-Type': contentType,
        'Content-Length': String(end - start),
        Date: date,
        ...ossHeaders,
        Authorization: `OSS ${cred.accessKeyId}:${signature}`,
      },
    }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d));
      res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PutObject answered ${res.statusCode}: ${body}`))));
    });
    req.on('error', reject);
    fs.createReadStream(file, { start, end: end - 1, highWaterMark: 1024 * 1024 }).on('error', reject).pipe(req);
  });
}

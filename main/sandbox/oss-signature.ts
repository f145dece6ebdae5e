// OSS signature V1 (`Authorization: OSS AK:base64(HMAC-SHA1(secret, StringToSign))`),
// written from the published algorithm: VERB, Content-MD5, Content-Type, Date (or
// x-oss-date, which ali-oss signs in its place), the sorted lower-cased x-oss-*
// headers, then /bucket/key with the signed sub-resources.
import crypto from 'crypto';
import type { IncomingHttpHeaders } from 'http';

export class OssError extends Error {
  constructor(readonly status: number, readonly code: string, message: string, readonly extra: Record<string, string> = {}) {
    super(message);
  }
}

/** Query parameters that are part of the canonical resource (OSS V1 sub-resource list). */
const SIGNED_SUBRESOURCES = new Set([
  'acl', 'uploads', 'location', 'cors', 'logging', 'website', 'referer', 'lifecycle', 'delete', 'append',
  'tagging', 'objectMeta', 'uploadId', 'partNumber', 'security-token', 'position', 'img', 'style',
  'styleName', 'replication', 'replicationProgress', 'replicationLocation', 'cname', 'bucketInfo', 'comp',
  'qos', 'live', 'status', 'vod', 'startTime', 'endTime', 'symlink', 'x-oss-process',
  'response-content-type', 'response-content-language', 'response-expires', 'response-cache-control',
  'response-content-disposition', 'response-content-encoding', 'udf', 'udfName', 'udfImage', 'udfId',
  'udfImageDesc', 'udfApplication', 'udfApplicationLog', 'restore', 'callback', 'callback-var',
  'continuation-token', 'policy', 'stat', 'encryption', 'versions', 'versioning', 'versionId', 'sequential',
  'objectInfo', 'asyncFetch', 'inventory', 'inventoryId', 'continuationToken', 'worm', 'wormId', 'wormExtend',
]);

function header(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

export function canonicalResource(bucket: string, key: string, query: URLSearchParams): string {
  const names = [...new Set([...query.keys()].filter((k) => SIGNED_SUBRESOURCES.has(k)))].sort();
  const sub = names.map((k) => {
    const v = query.get(k) ?? '';
    return v === '' ? k : `${k}=${v}`;
  });
  return `/${bucket}/${key}${sub.length ? '?' + sub.join('&') : ''}`;
}

export function ossStringToSign(method: string, headers: IncomingHttpHeaders, resource: string): string {
  const ossHeaders = Object.keys(headers)
    .filter((k) => k.startsWith('x-oss-'))
    .sort()
    .map((k) => `${k}:${header(headers, k).trim()}`);
  const date = header(headers, 'x-oss-date') || header(headers, 'date');
  return [method.toUpperCase(), header(headers, 'content-md5'), header(headers, 'content-type'), date, ...ossHeaders, resource].join('\n');
}

export interface OssAuth {
  accessKeyId: string;
  signature: string;
}

export function parseAuthorization(headers: IncomingHttpHeaders): OssAuth | undefined {
  const m = /^OSS ([^:\s]+):(\S+)$/.exec(header(headers, 'authorization'));
  return m ? { accessKeyId: m[1], signature: m[2] } : undefined;
}

export function ossSign(secret: string, toSign: string): string {
  return crypto.createHmac('sha1', secret).update(toSign, 'utf8').digest('base64');
}

const SKEW_MS = 15 * 60 * 1000;

/** The request's own clock, from x-oss-date or Date; throws RequestTimeTooSkewed or AccessDenied. */
export function checkRequestTime(headers: IncomingHttpHeaders, now: number): void {
  const raw = header(headers, 'x-oss-date') || header(headers, 'date');
  const t = Date.parse(raw);
  if (!raw || !Number.isFinite(t)) {
    throw new OssError(403, 'AccessDenied', 'The request carries no valid Date or x-oss-date header.');
  }
  if (Math.abs(now - t) > SKEW_MS) {
    throw new OssError(403, 'RequestTimeTooSkewed', 'The difference between the request time and the current time is too large.', {
      RequestTime: new Date(t).toISOString(),
      ServerTime: new Date(now).toISOString(),
      MaxAllowedSkewMilliseconds: String(SKEW_MS),
    });
  }
}

export function verifySignature(secret: string, auth: OssAuth, toSign: string): void {
  const expected = Buffer.from(ossSign(secret, toSign));
  const given = Buffer.from(auth.signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    throw new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      OSSAccessKeyId: auth.accessKeyId,
      StringToSign: toSign,
      StringToSignBytes: Buffer.from(toSign).toString('hex').replace(/(..)/g, '$1 ').trim(),
    });
  }
}

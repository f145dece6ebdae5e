// The expiring URLs VOD hands out for media (FileURL, PlayURL, CoverURL, snapshot URLs),
// signed and checked as the real services do:
//
// - OutputType=oss: an OSS URL with the signature in the query (OSS signature V1 "in
//   URL": `?Expires=<epoch s>&OSSAccessKeyId=…&Signature=…`, the signature an HMAC-SHA1
//   over `VERB\n\n\n<Expires>\n/<bucket>/<key>`). Past Expires OSS answers 403
//   AccessDenied "Request has expired." (OSS error 0002-00000069,
//   https://help.aliyun.com/en/oss/user-guide/0002-00000069). The verb is part of what is
//   signed, so a URL signed for GET answers HEAD with SignatureDoesNotMatch, as on OSS.
// - OutputType=cdn: a CDN URL with type-A signing, `?auth_key=<timestamp>-<rand>-<uid>-<md5>`,
//   md5 over `/<path>-<timestamp>-<rand>-<uid>-<privateKey>`; it expires at timestamp + the
//   domain's TTL (https://help.aliyun.com/en/edge-security-acceleration/dcdn/user-guide/type-a-signing-1).
//   The sandbox's CDN domain has a TTL of CDN_AUTH_TTL_SECONDS and VOD back-dates the
//   timestamp so that the URL lives exactly AuthTimeout seconds. The method is not
//   signed: HEAD works.
//
// Both are served by the sandbox's own HTTP server under /__oss/<bucket>/<key> and
// /__cdn/<key> (a real OSS or CDN host name cannot be resolved here).
import crypto from 'crypto';
import { hexId } from './ids';
import { OssError, ossSign } from './oss-signature';
import type { KeyPair } from './state';

export type OutputType = 'oss' | 'cdn';

/** The validity the sandbox's CDN domain has configured for type-A signed URLs (the console's default). */
export const CDN_AUTH_TTL_SECONDS = 1800;

export const OSS_URL_PREFIX = '/__oss/';
export const CDN_URL_PREFIX = '/__cdn/';

const encodeKey = (key: string) => key.split('/').map(encodeURIComponent).join('/');

function ossStringToSign(method: string, expires: string, bucket: string, key: string): string {
  return `${method.toUpperCase()}\n\n\n${expires}\n/${bucket}/${key}`;
}

/** An OSS URL signed for GET until `expiresSec` (epoch seconds). */
export function ossSignedUrl(base: string, signer: KeyPair, bucket: string, key: string, expiresSec: number): string {
  const expires = String(expiresSec);
  const signature = ossSign(signer.accessKeySecret, ossStringToSign('GET', expires, bucket, key));
  return `${base}${OSS_URL_PREFIX}${encodeURIComponent(bucket)}/${encodeKey(key)}`
    + `?Expires=${expires}&OSSAccessKeyId=${encodeURIComponent(signer.accessKeyId)}&Signature=${encodeURIComponent(signature)}`;
}

function cdnHash(path: string, timestamp: string, rand: string, uid: string, privateKey: string): string {
  return crypto.createHash('md5').update(`${path}-${timestamp}-${rand}-${uid}-${privateKey}`).digest('hex');
}

/** A CDN URL with type-A signing that stops working at `expiresSec` (epoch seconds). */
export function cdnSignedUrl(base: string, privateKey: string, key: string, expiresSec: number): string {
  const timestamp = String(expiresSec - CDN_AUTH_TTL_SECONDS);
  const rand = hexId(16);
  const uid = '0';
  const path = `/${key}`;
  return `${base}${CDN_URL_PREFIX}${encodeKey(key)}?auth_key=${timestamp}-${rand}-${uid}-${cdnHash(path, timestamp, rand, uid, privateKey)}`;
}

/** Checks an OSS URL signature; throws the OssError OSS would answer. */
export function verifyOssUrl(method: string, bucket: string, key: string, q: URLSearchParams, signer: KeyPair, now: number): void {
  const expires = q.get('Expires');
  const accessKeyId = q.get('OSSAccessKeyId');
  const signature = q.get('Signature');
  if (!expires || !accessKeyId || !signature) {
    throw new OssError(403, 'AccessDenied', 'AccessDenied: the URL carries no complete signature (Expires, OSSAccessKeyId and Signature).');
  }
  if (!/^\d{1,12}$/.test(expires)) throw new OssError(403, 'AccessDenied', `Invalid Expires value: ${expires}.`);
  if (accessKeyId !== signer.accessKeyId) {
    throw new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.', { OSSAccessKeyId: accessKeyId });
  }
  const expiresMs = Number(expires) * 1000;
  if (now > expiresMs) {
    throw new OssError(403, 'AccessDenied', 'Request has expired.', {
      Expires: new Date(expiresMs).toISOString(), ServerTime: new Date(now).toISOString(),
    });
  }
  const toSign = ossStringToSign(method, expires, bucket, key);
  const expected = Buffer.from(ossSign(signer.accessKeySecret, toSign));
  const given = Buffer.from(signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    throw new OssError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
      OSSAccessKeyId: accessKeyId, StringToSign: toSign,
    });
  }
}

/** Why a CDN type-A URL is refused (the CDN answers a bare 403), or undefined when it is good. */
export function cdnRefusal(key: string, q: URLSearchParams, privateKey: string, now: number): string | undefined {
  const m = /^(\d{1,12})-([0-9A-Za-z]{0,100})-([0-9A-Za-z]{0,64})-([0-9a-f]{32})$/.exec(q.get('auth_key') ?? '');
  if (!m) return 'the URL has no valid auth_key';
  const [, timestamp, rand, uid, hash] = m;
  if (now > (Number(timestamp) + CDN_AUTH_TTL_SECONDS) * 1000) return 'the signed URL has expired';
  const expected = Buffer.from(cdnHash(`/${key}`, timestamp, rand, uid, privateKey));
  if (!crypto.timingSafeEqual(expected, Buffer.from(hash))) return 'the auth_key does not match the URL';
  return undefined;
}

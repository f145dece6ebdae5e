// Verification of COS's XML API request signature (`q-sign-algorithm=sha1&q-ak=…&
// q-sign-time=…&q-key-time=…&q-header-list=…&q-url-param-list=…&q-signature=…`), written
// from the published algorithm (COS "Request Signature", https://cloud.tencent.com/document/product/436/7778)
// rather than taken from cos-nodejs-sdk-v5:
//   SignKey      = hex(HMAC-SHA1(SecretKey, KeyTime))
//   HttpString   = method \n path \n params \n headers \n      (lower-cased, sorted, URL-encoded k=v joined by &)
//   StringToSign = "sha1" \n SignTime \n hex(SHA1(HttpString)) \n
//   Signature    = hex(HMAC-SHA1(SignKey, StringToSign))
import crypto from 'crypto';
import type { IncomingHttpHeaders } from 'http';

/** A COS error: `<Error><Code/><Message/><Resource/><RequestId/></Error>` with this HTTP status. */
export class CosError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

export interface CosAuthorization {
  secretId: string;
  signTime: [number, number];
  keyTime: string;
  headerList: string[];
  paramList: string[];
  signature: string;
}

/** encodeURIComponent plus !'()* as COS encodes keys and values in the signed strings. */
export function cosEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function parseCosAuthorization(raw: string | undefined): CosAuthorization | undefined {
  if (!raw) return undefined;
  const fields = new Map<string, string>();
  for (const part of raw.split('&')) {
    const eq = part.indexOf('=');
    if (eq > 0) fields.set(part.slice(0, eq), part.slice(eq + 1));
  }
  const ak = fields.get('q-ak');
  const signTime = fields.get('q-sign-time');
  const keyTime = fields.get('q-key-time');
  const signature = fields.get('q-signature');
  if (fields.get('q-sign-algorithm') !== 'sha1' || !ak || !signTime || !keyTime || !signature) return undefined;
  const times = /^(\d+);(\d+)$/.exec(signTime);
  if (!times) return undefined;
  const list = (name: string) => (fields.get(name) ?? '').split(';').filter(Boolean);
  return {
    secretId: ak, signTime: [Number(times[1]), Number(times[2])], keyTime,
    headerList: list('q-header-list'), paramList: list('q-url-param-list'), signature: signature.toLowerCase(),
  };
}

function headerValue(headers: IncomingHttpHeaders, name: string): string {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : (v ?? '');
}

/**
 * The signature over `path` (the object key with its leading "/", as the client signed
 * it). Only the headers and query parameters the client listed are signed; a listed one
 * the request lacks signs as empty, as in the published algorithm.
 */
export function cosSignature(secretKey: string, auth: CosAuthorization, method: string, path: string, query: URLSearchParams, headers: IncomingHttpHeaders): string {
  const params = auth.paramList.map((k) => `${k}=${cosEncode(query.get(k) ?? findCaseless(query, k) ?? '')}`).join('&');
  const hdrs = auth.headerList.map((k) => `${k}=${cosEncode(headerValue(headers, k))}`).join('&');
  const httpString = [method.toLowerCase(), path, params, hdrs, ''].join('\n');
  const signKey = crypto.createHmac('sha1', secretKey).update(auth.keyTime).digest('hex');
  const stringToSign = ['sha1', `${auth.signTime[0]};${auth.signTime[1]}`, crypto.createHash('sha1').update(httpString, 'utf8').digest('hex'), ''].join('\n');
  return crypto.createHmac('sha1', signKey).update(stringToSign).digest('hex');
}

function findCaseless(query: URLSearchParams, lowerKey: string): string | undefined {
  for (const [k, v] of query) if (k.toLowerCase() === lowerKey) return v;
  return undefined;
}

/**
 * Checks the window and the signature, trying each path form the request may have been
 * signed over (the key alone for the virtual-host form, `/<bucket>/<key>` as well when
 * the bucket rode in the path). Throws the CosError COS answers ("403 Error for COS
 * Access", https://www.tencentcloud.com/document/product/436/40105): AccessDenied
 * "Request has expired" outside q-sign-time, SignatureDoesNotMatch otherwise.
 */
export function verifyCosSignature(secretKey: string, auth: CosAuthorization, method: string, paths: readonly string[], query: URLSearchParams, headers: IncomingHttpHeaders, nowMs: number): void {
  const now = Math.floor(nowMs / 1000);
  if (now < auth.signTime[0] - 60 || now > auth.signTime[1]) {
    throw new CosError(403, 'AccessDenied', 'Request has expired');
  }
  if (!auth.headerList.includes('host')) {
    // cos-nodejs-sdk-v5 signs Host unless told not to; COS requires it for a bucket's own domain.
    throw new CosError(403, 'AccessDenied', 'The signature must cover the Host header (q-header-list lacks host).');
  }
  const given = Buffer.from(auth.signature);
  for (const path of paths) {
    const expected = Buffer.from(cosSignature(secretKey, auth, method, path, query, headers));
    if (expected.length === given.length && crypto.timingSafeEqual(expected, given)) return;
  }
  throw new CosError(403, 'SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your key and signing method.');
}

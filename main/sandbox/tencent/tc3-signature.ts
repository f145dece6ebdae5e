// Verification of TencentCloud API 3.0's TC3-HMAC-SHA256 signature, written from the
// published algorithm (API 3.0 "Signature v3"; common parameters X-TC-Action/-Region/
// -Timestamp/-Version/-Token as in https://tencentcloud.com/ind/document/product/457/32032)
// rather than borrowed from tencentcloud-sdk-nodejs, so a client that signs wrongly gets
// AuthFailure.SignatureFailure here as it would from vod.tencentcloudapi.com.
//
//   CanonicalRequest = Method \n URI \n QueryString \n CanonicalHeaders \n SignedHeaders \n hex(sha256(body))
//   StringToSign     = "TC3-HMAC-SHA256" \n Timestamp \n Date/service/tc3_request \n hex(sha256(CanonicalRequest))
//   Signature        = hex(HMAC(HMAC(HMAC(HMAC("TC3"+SecretKey, Date), service), "tc3_request"), StringToSign))
import crypto from 'crypto';
import type { IncomingHttpHeaders } from 'http';

/** A TencentCloud API error: always HTTP 200 with `{"Response":{"Error":{Code,Message},RequestId}}`. */
export class TcError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
  }
}

/** The common error codes and messages as every API 3.0 reference lists them (e.g. https://tencentcloud.com/document/api/1252/68119). */
export const SIGNATURE_FAILURE = 'The provided credentials could not be validated. Please check your signature is correct.';
/** "Timestamp and server time cannot differ by more than five minutes." */
export const MAX_SKEW_SECONDS = 300;

const AUTH_RE = /^TC3-HMAC-SHA256 Credential=([^/,\s]+)\/(\d{4}-\d{2}-\d{2})\/([^/,\s]+)\/tc3_request,\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

function header(headers: IncomingHttpHeaders, name: string): string | undefined {
  const v = headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

const sha256hex = (data: string | Buffer) => crypto.createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => crypto.createHmac('sha256', key).update(data, 'utf8').digest();

export interface Tc3Request {
  method: string;
  /** The path as sent (before the query string). */
  path: string;
  /** The raw query string without "?" (GET requests carry the parameters there). */
  query: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

export interface Tc3Verified {
  secretId: string;
  action: string;
  timestamp: number;
  region?: string;
  version?: string;
  token?: string;
}

export function utcDate(timestampSeconds: number): string {
  return new Date(timestampSeconds * 1000).toISOString().slice(0, 10);
}

/** Exported for tests: the signature a correct client computes. */
export function tc3Signature(secretKey: string, date: string, service: string, stringToSign: string): string {
  const kDate = hmac(`TC3${secretKey}`, date);
  const kService = hmac(kDate, service);
  const kSigning = hmac(kService, 'tc3_request');
  return crypto.createHmac('sha256', kSigning).update(stringToSign, 'utf8').digest('hex');
}

/**
 * The service name a request may put in its credential scope. `vod` always; and since
 * tencentcloud-sdk-nodejs derives it from the endpoint's first DNS label
 * (`endpoint.split(".")[0]`), a client pointed at `127.0.0.1:PORT` signs with `127`:
 * the sandbox accepts the first label of its own Host too, never a different product's.
 */
function acceptedServices(host: string): Set<string> {
  const hostname = host.replace(/:\d+$/, '').replace(/^\[|\]$/g, '');
  const services = new Set(['vod']);
  if (!/\.tencentcloudapi\.com$/i.test(hostname)) services.add(hostname.split('.')[0]);
  return services;
}

/**
 * Checks the request's TC3 signature and returns who signed it. `secretFor` maps a
 * SecretId to its SecretKey (undefined: no such key). Throws TcError with the code the
 * real API answers: AuthFailure.InvalidAuthorization, AuthFailure.SecretIdNotFound,
 * AuthFailure.SignatureExpire, AuthFailure.SignatureFailure, MissingParameter.
 */
export function verifyTc3(req: Tc3Request, secretFor: (secretId: string) => string | undefined, nowMs: number): Tc3Verified {
  const auth = header(req.headers, 'authorization');
  const action = header(req.headers, 'x-tc-action');
  const ts = header(req.headers, 'x-tc-timestamp');
  if (!auth) throw new TcError('AuthFailure.InvalidAuthorization', 'Authorization in the request header is missing; sign the request with TC3-HMAC-SHA256.');
  const m = AUTH_RE.exec(auth.trim());
  if (!m) throw new TcError('AuthFailure.InvalidAuthorization', 'Authorization in the request header is invalid: expected "TC3-HMAC-SHA256 Credential=<SecretId>/<Date>/<service>/tc3_request, SignedHeaders=…, Signature=<hex>".');
  const [, secretId, date, service, signedHeaderList, signature] = m;
  if (!action) throw new TcError('MissingParameter', 'The request is missing the X-TC-Action header.');
  if (!ts || !/^\d{1,12}$/.test(ts)) throw new TcError('MissingParameter', 'The request is missing a valid X-TC-Timestamp header (UNIX seconds).');
  const timestamp = Number(ts);
  if (Math.abs(nowMs / 1000 - timestamp) > MAX_SKEW_SECONDS) {
    throw new TcError('AuthFailure.SignatureExpire', `Signature expired. Timestamp ${timestamp} and server time ${Math.floor(nowMs / 1000)} differ by more than five minutes; check the local clock.`);
  }
  const secretKey = secretFor(secretId);
  if (secretKey === undefined) {
    throw new TcError('AuthFailure.SecretIdNotFound', `The SecretId ${secretId} does not exist. Check that the key was not deleted or disabled, and that it is entered without spaces.`);
  }
  if (date !== utcDate(timestamp)) throw new TcError('AuthFailure.SignatureFailure', `${SIGNATURE_FAILURE} (the credential date ${date} is not the UTC date of X-TC-Timestamp)`);
  const host = header(req.headers, 'host') ?? '';
  if (!acceptedServices(host).has(service)) throw new TcError('AuthFailure.SignatureFailure', `${SIGNATURE_FAILURE} (the credential scope names service "${service}", not vod)`);
  const names = signedHeaderList.split(';');
  if (!names.includes('host') || !names.includes('content-type')) {
    throw new TcError('AuthFailure.SignatureFailure', `${SIGNATURE_FAILURE} (SignedHeaders must include content-type and host)`);
  }
  const canonicalHeaders = names.map((n) => {
    let v = (header(req.headers, n) ?? '').trim().toLowerCase();
    // The real endpoint listens on 443, so clients (the SDK signs the URL's hostname) sign no port.
    if (n === 'host') v = v.replace(/:\d+$/, '');
    return `${n}:${v}\n`;
  }).join('');
  const method = req.method.toUpperCase();
  const canonicalRequest = [method, req.path || '/', method === 'GET' ? req.query : '', canonicalHeaders, signedHeaderList, sha256hex(req.body)].join('\n');
  const stringToSign = ['TC3-HMAC-SHA256', ts, `${date}/${service}/tc3_request`, sha256hex(canonicalRequest)].join('\n');
  const expected = tc3Signature(secretKey, date, service, stringToSign);
  if (!crypto.timingSafeEqual(Buffer.from(expected), Buffer.from(signature))) throw new TcError('AuthFailure.SignatureFailure', SIGNATURE_FAILURE);
  return {
    secretId, action, timestamp,
    region: header(req.headers, 'x-tc-region'),
    version: header(req.headers, 'x-tc-version'),
    token: header(req.headers, 'x-tc-token'),
  };
}

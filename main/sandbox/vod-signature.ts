// Verification of VOD's RPC signature (HMAC-SHA1, SignatureVersion 1.0), written from
// the published algorithm rather than borrowed from pop-core, so a client bug in
// encoding or ordering shows up as SignatureDoesNotMatch instead of being mirrored.
import crypto from 'crypto';

export class RpcError extends Error {
  constructor(readonly status: number, readonly code: string, message: string) {
    super(message);
  }
}

/** RFC 3986 percent-encoding as the RPC spec wants it: only A-Z a-z 0-9 - _ . ~ stay. */
export function percentEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => '%' + c.charCodeAt(0).toString(16).toUpperCase());
}

export function stringToSign(method: string, params: Record<string, string>): string {
  const canonical = Object.keys(params)
    .filter((k) => k !== 'Signature')
    .sort()
    .map((k) => `${percentEncode(k)}=${percentEncode(params[k])}`)
    .join('&');
  return `${method.toUpperCase()}&${percentEncode('/')}&${percentEncode(canonical)}`;
}

export function sign(secret: string, toSign: string): string {
  return crypto.createHmac('sha1', `${secret}&`).update(toSign, 'utf8').digest('base64');
}

const WINDOW_MS = 15 * 60 * 1000;
const TIMESTAMP_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?Z$/;

/** Nonces seen inside the Timestamp window; older ones cannot be replayed anyway. */
export class NonceBook {
  private readonly seen = new Map<string, number>();

  /** Records the nonce; false when it was already used within the window. */
  use(accessKeyId: string, nonce: string, now: number): boolean {
    const key = `${accessKeyId}\n${nonce}`;
    const until = this.seen.get(key);
    if (until !== undefined && until > now) return false;
    this.seen.set(key, now + 2 * WINDOW_MS);
    if (this.seen.size > 10_000) {
      for (const [k, t] of this.seen) if (t <= now) this.seen.delete(k);
    }
    return true;
  }
}

/**
 * Checks the common parameters and the signature; throws RpcError with VOD's code.
 * `secretFor` returns the secret of a known AccessKeyId, undefined otherwise.
 */
export function verifyRpcRequest(
  method: string,
  params: Record<string, string>,
  secretFor: (accessKeyId: string) => string | undefined,
  nonces: NonceBook,
  now: number,
): void {
  for (const name of ['AccessKeyId', 'Signature', 'SignatureNonce', 'Timestamp'] as const) {
    if (!params[name]) throw new RpcError(400, `Missing${name}`, `${name} is mandatory for this action.`);
  }
  if (params.SignatureMethod && params.SignatureMethod !== 'HMAC-SHA1') {
    throw new RpcError(400, 'InvalidSignatureMethod', `Specified signature method "${params.SignatureMethod}" is not supported; use HMAC-SHA1.`);
  }
  if (params.SignatureVersion && params.SignatureVersion !== '1.0') {
    throw new RpcError(400, 'InvalidSignatureVersion', `Specified signature version "${params.SignatureVersion}" is not supported; use 1.0.`);
  }
  const m = TIMESTAMP_RE.exec(params.Timestamp);
  if (!m) {
    throw new RpcError(400, 'InvalidTimeStamp.Format', `Specified time stamp "${params.Timestamp}" does not conform to ISO8601 UTC (yyyy-MM-ddTHH:mm:ssZ).`);
  }
  const ts = Date.parse(params.Timestamp);
  if (!Number.isFinite(ts)) throw new RpcError(400, 'InvalidTimeStamp.Format', `Specified time stamp "${params.Timestamp}" is not a valid date.`);
  if (Math.abs(now - ts) > WINDOW_MS) {
    throw new RpcError(400, 'InvalidTimeStamp.Expired', `Specified time stamp or date header is expired: ${params.Timestamp} is more than 15 minutes from the server time ${new Date(now).toISOString()}. Check the computer's clock.`);
  }
  const secret = secretFor(params.AccessKeyId);
  if (secret === undefined) {
    throw new RpcError(404, 'InvalidAccessKeyId.NotFound', `Specified access key "${params.AccessKeyId}" is not found.`);
  }
  const toSign = stringToSign(method, params);
  const expected = Buffer.from(sign(secret, toSign));
  const given = Buffer.from(params.Signature);
  if (expected.length !== given.length || !crypto.timingSafeEqual(expected, given)) {
    throw new RpcError(400, 'SignatureDoesNotMatch', `Specified signature does not match our calculation. Check the AccessKeySecret. Server string to sign is: ${toSign}`);
  }
  // Only after the signature: a forged request must not burn a real client's nonce.
  if (!nonces.use(params.AccessKeyId, params.SignatureNonce, now)) {
    throw new RpcError(400, 'SignatureNonceUsed', `Specified signature nonce "${params.SignatureNonce}" was used already.`);
  }
}

// Identifiers shaped like the real service's, so clients that parse or log them see
// familiar values.
import crypto from 'crypto';

export function hexId(bytes = 16): string {
  return crypto.randomBytes(bytes).toString('hex');
}

/** VOD and OSS request ids: upper-case hex, 8-4-4-4-12 for VOD, 24 hex for OSS. */
export function vodRequestId(): string {
  const h = hexId(16).toUpperCase();
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
}

export function ossRequestId(): string {
  return hexId(12).toUpperCase();
}

/** Access key ids: LTAI… for long-term keys, STS.… for temporary ones. */
export function accessKeyId(prefix: 'LTAI' | 'STS.'): string {
  return prefix + crypto.randomBytes(15).toString('base64url').replace(/[-_]/g, 'x');
}

export function secret(): string {
  return crypto.randomBytes(22).toString('base64url').replace(/[-_]/g, 'y').slice(0, 30);
}

/** VOD's timestamps: ISO 8601 UTC without milliseconds. */
export function isoSeconds(ms: number): string {
  return new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

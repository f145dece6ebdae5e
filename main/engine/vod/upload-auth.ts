// Decodes CreateUploadVideo's / RefreshUploadVideo's / CreateUploadImage's base64 JSON
// `UploadAddress` and `UploadAuth` into the provider's types (vod-oss-facts.md).

import type { UploadAddress, UploadCredential } from '../provider';
import { EngineError } from '../errors';

function malformed(what: string, detail: string): EngineError {
  return new EngineError({
    kind: 'server',
    code: 'MalformedUploadAuth',
    message: `VOD returned an ${what} that cannot be used: ${detail}.`,
    // Not retryable: the same service answer will come back; this is not a transient fault.
    retryable: false,
    hint: 'The answer from VOD was not in the expected format. Check that the profile\'s endpoint points at VOD, then retry.',
  });
}

function decodeJson(what: string, b64: unknown): Record<string, unknown> {
  if (typeof b64 !== 'string' || b64.trim() === '') throw malformed(what, 'it is missing');
  // Buffer.from(…, 'base64') silently skips bad characters; check the alphabet first.
  const compact = b64.trim();
  if (!/^[A-Za-z0-9+/_-]+={0,2}$/.test(compact)) throw malformed(what, 'it is not base64');
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(compact, 'base64').toString('utf8'));
  } catch {
    throw malformed(what, 'it does not decode to JSON');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw malformed(what, 'it does not decode to a JSON object');
  }
  return value as Record<string, unknown>;
}

function field(what: string, obj: Record<string, unknown>, name: string): string {
  const v = obj[name];
  if (typeof v !== 'string' || v.length === 0) throw malformed(what, `the field ${name} is missing`);
  return v;
}

/** OSS endpoints come with or without a scheme; ali-oss wants one. */
function normalizeEndpoint(endpoint: string): string {
  return /^https?:\/\//i.test(endpoint) ? endpoint.replace(/\/+$/, '') : `https://${endpoint.replace(/\/+$/, '')}`;
}

export function decodeUploadAddress(b64: unknown): UploadAddress {
  const obj = decodeJson('UploadAddress', b64);
  const address: UploadAddress = {
    endpoint: normalizeEndpoint(field('UploadAddress', obj, 'Endpoint')),
    bucket: field('UploadAddress', obj, 'Bucket'),
    objectKey: field('UploadAddress', obj, 'FileName'),
  };
  // Only for an .m3u8 FileName: where the playlist's segments go (vod-oss-facts.md, HLS).
  const prefix = obj.ObjectPrefix;
  if (prefix !== undefined && prefix !== null && prefix !== '') {
    if (typeof prefix !== 'string') throw malformed('UploadAddress', 'the field ObjectPrefix is not a string');
    address.objectPrefix = prefix;
  }
  return address;
}

/**
 * `now` is when the answer arrived: `Expiration` counts seconds from then. `ExpireUTCTime`,
 * when present, is absolute and wins (it does not depend on our clock being right).
 */
export function decodeUploadAuth(b64: unknown, now: number = Date.now()): UploadCredential {
  const obj = decodeJson('UploadAuth', b64);
  let expiresAt: number | undefined;
  const utc = obj.ExpireUTCTime;
  if (typeof utc === 'string' && utc.length > 0) {
    const t = Date.parse(utc);
    if (!Number.isFinite(t)) throw malformed('UploadAuth', `ExpireUTCTime "${utc}" is not a date`);
    expiresAt = t;
  } else if (obj.Expiration !== undefined) {
    const seconds = Number(obj.Expiration);
    if (!Number.isFinite(seconds) || seconds <= 0) throw malformed('UploadAuth', 'Expiration is not a positive number of seconds');
    expiresAt = now + seconds * 1000;
  } else {
    throw malformed('UploadAuth', 'it has neither ExpireUTCTime nor Expiration');
  }
  const credential: UploadCredential = {
    accessKeyId: field('UploadAuth', obj, 'AccessKeyId'),
    accessKeySecret: field('UploadAuth', obj, 'AccessKeySecret'),
    securityToken: field('UploadAuth', obj, 'SecurityToken'),
    expiresAt,
  };
  if (typeof obj.Region === 'string' && obj.Region.length > 0) credential.region = obj.Region;
  return credential;
}


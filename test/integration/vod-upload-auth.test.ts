// Decoding of UploadAddress / UploadAuth (pure; lives with the VOD tests).

import { describe, expect, it } from 'vitest';
import { decodeUploadAddress, decodeUploadAuth } from '../../main/engine/vod/upload-auth';
import { thrownEngineError } from '../helpers/errors';

const b64 = (v: unknown): string => Buffer.from(typeof v === 'string' ? v : JSON.stringify(v)).toString('base64');

const AUTH = {
  AccessKeyId: 'STS.NTx1',
  AccessKeySecret: 'sts-secret',
  SecurityToken: 'CAIS-token',
  Expiration: '3000',
  ExpireUTCTime: '2030-01-02T03:04:05Z',
  Region: 'cn-shanghai',
};

const decodeError = thrownEngineError;

describe('decodeUploadAddress', () => {
  it('decodes Endpoint, Bucket and FileName', () => {
    expect(decodeUploadAddress(b64({ Endpoint: 'https://oss-cn-shanghai.aliyuncs.com', Bucket: 'outin-1', FileName: 'sv/1/a.mp4' })))
      .toEqual({ endpoint: 'https://oss-cn-shanghai.aliyuncs.com', bucket: 'outin-1', objectKey: 'sv/1/a.mp4' });
  });

  it('keeps ObjectPrefix, the folder for the segments of an .m3u8 upload', () => {
    expect(decodeUploadAddress(b64({ Endpoint: 'https://oss-cn-shanghai.aliyuncs.com', Bucket: 'outin-1', FileName: 'sv/1a-2b/1a-2b.m3u8', ObjectPrefix: 'sv/1a-2b/' })))
      .toEqual({ endpoint: 'https://oss-cn-shanghai.aliyuncs.com', bucket: 'outin-1', objectKey: 'sv/1a-2b/1a-2b.m3u8', objectPrefix: 'sv/1a-2b/' });
    const e = decodeError(() => decodeUploadAddress(b64({ Endpoint: 'e', Bucket: 'b', FileName: 'f.m3u8', ObjectPrefix: 7 })));
    expect(e.message).toMatch(/ObjectPrefix/);
  });

  it('adds a scheme to a bare endpoint and drops a trailing slash', () => {
    expect(decodeUploadAddress(b64({ Endpoint: 'oss-cn-beijing.aliyuncs.com/', Bucket: 'b', FileName: 'k' })).endpoint)
      .toBe('https://oss-cn-beijing.aliyuncs.com');
    expect(decodeUploadAddress(b64({ Endpoint: 'http://127.0.0.1:9000', Bucket: 'b', FileName: 'k' })).endpoint)
      .toBe('http://127.0.0.1:9000');
  });

  it.each([
    ['missing', undefined, /missing/],
    ['empty', '', /missing/],
    ['not base64', 'not*base64!', /not base64/],
    ['not JSON', b64('hello'), /JSON/],
    ['a JSON array', b64([1, 2]), /JSON object/],
    ['without Bucket', b64({ Endpoint: 'e', FileName: 'f' }), /Bucket/],
  ])('rejects an address that is %s', (_what, input, message) => {
    const e = decodeError(() => decodeUploadAddress(input));
    expect(e.code).toBe('MalformedUploadAuth');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/UploadAddress/);
  });
});

describe('decodeUploadAuth', () => {
  it('decodes the credential and takes expiresAt from ExpireUTCTime', () => {
    expect(decodeUploadAuth(b64(AUTH), 0)).toEqual({
      accessKeyId: 'STS.NTx1',
      accessKeySecret: 'sts-secret',
      securityToken: 'CAIS-token',
      region: 'cn-shanghai',
      expiresAt: Date.UTC(2030, 0, 2, 3, 4, 5),
    });
  });

  it('falls back to now + Expiration seconds', () => {
    const { ExpireUTCTime: _drop, ...rest } = AUTH;
    expect(decodeUploadAuth(b64(rest), 1_000_000).expiresAt).toBe(1_000_000 + 3000 * 1000);
    expect(decodeUploadAuth(b64({ ...rest, Expiration: 60 }), 5).expiresAt).toBe(60_005);
  });

  it('leaves region out when the service does not give one', () => {
    const { Region: _drop, ...rest } = AUTH;
    expect(decodeUploadAuth(b64(rest))).not.toHaveProperty('region');
  });

  it.each([
    ['without SecurityToken', { ...AUTH, SecurityToken: undefined }, /SecurityToken/],
    ['without AccessKeySecret', { ...AUTH, AccessKeySecret: '' }, /AccessKeySecret/],
    ['with a bad ExpireUTCTime', { ...AUTH, ExpireUTCTime: 'tomorrow' }, /ExpireUTCTime/],
    ['with a bad Expiration', { ...AUTH, ExpireUTCTime: undefined, Expiration: 'soon' }, /Expiration/],
    ['without any expiry', { ...AUTH, ExpireUTCTime: undefined, Expiration: undefined }, /neither/],
  ])('rejects a credential %s', (_what, obj, message) => {
    const e = decodeError(() => decodeUploadAuth(b64(obj)));
    expect(e.message).toMatch(message);
    expect(e.message).toMatch(/UploadAuth/);
    // The secret it carried must not be repeated in the error.
    expect(e.message).not.toContain('sts-secret');
  });
});

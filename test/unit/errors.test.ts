import { describe, expect, it } from 'vitest';
import {
  classifyError, EngineError, isCredentialRefreshError, redact, toJobError, type ErrorKind,
} from '../../main/engine/errors';

/** The error pop-core's RPCClient.request throws for a body with a non-OK Code (lib/rpc.js). */
function popCoreError(body: { Code: string; Message: string; RequestId?: string }, statusCode: number): Error {
  const url = 'https://vod.cn-shanghai.aliyuncs.com/';
  const err = new Error(`${body.Message}, URL: ${url}`) as Error & Record<string, unknown>;
  err.name = `${body.Code}Error`;
  err.data = { HostId: 'vod.cn-shanghai.aliyuncs.com', RequestId: body.RequestId ?? 'REQ-1', ...body };
  err.code = body.Code;
  err.url = url;
  err.entry = { url, request: { headers: {} }, response: { statusCode, headers: {} } };
  return err;
}

/** The error ali-oss's requestError builds from an OSS XML error body (lib/client.js). */
function aliOssError(code: string, status: number, message = 'msg', requestId = 'OSS-REQ-1'): Error {
  const err = new Error(message) as Error & Record<string, unknown>;
  err.name = `${code}Error`;
  err.status = status;
  err.code = code;
  err.requestId = requestId;
  err.hostId = 'bucket.oss-cn-shanghai.aliyuncs.com';
  return err;
}

function sysError(code: string, extra: Record<string, unknown> = {}): Error {
  return Object.assign(new Error(`${code} something`), { code, errno: -1, ...extra });
}

describe('classifyError: VOD (pop-core) service codes', () => {
  const table: Array<[string, number, ErrorKind, boolean]> = [
    ['Throttling', 400, 'throttled', true],
    ['Throttling.User', 400, 'throttled', true],
    ['Throttling.Api', 503, 'throttled', true],
    ['ServiceUnavailable', 503, 'server', true],
    ['ServiceUnAvailable', 503, 'server', true],
    ['InternalError', 500, 'server', true],
    ['SomeNewBackendFault', 502, 'server', true],
    ['InvalidAccessKeyId.NotFound', 404, 'auth', false],
    ['InvalidAccessKeyId.Inactive', 400, 'auth', false],
    ['SignatureDoesNotMatch', 400, 'auth', false],
    ['InvalidTimeStamp.Expired', 400, 'auth', false],
    ['InvalidSecurityToken.Expired', 400, 'auth', false],
    ['SignatureNonceUsed', 400, 'auth', true],
    ['Forbidden', 403, 'permission', false],
    ['Forbidden.RAM', 403, 'permission', false],
    ['Forbidden.IllegalStatus', 403, 'permission', false],
    ['InvalidParameter', 400, 'parameter', false],
    ['InvalidParameter.Title', 400, 'parameter', false],
    ['MissingTitle', 400, 'parameter', false],
    ['InvalidStatus.Media', 400, 'parameter', false],
    ['QuotaExceeded.UploadVideo', 400, 'quota', false],
    ['MediaNotFound', 404, 'notFound', false],
    ['InvalidVideo.NotFound', 404, 'notFound', false],
    ['InvalidCateId.NotFound', 404, 'notFound', false],
    ['SomethingUnheardOf', 400, 'parameter', false],
  ];
  it.each(table)('%s (HTTP %i) → %s, retryable %s', (code, status, kind, retryable) => {
    const e = classifyError(popCoreError({ Code: code, Message: `The ${code} message.`, RequestId: 'R-42' }, status));
    expect(e).toBeInstanceOf(EngineError);
    expect(e.kind).toBe(kind);
    expect(e.retryable).toBe(retryable);
    expect(e.code).toBe(code);
    expect(e.requestId).toBe('R-42');
    expect(e.status).toBe(status);
    expect(e.message).toBe(`The ${code} message.`);
    expect(e.hint.length).toBeGreaterThan(10);
  });

  it('matches codes case-insensitively', () => {
    expect(classifyError(popCoreError({ Code: 'THROTTLING.USER', Message: 'm' }, 400)).kind).toBe('throttled');
    expect(classifyError(popCoreError({ Code: 'serviceunavailable', Message: 'm' }, 503)).retryable).toBe(true);
    expect(classifyError(popCoreError({ Code: 'invalidaccesskeyid.notfound', Message: 'm' }, 404)).kind).toBe('auth');
    expect(classifyError(popCoreError({ Code: 'FORBIDDEN.RAM', Message: 'm' }, 403)).kind).toBe('permission');
    expect(classifyError(popCoreError({ Code: 'invalidparameter', Message: 'm' }, 400)).kind).toBe('parameter');
    expect(classifyError(popCoreError({ Code: 'quotaexceeded.uploadvideo', Message: 'm' }, 400)).kind).toBe('quota');
  });

  it('gives operator hints for the common remedies', () => {
    expect(classifyError(popCoreError({ Code: 'InvalidAccessKeyId.NotFound', Message: 'm' }, 404)).hint)
      .toMatch(/Check the AccessKey ID and secret in the profile/);
    expect(classifyError(popCoreError({ Code: 'SignatureDoesNotMatch', Message: 'm' }, 400)).hint)
      .toMatch(/AccessKey ID and secret/);
    expect(classifyError(popCoreError({ Code: 'InvalidTimeStamp.Expired', Message: 'm' }, 400)).hint).toMatch(/system clock/);
  });
});

describe('classifyError: OSS (ali-oss) errors', () => {
  const table: Array<[string, number, ErrorKind, boolean]> = [
    ['SecurityTokenExpired', 403, 'credentialExpired', true],
    ['InvalidSecurityToken', 403, 'credentialExpired', true],
    ['InvalidAccessKeyId', 403, 'credentialExpired', true],
    ['SignatureDoesNotMatch', 403, 'auth', false],
    ['AccessDenied', 403, 'permission', false],
    ['RequestTimeTooSkewed', 403, 'auth', false],
    ['NoSuchUpload', 404, 'notFound', false],
    ['NoSuchKey', 404, 'notFound', false],
    ['InvalidPart', 400, 'parameter', false],
    ['InvalidPartOrder', 400, 'parameter', false],
    ['EntityTooSmall', 400, 'parameter', false],
    ['InvalidDigest', 400, 'integrity', true],
    ['BadDigest', 400, 'integrity', true],
    ['InternalError', 500, 'server', true],
    ['ServiceUnavailable', 503, 'server', true],
  ];
  it.each(table)('%s (HTTP %i) → %s, retryable %s', (code, status, kind, retryable) => {
    const e = classifyError(aliOssError(code, status, `${code} from OSS`, 'OSS-9'));
    expect(e.kind).toBe(kind);
    expect(e.retryable).toBe(retryable);
    expect(e.code).toBe(code);
    expect(e.requestId).toBe('OSS-9');
    expect(e.status).toBe(status);
  });

  it('flags exactly the OSS codes after which the lease must refresh', () => {
    for (const code of ['InvalidAccessKeyId', 'SecurityTokenExpired', 'InvalidSecurityToken', 'securitytokenexpired']) {
      expect(isCredentialRefreshError(classifyError(aliOssError(code, 403)))).toBe(true);
    }
    for (const code of ['SignatureDoesNotMatch', 'AccessDenied', 'NoSuchUpload']) {
      expect(isCredentialRefreshError(classifyError(aliOssError(code, 403)))).toBe(false);
    }
    // VOD's InvalidAccessKeyId.NotFound is the user's own wrong key: no refresh can fix it.
    expect(isCredentialRefreshError(classifyError(popCoreError({ Code: 'InvalidAccessKeyId.NotFound', Message: 'm' }, 404)))).toBe(false);
  });

  it('hints at the clock for RequestTimeTooSkewed', () => {
    expect(classifyError(aliOssError('RequestTimeTooSkewed', 403)).hint).toMatch(/system clock/);
  });

  it('classifies ali-oss transport errors (status -1 / -2, urllib names) as network', () => {
    for (const name of ['RequestError', 'ResponseError', 'ConnectionTimeoutError']) {
      const err = Object.assign(new Error('read ECONNRESET'), { name, status: name === 'ConnectionTimeoutError' ? -2 : -1, code: name });
      const e = classifyError(err);
      expect(e.kind).toBe('network');
      expect(e.retryable).toBe(true);
    }
    // ali-oss's ResponseTimeoutError carries only a name.
    const rt = Object.assign(new Error('Response timeout for 60000ms'), { name: 'ResponseTimeoutError' });
    expect(classifyError(rt).kind).toBe('network');
  });

  it('classifies an HTTP error without a parsable code by its status', () => {
    const err = Object.assign(new Error('Unknow error, status: 502'), { name: 'UnknownError', status: 502 });
    const e = classifyError(err);
    expect(e.kind).toBe('server');
    expect(e.retryable).toBe(true);
  });

  it('treats ali-oss cancel() as canceled', () => {
    expect(classifyError({ status: 0, name: 'cancel' }).kind).toBe('canceled');
    expect(classifyError({ status: 0, name: 'abort', message: 'upload task has been abort' }).kind).toBe('canceled');
  });
});

describe('classifyError: Node network and file errors', () => {
  const network = ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'ENETUNREACH'];
  it.each(network)('%s → network, retryable', (code) => {
    const e = classifyError(sysError(code));
    expect(e.kind).toBe('network');
    expect(e.retryable).toBe(true);
    expect(e.code).toBe(code);
  });

  it('socket hang up (no code) → network', () => {
    const e = classifyError(new Error('socket hang up'));
    expect(e.kind).toBe('network');
    expect(e.retryable).toBe(true);
  });

  const file: Array<[string, RegExp]> = [
    ['ENOENT', /moved or deleted/],
    ['EACCES', /permissions/],
    ['EPERM', /permissions/],
    ['ENOSPC', /disk is full/i],
    ['EISDIR', /folder/],
  ];
  it.each(file)('%s → file, not retryable, hint %s', (code, hint) => {
    const e = classifyError(sysError(code, { syscall: 'open', path: '/videos/a.mp4' }));
    expect(e.kind).toBe('file');
    expect(e.retryable).toBe(false);
    expect(e.hint).toMatch(hint);
  });

  it('EACCES from connect() is the network, not a file', () => {
    expect(classifyError(sysError('EACCES', { syscall: 'connect', address: '10.0.0.1' })).kind).toBe('network');
  });

  it('AbortError → canceled', () => {
    const ac = new AbortController();
    ac.abort();
    const e = classifyError(Object.assign(new Error('The operation was aborted'), { name: 'AbortError', code: 'ABORT_ERR' }));
    expect(e.kind).toBe('canceled');
    expect(e.retryable).toBe(false);
  });

  it('a non-JSON body from a gateway (json-bigint SyntaxError) → server, retryable', () => {
    const e = classifyError({ name: 'SyntaxError', message: 'Unexpected \'<\'', at: 1, text: '<html>' });
    expect(e.kind).toBe('server');
    expect(e.retryable).toBe(true);
  });

  it('anything else → unknown, not retryable', () => {
    expect(classifyError(new TypeError('x is not a function')).kind).toBe('unknown');
    expect(classifyError('a string').kind).toBe('unknown');
    expect(classifyError(undefined).retryable).toBe(false);
  });
});

describe('EngineError', () => {
  it('classifyError is idempotent on EngineError', () => {
    const e = classifyError(popCoreError({ Code: 'Throttling', Message: 'slow down' }, 400));
    expect(classifyError(e)).toBe(e);
    expect(classifyError(classifyError(e))).toBe(e);
  });

  it('keeps the original error as cause', () => {
    const original = sysError('ECONNRESET');
    expect(classifyError(original).cause).toBe(original);
  });

  it('never carries signatures, tokens or keys from URLs or messages', () => {
    const m = 'failed GET https://vod.cn-shanghai.aliyuncs.com/?AccessKeyId=LTAIabc&Signature=sig%3D&SecurityToken=tok123 failed.';
    const e = classifyError(Object.assign(new Error(m), { name: 'RequestTimeoutError' }));
    expect(e.message).not.toMatch(/LTAIabc|sig%3D|tok123/);
    expect(e.message).toContain('https://vod.cn-shanghai.aliyuncs.com/');
    expect(redact('AccessKeySecret: "s3cr3t" and SecurityToken=abc')).not.toMatch(/s3cr3t|abc/);
  });

  it('toJobError keeps code, message, retryability, hint and request id, with the kind for the renderer', () => {
    const e = classifyError(popCoreError({ Code: 'Forbidden.RAM', Message: 'User not authorized.', RequestId: 'R-7' }, 403));
    expect(toJobError(e)).toEqual({
      code: 'Forbidden.RAM', message: 'User not authorized.', retryable: false, hint: e.hint, requestId: 'R-7',
      params: { kind: 'permission' },
    });
    expect(toJobError(classifyError(sysError('ENOSPC')))).not.toHaveProperty('requestId');
  });
});

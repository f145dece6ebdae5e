// Job errors in both languages: every code the renderer maps (and every error kind, the
// fallback for the rest) has its text in en and zh-CN with the same placeholders, and
// errors the engine really builds (classifyError / describeTransport / toJobError) come
// out with a known key, trimmed and with the params their text needs.

import fs from 'fs';
import os from 'os';
import path from 'path';
import { describe, expect, it } from 'vitest';
import {
  classifyError, describeTransport, ERROR_KINDS, firstSentence, toJobError,
} from '../../main/engine/errors';
import { openQueueStore } from '../../main/engine/store';
import { endpointNotFound } from '../../main/engine/vod/vod-client';
import { ERROR_CODE_KEYS, ERROR_KINDS as RENDERER_KINDS, jobErrorKey } from '../../renderer/src/components/problems';
import { en } from '../../renderer/src/i18n/en';
import { zhCN } from '../../renderer/src/i18n/zh-CN';

type Tree = Record<string, unknown>;

function lookup(tree: Tree, key: string): string | undefined {
  let at: unknown = tree;
  for (const part of key.split('.')) {
    if (typeof at !== 'object' || at === null) return undefined;
    at = (at as Tree)[part];
  }
  return typeof at === 'string' ? at : undefined;
}

const placeholders = (s: string) => [...s.matchAll(/\{\{(\w+)\}\}/g)].map((m) => m[1]).sort();

/** Both languages have the key, non-empty, with the same {{placeholders}}. */
function expectBoth(key: string): void {
  const a = lookup(en as Tree, key);
  const b = lookup(zhCN as Tree, key);
  expect(a, `en ${key}`).toBeTruthy();
  expect(b, `zh-CN ${key}`).toBeTruthy();
  expect(placeholders(b!), `placeholders of ${key}`).toEqual(placeholders(a!));
}

describe('code → key mapping coverage', () => {
  it('every mapped code, every kind and every transport reason has en and zh-CN text', () => {
    const keys = new Set([...Object.values(ERROR_CODE_KEYS), 'AdoptionUncheckedRefused', 'Network']);
    for (const k of keys) expectBoth(`jobError.${k}`);
    // The renderer knows every kind the engine has, so an unmapped code still reads in both languages.
    expect([...RENDERER_KINDS].sort()).toEqual([...ERROR_KINDS].sort());
    for (const k of ERROR_KINDS) expectBoth(`jobError.kind.${k}`);
    for (const r of ['dns', 'dnsLookup', 'refused', 'unreachable', 'connectTimeout', 'timeout', 'cut', 'failed']) expectBoth(`jobError.reason.${r}`);
    for (const k of ['details', 'code', 'raw']) expectBoth(`jobError.${k}`);
  });

  it('skip reasons and validation problems have both languages', () => {
    for (const k of ['UnsupportedExtension', 'UnsupportedExtensionNone', 'HlsSegment', 'NotRegularFile', 'FileTooLarge', 'InvalidSize']) expectBoth(`skip.${k}`);
    for (const k of Object.keys(en.problem)) expectBoth(`problem.${k}`);
    // Every problem code shared/validation can give is said in both languages, as a
    // metadata problem or as a reason a file was skipped.
    const source = fs.readFileSync(path.join(__dirname, '../../shared/validation.ts'), 'utf8');
    const codes = [...new Set([...source.matchAll(/code: '(\w+)'/g)].map((m) => m[1]))];
    expect(codes.length).toBeGreaterThan(15);
    for (const c of codes) expectBoth(c in en.problem ? `problem.${c}` : `skip.${c}`);
  });

  it('maps errors the engine builds to known keys, with the params their text uses', () => {
    const cases: [unknown, string][] = [
      [Object.assign(new Error('ENOSPC: no space left'), { code: 'ENOSPC', path: '/x' }), 'DiskFull'],
      [Object.assign(new Error('database or disk is full'), { name: 'SqliteError', code: 'SQLITE_FULL' }), 'DiskFull'],
      [Object.assign(new Error('ENOENT: no such file'), { code: 'ENOENT', path: '/x.mp4' }), 'FileMissing'],
      [Object.assign(new Error('timed out'), { name: 'RequestTimeoutError', code: 'RequestTimeout', status: 400 }), 'RequestTimeout'],
      [Object.assign(new Error('Please reduce your request rate.'), { name: 'ThrottlingError', code: 'Throttling.User', status: 503 }), 'kind.throttled'],
      [Object.assign(new Error('no'), { name: 'ForbiddenError', code: 'Forbidden.RAM', status: 403 }), 'ForbiddenRam'],
      [Object.assign(new Error('no'), { name: 'AccessDeniedError', code: 'AccessDenied', status: 403 }), 'kind.permission'],
      [Object.assign(new Error('no'), { code: 'InvalidAccessKeyId.NotFound', status: 404 }), 'AccessKeyNotFound'],
    ];
    for (const [err, key] of cases) {
      const job = toJobError(classifyError(err));
      expect(jobErrorKey(job), job.code).toBe(key);
      expectBoth(`jobError.${key}`);
    }
    // A status VOD reports (status-poller builds these with kind unknown).
    expect(jobErrorKey({ code: 'TranscodeFail', params: { kind: 'unknown' } })).toBe('TranscodeFail');
    // A stored job from before params: the code alone still finds its text.
    expect(jobErrorKey({ code: 'FileChanged' })).toBe('FileChanged');
  });

  it('a transport failure carries service, host and reason, and reads without the library\'s URL', () => {
    const raw = Object.assign(new Error('socket hang up (req "error"), POST https://vod.cn-shanghai.aliyuncs.com/?Action=CreateUploadVideo&Signature=abc'), { code: 'ECONNRESET' });
    const e = describeTransport(raw, 'VOD', 'vod.cn-shanghai.aliyuncs.com');
    expect(e.message).toBe('Could not reach VOD (vod.cn-shanghai.aliyuncs.com): the connection was cut.');
    expect(e.message).not.toMatch(/POST|https:/);
    const job = toJobError(e);
    expect(job.params).toMatchObject({ kind: 'network', service: 'VOD', host: 'vod.cn-shanghai.aliyuncs.com', reason: 'cut' });
    expect(jobErrorKey(job)).toBe('Network');
    expect(placeholders(en.jobError.Network)).toEqual(['host', 'reason', 'service']);

    // A VOD host that does not resolve keeps the host for its text.
    const dns = describeTransport(Object.assign(new Error('getaddrinfo ENOTFOUND vod.cn-nowhere.aliyuncs.com'), { code: 'ENOTFOUND', syscall: 'getaddrinfo' }), 'VOD', 'vod.cn-nowhere.aliyuncs.com');
    expect(toJobError(dns).params).toMatchObject({ reason: 'dns' });
    const missing = endpointNotFound(dns, 'https://vod.cn-nowhere.aliyuncs.com');
    expect(missing?.code).toBe('VodEndpointNotFound');
    const mj = toJobError(missing!);
    expect(jobErrorKey(mj)).toBe('VodEndpointNotFound');
    expect(mj.params?.host).toBe('vod.cn-nowhere.aliyuncs.com');
  });
});

describe('SignatureDoesNotMatch', () => {
  const stringToSign = 'POST&%2F&AccessKeyId%3DLTAI5tExample%26Action%3DGetCategories%26Format%3DJSON%26RegionId%3Dcn-shanghai%26SignatureMethod%3DHMAC-SHA1';

  it('keeps the first sentence for the operator and the whole text as detail', () => {
    const raw = `Specified signature is not matched with our calculation. server string to sign is:${stringToSign}`;
    const err = Object.assign(new Error(`${raw}, URL: https://vod.cn-shanghai.aliyuncs.com/`), {
      name: 'SignatureDoesNotMatchError', code: 'SignatureDoesNotMatch',
      data: { Code: 'SignatureDoesNotMatch', Message: raw, RequestId: 'R-1' },
      entry: { response: { statusCode: 400 } },
    });
    const e = classifyError(err);
    expect(e.message).toBe('Specified signature is not matched with our calculation.');
    expect(e.detail).toContain('string to sign');
    const job = toJobError(e);
    expect(job.message).not.toContain('string to sign');
    expect(jobErrorKey(job)).toBe('Signature');
  });

  it('cuts a message without a full stop before the string-to-sign', () => {
    expect(firstSentence(`Signature mismatch server string to sign is:${stringToSign}`)).toBe('Signature mismatch');
    expect(firstSentence('The request signature we calculated does not match the signature you provided. Check your key and signing method.'))
      .toBe('The request signature we calculated does not match the signature you provided.');
  });
});

describe('stored job errors', () => {
  it('keep their params through the queue database', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-err-params-'));
    const store = openQueueStore(path.join(dir, 'queue.db'));
    try {
      const [id] = store.insertJobs([{ path: '/m/a.mp4', fileName: 'a.mp4', size: 1, mtimeMs: 1, meta: { title: 'a', tags: [] } }]);
      store.transition(id, 'creating');
      const error = toJobError(describeTransport(Object.assign(new Error('socket hang up'), { code: 'ECONNRESET' }), 'OSS', 'b.oss-cn-shanghai.aliyuncs.com'));
      store.transition(id, 'waiting', { error });
      expect(store.getJob(id)?.error?.params).toEqual({ kind: 'network', service: 'OSS', host: 'b.oss-cn-shanghai.aliyuncs.com', reason: 'cut' });
    } finally {
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

// The proxy policy's decisions (main/engine/net/proxy.ts), the proxy URL checks
// (shared/validation.ts) and the OSS endpoint rewrite (main/engine/net/oss-endpoint.ts).

import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { maskProxyUrl, parseProxyUrl, proxyVariablesSet, routeFor, routeFromPac, describeRoute } from '../../main/engine/net/proxy';
import { rewriteOssEndpoint } from '../../main/engine/net/oss-endpoint';
import { decodeUploadAddress } from '../../main/engine/vod/upload-auth';
import { proxyUrlProblem } from '../../shared/validation';

const VARS = ['NO_PROXY', 'no_proxy', 'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy', 'npm_config_proxy', 'npm_config_https_proxy', 'npm_config_http_proxy', 'npm_config_no_proxy'];
let saved: Record<string, string | undefined> = {};
beforeEach(() => {
  saved = Object.fromEntries(VARS.map((k) => [k, process.env[k]]));
  for (const k of VARS) delete process.env[k];
});
afterEach(() => {
  for (const [k, v] of Object.entries(saved)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

const VOD = 'https://vod.cn-shanghai.aliyuncs.com/';
const OSS = 'https://bucket.oss-cn-shanghai.aliyuncs.com/';

function where(route: Awaited<ReturnType<typeof routeFor>>): string {
  return route.kind === 'direct' ? 'direct' : route.proxy.href.replace(/\/$/, '');
}

describe('routeFor', () => {
  it('mode none: direct whatever the variables say', async () => {
    process.env.HTTPS_PROXY = 'http://p:3128';
    expect(where(await routeFor(VOD, { mode: 'none' }))).toBe('direct');
  });

  it('mode system: the variables by scheme, lower or upper case, ALL_PROXY as the fallback', async () => {
    expect(where(await routeFor(VOD, { mode: 'system' }))).toBe('direct');
    process.env.https_proxy = 'http://secure-proxy:3128';
    process.env.HTTP_PROXY = 'socks5://plain-proxy:1080';
    expect(where(await routeFor(VOD, { mode: 'system' }))).toBe('http://secure-proxy:3128');
    expect(where(await routeFor('http://127.0.0.1:9000/', { mode: 'system' }))).toBe('socks5://plain-proxy:1080');
    delete process.env.https_proxy;
    delete process.env.HTTP_PROXY;
    process.env.ALL_PROXY = 'socks5h://all:1080';
    expect(where(await routeFor(OSS, { mode: 'system' }))).toBe('socks5h://all:1080');
  });

  it('a variable naming a scheme the engine cannot speak stops with what to fix, not retried', async () => {
    process.env.ALL_PROXY = 'socks4://u:pw-in-var@old:1080';
    const err = await routeFor(VOD, { mode: 'system' }).then(() => undefined, (e: unknown) => e as { code: string; retryable: boolean; message: string });
    expect([err?.code, err?.retryable]).toEqual(['InvalidProxy', false]);
    expect(err?.message).toContain('The proxy scheme "socks4" is not supported');
    expect(err?.message).not.toContain('pw-in-var');
  });

  it('a variable without a scheme is an HTTP proxy, for https targets too; the variables are left as they were', async () => {
    process.env.HTTPS_PROXY = 'proxy.corp:3128';
    expect(where(await routeFor(VOD, { mode: 'system' }))).toBe('http://proxy.corp:3128');
    expect(process.env.HTTPS_PROXY).toBe('proxy.corp:3128');
    expect(process.env.https_proxy).toBeUndefined();
  });

  it('NO_PROXY: suffixes, exact hosts, ports and *; loopback is proxied unless listed', async () => {
    process.env.HTTPS_PROXY = 'http://p:3128';
    process.env.HTTP_PROXY = 'http://p:3128';
    expect(where(await routeFor('http://127.0.0.1:4000/', { mode: 'system' }))).toBe('http://p:3128');
    process.env.NO_PROXY = '.aliyuncs.com,127.0.0.1:4000';
    expect(where(await routeFor(OSS, { mode: 'system' }))).toBe('direct');
    expect(where(await routeFor('http://127.0.0.1:4000/', { mode: 'system' }))).toBe('direct');
    expect(where(await routeFor('http://127.0.0.1:4001/', { mode: 'system' }))).toBe('http://p:3128');
    process.env.no_proxy = '*';
    delete process.env.NO_PROXY;
    expect(where(await routeFor(VOD, { mode: 'system' }))).toBe('direct');
  });

  it('mode system without variables asks the OS resolver; with variables it does not', async () => {
    const asked: string[] = [];
    const resolveSystem = async (url: string) => {
      asked.push(url);
      return 'PROXY corp:8080; DIRECT';
    };
    expect(where(await routeFor(VOD, { mode: 'system', resolveSystem }))).toBe('http://corp:8080');
    expect(asked).toEqual([VOD]);
    process.env.HTTPS_PROXY = 'http://env:1';
    expect(where(await routeFor(VOD, { mode: 'system', resolveSystem }))).toBe('http://env:1');
    expect(asked).toHaveLength(1);
    expect(proxyVariablesSet()).toBe(true);
  });

  it('mode manual: the URL for every scheme, NO_PROXY respected, other variables ignored', async () => {
    process.env.HTTPS_PROXY = 'http://env:1';
    const policy = { mode: 'manual' as const, url: 'socks5://u:p@manual:1080' };
    expect(where(await routeFor(VOD, policy))).toBe('socks5://u:p@manual:1080');
    expect(where(await routeFor('http://127.0.0.1:4000/', policy))).toBe('socks5://u:p@manual:1080');
    process.env.NO_PROXY = '127.0.0.1';
    expect(where(await routeFor('http://127.0.0.1:4000/', policy))).toBe('direct');
    // The variables were put back as they were.
    expect(process.env.HTTPS_PROXY).toBe('http://env:1');
    expect(process.env.all_proxy).toBeUndefined();
  });
});

describe('PAC answers (Electron session.resolveProxy)', () => {
  it.each([
    ['DIRECT', 'direct'],
    ['PROXY proxy.corp:8080; DIRECT', 'http://proxy.corp:8080'],
    ['HTTPS secure.corp:443', 'https://secure.corp'],
    ['SOCKS5 s.corp:1080', 'socks5://s.corp:1080'],
    ['SOCKS s.corp:1080', 'socks5://s.corp:1080'],
    ['QUIC q:443; SOCKS4 old:1080; PROXY p:3128', 'http://p:3128'],
    ['', 'direct'],
  ])('%j → %s', (answer, expected) => {
    expect(where(routeFromPac(answer))).toBe(expected);
  });
});

describe('proxy URLs', () => {
  it('accepts http, https, socks5, socks5h; socks:// means socks5h', () => {
    for (const u of ['http://p:3128', 'https://u:p@p', 'socks5://127.0.0.1:1080', 'socks5h://[::1]:1080']) expect(proxyUrlProblem(u)).toBeUndefined();
    expect(parseProxyUrl('socks://h:1080').protocol).toBe('socks5h:');
  });

  it('refuses others, without repeating the URL (it may hold a password)', () => {
    const problems = ['', 'proxy.corp:8080x', 'ftp://u:secret@p', 'socks4://p:1080', 'http://p:1/path'].map(proxyUrlProblem);
    expect(problems.every((p) => typeof p === 'string')).toBe(true);
    expect(problems.join(' ')).not.toContain('secret');
    expect(() => parseProxyUrl('ftp://u:secret@p')).toThrow(/scheme "ftp"/);
  });

  it('masks the password and keeps the user', () => {
    expect(maskProxyUrl('http://op:s3cr%40t@proxy.corp:8080')).toBe('http://op:••••@proxy.corp:8080');
    expect(maskProxyUrl('socks5://proxy.corp:1080')).toBe('socks5://proxy.corp:1080');
    expect(describeRoute({ kind: 'proxy', proxy: new URL('http://op:s3cret@proxy.corp:8080'), why: 'the proxy setting' })).toBe('http proxy proxy.corp:8080 (the proxy setting)');
  });
});

describe('rewriteOssEndpoint', () => {
  // UploadAddress as VOD sends it (vod-oss-facts.md): base64 JSON {Endpoint, Bucket, FileName}.
  const address = (endpoint: string) => decodeUploadAddress(Buffer.from(JSON.stringify({
    Endpoint: endpoint, Bucket: 'outin-0123456789abcdef', FileName: 'sv/1a2b3c/1a2b3c-4d5e.mp4',
  })).toString('base64')).endpoint;

  it('accelerate: the regional public endpoint becomes oss-accelerate, scheme kept', () => {
    expect(rewriteOssEndpoint(address('https://oss-cn-shanghai.aliyuncs.com'), 'accelerate')).toBe('https://oss-accelerate.aliyuncs.com');
    expect(rewriteOssEndpoint(address('oss-ap-southeast-1.aliyuncs.com'), 'accelerate')).toBe('https://oss-accelerate.aliyuncs.com');
    expect(rewriteOssEndpoint(address('http://oss-eu-central-1.aliyuncs.com'), 'accelerate')).toBe('http://oss-accelerate.aliyuncs.com');
  });

  it('internal: oss-<region>-internal, for every region shape', () => {
    expect(rewriteOssEndpoint(address('https://oss-cn-shanghai.aliyuncs.com'), 'internal')).toBe('https://oss-cn-shanghai-internal.aliyuncs.com');
    expect(rewriteOssEndpoint(address('https://oss-cn-north-2-gov-1.aliyuncs.com'), 'internal')).toBe('https://oss-cn-north-2-gov-1-internal.aliyuncs.com');
    expect(rewriteOssEndpoint(address('https://oss-cn-beijing-internal.aliyuncs.com'), 'internal')).toBe('https://oss-cn-beijing-internal.aliyuncs.com');
    expect(rewriteOssEndpoint(address('https://oss-cn-beijing-internal.aliyuncs.com'), 'accelerate')).toBe('https://oss-accelerate.aliyuncs.com');
  });

  it('default, IPs, custom domains and the accelerate host itself stay as VOD gave them', () => {
    expect(rewriteOssEndpoint('https://oss-cn-shanghai.aliyuncs.com', 'default')).toBe('https://oss-cn-shanghai.aliyuncs.com');
    expect(rewriteOssEndpoint(address('http://127.0.0.1:4567'), 'accelerate')).toBe('http://127.0.0.1:4567');
    expect(rewriteOssEndpoint(address('http://127.0.0.1:4567'), 'internal')).toBe('http://127.0.0.1:4567');
    expect(rewriteOssEndpoint('https://media.example.com', 'accelerate')).toBe('https://media.example.com');
    expect(rewriteOssEndpoint('https://oss-accelerate.aliyuncs.com', 'internal')).toBe('https://oss-accelerate.aliyuncs.com');
  });
});

// Uploads through proxies of the test's own (test/fixtures/proxy-servers.ts): real pop-core
// and ali-oss, the real sandbox, the engine's one routing agent (main/engine/net/proxy.ts).
// "Every request went through the proxy" = the proxy carried as many HTTP requests as the
// sandbox answered, and the agent opened no direct connection.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../main/engine';
import { classifyError } from '../../main/engine/errors';
import { configureOssEndpoint } from '../../main/engine/net/oss-endpoint';
import { configureProxy, networkAgent } from '../../main/engine/net/proxy';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox, type Sandbox } from '../../main/sandbox';
import { randomFile, tempDir } from '../helpers/files';
import { startHttpProxy, startSocks5Proxy, type TestProxy } from '../fixtures/proxy-servers';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];
const ENV_KEYS = ['NO_PROXY', 'no_proxy', 'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy'];
let savedEnv: Record<string, string | undefined> = {};

beforeEach(() => {
  savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
});

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
  configureProxy({ mode: 'system' });
  configureOssEndpoint('default');
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

function totalRequests(sb: Sandbox): number {
  return Object.values(sb.stats().requests).reduce((a, b) => a + b, 0);
}

async function setup(proxy: TestProxy | undefined, files: number[], providerFor?: (sb: Sandbox) => AliyunVodProvider) {
  const sb = await startSandbox({ transcodeMs: 100 });
  const dir = await tempDir();
  const provider = providerFor?.(sb) ?? new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
  const engine = await openEngine({ dbPath: path.join(dir, 'queue.db'), providerFor: () => provider, settings: { partSizeMiB: 1, partsInFlight: 2, filesInFlight: 2 } });
  cleanups.push(async () => {
    await sb.close();
    if (proxy) await proxy.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });
  cleanups.push(() => engine.shutdown());
  const paths = await Promise.all(files.map((size, i) => randomFile(dir, `clip${i}.mp4`, size)));
  return { sb, engine, paths };
}

async function uploadAll(engine: Awaited<ReturnType<typeof openEngine>>, paths: string[]) {
  const { added } = await engine.addJobs(paths.map((p, i) => ({ path: p, meta: { title: `proxied ${i}`, tags: [] } })));
  expect(added).toHaveLength(paths.length);
  await engine.whenIdle();
  return engine.queryJobs({ offset: 0, limit: 100 }).rows;
}

describe('uploads through a proxy', () => {
  it.each([
    ['an HTTP proxy (CONNECT)', startHttpProxy],
    ['a SOCKS5 proxy', startSocks5Proxy],
  ])('carries every VOD and OSS request through %s', async (_name, start) => {
    const proxy = await start();
    configureProxy({ mode: 'manual', url: proxy.url });
    const before = { ...networkAgent().counts };
    const { sb, engine, paths } = await setup(proxy, [3 * MiB + 11, 200 * 1024]);

    const jobs = await uploadAll(engine, paths);
    expect(jobs.map((j) => [j.state, j.error?.message])).toEqual(jobs.map(() => ['ready', undefined]));
    for (const j of jobs) {
      const v = sb.video(j.videoId!)!;
      expect((await sb.readObject(v.bucket, v.objectKey))?.equals(await fsp.readFile(j.path))).toBe(true);
    }

    // VOD (CreateUploadVideo, GetVideoInfo…) and OSS (Initiate, UploadPart, Complete) alike.
    const carried = proxy.requests;
    expect(carried.some((r) => /\.aliyuncs\.com/.test(r.host) && r.method === 'PUT')).toBe(true);
    expect(carried.some((r) => r.method === 'POST' && r.path === '/' && !/oss/.test(r.host))).toBe(true);
    expect(carried.length).toBe(totalRequests(sb));
    expect(networkAgent().counts.direct).toBe(before.direct);
    expect(networkAgent().counts.proxied).toBeGreaterThan(before.proxied);
    expect(new Set(proxy.tunnels)).toEqual(new Set([new URL(sb.url).host]));
  });

  it('goes direct for hosts NO_PROXY names, through the variables\' proxy otherwise', async () => {
    const proxy = await startHttpProxy();
    process.env.HTTP_PROXY = proxy.url;
    process.env.https_proxy = proxy.url;
    process.env.NO_PROXY = 'example.com,127.0.0.1';
    configureProxy({ mode: 'system' });
    const before = { ...networkAgent().counts };
    const { sb, engine, paths } = await setup(proxy, [2 * MiB + 1]);
    const jobs = await uploadAll(engine, paths);
    expect(jobs.map((j) => j.state)).toEqual(['ready']);
    expect(totalRequests(sb)).toBeGreaterThan(0);
    expect(proxy.requests).toEqual([]);
    expect(networkAgent().counts.proxied).toBe(before.proxied);
    expect(networkAgent().counts.direct).toBeGreaterThan(before.direct);

    // The same variables without the exemption: everything goes through the proxy.
    delete process.env.NO_PROXY;
    configureProxy({ mode: 'system' });
    const more = await randomFile(path.dirname(paths[0]), 'again.mp4', MiB + 3);
    const { added } = await engine.addJobs([{ path: more, meta: { title: 'again', tags: [] } }]);
    await engine.whenIdle();
    expect(engine.getJob(added[0].id)?.state).toBe('ready');
    expect(proxy.requests.length).toBeGreaterThan(0);
    expect(proxy.requests.some((r) => r.method === 'PUT')).toBe(true);
  });

  it('a manual proxy also leaves NO_PROXY hosts alone', async () => {
    const proxy = await startSocks5Proxy();
    process.env.no_proxy = '127.0.0.1';
    configureProxy({ mode: 'manual', url: proxy.url });
    const { engine, paths } = await setup(proxy, [MiB]);
    const jobs = await uploadAll(engine, paths);
    expect(jobs.map((j) => j.state)).toEqual(['ready']);
    expect(proxy.tunnels).toEqual([]);
  });
});

describe('proxy credentials', () => {
  it.each([
    ['HTTP', startHttpProxy],
    ['SOCKS5', startSocks5Proxy],
  ])('%s: without them the job fails with a clear error; with them it uploads', async (_name, start) => {
    const proxy = await start({ auth: { user: 'op', password: 'pa ss:wörd' } });
    const bare = new URL(proxy.url);
    bare.username = '';
    bare.password = '';
    configureProxy({ mode: 'manual', url: bare.href });
    const { sb, engine, paths } = await setup(proxy, [MiB]);
    const [failed] = await uploadAll(engine, paths);
    expect(failed.state).toBe('failed');
    expect(failed.error?.code).toBe('ProxyAuthRequired');
    expect(failed.error?.message).toMatch(new RegExp(`proxy 127\\.0\\.0\\.1:${proxy.port} asks for a user name and password`));
    expect(failed.error?.hint).toMatch(/user name and password/);
    expect(proxy.authRefusals).toBeGreaterThan(0);
    expect(totalRequests(sb)).toBe(0);

    // Wrong password: "refused", and the password itself is in no message.
    const wrong = new URL(proxy.url);
    wrong.password = 'nope-secret';
    configureProxy({ mode: 'manual', url: wrong.href });
    await engine.retry([failed.id]);
    await engine.whenIdle();
    const refused = engine.getJob(failed.id)!;
    expect(refused.error?.code).toBe('ProxyAuthRequired');
    expect(refused.error?.message).toMatch(/refused the user name and password/);
    expect(JSON.stringify(refused)).not.toContain('nope-secret');

    configureProxy({ mode: 'manual', url: proxy.url });
    await engine.retry([failed.id]);
    await engine.whenIdle();
    expect(engine.getJob(failed.id)?.state).toBe('ready');
    expect(proxy.requests.length).toBe(totalRequests(sb));
  });

  it('a proxy that is not there is a network error naming the proxy, and retried', () => {
    const e = classifyError(Object.assign(new Error('x'), { name: 'ProxyError', code: 'ProxyUnreachable', summary: 'Could not reach the proxy 127.0.0.1:9: the connection was refused.' }));
    expect([e.kind, e.retryable, e.message]).toEqual(['network', true, 'Could not reach the proxy 127.0.0.1:9: the connection was refused.']);
  });
});

describe('the OSS endpoint option', () => {
  it('accelerate: every OSS request goes to <bucket>.oss-accelerate.aliyuncs.com (the tests\' DNS maps it to the sandbox)', async () => {
    let sandboxPort = 0;
    // The test's DNS: Alibaba's names resolve to the sandbox (inside the proxy, which dials them).
    const proxy = await startHttpProxy({ resolve: (host, port) => (host.endsWith('.aliyuncs.com') ? { host: '127.0.0.1', port: sandboxPort } : { host, port }) });
    configureProxy({ mode: 'manual', url: proxy.url });
    configureOssEndpoint('accelerate');
    // VOD's real UploadAddress shape: the regional public endpoint. The sandbox hands out its
    // IP, which is never rewritten; this provider reports the regional name (port kept).
    class RegionalAddresses extends AliyunVodProvider {
      override async createUpload(input: Parameters<AliyunVodProvider['createUpload']>[0]) {
        const c = await super.createUpload(input);
        return { ...c, address: { ...c.address, endpoint: regional(c.address.endpoint) } };
      }
      override async refreshUpload(videoId: string) {
        const r = await super.refreshUpload(videoId);
        return { ...r, address: { ...r.address, endpoint: regional(r.address.endpoint) } };
      }
    }
    let region = '';
    const regional = (endpoint: string): string => endpoint.replace('127.0.0.1', `oss-${region}.aliyuncs.com`);
    const { sb, engine, paths } = await setup(proxy, [3 * MiB + 5], (s) => {
      region = s.region;
      sandboxPort = Number(new URL(s.url).port);
      return new RegionalAddresses({ accessKeyId: s.accessKeyId, accessKeySecret: s.accessKeySecret, region: s.region, endpoint: s.url });
    });
    const [job] = await uploadAll(engine, paths);
    expect([job.state, job.error?.message]).toEqual(['ready', undefined]);
    const ossTunnels = proxy.tunnels.filter((t) => t !== new URL(sb.url).host);
    expect(ossTunnels.length).toBeGreaterThan(0);
    expect(new Set(ossTunnels)).toEqual(new Set([`${sb.bucket}.oss-accelerate.aliyuncs.com:${sandboxPort}`]));
    const ossRequests = proxy.requests.filter((r) => r.host.includes('oss'));
    expect(ossRequests.length).toBeGreaterThanOrEqual(4);
    expect(ossRequests.every((r) => r.host === `${sb.bucket}.oss-accelerate.aliyuncs.com:${sandboxPort}`)).toBe(true);
  });

  it('accelerate with the sandbox\'s IP endpoint: used as given, the upload goes through', async () => {
    configureOssEndpoint('accelerate');
    configureProxy({ mode: 'none' });
    const { engine, paths } = await setup(undefined, [MiB + 7]);
    const jobs = await uploadAll(engine, paths);
    expect(jobs.map((j) => j.state)).toEqual(['ready']);
  });
});

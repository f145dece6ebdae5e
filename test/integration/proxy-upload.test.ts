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
});

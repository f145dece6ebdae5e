// The app's network settings over the IPC contract: the proxy test's answers, the proxy URL's
// password sealed and never shown, the setting applied to uploads and kept across restarts.
// Real parts: createApp (SQLite, the file SecretBox), the sandbox as an Alibaba Cloud
// account, the unmodified clients, and an HTTP proxy of the test's own.

import fsp from 'node:fs/promises';
import net from 'node:net';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createApp, type App } from '../../main/app/create-app';
import { createDispatcher } from '../../main/app/dispatch';
import { createFileSecretBox } from '../../main/app/file-secret-box';
import { configureOssEndpoint, ossEndpointMode } from '../../main/engine/net/oss-endpoint';
import { configureProxy } from '../../main/engine/net/proxy';
import { startSandbox, type Sandbox } from '../../main/sandbox/index';
import type { JobView } from '../../shared/types';
import { randomFile, tempDir } from '../helpers/files';
import { startHttpProxy, type TestProxy } from '../fixtures/proxy-servers';

const PASSWORD = 'Zq9-proxy-pw';
const cleanups: (() => Promise<unknown>)[] = [];
const ENV_KEYS = ['NO_PROXY', 'no_proxy', 'HTTP_PROXY', 'http_proxy', 'HTTPS_PROXY', 'https_proxy', 'ALL_PROXY', 'all_proxy'];
let savedEnv: Record<string, string | undefined> = {};

beforeEach(() => {
  savedEnv = Object.fromEntries(ENV_KEYS.map((k) => [k, process.env[k]]));
  for (const k of ENV_KEYS) delete process.env[k];
});

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
  configureProxy({ mode: 'system' });
  configureOssEndpoint('default');
  for (const [k, v] of Object.entries(savedEnv)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
});

async function openApp(dir: string, cloud: Sandbox): Promise<App> {
  const app = await createApp({ dataDir: `${dir}/app`, secretBox: createFileSecretBox(`${dir}/app`), shell: 'web', version: '0.0.0-test', locale: 'en' });
  if (!(await app.controller.listProfiles()).some((p) => p.name === 'Cloud')) {
    const profile = await app.controller.saveProfile({
      name: 'Cloud', kind: 'aliyun', accessKeyId: cloud.accessKeyId, accessKeySecret: cloud.accessKeySecret, region: cloud.region, endpoint: cloud.url,
    });
    await app.controller.setActiveProfile(profile.id);
    await app.controller.updateSettings({ partSizeMiB: 1 });
  }
  return app;
}

async function setup(): Promise<{ app: App; cloud: Sandbox; dir: string; proxy: TestProxy }> {
  const dir = await tempDir('vodup-app-network-');
  const cloud = await startSandbox({ dataDir: `${dir}/cloud`, transcodeMs: 100 });
  const proxy = await startHttpProxy({ auth: { user: 'op', password: PASSWORD } });
  const app = await openApp(dir, cloud);
  const holder = { app };
  cleanups.push(() => fsp.rm(dir, { recursive: true, force: true }), () => cloud.close(), () => proxy.close(), () => holder.app.dispose());
  return { app, cloud, dir, proxy };
}

/** Adds one file and resolves with its job once it is done (ready, failed or canceled). */
async function uploadOne(app: App, file: string): Promise<JobView> {
  const reply = await app.controller.addJobs([{ path: file, meta: { title: path.basename(file), tags: [] } }]);
  expect(reply.added).toBe(1);
  const { rows } = await app.controller.queryJobs({ offset: 0, limit: 1000 });
  return waitDone(app, rows.find((j) => j.path === file)!.id);
}

function waitDone(app: App, id: number): Promise<JobView> {
  return new Promise((resolve, reject) => {
    const check = (): void => {
      void app.controller.getJob(id).then((j) => {
        if (j && ['ready', 'failed', 'canceled'].includes(j.state)) {
          off();
          resolve(j);
        }
      }, reject);
    };
    const off = app.events.onJobsChanged(check);
    check();
  });
}

async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as net.AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

describe('network settings in the app', () => {
  it('the proxy test names the failing hop, or the latency', async () => {
    const { app, cloud, proxy } = await setup();
    const bare = proxy.url.replace(/\/\/[^@]*@/, '//');

    const noAuth = await app.controller.testProxy({ proxyMode: 'manual', proxyUrl: bare });
    expect(noAuth.outcome).toBe('proxyAuth');
    expect(noAuth.message).toContain(`The proxy 127.0.0.1:${proxy.port} asks for a user name and password (407 Proxy Authentication Required).`);

    const wrong = await app.controller.testProxy({ proxyMode: 'manual', proxyUrl: bare.replace('//', '//op:wrong@') });
    expect([wrong.outcome, wrong.message.includes('refused the user name and password')]).toEqual(['proxyAuth', true]);

    const gone = await closedPort();
    const down = await app.controller.testProxy({ proxyMode: 'manual', proxyUrl: `http://127.0.0.1:${gone}` });
    expect(down.outcome).toBe('proxyUnreachable');
    expect(down.message).toContain(`Could not reach the proxy 127.0.0.1:${gone}: the connection was refused.`);

    const ok = await app.controller.testProxy({ proxyMode: 'manual', proxyUrl: proxy.url });
    expect(ok.outcome).toBe('ok');
    expect(ok.target).toBe(`${cloud.url}/`);
    expect(ok.route).toBe(`http proxy 127.0.0.1:${proxy.port} (the proxy setting)`);
    expect(ok.latencyMs).toBeGreaterThanOrEqual(0);
    expect(ok.message).toMatch(/^Reached 127\.0\.0\.1:\d+ through the proxy in \d+ ms \(HTTP \d{3}\)\.$/);
    expect(proxy.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /']);
    // Nothing was saved by testing.
    expect((await app.controller.getNetworkSettings()).proxyMode).toBe('system');

    // Direct, with the target down: the target is what could not be reached.
    await cloud.close();
    const direct = await app.controller.testProxy({ proxyMode: 'none' });
    expect([direct.outcome, direct.route]).toEqual(['targetUnreachable', 'direct (proxies are turned off)']);
    expect(direct.message).toMatch(/^Could not reach 127\.0\.0\.1:\d+: /);
    for (const r of [noAuth, wrong, down, ok, direct]) expect(JSON.stringify(r)).not.toContain(PASSWORD);
  });

  it('a saved proxy carries the uploads; its password is sealed, masked for the renderer, kept across restarts', async () => {
    const { app, cloud, dir, proxy } = await setup();
    const dispatch = createDispatcher(app.controller);
    const view = await dispatch('updateNetworkSettings', [{ proxyMode: 'manual', proxyUrl: proxy.url, ossEndpoint: 'accelerate' }]);
    expect(view).toEqual({
      proxyMode: 'manual', proxyUrl: `http://op:••••@127.0.0.1:${proxy.port}`, proxyHasPassword: true, ossEndpoint: 'accelerate', systemProxyAvailable: false,
    });
    expect(ossEndpointMode()).toBe('accelerate');

    const file = await randomFile(dir, 'via-proxy.mp4', 2 * 1024 * 1024 + 9);
    const job = await uploadOne(app, file);
    expect([job.state, job.error?.message]).toEqual(['ready', undefined]);
    const sandboxRequests = Object.values(cloud.stats().requests).reduce((a, b) => a + b, 0);
    expect(proxy.requests.length).toBe(sandboxRequests);
    expect(proxy.requests.some((r) => r.method === 'PUT')).toBe(true);

    // The form sends back what it was shown: the stored password stays.
    await dispatch('updateNetworkSettings', [{ proxyUrl: `http://op:••••@127.0.0.1:${proxy.port}` }]);
    expect((await app.controller.testProxy()).outcome).toBe('ok');

    // Never in what the renderer gets, the job's log, or the database's bytes.
    const rendererSees = JSON.stringify([await dispatch('getNetworkSettings', []), await app.controller.getJobEvents(job.id), await app.controller.getSettings()]);
    expect(rendererSees).not.toContain(PASSWORD);
    const dbBytes = Buffer.concat(await Promise.all((await fsp.readdir(`${dir}/app`)).filter((f) => f.startsWith('queue.db')).map((f) => fsp.readFile(path.join(dir, 'app', f)))));
    expect(dbBytes.includes(Buffer.from(PASSWORD))).toBe(false);
    expect(dbBytes.includes(Buffer.from(`op:••••@127.0.0.1:${proxy.port}`))).toBe(true);

    // A restart applies the stored setting before the first upload.
    await app.dispose();
    configureProxy({ mode: 'none' });
    configureOssEndpoint('default');
    const again = await openApp(dir, cloud);
    cleanups.push(() => again.dispose());
    expect((await again.controller.getNetworkSettings()).proxyUrl).toBe(`http://op:••••@127.0.0.1:${proxy.port}`);
    expect(ossEndpointMode()).toBe('accelerate');
    const before = proxy.requests.length;
    const second = await randomFile(dir, 'after-restart.mp4', 1024 * 1024);
    expect((await uploadOne(again, second)).state).toBe('ready');
    expect(proxy.requests.length).toBeGreaterThan(before);
  });

  it('refuses what cannot work, without echoing the URL', async () => {
    const { app } = await setup();
    const dispatch = createDispatcher(app.controller);
    await expect(dispatch('updateNetworkSettings', [{ proxyMode: 'manual' }])).rejects.toMatchObject({ code: 'InvalidProxy' });
    const bad = dispatch('updateNetworkSettings', [{ proxyMode: 'manual', proxyUrl: 'ftp://op:hunter2@proxy:21' }]);
    await expect(bad).rejects.toMatchObject({ code: 'InvalidProxy', message: 'The proxy scheme "ftp" is not supported: use http, https, socks5 or socks5h.' });
    await expect(dispatch('testProxy', [{ proxyMode: 'pac' }])).rejects.toMatchObject({ code: 'InvalidArguments' });
    expect((await app.controller.getNetworkSettings()).proxyMode).toBe('system');
  });

  it('a sealed URL another key cannot open: the system proxy meanwhile, said once, and the test names the fix', async () => {
    const { app, dir, proxy } = await setup();
    await app.controller.updateNetworkSettings({ proxyMode: 'manual', proxyUrl: proxy.url });
    await app.dispose();
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => undefined);
    try {
      // The same queue opened with another machine's key.
      const other = await createApp({ dataDir: `${dir}/app`, secretBox: createFileSecretBox(`${dir}/other-key`), shell: 'web', version: '0.0.0-test', locale: 'en' });
      cleanups.push(() => other.dispose());
      expect(warn.mock.calls.map((c) => String(c[0])).filter((m) => m.includes('proxy setting'))).toEqual([
        'vodup: the proxy setting could not be applied (The stored proxy URL cannot be decrypted (it was saved on another machine or by another user). Enter the proxy URL again in Settings → Network.) Using the system proxy meanwhile.',
      ]);
      await expect(other.controller.testProxy()).rejects.toMatchObject({ code: 'SecretUnreadable' });
      // Entering it again works.
      await other.controller.updateNetworkSettings({ proxyUrl: proxy.url });
      expect((await other.controller.testProxy()).outcome).toBe('ok');
    } finally {
      warn.mockRestore();
    }
  });
});

// `vodup` behind a proxy: the standard variables, --proxy (which wins over them), NO_PROXY,
// proxy credentials. Real CLI process, real sandbox, proxies of the test's own that count
// every request they carry; "all through the proxy" = as many as the sandbox answered.

import path from 'path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../main/sandbox/index';
import type { FileRecord as FileLine } from '../../main/cli/reporter';
import { cliEnv, jsonLines, runCli, useCliSandbox, writeRandomFile } from '../fixtures/cli-harness';
import { startHttpProxy, startSocks5Proxy, type TestProxy } from '../fixtures/proxy-servers';

const cli = useCliSandbox('cli-proxy');
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

const proxies: TestProxy[] = [];
afterEach(async () => {
  while (proxies.length) await proxies.pop()!.close();
});

function sandboxRequests(): number {
  return Object.values(sandbox.stats().requests).reduce((a, b) => a + b, 0);
}

let n = 0;
function files(count: number): string {
  const folder = path.join(home, `batch-${++n}`);
  for (let i = 0; i < count; i++) writeRandomFile(path.join(folder, `f${i}.mp4`), 1024 * 1024 + 100 * i + 1);
  return folder;
}

describe('vodup through a proxy', () => {
  it('HTTPS_PROXY / HTTP_PROXY (a SOCKS5 proxy): every VOD and OSS request goes through it', async () => {
    const proxy = await startSocks5Proxy();
    proxies.push(proxy);
    const before = sandboxRequests();
    const res = await runCli(['upload', files(2), '--part-size', '1', '--json'], cliEnv(sandbox, home, { HTTPS_PROXY: proxy.url, http_proxy: proxy.url }));
    expect(res.code, res.stderr).toBe(0);
    expect(jsonLines<FileLine>(res.stdout).map((l) => l.state)).toEqual(['ready', 'ready']);
    expect(proxy.requests.length).toBe(sandboxRequests() - before);
    expect(proxy.requests.some((r) => r.method === 'PUT' && r.host.includes('.aliyuncs.com'))).toBe(true);
  });

  it('--proxy wins over the variables; --proxy none and NO_PROXY go direct', async () => {
    const flagged = await startHttpProxy();
    const env = await startHttpProxy();
    proxies.push(flagged, env);
    const vars = { HTTPS_PROXY: env.url, HTTP_PROXY: env.url };

    let before = sandboxRequests();
    let res = await runCli(['upload', files(1), '--part-size', '1', '--json', '--proxy', flagged.url], cliEnv(sandbox, home, vars));
    expect(res.code, res.stderr).toBe(0);
    expect([flagged.requests.length, env.requests.length]).toEqual([sandboxRequests() - before, 0]);

    before = sandboxRequests();
    res = await runCli(['upload', files(1), '--part-size', '1', '--json', '--proxy', 'none'], cliEnv(sandbox, home, vars));
    expect(res.code, res.stderr).toBe(0);
    expect(sandboxRequests()).toBeGreaterThan(before);
    expect(env.requests.length).toBe(0);

    res = await runCli(['upload', files(1), '--part-size', '1', '--json'], cliEnv(sandbox, home, { ...vars, NO_PROXY: 'localhost,127.0.0.1' }));
    expect(res.code, res.stderr).toBe(0);
    expect(env.requests.length).toBe(0);
  });

  it('a proxy asking for credentials: a clear failure without them, an upload with them', async () => {
    const proxy = await startHttpProxy({ auth: { user: 'op', password: 'cli-secret-7' } });
    proxies.push(proxy);
    const bare = `http://127.0.0.1:${proxy.port}`;
    let res = await runCli(['upload', files(1), '--part-size', '1', '--json', '--proxy', bare], cliEnv(sandbox, home));
    expect(res.code).toBe(1);
    const [line] = jsonLines<FileLine>(res.stdout);
    expect([line.state, line.error?.code]).toEqual(['failed', 'ProxyAuthRequired']);
    expect(line.error?.message).toBe(`The proxy 127.0.0.1:${proxy.port} asks for a user name and password (407 Proxy Authentication Required).`);

    // Not retried by itself (it would fail the same way); retried once the credentials are given.
    expect((await runCli(['retry', 'all'], cliEnv(sandbox, home))).code).toBe(0);
    const carried = proxy.requests.length;
    res = await runCli(['run', '--json'], cliEnv(sandbox, home, { HTTPS_PROXY: proxy.url, HTTP_PROXY: proxy.url }));
    expect(res.code, res.stderr).toBe(0);
    expect(jsonLines<FileLine>(res.stdout).find((l) => l.path === line.path)?.state).toBe('ready');
    expect(proxy.requests.length).toBeGreaterThan(carried);
    expect(`${res.stdout}${res.stderr}`).not.toContain('cli-secret-7');
  });

  it('refuses a proxy URL it cannot use before doing anything, without printing it', async () => {
    const res = await runCli(['upload', files(1), '--proxy', 'ftp://op:hunter2@proxy:21'], cliEnv(sandbox, home));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('The proxy scheme "ftp" is not supported');
    expect(res.stderr).not.toContain('hunter2');
  });
});

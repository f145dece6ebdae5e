// HTTPS targets through the routing agent's tunnels, as the real VOD and OSS endpoints are
// reached: TLS over an HTTP CONNECT tunnel and over SOCKS5 / SOCKS5h, with the target's
// name as SNI and its certificate checked (the sandbox speaks plain HTTP, so this is the
// only place the TLS layer is exercised). The certificate is a self-signed test one for
// localhost/127.0.0.1 (test/fixtures/localhost-*.pem, made for these tests, valid 100 years).

import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import path from 'node:path';
import { inspect } from 'node:util';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { classifyError } from '../../main/engine/errors';
import { RoutingAgent } from '../../main/engine/net/proxy';
import { requestHead } from '../../main/engine/net/request';
import { startHttpProxy, startSocks5Proxy, type TestProxy } from '../fixtures/proxy-servers';

const cert = fs.readFileSync(path.join(__dirname, '../fixtures/localhost-cert.pem'));
const key = fs.readFileSync(path.join(__dirname, '../fixtures/localhost-key.pem'));
let server: https.Server;
let port = 0;
const seen: string[] = [];

beforeAll(async () => {
  server = https.createServer({ key, cert }, (req, res) => {
    seen.push(`${req.method} ${req.headers.host} ${(req.socket as import('node:tls').TLSSocket).servername}`);
    res.end('hello over TLS');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  port = (server.address() as AddressInfo).port;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
});

function get(url: string, agent: RoutingAgent, ca?: Buffer): Promise<string> {
  return new Promise((resolve, reject) => {
    https.get(url, { agent, ca }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
    }).on('error', reject);
  });
}

function getPlain(url: string, agent: RoutingAgent): Promise<string> {
  return new Promise((resolve, reject) => {
    http.get(url, { agent }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (d: string) => (body += d)).on('end', () => resolve(body));
    }).on('error', reject);
  });
}

describe('https targets through a proxy', () => {
  it.each([
    ['an HTTP proxy (CONNECT)', startHttpProxy, `localhost`],
    ['a SOCKS5 proxy', startSocks5Proxy, '127.0.0.1'],
    ['a SOCKS5h proxy', startSocks5Proxy, 'localhost'],
  ])('%s: TLS end to end, SNI and certificate of the target', async (name, start, tunnelHost) => {
    const proxy: TestProxy = await start({ passthrough: true });
    // socks5:// resolves the name here; socks5h:// (the fixture's own URL) lets the proxy do it.
    const url = name === 'a SOCKS5 proxy' ? proxy.url.replace('socks5h:', 'socks5:') : proxy.url;
    const agent = new RoutingAgent({ mode: 'manual', url });
    try {
      expect(await get(`https://localhost:${port}/`, agent, cert)).toBe('hello over TLS');
      // Keep-alive: a second request reuses the tunnel.
      expect(await get(`https://localhost:${port}/again`, agent, cert)).toBe('hello over TLS');
      expect(proxy.tunnels).toEqual([`${tunnelHost}:${port}`]);
      expect(seen.at(-1)).toBe(`GET localhost:${port} localhost`);
      expect(agent.counts).toEqual({ direct: 0, proxied: 1 });

      // The certificate is checked through the tunnel: without its CA the request fails.
      const e = await get(`https://localhost:${port}/`, new RoutingAgent({ mode: 'manual', url })).then(() => undefined, (err: unknown) => err as { code?: string });
      expect(e?.code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
    } finally {
      agent.destroy();
      await proxy.close();
    }
  });

  it('direct: https and http through the one routing agent, each pooled under its own scheme and kept alive', async () => {
    // The agent tells https from http by the options Node passes (https.request's own
    // default agent), not by reading a stack trace: both schemes must still be told apart.
    const agent = new RoutingAgent({ mode: 'none' });
    const plain = http.createServer((_req, res) => res.end('hello in plain text'));
    await new Promise<void>((r) => plain.listen(0, '127.0.0.1', r));
    const plainPort = (plain.address() as AddressInfo).port;
    const connections = { tls: 0, plain: 0 };
    const countTls = (): void => void connections.tls++;
    server.on('secureConnection', countTls);
    plain.on('connection', () => connections.plain++);
    try {
      for (let i = 0; i < 3; i++) {
        expect(await get(`https://localhost:${port}/direct-${i}`, agent, cert)).toBe('hello over TLS');
        expect(await getPlain(`http://127.0.0.1:${plainPort}/direct-${i}`, agent)).toBe('hello in plain text');
      }
      expect(connections).toEqual({ tls: 1, plain: 1 });
      expect(agent.counts.proxied).toBe(0);
    } finally {
      server.off('secureConnection', countTls);
      agent.destroy();
      plain.closeAllConnections();
      await new Promise<void>((r) => plain.close(() => r()));
    }
  });

  it('a refused CONNECT is the proxy\'s error, not a response from the target', async () => {
    const proxy = await startHttpProxy({ auth: { user: 'u', password: 'p' }, passthrough: true });
    const agent = new RoutingAgent({ mode: 'manual', url: `http://127.0.0.1:${proxy.port}` });
    try {
      const err = await requestHead(`https://localhost:${port}/`, { agent }).then(() => undefined, (x: unknown) => x);
      const e = classifyError(err);
      expect([e.code, e.kind, e.retryable, e.params]).toEqual(['ProxyAuthRequired', 'auth', false, { proxy: `127.0.0.1:${proxy.port}`, target: `localhost:${port}` }]);
    } finally {
      agent.destroy();
      await proxy.close();
    }
  });

  it('a SOCKS5 refusal keeps no trace of the password given (the socks library attaches its options to errors)', async () => {
    const proxy = await startSocks5Proxy({ auth: { user: 'u', password: 'right-one' } });
    const agent = new RoutingAgent({ mode: 'manual', url: proxy.url.replace('right-one', 'Wrong-Secret-42') });
    try {
      const err = await requestHead(`https://localhost:${port}/`, { agent }).then(() => undefined, (x: unknown) => x);
      expect(classifyError(err).code).toBe('ProxyAuthRequired');
      expect(inspect(err, { depth: 20, showHidden: true })).not.toContain('Wrong-Secret-42');
      expect(proxy.authRefusals).toBe(1);
    } finally {
      agent.destroy();
      await proxy.close();
    }
  });
});

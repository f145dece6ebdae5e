// Web mode end to end over real sockets: serveWeb with the real app (engine, SQLite
// store, embedded sandbox), the renderer's own WebSocket bridge driven by the `ws`
// client, and raw HTTP/WebSocket requests for the access rules.

import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serveWeb, type WebServer } from '../../main/web/server';
import { createWebSocketBridge, type SocketLike, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import type { JobView } from '../../shared/types';
import { randomFile, tempDir } from '../helpers/files';

let server: WebServer;
let dataDir: string;
let mediaDir: string;
let base: URL;
let token: string;
let bridge: WebSocketBridge;

const origin = (): string => `http://${base.host}`;
/** `null` = no token at all. */
const wsUrl = (t: string | null = token): string => `ws://${base.host}/ws${t === null ? '' : `?token=${encodeURIComponent(t)}`}`;

function get(pathAndQuery: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: http.IncomingHttpHeaders; body: string }> {
  return new Promise((resolve, reject) => {
    // http.request keeps the path as given (no normalisation of ../), like an attacker would send it.
    const req = http.request({ host: base.hostname, port: base.port, path: pathAndQuery, headers }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

/** Resolves with the HTTP status of a refused handshake, or 101 when it opened. */
function handshake(url: string, wsOrigin: string | undefined): Promise<number> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, wsOrigin ? { origin: wsOrigin } : {});
    ws.on('open', () => {
      ws.close();
      resolve(101);
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve(res.statusCode ?? 0);
      ws.terminate();
    });
    ws.on('error', (err) => reject(err));
  });
}

function socketFactory(wsOrigin: string): (url: string) => SocketLike {
  return (url) => new WebSocket(url, { origin: wsOrigin }) as unknown as SocketLike;
}

function waitFor<T>(subscribe: (l: (v: T) => void) => () => void, pred: (v: T) => boolean): Promise<T> {
  return new Promise((resolve) => {
    const off = subscribe((v) => {
      if (pred(v)) {
        off();
        resolve(v);
      }
    });
  });
}

beforeAll(async () => {
  dataDir = await tempDir('vodup-web-data-');
  mediaDir = await tempDir('vodup-web-media-');
  const rendererDir = await tempDir('vodup-web-renderer-');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html><title>VOD</title><script type="module" src="/assets/app-1a2b.js"></script>');
  fs.mkdirSync(path.join(rendererDir, 'assets'));
  fs.writeFileSync(path.join(rendererDir, 'assets', 'app-1a2b.js'), 'console.log("app");');
  // A file next to the renderer that must never be served.
  fs.writeFileSync(path.join(path.dirname(rendererDir), `secret-${path.basename(rendererDir)}.txt`), 'top secret');

  server = await serveWeb({ dataDir, rendererDir, port: 0 });
  base = new URL(server.url);
  token = base.searchParams.get('token') ?? '';
  bridge = createWebSocketBridge({ url: wsUrl(), createSocket: socketFactory(origin()) });
});

afterAll(async () => {
  bridge?.close();
  await server?.close();
});

describe('web mode access', () => {
  it('binds loopback and puts a long random token in the URL', () => {
    expect(base.hostname).toBe('127.0.0.1');
    expect(token.length).toBeGreaterThanOrEqual(40);
  });

  it('refuses the page without the token or with a wrong one', async () => {
    expect((await get('/')).status).toBe(401);
    expect((await get('/?token=nope')).status).toBe(401);
    expect((await get(`/?token=${token}x`)).status).toBe(401);
    const denied = await get('/assets/app-1a2b.js');
    expect(denied.status).toBe(401);
    expect(denied.body).not.toContain('console.log');
  });

  it('serves the page with the token, sets a cookie that then authenticates the assets', async () => {
    const page = await get(`/?token=${encodeURIComponent(token)}`);
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    expect(page.headers['content-security-policy']).toContain("script-src 'self'");
    const cookie = String(page.headers['set-cookie']).split(';')[0];
    expect(page.headers['set-cookie']?.[0]).toMatch(/HttpOnly; SameSite=Strict/);
    const js = await get('/assets/app-1a2b.js', { cookie });
    expect(js.status).toBe(200);
    expect(js.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(js.body).toBe('console.log("app");');
  });

  it('never serves a file outside the renderer folder', async () => {
    const q = `?token=${encodeURIComponent(token)}`;
    for (const p of ['/../etc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fetc%2fpasswd', '/..%5c..%5cetc%5cpasswd']) {
      const res = await get(p + q);
      expect(res.status).toBe(404);
      expect(res.body).not.toContain('root:');
      expect(res.body).not.toContain('top secret');
    }
  });

  it('refuses a request for another host name (DNS rebinding)', async () => {
    const res = await get(`/?token=${encodeURIComponent(token)}`, { host: `evil.example:${base.port}` });
    expect(res.status).toBe(421);
  });

  it('refuses a WebSocket without the token, with a wrong one, or from another origin', async () => {
    expect(await handshake(wsUrl(null), origin())).toBe(401);
    expect(await handshake(wsUrl('wrong-token'), origin())).toBe(401);
    expect(await handshake(wsUrl(), 'http://evil.example')).toBe(403);
    expect(await handshake(wsUrl(), `http://127.0.0.1:${Number(base.port) + 1}`)).toBe(403);
    expect(await handshake(wsUrl(), undefined)).toBe(403);
    expect(await handshake(wsUrl(), origin())).toBe(101);
  });
});

describe('web mode contract', () => {
  it('round-trips a call: a fresh install lists the Sandbox profile, active, without any secret', async () => {
    const profiles = await bridge.listProfiles();
    expect(profiles).toHaveLength(1);
    expect(profiles[0]).toMatchObject({ kind: 'sandbox', name: 'Sandbox', hasSecret: true });
    expect(Object.keys(profiles[0]).sort()).toEqual(['accessKeyId', 'hasSecret', 'hasSecurityToken', 'id', 'kind', 'name', 'region']);
    expect((await bridge.getActiveProfile())?.id).toBe(profiles[0].id);
    const info = await bridge.getAppInfo();
    expect(info.shell).toBe('web');
  });

  it('answers an invalid payload with a validation error and changes nothing', async () => {
    const before = await bridge.listProfiles();
    const bad = { name: 'x', kind: 'aliyun', accessKeyId: 'LTAI', region: 'cn-shanghai', extra: 'field' };
    await expect(bridge.saveProfile(bad as never)).rejects.toMatchObject({ code: 'InvalidArguments' });
    await expect((bridge as unknown as { getJob(id: unknown): Promise<unknown> }).getJob('1; DROP TABLE jobs')).rejects.toMatchObject({ code: 'InvalidArguments' });
    expect(await bridge.listProfiles()).toEqual(before);
  });

  it('refuses an unknown method', async () => {
    const reply = await new Promise<unknown>((resolve, reject) => {
      const ws = new WebSocket(wsUrl(), { origin: origin() });
      ws.on('open', () => ws.send(JSON.stringify({ id: 7, method: 'constructor', args: [] })));
      ws.on('message', (d) => {
        resolve(JSON.parse(String(d)));
        ws.close();
      });
      ws.on('error', reject);
    });
    expect(reply).toMatchObject({ id: 7, error: { code: 'UnknownMethod' } });
  });

  it('keeps an Aliyun secret out of every reply and out of the database file', async () => {
    const secret = 'S3cr3t-AccessKey-Secret-0123456789';
    const changed = waitFor<void>((l) => bridge.onProfilesChanged(l), () => true);
    const view = await bridge.saveProfile({ name: 'Prod', kind: 'aliyun', accessKeyId: 'LTAI5tExample', accessKeySecret: secret, region: 'cn-beijing' });
    await changed;
    expect(view).toMatchObject({ name: 'Prod', kind: 'aliyun', hasSecret: true, hasSecurityToken: false });
    expect(JSON.stringify(await bridge.listProfiles())).not.toContain(secret);
    const dbBytes = fs.readdirSync(dataDir).filter((f) => f.startsWith('queue.db'))
      .map((f) => fs.readFileSync(path.join(dataDir, f)).toString('latin1')).join('');
    expect(dbBytes).toContain('LTAI5tExample');
    expect(dbBytes).not.toContain(secret);
    // The active profile stays the Sandbox: saving a second profile does not switch.
    expect((await bridge.getActiveProfile())?.kind).toBe('sandbox');
    await bridge.deleteProfile(view.id);
  });

  it('uploads a file to the embedded sandbox and streams job events', async () => {
    const file = await randomFile(mediaDir, 'clip.mp4', 300 * 1024);
    const scan = await bridge.scanPaths([mediaDir]);
    expect(scan.files).toEqual([{ path: file, size: 300 * 1024, kind: 'video' }]);
    const uploaded = waitFor<JobView[]>((l) => bridge.onJobsChanged(l), (jobs) => jobs.some((j) => j.path === file && (j.state === 'uploaded' || j.state === 'ready')));
    const reply = await bridge.addJobs([{ path: file, meta: { title: 'Clip', tags: ['web'] } }]);
    expect(reply).toEqual({ added: 1, rejected: [], duplicates: [] });
    const jobs = await uploaded;
    const job = jobs.find((j) => j.path === file)!;
    expect(job.videoId).toMatch(/\w+/);
    expect(job.bytesDone).toBe(300 * 1024);
    const page = await bridge.queryJobs({ offset: 0, limit: 10 });
    expect(page.rows.map((r) => r.path)).toContain(file);
  });

  it('reads a job\'s event log over the socket, oldest first, and refuses bad arguments', async () => {
    const job = (await bridge.queryJobs({ offset: 0, limit: 10 })).rows.find((r) => r.fileName === 'clip.mp4')!;
    const events = await bridge.getJobEvents(job.id);
    const types = events.map((e) => e.type);
    // A file of one part goes in one PutObject: no multipart upload is initiated.
    const order = ['create-sent', 'created', 'completed'].map((t) => types.indexOf(t));
    expect(types).not.toContain('initiated');
    expect(order.every((i) => i >= 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(events.find((e) => e.type === 'created')?.data).toMatchObject({ videoId: job.videoId });
    expect(events.find((e) => e.type === 'state')?.data).toMatchObject({ from: 'queued', to: 'creating' });
    for (const e of events) {
      expect(Object.keys(e).every((k) => ['at', 'type', 'data'].includes(k))).toBe(true);
      expect(e.at).toBeGreaterThanOrEqual(job.createdAt);
    }
    // A limit keeps the latest ones.
    expect(await bridge.getJobEvents(job.id, 1)).toEqual([events[events.length - 1]]);
    expect(await bridge.getJobEvents(987654)).toEqual([]);
    const raw = bridge as unknown as { getJobEvents(...args: unknown[]): Promise<unknown> };
    await expect(raw.getJobEvents('1')).rejects.toMatchObject({ code: 'InvalidArguments' });
    await expect(raw.getJobEvents(job.id, 0)).rejects.toMatchObject({ code: 'InvalidArguments' });
    await expect(raw.getJobEvents(job.id, 5, 'extra')).rejects.toMatchObject({ code: 'InvalidArguments' });
  });

  it('exports the queue\'s results and probes files over the socket', async () => {
    const file = path.join(mediaDir, 'clip.mp4'); // uploaded by the test above: random bytes
    const csv = await bridge.exportResults({ format: 'csv' });
    expect(csv.fileName).toMatch(/^vod-results-all-\d{8}-\d{6}\.csv$/);
    expect(csv.content.startsWith('\uFEFFjob_id,path,')).toBe(true);
    expect(csv.content).toContain(`,${file},clip.mp4,Clip,`);
    const json = await bridge.exportResults({ format: 'json', tab: 'failed' });
    expect(JSON.parse(json.content)).toEqual([]);
    await expect(bridge.exportResults({ format: 'xlsx' } as never)).rejects.toMatchObject({ code: 'InvalidArguments' });

    // Text, not random bytes: ffprobe now and then reads random bytes as a stream (h263).
    const junk = path.join(mediaDir, 'junk.mp4');
    fs.writeFileSync(junk, 'not a video\n'.repeat(20_000));
    const probes = await bridge.probeFiles([junk, path.join(mediaDir, 'gone.mp4')]);
    expect(probes[junk]).toMatchObject({ ok: false, problem: expect.stringMatching(/VOD will likely fail to transcode/) });
    expect(probes[path.join(mediaDir, 'gone.mp4')]).toMatchObject({ ok: false, problem: expect.stringMatching(/not found/) });
  });
});

describe('web mode binding rules', async () => {
  const { OriginPolicy, isLoopback } = await import('../../main/web/access');
  const req = (host: string, origin?: string) => ({ headers: { host, ...(origin ? { origin } : {}) } }) as unknown as http.IncomingMessage;

  it('knows loopback from the rest', () => {
    for (const h of ['127.0.0.1', '127.8.9.1', 'localhost', '::1', '[::1]']) expect(isLoopback(h)).toBe(true);
    for (const h of ['0.0.0.0', '::', '192.168.1.5', 'example.com']) expect(isLoopback(h)).toBe(false);
  });

  it('on loopback, answers only loopback host names and their own origin', () => {
    const policy = new OriginPolicy('127.0.0.1', 8080);
    expect(policy.hostAllowed(req('localhost:8080'))).toBe(true);
    expect(policy.hostAllowed(req('[::1]:8080'))).toBe(true);
    expect(policy.hostAllowed(req('attacker.example:8080'))).toBe(false);
    expect(policy.originAllowed(req('127.0.0.1:8080', 'http://127.0.0.1:8080'))).toBe(true);
    expect(policy.originAllowed(req('127.0.0.1:8080', 'http://localhost:8080'))).toBe(false);
    expect(policy.originAllowed(req('127.0.0.1:8080', 'https://127.0.0.1:8080'))).toBe(false);
  });

  it('on a wildcard bind, requires the Origin to match the Host asked for', () => {
    const policy = new OriginPolicy('0.0.0.0', 8080);
    expect(policy.originAllowed(req('ingest.lan:8080', 'http://ingest.lan:8080'))).toBe(true);
    expect(policy.originAllowed(req('ingest.lan:8080', 'http://evil.example'))).toBe(false);
  });
});

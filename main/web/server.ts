// Web mode (docs/ARCHITECTURE.md §2): the same renderer and engine as the desktop app, for a
// headless ingest box driven from a browser. Serves the built renderer and carries the
// IPC contract over one WebSocket: calls `{id, method, args}` → `{id, result}` or
// `{id, error}`, events `{event, payload}` — the same dispatcher as Electron's ipcMain.

import http from 'http';
import type net from 'net';
import path from 'path';
import type { Duplex } from 'stream';
import { WebSocketServer, type WebSocket, type RawData } from 'ws';
import {
  EVENT_SUBSCRIBERS, WEB_SOCKET_PATH, WEB_TOKEN_PARAM, type IpcEvent, type WireMessage,
} from '../../shared/ipc';
import { createApp, type App } from '../app/create-app';
import { createDispatcher, type Dispatch } from '../app/dispatch';
import { createFileSecretBox } from '../app/file-secret-box';
import { toErrorPayload } from '../app/ipc-error';
import { OriginPolicy, cookieName, hostPort, isLoopback, isWildcard, newToken, requestToken, tokenMatches } from './access';
import { SECURITY_HEADERS, serveStatic } from './static-files';

export interface ServeWebOptions {
  /** 0 or absent = any free port. */
  port?: number;
  /** Default 127.0.0.1. Anything else exposes the queue and the server's files to the network. */
  host?: string;
  dataDir: string;
  /** The built renderer (out/renderer). */
  rendererDir: string;
  /** Start with the Sandbox profile active and the sandbox running. */
  sandbox?: boolean;
  /** Default: 32 random bytes. */
  token?: string;
  /** Where the loud warnings go (default console.warn). */
  warn?: (message: string) => void;
}

export interface WebServer {
  /** Open this in a browser; it carries the token. */
  url: string;
  close(): Promise<void>;
}

/** The whole addJobs of 100,000 files fits; anything bigger is not from our renderer. */
const MAX_MESSAGE_BYTES = 128 * 1024 * 1024;
/** A client this far behind skips progress frames (the next one supersedes them). */
const PROGRESS_BACKLOG_BYTES = 1024 * 1024;
const HEARTBEAT_MS = 30_000;

export async function serveWeb(opts: ServeWebOptions): Promise<WebServer> {
  const host = opts.host ?? '127.0.0.1';
  const token = opts.token ?? newToken();
  if (token.length < 16) throw new Error('The web token must be at least 16 characters; omit it to get a random one.');
  const warn = opts.warn ?? ((m: string) => console.warn(m));
  if (!isLoopback(host)) {
    warn([
      '!!! WARNING: web mode is listening on ' + host + ', not on loopback.',
      '!!! Anyone who can reach this port and learns the token can read and upload any file this user can read.',
      '!!! The connection is plain HTTP: put it behind a TLS proxy or an SSH tunnel, or bind 127.0.0.1.',
    ].join('\n'));
  }

  const app = await createApp({ dataDir: opts.dataDir, secretBox: createFileSecretBox(opts.dataDir), shell: 'web', sandbox: opts.sandbox });
  try {
    return await listen(app, { ...opts, host, token });
  } catch (err) {
    await app.dispose();
    throw err;
  }
}

async function listen(app: App, opts: ServeWebOptions & { host: string; token: string }): Promise<WebServer> {
  const dispatch = createDispatcher(app.controller);
  const wss = new WebSocketServer({ noServer: true, maxPayload: MAX_MESSAGE_BYTES });
  const rendererDir = path.resolve(opts.rendererDir);
  let port = 0;
  // Replaced once the port is known (listen below); no request arrives before that.
  let origins = new OriginPolicy(opts.host, 0);

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    if (!origins.hostAllowed(req)) {
      res.writeHead(421, { 'Content-Type': 'text/plain; charset=utf-8' }).end('This server does not answer to that host name.\n');
      return;
    }
    const given = requestToken(req, url, port);
    if (!tokenMatches(given, opts.token)) {
      res.writeHead(401, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS })
        .end('Access token missing or wrong. Open the full URL printed by "vodup serve" (it ends in ?token=…).\n');
      return;
    }
    if (url.searchParams.has(WEB_TOKEN_PARAM)) {
      // Later requests (scripts, styles, the socket) carry it as a cookie.
      res.setHeader('Set-Cookie', `${cookieName(port)}=${encodeURIComponent(opts.token)}; HttpOnly; SameSite=Strict; Path=/`);
    }
    // The raw path, not url.pathname: URL would quietly resolve "/../x" to "/x".
    const rawPath = (req.url ?? '/').split('?')[0];
    serveStatic(rendererDir, rawPath, req, res).catch(() => {
      if (!res.headersSent) res.writeHead(500).end();
      else res.destroy();
    });
  });

  server.on('upgrade', (req: http.IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://placeholder');
    const refuse = (status: number, text: string): void => {
      socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
    };
    if (url.pathname !== WEB_SOCKET_PATH) return refuse(404, 'Not Found');
    if (!origins.originAllowed(req)) return refuse(403, 'Forbidden');
    if (!tokenMatches(requestToken(req, url, port), opts.token)) return refuse(401, 'Unauthorized');
    wss.handleUpgrade(req, socket, head, (ws) => wss.emit('connection', ws, req));
  });

  const alive = new WeakSet<WebSocket>();
  wss.on('connection', (ws: WebSocket) => {
    alive.add(ws);
    ws.on('pong', () => alive.add(ws));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      void handleMessage(ws, dispatch, data, isBinary);
    });
    ws.on('error', () => ws.terminate());
  });

  // Dead peers (a laptop closed mid-session) are dropped instead of buffering forever.
  const heartbeat = setInterval(() => {
    for (const ws of wss.clients) {
      if (!alive.has(ws)) {
        ws.terminate();
        continue;
      }
      alive.delete(ws);
      ws.ping();
    }
  }, HEARTBEAT_MS);
  heartbeat.unref();

  const broadcast = (event: IpcEvent, payload: unknown): void => {
    if (wss.clients.size === 0) return;
    const frame = JSON.stringify({ event, payload } satisfies WireMessage);
    for (const ws of wss.clients) {
      if (ws.readyState !== ws.OPEN) continue;
      if (event === 'progress' && ws.bufferedAmount > PROGRESS_BACKLOG_BYTES) continue;
      ws.send(frame);
    }
  };
  const unsubscribe = (Object.keys(EVENT_SUBSCRIBERS) as (keyof typeof EVENT_SUBSCRIBERS)[]).map((sub) => {
    const event = EVENT_SUBSCRIBERS[sub];
    const subscribe = app.events[sub] as (listener: (payload: unknown) => void) => () => void;
    return subscribe((payload) => broadcast(event, payload ?? null));
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  port = (server.address() as net.AddressInfo).port;
  origins = new OriginPolicy(opts.host, port);
  const shownHost = isWildcard(opts.host) ? '127.0.0.1' : opts.host;

  let closing: Promise<void> | undefined;
  return {
    url: `http://${hostPort(shownHost, port)}/?${WEB_TOKEN_PARAM}=${encodeURIComponent(opts.token)}`,
    close: () => (closing ??= (async () => {
      clearInterval(heartbeat);
      for (const u of unsubscribe) u();
      for (const ws of wss.clients) ws.close(1001, 'Server shutting down');
      await new Promise<void>((resolve) => wss.close(() => resolve()));
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await app.dispose();
    })()),
  };
}

async function handleMessage(ws: WebSocket, dispatch: Dispatch, data: RawData, isBinary: boolean): Promise<void> {
  let msg: { id?: unknown; method?: unknown; args?: unknown };
  try {
    if (isBinary) throw new Error('binary');
    msg = JSON.parse(data.toString()) as typeof msg;
    if (typeof msg !== 'object' || msg === null) throw new Error('not an object');
  } catch {
    ws.close(1003, 'Expected a JSON call {id, method, args}');
    return;
  }
  const id = msg.id;
  if (typeof id !== 'number' || !Number.isSafeInteger(id)) {
    ws.close(1008, 'A call needs a numeric id');
    return;
  }
  let reply: WireMessage;
  try {
    reply = { id, result: (await dispatch(msg.method, msg.args)) ?? null };
  } catch (err) {
    reply = { id, error: toErrorPayload(err) };
  }
  if (ws.readyState === ws.OPEN) ws.send(JSON.stringify(reply));
}

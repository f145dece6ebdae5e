// Sockets through a proxy, and the errors a proxy gives (docs/ARCHITECTURE.md §3 "Network").
//
// HTTP(S) proxies: every target, https and http alike, goes through a CONNECT tunnel (as
// undici's ProxyAgent does), written here rather than taken from https-proxy-agent because
// that one hands a refused CONNECT (407, 403, 502) back to the client as if the target had
// answered it: pop-core would then fail to parse the proxy's HTML as JSON and ali-oss would
// report an unknown HTTP error. Here a refusal is a ProxyError that names the proxy and
// the status, which errors.ts turns into words for the operator.
// SOCKS5 proxies: socks-proxy-agent's connect (socks5: we resolve the name; socks5h: the
// proxy does), with its errors mapped to ProxyError the same way.

import net from 'node:net';
import tls from 'node:tls';
import type { AgentConnectOpts } from 'agent-base';
import type { ClientRequest } from 'node:http';
import { SocksProxyAgent } from 'socks-proxy-agent';

export type ProxyErrorCode = 'ProxyAuthRequired' | 'ProxyUnreachable' | 'ProxyTargetUnreachable' | 'ProxyRefused';

/**
 * A proxy would not carry the request. `name` stays "ProxyError" through urllib and httpx
 * (they rename only plain "Error"s), which is how errors.ts recognises it.
 */
export class ProxyError extends Error {
  readonly code: ProxyErrorCode;
  /** host:port of the proxy (never its credentials). */
  readonly proxy: string;
  /** host:port the proxy was asked to reach. */
  readonly target: string;
  /** The proxy's HTTP status, for an HTTP proxy's refusal. */
  readonly status?: number;
  readonly credentialsSent: boolean;
  /** The message as written here: urllib and httpx append their own text to `message`. */
  readonly summary: string;

  constructor(init: { code: ProxyErrorCode; message: string; proxy: string; target: string; status?: number; credentialsSent: boolean; cause?: unknown }) {
    super(init.message, { cause: init.cause });
    this.name = 'ProxyError';
    this.code = init.code;
    this.proxy = init.proxy;
    this.target = init.target;
    this.status = init.status;
    this.credentialsSent = init.credentialsSent;
    this.summary = init.message;
  }
}

/** Longest CONNECT answer head we read before calling the proxy broken. */
const MAX_HEAD_BYTES = 16 * 1024;
const DEFAULT_CONNECT_TIMEOUT_MS = 30_000;

/** host:port of a URL, IPv6 in brackets. */
export function hostPort(host: string, port: number): string {
  return `${net.isIPv6(host) ? `[${host}]` : host}:${port}`;
}

function proxyPort(proxy: URL): number {
  if (proxy.port) return Number(proxy.port);
  if (proxy.protocol === 'https:') return 443;
  if (proxy.protocol.startsWith('socks')) return 1080;
  return 80;
}

/** The proxy's host:port, as messages name it. */
export function proxyAddress(proxy: URL): string {
  return hostPort(proxy.hostname.replace(/^\[|\]$/g, ''), proxyPort(proxy));
}

function unreachable(proxy: URL, target: string, err: Error & { code?: string }, credentialsSent: boolean): ProxyError {
  const why = err.code === 'ECONNREFUSED' ? 'the connection was refused'
    : err.code === 'ENOTFOUND' || err.code === 'EAI_AGAIN' ? 'its name does not resolve'
      : err.code === 'ETIMEDOUT' ? 'it did not answer in time'
        : err.message;
  return new ProxyError({
    code: 'ProxyUnreachable', proxy: proxyAddress(proxy), target, credentialsSent, cause: err,
    message: `Could not reach the proxy ${proxyAddress(proxy)}: ${why}.`,
  });
}

/** The TLS layer over a connected socket, for an https target (the request's TLS options kept). */
function secure(socket: net.Socket, opts: AgentConnectOpts): tls.TLSSocket {
  const { host, port: _port, path: _path, ...rest } = opts as AgentConnectOpts & { path?: string };
  void _port;
  void _path;
  const servername = (opts as tls.ConnectionOptions).servername ?? (host && !net.isIP(host) ? host : undefined);
  return tls.connect({ ...(rest as tls.ConnectionOptions), socket, servername });
}

/** Reads the proxy's answer to CONNECT: its status, once the head is complete. */
function readConnectAnswer(socket: net.Socket): Promise<{ status: number; statusText: string; rest: Buffer }> {
  return new Promise((resolve, reject) => {
    let buf = Buffer.alloc(0);
    const cleanup = (): void => {
      socket.off('data', onData);
      socket.off('error', onError);
      socket.off('end', onEnd);
    };
    const onError = (err: Error): void => {
      cleanup();
      reject(err);
    };
    const onEnd = (): void => {
      cleanup();
      reject(Object.assign(new Error('the proxy closed the connection before answering CONNECT'), { code: 'ECONNRESET' }));
    };
    const onData = (chunk: Buffer): void => {
      buf = Buffer.concat([buf, chunk]);
      const end = buf.indexOf('\r\n\r\n');
      if (end < 0) {
        if (buf.length > MAX_HEAD_BYTES) onError(new Error('the proxy sent an answer too long to be an HTTP head'));
        return;
      }
      cleanup();
      const m = /^HTTP\/1\.[01] (\d{3}) ?([^\r\n]*)/.exec(buf.subarray(0, end).toString('latin1'));
      if (!m) {
        reject(new Error('the proxy did not answer CONNECT in HTTP'));
        return;
      }
      resolve({ status: Number(m[1]), statusText: m[2], rest: buf.subarray(end + 4) });
    };
    socket.on('data', onData);
    socket.once('error', onError);
    socket.once('end', onEnd);
  });
}

function refusal(proxy: URL, target: string, status: number, statusText: string, credentialsSent: boolean): ProxyError {
  const where = proxyAddress(proxy);
  const said = `${status}${statusText ? ` ${statusText}` : ''}`;
  if (status === 407) {
    return new ProxyError({
      code: 'ProxyAuthRequired', proxy: where, target, status, credentialsSent,
      message: credentialsSent
        ? `The proxy ${where} refused the user name and password (${said}).`
        : `The proxy ${where} asks for a user name and password (${said}).`,
    });
  }
  if (status === 502 || status === 503 || status === 504) {
    return new ProxyError({
      code: 'ProxyTargetUnreachable', proxy: where, target, status, credentialsSent,
      message: `The proxy ${where} could not reach ${target} (${said}).`,
    });
  }
  return new ProxyError({
    code: 'ProxyRefused', proxy: where, target, status, credentialsSent,
    message: `The proxy ${where} refused to connect to ${target} (${said}).`,
  });
}

/**
 * A socket to opts.host:opts.port through an HTTP or HTTPS proxy's CONNECT, with TLS on top
 * when the target is https. Credentials come from the proxy URL's user info (Basic).
 */
export async function httpTunnel(proxy: URL, opts: AgentConnectOpts, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<net.Socket> {
  const host = opts.host ?? 'localhost';
  const port = Number(opts.port);
  const target = hostPort(host, port);
  const credentialsSent = proxy.username !== '' || proxy.password !== '';
  const connectOpts = { host: proxy.hostname.replace(/^\[|\]$/g, ''), port: proxyPort(proxy) };
  const socket: net.Socket = proxy.protocol === 'https:'
    ? tls.connect({ ...connectOpts, servername: net.isIP(connectOpts.host) ? undefined : connectOpts.host })
    : net.connect(connectOpts);
  const timer = setTimeout(() => socket.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })), timeoutMs);
  try {
    await new Promise<void>((resolve, reject) => {
      socket.once(proxy.protocol === 'https:' ? 'secureConnect' : 'connect', resolve);
      socket.once('error', reject);
    }).catch((err: Error & { code?: string }) => {
      throw unreachable(proxy, target, err, credentialsSent);
    });
    let head = `CONNECT ${target} HTTP/1.1\r\nHost: ${target}\r\nProxy-Connection: keep-alive\r\n`;
    if (credentialsSent) {
      const auth = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
      head += `Proxy-Authorization: Basic ${Buffer.from(auth).toString('base64')}\r\n`;
    }
    socket.write(`${head}\r\n`);
    const answer = await readConnectAnswer(socket).catch((err: Error & { code?: string }) => {
      throw unreachable(proxy, target, err, credentialsSent);
    });
    if (answer.status !== 200) {
      socket.destroy();
      throw refusal(proxy, target, answer.status, answer.statusText, credentialsSent);
    }
    if (answer.rest.length > 0) socket.unshift(answer.rest);
  } catch (err) {
    socket.destroy();
    throw err;
  } finally {
    clearTimeout(timer);
  }
  return opts.secureEndpoint ? secure(socket, opts) : socket;
}

const socksAgents = new Map<string, SocksProxyAgent>();

/** A socket to the target through a SOCKS5 proxy (socks5: local DNS; socks5h: the proxy's). */
export async function socksTunnel(proxy: URL, req: ClientRequest, opts: AgentConnectOpts, timeoutMs = DEFAULT_CONNECT_TIMEOUT_MS): Promise<net.Socket> {
  const key = proxy.href;
  let agent = socksAgents.get(key);
  if (!agent) {
    agent = new SocksProxyAgent(proxy, { timeout: timeoutMs });
    socksAgents.set(key, agent);
  }
  const target = hostPort(opts.host ?? 'localhost', Number(opts.port));
  const credentialsSent = proxy.username !== '' || proxy.password !== '';
  try {
    return await agent.connect(req, opts);
  } catch (err) {
    const e = err as Error & { code?: string };
    // socks5 resolves the target's name here, before the proxy is asked: a DNS error with
    // its Node code is about the target and is classified like any other.
    if (e.code) throw err;
    // The socks library's errors carry no code, only its words (node_modules/socks constants).
    // They also carry the client's options, proxy password included: only the words are kept.
    const words = new Error(e.message);
    const where = proxyAddress(proxy);
    if (/authentication failed|no accepted authentication type/i.test(e.message)) {
      throw new ProxyError({
        code: 'ProxyAuthRequired', proxy: where, target, credentialsSent, cause: words,
        message: credentialsSent
          ? `The SOCKS proxy ${where} refused the user name and password.`
          : `The SOCKS proxy ${where} asks for a user name and password.`,
      });
    }
    if (/rejected connection/i.test(e.message)) {
      throw new ProxyError({
        code: /NotAllowed/.test(e.message) ? 'ProxyRefused' : 'ProxyTargetUnreachable', proxy: where, target, credentialsSent, cause: words,
        message: `The SOCKS proxy ${where} could not connect to ${target} (${e.message.replace(/^.*- /, '')}).`,
      });
    }
    const code = /timed out/i.test(e.message) ? 'ETIMEDOUT' : /\b(E[A-Z_]{3,})\b/.exec(e.message)?.[1];
    throw unreachable(proxy, target, Object.assign(new Error(e.message), { code }), credentialsSent);
  }
}

// Which way a connection goes — directly or through which proxy — for every request the
// engine makes to VOD and OSS (docs/ARCHITECTURE.md §3 "Network"). One agent per process
// (`networkAgent()`) decides per connection, so pop-core, ali-oss and any plain
// http(s).request share the same rules and the same keep-alive pools:
//
//   mode 'none'    always direct.
//   mode 'manual'  the configured proxy URL, except for hosts NO_PROXY names.
//   mode 'system'  the standard variables when any is set (HTTPS_PROXY, HTTP_PROXY,
//                  ALL_PROXY, NO_PROXY, lower or upper case: proxy-from-env's reading, which
//                  makes no exception for loopback — put 127.0.0.1 in NO_PROXY to reach a
//                  local sandbox directly); otherwise the OS's proxy when the shell can tell
//                  it (Electron's session.resolveProxy); otherwise direct.
//
// Proxy URLs: http://, https:// (CONNECT tunnels for every target), socks5:// (the target's
// name resolved here) and socks5h:// (resolved by the proxy); user:password@ in the URL.

import http from 'node:http';
import https from 'node:https';
import type net from 'node:net';
import { Agent, type AgentConnectOpts } from 'agent-base';
import { getProxyForUrl } from 'proxy-from-env';
import { proxyUrlProblem } from '../../../shared/validation';
import { EngineError } from '../errors';
import type { ProxyMode } from '../../../shared/types';
import { httpTunnel, proxyAddress, socksTunnel } from './tunnel';

export type { ProxyMode };

/**
 * The OS's proxy for a URL, in PAC form ("DIRECT", "PROXY host:port; DIRECT",
 * "SOCKS5 host:port"): what Electron's session.resolveProxy answers.
 */
export type SystemProxyResolver = (url: string) => Promise<string>;

export interface ProxyPolicy {
  mode: ProxyMode;
  /** mode 'manual': the proxy URL, credentials included. */
  url?: string;
  /** mode 'system', when no proxy variable is set: the OS's answer. */
  resolveSystem?: SystemProxyResolver;
}

export type ProxyRoute = { kind: 'direct'; why: string } | { kind: 'proxy'; proxy: URL; why: string };

const PROXY_VARIABLES = ['https_proxy', 'http_proxy', 'all_proxy', 'npm_config_https_proxy', 'npm_config_http_proxy', 'npm_config_proxy'];

/** Whether any variable proxy-from-env reads names a proxy. */
export function proxyVariablesSet(env: NodeJS.ProcessEnv = process.env): boolean {
  return PROXY_VARIABLES.some((v) => !!(env[v] || env[v.toUpperCase()]));
}

/** A proxy URL parsed, or an error naming what is wrong with it (without echoing a password). */
export function parseProxyUrl(text: string): URL {
  const problem = proxyUrlProblem(text);
  if (problem) throw new TypeError(problem);
  const url = new URL(text.trim());
  // "socks://" is read as SOCKS5 with the proxy resolving names, as curl does for socks5h.
  if (url.protocol === 'socks:') return new URL(`socks5h://${text.trim().slice('socks://'.length)}`);
  return url;
}

/** What stands for a proxy password wherever the URL is shown. */
export const PASSWORD_MASK = '••••';

/** The URL as operators may see it: the password replaced by ••••, the user kept. */
export function maskProxyUrl(text: string): string {
  try {
    const url = new URL(text);
    if (!url.password) return url.href.replace(/\/$/, '');
    url.password = 'MASKED';
    return url.href.replace(/\/$/, '').replace(':MASKED@', `:${PASSWORD_MASK}@`);
  } catch {
    return text.replace(/\/\/([^:@/]*):[^@/]*@/, `//$1:${PASSWORD_MASK}@`);
  }
}

/** Whether a URL's password is the mask (a settings form sent back what it was shown). */
export function hasMaskedPassword(text: string): boolean {
  try {
    return decodeURIComponent(new URL(text).password) === PASSWORD_MASK;
  } catch {
    return false;
  }
}

/** `text` with its password (the mask) replaced by the one in `stored`. */
export function withStoredPassword(text: string, stored: string): string {
  const url = new URL(text);
  url.password = new URL(stored).password;
  return url.href.replace(/\/$/, '');
}

/**
 * The first usable entry of a PAC answer. "PROXY"/"HTTP" → http://, "HTTPS" → https://,
 * "SOCKS"/"SOCKS5" → socks5:// (Chromium resolves names itself for those); SOCKS4 and
 * QUIC entries are skipped; nothing usable → direct.
 */
export function routeFromPac(answer: string): ProxyRoute {
  for (const entry of answer.split(';').map((s) => s.trim()).filter(Boolean)) {
    const [word, where] = entry.split(/\s+/, 2);
    const kind = word.toUpperCase();
    if (kind === 'DIRECT') return { kind: 'direct', why: 'the system proxy says DIRECT' };
    const scheme = kind === 'PROXY' || kind === 'HTTP' ? 'http' : kind === 'HTTPS' ? 'https' : kind === 'SOCKS' || kind === 'SOCKS5' ? 'socks5' : undefined;
    if (!scheme || !where) continue;
    try {
      return { kind: 'proxy', proxy: new URL(`${scheme}://${where}`), why: 'the system proxy' };
    } catch {
      continue;
    }
  }
  return { kind: 'direct', why: 'the system proxy names no usable proxy' };
}

/** A proxy URL from the variables; one the engine cannot use stops the request with what to fix. */
function variableProxy(text: string): URL {
  try {
    return parseProxyUrl(text);
  } catch (err) {
    throw new EngineError({
      kind: 'parameter', code: 'InvalidProxy', retryable: false,
      message: `The proxy set in HTTPS_PROXY / HTTP_PROXY / ALL_PROXY cannot be used: ${(err as Error).message}`,
      hint: 'Correct the variable (http://, https://, socks5:// or socks5h://), or choose a proxy in the settings or with --proxy.',
    });
  }
}

/** Where a request to `url` goes under `policy`. */
export async function routeFor(url: string, policy: ProxyPolicy): Promise<ProxyRoute> {
  if (policy.mode === 'none') return { kind: 'direct', why: 'proxies are turned off' };
  if (policy.mode === 'manual') {
    if (!policy.url) return { kind: 'direct', why: 'no proxy URL is set' };
    // NO_PROXY still applies: the same variable that exempts hosts from the environment's
    // proxy exempts them from the configured one (a local sandbox, an intranet mirror).
    const viaEnv = withProxyVariables((name) => (name === 'all_proxy' ? policy.url : undefined), () => getProxyForUrl(url));
    return viaEnv ? { kind: 'proxy', proxy: parseProxyUrl(policy.url), why: 'the proxy setting' } : { kind: 'direct', why: 'NO_PROXY names the host' };
  }
  if (proxyVariablesSet()) {
    // A value without a scheme is an HTTP proxy (as curl reads it); proxy-from-env would
    // give it the target's scheme, i.e. TLS to the proxy for every https target.
    const p = withProxyVariables((_name, v) => (v && !v.includes('://') ? `http://${v}` : v), () => getProxyForUrl(url));
    return p ? { kind: 'proxy', proxy: variableProxy(p), why: 'the proxy variables' } : { kind: 'direct', why: 'NO_PROXY names the host' };
  }
  if (policy.resolveSystem) return routeFromPac(await policy.resolveSystem(url));
  return { kind: 'direct', why: 'no proxy is configured' };
}

/**
 * Runs `fn` (which reads the proxy variables, as proxy-from-env does) with each of them
 * set to `value(name, current)` (undefined = unset; NO_PROXY untouched), then puts them
 * back. Synchronous: nothing else can observe the change.
 */
function withProxyVariables<T>(value: (name: string, current: string | undefined) => string | undefined, fn: () => T): T {
  const names = [...PROXY_VARIABLES, ...PROXY_VARIABLES.map((x) => x.toUpperCase())];
  const saved = new Map(names.map((n) => [n, process.env[n]]));
  const wanted = new Map(PROXY_VARIABLES.map((n) => [n, value(n, process.env[n] || process.env[n.toUpperCase()] || undefined)]));
  for (const n of names) delete process.env[n];
  for (const [n, v] of wanted) if (v) process.env[n] = v;
  try {
    return fn();
  } finally {
    for (const n of names) delete process.env[n];
    for (const [n, v] of saved) if (v !== undefined) process.env[n] = v;
  }
}

/** What the agent did, for tests and for the proxy test's report. */
export interface RouteCounts {
  direct: number;
  proxied: number;
}

/**
 * An http.Agent for http and https alike that asks the policy for each new connection.
 * Direct connections go to Node's own keep-alive agents; tunnelled ones are pooled here,
 * under a name that includes the policy's generation, so a changed setting never reuses
 * a socket opened under the old one.
 */
export class RoutingAgent extends Agent {
  private policy: ProxyPolicy;
  private generation = 0;
  private readonly direct = {
    http: new http.Agent({ keepAlive: true }),
    https: new https.Agent({ keepAlive: true }),
  };
  readonly counts: RouteCounts = { direct: 0, proxied: 0 };
  /** The route of the last connection made, for the proxy test's report. */
  lastRoute: ProxyRoute | undefined;

  constructor(policy: ProxyPolicy = { mode: 'system' }, private readonly connectTimeoutMs = 30_000) {
    super({ keepAlive: true });
    this.policy = policy;
  }

  /** Applies a new policy to connections opened from now on; idle sockets are closed. */
  setPolicy(policy: ProxyPolicy): void {
    this.policy = policy;
    this.generation++;
    for (const a of [this, this.direct.http, this.direct.https]) {
      const free = (a as unknown as { freeSockets: Record<string, net.Socket[]> }).freeSockets;
      for (const list of Object.values(free)) for (const s of list) s.destroy();
    }
  }

  /**
   * http or https for a request's options, without agent-base's fallback of reading a
   * stack trace (new Error().stack, several times per request when urllib or pop-core
   * name no `protocol`: a few percent of a small file's CPU). Node's https.request always
   * passes its own global agent as `_defaultAgent`, whose protocol says https;
   * http.request passes none. Without options (the `protocol` getter, asked while the
   * request is built) only the stack can tell, as before.
   */
  override isSecureEndpoint(options?: http.ClientRequestArgs & { secureEndpoint?: unknown; _defaultAgent?: { protocol?: string } }): boolean {
    if (!options) return super.isSecureEndpoint();
    if (typeof options.secureEndpoint === 'boolean') return options.secureEndpoint;
    if (typeof options.protocol === 'string') return options.protocol === 'https:';
    return options._defaultAgent?.protocol === 'https:';
  }

  override getName(options?: http.ClientRequestArgs): string {
    return `${super.getName(options as never)}:route${this.generation}`;
  }

  override async connect(req: http.ClientRequest, opts: AgentConnectOpts): Promise<net.Socket | http.Agent> {
    const secure = opts.secureEndpoint;
    const host = opts.host ?? 'localhost';
    const url = `${secure ? 'https' : 'http'}://${host.includes(':') ? `[${host}]` : host}:${opts.port}/`;
    const route = await routeFor(url, this.policy);
    this.lastRoute = route;
    if (route.kind === 'direct') {
      this.counts.direct++;
      return secure ? this.direct.https : this.direct.http;
    }
    this.counts.proxied++;
    return route.proxy.protocol.startsWith('socks')
      ? socksTunnel(route.proxy, req, opts, this.connectTimeoutMs)
      : httpTunnel(route.proxy, opts, this.connectTimeoutMs);
  }

  override destroy(): void {
    super.destroy();
    this.direct.http.destroy();
    this.direct.https.destroy();
  }
}

/** A short description of a route, without credentials. */
export function describeRoute(route: ProxyRoute): string {
  return route.kind === 'direct' ? `direct (${route.why})` : `${route.proxy.protocol.replace(/:$/, '')} proxy ${proxyAddress(route.proxy)} (${route.why})`;
}

// --- the process's network ----------------------------------------------------

let agent: RoutingAgent | undefined;

/**
 * The agent every VOD and OSS request of this process uses (also for new code: pass it as
 * `agent` to http.request/https.request/get — one agent serves both schemes).
 */
export function networkAgent(): RoutingAgent {
  agent ??= new RoutingAgent({ mode: 'system' });
  return agent;
}

/**
 * agentFor(url): the agent for a request to `url`. The same agent for every URL today (it
 * routes per connection); the parameter keeps callers independent of that.
 */
export function agentFor(url: string): http.Agent {
  void url;
  return networkAgent();
}

/** Sets this process's proxy policy (the app's setting, the CLI's --proxy). */
export function configureProxy(policy: ProxyPolicy): void {
  if (policy.mode === 'manual' && policy.url) parseProxyUrl(policy.url);
  networkAgent().setPolicy(policy);
}

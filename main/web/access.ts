// Who may use the web mode: whoever holds the random token (in the URL the server
// prints, then a cookie), from the served origin only. Bound to loopback by default;
// the Host check keeps DNS-rebinding pages out even before the token is checked.

import crypto from 'crypto';
import type http from 'http';
import net from 'net';
import { WEB_TOKEN_PARAM } from '../../shared/ipc';

export function newToken(): string {
  return crypto.randomBytes(32).toString('base64url');
}

/** Constant-time comparison; hashing first makes unequal lengths take the same time too. */
export function tokenMatches(given: string | undefined, expected: string): boolean {
  if (typeof given !== 'string' || given.length === 0) return false;
  const a = crypto.createHash('sha256').update(given).digest();
  const b = crypto.createHash('sha256').update(expected).digest();
  return crypto.timingSafeEqual(a, b);
}

/** Cookies are not port-scoped, so two servers on one host need two names. */
export function cookieName(port: number): string {
  return `vod_token_${port}`;
}

export function readCookie(req: http.IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

export function requestToken(req: http.IncomingMessage, url: URL, port: number): string | undefined {
  return url.searchParams.get(WEB_TOKEN_PARAM) ?? readCookie(req, cookieName(port));
}

export function isLoopback(host: string): boolean {
  if (host === 'localhost') return true;
  const h = host.replace(/^\[|\]$/g, '');
  if (net.isIPv4(h)) return h.startsWith('127.');
  return h === '::1';
}

export function isWildcard(host: string): boolean {
  return host === '0.0.0.0' || host === '::' || host === '[::]';
}

/** host:port as it appears in a Host header or an origin (IPv6 in brackets). */
export function hostPort(host: string, port: number): string {
  const h = host.replace(/^\[|\]$/g, '');
  return net.isIPv6(h) ? `[${h}]:${port}` : `${h}:${port}`;
}

export class OriginPolicy {
  private readonly hosts: Set<string> | undefined;

  constructor(host: string, port: number) {
    if (isWildcard(host)) {
      // Reachable under names we cannot know; the Origin must then match the Host asked for.
      this.hosts = undefined;
    } else {
      const names = isLoopback(host) ? [host, 'localhost', '127.0.0.1', '::1'] : [host];
      this.hosts = new Set(names.map((n) => normalHost(hostPort(n, port))));
    }
  }

  hostAllowed(req: http.IncomingMessage): boolean {
    const host = normalHost(req.headers.host);
    if (!host) return false;
    return this.hosts ? this.hosts.has(host) : true;
  }

  /** The WebSocket's Origin must be the page this server served. */
  originAllowed(req: http.IncomingMessage): boolean {
    const origin = req.headers.origin;
    if (!origin || !this.hostAllowed(req)) return false;
    let u: URL;
    try {
      u = new URL(origin);
    } catch {
      return false;
    }
    return u.protocol === 'http:' && u.host === normalHost(req.headers.host);
  }
}

/** Lower-cased host[:port] as URL writes it (port 80 dropped), or '' when unparsable. */
function normalHost(host: string | undefined): string {
  if (!host) return '';
  try {
    return new URL(`http://${host}`).host;
  } catch {
    return '';
  }
}

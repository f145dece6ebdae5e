// The OS's proxy, as Chromium sees it (system settings, PAC, WPAD), for the engine's
// 'system' proxy mode (main/engine/net/proxy.ts). Offered on Windows and macOS, where
// operators set a proxy in the OS and no variable carries it; on Linux the HTTPS_PROXY
// family of variables is the convention, and the engine reads those itself.

import type { Session } from 'electron';
import type { SystemProxyResolver } from '../engine/net/proxy';

/** A PAC lookup that hangs (an unreachable WPAD server) must not hold a connection forever. */
const RESOLVE_TIMEOUT_MS = 10_000;

export function systemProxyResolver(
  session: Pick<Session, 'resolveProxy'>,
  platform: NodeJS.Platform,
  timeoutMs = RESOLVE_TIMEOUT_MS,
): SystemProxyResolver | undefined {
  if (platform !== 'win32' && platform !== 'darwin') return undefined;
  return async (url) => {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<string>((resolve) => {
      // No answer in time: go direct, as Chromium does when its PAC script cannot be fetched.
      timer = setTimeout(() => resolve('DIRECT'), timeoutMs);
    });
    try {
      return await Promise.race([session.resolveProxy(url).catch(() => 'DIRECT'), timeout]);
    } finally {
      clearTimeout(timer);
    }
  };
}

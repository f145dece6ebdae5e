// A bodiless HTTP request (HEAD, or a GET whose body is not needed) through the process's
// routing agent: for code that would otherwise reach for fetch(), which ignores http.Agent
// and so would bypass the proxy setting (main/engine/net/proxy.ts).

import http from 'node:http';
import https from 'node:https';
import { agentFor } from './proxy';

export interface HeadResult {
  status: number;
  headers: http.IncomingHttpHeaders;
}

export function requestHead(
  url: string,
  opts: { method?: 'HEAD' | 'GET'; agent?: http.Agent; timeoutMs?: number; signal?: AbortSignal } = {},
): Promise<HeadResult> {
  const lib = url.startsWith('https:') ? https : http;
  return new Promise((resolve, reject) => {
    const req = lib.request(url, { method: opts.method ?? 'HEAD', agent: opts.agent ?? agentFor(url), timeout: opts.timeoutMs ?? 30_000, signal: opts.signal }, (res) => {
      res.resume();
      resolve({ status: res.statusCode ?? 0, headers: res.headers });
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error(`No answer from ${new URL(url).host} in time`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

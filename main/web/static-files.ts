// Serves the built renderer (out/renderer) over plain node http. Small on purpose: a
// handful of MIME types, no directory listing, no path outside the root, and the
// security headers the page needs. (A static-file package would add a dependency for
// ~60 lines, and would need the same traversal and header care.)

import fs from 'fs';
import type http from 'http';
import path from 'path';
import { CONTENT_SECURITY_POLICY } from '../app/security';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.txt': 'text/plain; charset=utf-8',
  '.wasm': 'application/wasm',
};

export const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': CONTENT_SECURITY_POLICY,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

/**
 * Maps a URL path to a file under root, or undefined when it would leave root.
 * Paths without an extension fall back to index.html (the renderer routes itself).
 */
export function resolveStaticPath(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  // Refuse rather than normalise: no honest page asks for "..", a backslash or a NUL.
  if (decoded.includes('\0') || decoded.includes('\\') || decoded.split('/').includes('..')) return undefined;
  const rel = path.posix.normalize(decoded).replace(/^\/+/, '');
  if (rel === '' || rel === '.') return path.join(root, 'index.html');
  const full = path.resolve(root, rel);
  if (full !== root && !full.startsWith(root + path.sep)) return undefined;
  return path.extname(full) ? full : path.join(root, 'index.html');
}

export async function serveStatic(root: string, urlPath: string, req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    res.writeHead(405, { Allow: 'GET, HEAD', 'Content-Type': 'text/plain; charset=utf-8' }).end('Method not allowed.\n');
    return;
  }
  const file = resolveStaticPath(root, urlPath);
  const st = file ? await fs.promises.stat(file).catch(() => undefined) : undefined;
  if (!file || !st || !st.isFile()) {
    const missingApp = file?.endsWith('index.html');
    res.writeHead(404, { 'Content-Type': 'text/plain; charset=utf-8', ...SECURITY_HEADERS }).end(missingApp
      ? `The user interface is not built (${root} has no index.html). Run "npm run build" first.\n`
      : 'Not found.\n');
    return;
  }
  const ext = path.extname(file).toLowerCase();
  // Vite puts content-hashed files under assets/: cache them for good; the page itself never.
  const immutable = path.relative(root, file).startsWith(`assets${path.sep}`);
  res.writeHead(200, {
    'Content-Type': MIME[ext] ?? 'application/octet-stream',
    'Content-Length': String(st.size),
    'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    ...SECURITY_HEADERS,
  });
  if (req.method === 'HEAD') {
    res.end();
    return;
  }
  fs.createReadStream(file).on('error', () => res.destroy()).pipe(res);
}

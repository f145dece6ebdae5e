// Serves the built renderer as app://renderer/… instead of file://: a real origin for
// the CSP and the sender check, response headers (file:// has none), and no access
// to any file outside out/renderer.

import { net, protocol } from 'electron';
import fs from 'fs';
import { pathToFileURL } from 'url';
import { CONTENT_SECURITY_POLICY } from '../app/security';
import { resolveStaticPath } from '../web/static-files';
import { APP_HOST, APP_SCHEME } from './window';

/** Must run before the app is ready. */
export function registerAppScheme(): void {
  protocol.registerSchemesAsPrivileged([
    { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } },
  ]);
}

export function serveRendererOverAppScheme(rendererDir: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    const file = url.host === APP_HOST ? resolveStaticPath(rendererDir, url.pathname) : undefined;
    const isFile = file ? await fs.promises.stat(file).then((st) => st.isFile(), () => false) : false;
    if (!file || !isFile) return new Response('Not found', { status: 404 });
    const res = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(res.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(res.body, { status: res.status, headers });
  });
}

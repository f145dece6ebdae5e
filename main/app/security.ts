// The renderer's Content-Security-Policy, one string for both shells. Scripts only from
// the app itself (no eval, no inline); inline styles are allowed because React and
// i18n-driven layouts set style attributes; connections only to the app's own origin
// (web mode's WebSocket is same-origin; Electron needs none).

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data: blob:",
  "font-src 'self' data:",
  "connect-src 'self'",
  "media-src 'self' blob:",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * Development only (renderer served by Vite): its React refresh preamble is an inline
 * script and its HMR client connects back over WebSocket.
 */
export function developmentCsp(devOrigin: string): string {
  const ws = devOrigin.replace(/^http/, 'ws');
  return CONTENT_SECURITY_POLICY
    .replace("script-src 'self'", `script-src 'self' 'unsafe-inline' ${devOrigin}`)
    .replace("connect-src 'self'", `connect-src 'self' ${devOrigin} ${ws}`);
}

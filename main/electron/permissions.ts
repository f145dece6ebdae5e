// What web content may ask Electron for. Without handlers Electron grants every
// permission request (camera, microphone, location, notifications, USB, serial, HID,
// file-system access…); the renderer needs exactly one: writing to the clipboard for
// its Copy buttons. The shell shows its own notifications from the main process, so
// the page never needs the Notification permission. Everything else is refused, and
// only our own page (app://renderer, or the dev server in development) gets even that.

import type { Session } from 'electron';

/** Permissions the renderer uses; see CopyButton (navigator.clipboard.writeText). */
export const GRANTED_PERMISSIONS: ReadonlySet<string> = new Set(['clipboard-sanitized-write']);

/** `scheme://host[:port]` of a URL or origin string; not URL.origin, which is "null" for app://. */
export function originOf(url: string | undefined): string | undefined {
  if (!url) return undefined;
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}`;
  } catch {
    return undefined;
  }
}

export function isPermissionGranted(permission: string, requestingUrl: string | undefined, trustedOrigins: readonly string[]): boolean {
  const origin = originOf(requestingUrl);
  return GRANTED_PERMISSIONS.has(permission) && origin !== undefined && trustedOrigins.includes(origin);
}

type PermissionSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'>;

/** Installs the policy on a session (the app uses the default session only). */
export function installPermissionPolicy(ses: PermissionSession, trustedOrigins: readonly string[]): void {
  ses.setPermissionRequestHandler((_contents, permission, callback, details) => {
    callback(isPermissionGranted(permission, details.requestingUrl, trustedOrigins));
  });
  // Most web APIs check before they ask: the same answer both ways.
  ses.setPermissionCheckHandler((_contents, permission, requestingOrigin) => isPermissionGranted(permission, requestingOrigin, trustedOrigins));
  // No device (USB, serial, HID, Bluetooth) is ever handed to the page.
  ses.setDevicePermissionHandler(() => false);
}

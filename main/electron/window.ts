// The one window and the rules every web contents obeys: isolated, sandboxed, no Node,
// no navigation away from the app, no new windows (https links open in the browser).

import { BrowserWindow, shell, type BrowserWindowConstructorOptions, type WebContents, type WebPreferences } from 'electron';

export const APP_SCHEME = 'app';
export const APP_HOST = 'renderer';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;

export function secureWebPreferences(preload: string): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    webviewTag: false,
    spellcheck: false,
  };
}

export function mainWindowOptions(preload: string, icon?: string): BrowserWindowConstructorOptions {
  return {
    width: 1280,
    height: 800,
    minWidth: 900,
    minHeight: 560,
    show: false,
    title: 'VOD Bulk Uploader',
    ...(icon ? { icon } : {}),
    webPreferences: secureWebPreferences(preload),
  };
}

/** Only plain https links leave the app, to the user's browser. */
export function isExternalLink(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}

/**
 * Locks a web contents in place. The renderer is a single page: it never navigates,
 * so any navigation is either a dropped file (Chromium opens it) or an attack.
 */
export function hardenWebContents(contents: WebContents, openExternal: (url: string) => unknown = (u) => shell.openExternal(u)): void {
  contents.on('will-navigate', (event, url) => {
    event.preventDefault();
    if (isExternalLink(url)) void openExternal(url);
  });
  contents.on('will-redirect', (event) => event.preventDefault());
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    if (isExternalLink(url)) void openExternal(url);
    return { action: 'deny' };
  });
}

/** Hardening is applied to every web contents by the shell's 'web-contents-created' hook. */
export function createMainWindow(preload: string, icon?: string): BrowserWindow {
  const win = new BrowserWindow(mainWindowOptions(preload, icon));
  win.once('ready-to-show', () => win.show());
  return win;
}

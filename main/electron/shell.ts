// The Electron shell: thin glue between Electron's objects and the shell-agnostic app
// (main/app). Each piece of logic lives in a testable module beside this one.

import {
  BrowserWindow, Menu, Notification, app, dialog, ipcMain, powerSaveBlocker, safeStorage, session,
  type Tray,
} from 'electron';
import fs from 'fs';
import path from 'path';
import { IMAGE_EXTENSIONS, AUDIO_EXTENSIONS, VIDEO_EXTENSIONS } from '../../shared/limits';
import type { PickKind } from '../../shared/ipc';
import type { QueueTotals } from '../../shared/types';
import { createApp, type App } from '../app/create-app';
import { useSqliteNativeBinding } from '../engine/store/index';
import { createDispatcher } from '../app/dispatch';
import { CONTENT_SECURITY_POLICY, developmentCsp } from '../app/security';
import { ActivityNotifier, PowerGuard, activeJobCount, progressBarFor } from './activity';
import { registerAppScheme, serveRendererOverAppScheme } from './app-protocol';
import { forwardEvents, registerIpcHandlers, senderFromOrigins } from './ipc';
import { developmentRendererUrl } from './dev-server';
import { installGracefulQuit } from './lifecycle';
import { chooseSqliteBinding, installedSqliteVersion } from './native-modules';
import { menuTemplate } from './menu';
import { installPermissionPolicy, originOf } from './permissions';
import { chooseSecretBox } from './safe-storage-box';
import { systemProxyResolver } from './system-proxy';
import { createTray, trayTooltip } from './tray';
import { APP_ORIGIN, createMainWindow, hardenWebContents } from './window';

// Laid out by the build: out/main/electron/ (here), out/preload/, out/renderer/.
const OUT_DIR = path.join(__dirname, '..', '..');
const PRELOAD = path.join(OUT_DIR, 'preload', 'preload.js');
const RENDERER_DIR = path.join(OUT_DIR, 'renderer');

export function startElectronShell(): void {
  if (!app.requestSingleInstanceLock()) {
    // Another instance owns the queue database; it shows its window (second-instance).
    app.quit();
    return;
  }
  registerAppScheme();
  // Before anything opens the queue: the better-sqlite3 build for this runtime.
  try {
    useSqliteNativeBinding(chooseSqliteBinding({
      electronVersion: process.versions.electron,
      target: { abi: process.versions.modules, platform: process.platform, arch: process.arch },
      isPackaged: app.isPackaged,
      repoDir: app.getAppPath(),
      sqliteVersion: installedSqliteVersion(),
      exists: (f) => fs.existsSync(f),
    }));
  } catch (err) {
    // Started from a checkout without "npm run app": say what to run (stderr for the terminal too).
    console.error((err as Error).message);
    dialog.showErrorBox('VOD Bulk Uploader could not start', (err as Error).message);
    app.exit(1);
    return;
  }
  // `npm run dev`-style runs load the Vite dev server; a packaged app never does.
  let devUrl: string | undefined;
  try {
    devUrl = developmentRendererUrl(process.env.ELECTRON_RENDERER_URL, app.isPackaged);
  } catch (err) {
    console.error((err as Error).message);
    app.exit(1);
    return;
  }
  const trustedOrigins = [APP_ORIGIN, ...(devUrl ? [originOf(devUrl)!] : [])];

  let win: BrowserWindow | undefined;
  let instance: App | undefined;
  let tray: Tray | undefined;
  let toldAboutTray = false;
  const assets = path.join(app.getAppPath(), 'assets');
  const power = new PowerGuard(powerSaveBlocker);
  const notifier = new ActivityNotifier((n) => {
    if (Notification.isSupported()) new Notification({ title: n.title, body: n.body }).show();
  });
  const quit = installGracefulQuit(app, async () => {
    await instance?.dispose();
    power.dispose();
  }, { onError: (err) => console.error('Shutdown failed:', err) });

  const showWindow = (): void => {
    if (!instance) return;
    if (!win || win.isDestroyed()) win = openWindow(instance);
    if (win.isMinimized()) win.restore();
    win.show();
    win.focus();
  };

  const openWindow = (running: App): BrowserWindow => {
    const w = createMainWindow(PRELOAD, path.join(assets, 'icon.png'));
    w.on('close', (event) => {
      if (quit.quitting) return;
      // Decide after reading the setting; hide meanwhile so the click feels immediate.
      event.preventDefault();
      w.hide();
      void running.controller.getSettings().then((s) => {
        if (s.keepRunningInTray && tray) {
          if (!toldAboutTray && Notification.isSupported()) {
            new Notification({ title: 'VOD Bulk Uploader keeps running', body: 'Uploads continue in the background. Use the tray icon to open or quit.' }).show();
          }
          toldAboutTray = true;
        } else if (process.platform !== 'darwin') {
          app.quit();
        }
      });
    });
    void w.loadURL(devUrl ?? `${APP_ORIGIN}/index.html`);
    return w;
  };

  const dialogOptions: Record<PickKind, Electron.OpenDialogOptions> = {
    files: {
      properties: ['openFile', 'multiSelections'],
      filters: [
        { name: 'Video and audio', extensions: [...VIDEO_EXTENSIONS, ...AUDIO_EXTENSIONS] },
        { name: 'Images (covers)', extensions: [...IMAGE_EXTENSIONS] },
        { name: 'All files', extensions: ['*'] },
      ],
    },
    folder: { properties: ['openDirectory', 'multiSelections'] },
    // One cover per file or selection: a single image.
    image: { properties: ['openFile'], filters: [{ name: 'Images (covers)', extensions: [...IMAGE_EXTENSIONS] }] },
    // "Import list…": one manifest, as main/engine/manifest.ts reads them.
    manifest: { properties: ['openFile'], filters: [{ name: 'File lists (CSV, JSON)', extensions: ['csv', 'json'] }] },
  };

  const pickPaths = async (kind: PickKind): Promise<string[] | null> => {
    const options = dialogOptions[kind];
    const result = win && !win.isDestroyed() ? await dialog.showOpenDialog(win, options) : await dialog.showOpenDialog(options);
    return result.canceled ? null : result.filePaths;
  };

  app.on('second-instance', showWindow);
  app.on('activate', showWindow);
  app.on('web-contents-created', (_e, contents) => hardenWebContents(contents));
  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.whenReady().then(async () => {
    const dataDir = app.getPath('userData');
    const { box, warning } = chooseSecretBox(safeStorage, process.platform, dataDir);
    if (warning) console.warn(warning);

    installPermissionPolicy(session.defaultSession, trustedOrigins);
    const csp = devUrl ? developmentCsp(originOf(devUrl)!) : CONTENT_SECURITY_POLICY;
    session.defaultSession.webRequest.onHeadersReceived((details, callback) => {
      callback({ responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } });
    });
    serveRendererOverAppScheme(RENDERER_DIR);
    Menu.setApplicationMenu(Menu.buildFromTemplate(menuTemplate({ platform: process.platform, isDev: !app.isPackaged, appName: app.getName() })));

    const running = await createApp({
      dataDir, secretBox: box, shell: 'electron', pickPaths, version: app.getVersion(), locale: app.getLocale(),
      resolveSystemProxy: systemProxyResolver(session.defaultSession, process.platform),
    });
    instance = running;
    registerIpcHandlers(ipcMain, createDispatcher(running.controller), senderFromOrigins(trustedOrigins));
    forwardEvents(running.events, (channel, payload) => {
      if (win && !win.isDestroyed()) win.webContents.send(channel, payload);
    });

    const onTotals = (totals: QueueTotals): void => {
      const active = activeJobCount(totals);
      power.update(active > 0);
      const bar = progressBarFor(totals);
      if (win && !win.isDestroyed()) win.setProgressBar(bar.progress, { mode: bar.mode });
      tray?.setToolTip(trayTooltip(active, Math.max(0, bar.progress)));
      notifier.totalsChanged(totals);
    };
    // Job changes arrive in bursts; one totals query per burst is enough.
    let totalsQueued = false;
    running.events.onProgress((batch) => onTotals(batch.totals));
    running.events.onJobsChanged((jobs) => {
      notifier.jobsChanged(jobs);
      if (totalsQueued) return;
      totalsQueued = true;
      setImmediate(() => {
        totalsQueued = false;
        void running.controller.getTotals().then(onTotals);
      });
    });

    tray = createTray(path.join(assets, 'tray.png'), {
      show: showWindow,
      pauseAll: () => void running.controller.pause('all'),
      resumeAll: () => void running.controller.resume('all'),
      quit: () => app.quit(),
    });
    onTotals(await running.controller.getTotals());
    showWindow();
  }).catch((err: unknown) => {
    // What happened and, for the engine's own refusals (queue in use…), what to do.
    const hint = (err as { hint?: unknown })?.hint;
    dialog.showErrorBox('VOD Bulk Uploader could not start', `${err instanceof Error ? err.message : String(err)}${typeof hint === 'string' ? `\n\n${hint}` : ''}`);
    app.exit(1);
  });
}

// The Electron shell's logic with the electron module mocked (no Electron binary can
// run here): secure window options, navigation lock, IPC handlers generated from the
// contract that validate before the controller runs, power blocking, notifications,
// the secret box on safeStorage, and the graceful quit.

import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

const created: { options: unknown }[] = [];
vi.mock('electron', async () => {
  const { EventEmitter } = await import('node:events');
  class BrowserWindow extends EventEmitter {
    webContents = new EventEmitter();
    constructor(options: unknown) {
      super();
      created.push({ options });
    }
  }
  return { BrowserWindow, shell: { openExternal: vi.fn() } };
});

const { createMainWindow, hardenWebContents, mainWindowOptions } = await import('../../main/electron/window');
const { registerIpcHandlers, forwardEvents, senderFromOrigins } = await import('../../main/electron/ipc');
const { ActivityNotifier, PowerGuard, activeJobCount, progressBarFor } = await import('../../main/electron/activity');
const { chooseSecretBox } = await import('../../main/electron/safe-storage-box');
const { installGracefulQuit } = await import('../../main/electron/lifecycle');
const { menuTemplate } = await import('../../main/electron/menu');
const { installPermissionPolicy, isPermissionGranted } = await import('../../main/electron/permissions');
const { developmentRendererUrl } = await import('../../main/electron/dev-server');
const { createDispatcher } = await import('../../main/app/dispatch');
const { IPC_METHODS, callChannel, eventChannel } = await import('../../shared/ipc');
const { tempDir } = await import('../helpers/files');
type BridgeCalls = import('../../shared/ipc').BridgeCalls;
type QueueTotals = import('../../shared/types').QueueTotals;
type JobView = import('../../shared/types').JobView;

describe('main window', () => {
  it('is isolated, sandboxed, without Node, with web security and the bundled preload', () => {
    const prefs = mainWindowOptions('/app/out/preload/preload.js').webPreferences!;
    expect(prefs).toMatchObject({
      preload: '/app/out/preload/preload.js',
      contextIsolation: true,
      sandbox: true,
      nodeIntegration: false,
      nodeIntegrationInWorker: false,
      webSecurity: true,
      allowRunningInsecureContent: false,
      webviewTag: false,
    });
    createMainWindow('/p.js');
    expect((created.at(-1)!.options as { webPreferences: unknown }).webPreferences).toEqual(mainWindowOptions('/p.js').webPreferences);
  });
});

function fakeContents() {
  const contents = new EventEmitter() as EventEmitter & { setWindowOpenHandler: (h: (d: { url: string }) => { action: string }) => void; openHandler?: (d: { url: string }) => { action: string } };
  contents.setWindowOpenHandler = (h) => {
    contents.openHandler = h;
  };
  return contents;
}

describe('navigation lock', () => {
  it('blocks every navigation and opens only https links externally', () => {
    const contents = fakeContents();
    const opened: string[] = [];
    hardenWebContents(contents as never, (u) => opened.push(u));
    for (const url of ['https://help.aliyun.com/vod', 'file:///etc/passwd', 'http://evil.example', 'javascript:alert(1)']) {
      const event = { preventDefault: vi.fn() };
      contents.emit('will-navigate', event, url);
      expect(event.preventDefault).toHaveBeenCalled();
    }
    expect(opened).toEqual(['https://help.aliyun.com/vod']);
  });

  it('denies every new window', () => {
    const contents = fakeContents();
    const opened: string[] = [];
    hardenWebContents(contents as never, (u) => opened.push(u));
    expect(contents.openHandler!({ url: 'https://example.com/doc' })).toEqual({ action: 'deny' });
    expect(contents.openHandler!({ url: 'file:///C:/Windows' })).toEqual({ action: 'deny' });
    expect(opened).toEqual(['https://example.com/doc']);
    const webview = { preventDefault: vi.fn() };
    contents.emit('will-attach-webview', webview);
    expect(webview.preventDefault).toHaveBeenCalled();
  });
});

function recordingController(): { calls: BridgeCalls; seen: string[] } {
  const seen: string[] = [];
  const calls = Object.fromEntries(IPC_METHODS.map((m) => [m, async (...args: unknown[]) => {
    seen.push(m);
    return { method: m, args };
  }])) as unknown as BridgeCalls;
  return { calls, seen };
}

const trustedEvent = { senderFrame: { url: 'app://renderer/index.html', parent: null } };

describe('ipcMain handlers', () => {
  function setup() {
    const handlers = new Map<string, (event: unknown, ...args: unknown[]) => Promise<unknown>>();
    const ipcMain = {
      handle: (ch: string, fn: (event: unknown, ...args: unknown[]) => Promise<unknown>) => handlers.set(ch, fn),
      removeHandler: (ch: string) => handlers.delete(ch),
    };
    const { calls, seen } = recordingController();
    const dispose = registerIpcHandlers(ipcMain as never, createDispatcher(calls), senderFromOrigins(['app://renderer']));
    return { handlers, seen, dispose };
  }

  it('registers one handler per contract method and removes them all', () => {
    const { handlers, dispose } = setup();
    expect([...handlers.keys()].sort()).toEqual(IPC_METHODS.map(callChannel).sort());
    dispose();
    expect(handlers.size).toBe(0);
  });

  it('rejects a bad payload before the controller is called, for every method', async () => {
    const { handlers, seen } = setup();
    for (const m of IPC_METHODS) {
      // No method takes an object-with-an-unknown-key-at-position-0 plus 7 extra arguments.
      const reply = await handlers.get(callChannel(m))!(trustedEvent, { evil: true }, 1, 2, 3, 4, 5, 6, 7);
      expect(reply).toMatchObject({ ok: false, error: { code: 'InvalidArguments' } });
    }
    expect(seen).toEqual([]);
  });

  it('passes a valid call through and wraps the result', async () => {
    const { handlers, seen } = setup();
    expect(await handlers.get('vod:pause')!(trustedEvent, [3, 4])).toEqual({ ok: true, result: { method: 'pause', args: [[3, 4]] } });
    expect(seen).toEqual(['pause']);
  });

  it('refuses calls from another origin or a subframe', async () => {
    const { handlers, seen } = setup();
    const fromWeb = { senderFrame: { url: 'https://evil.example/', parent: null } };
    const fromFrame = { senderFrame: { url: 'app://renderer/index.html', parent: {} } };
    for (const ev of [fromWeb, fromFrame, { senderFrame: null }]) {
      expect(await handlers.get('vod:listProfiles')!(ev)).toMatchObject({ ok: false, error: { code: 'Forbidden' } });
    }
    expect(seen).toEqual([]);
  });

  it('forwards app events to the window on their channels', () => {
    const listeners: Record<string, (p: unknown) => void> = {};
    const events = Object.fromEntries(['onJobsChanged', 'onProgress', 'onProfilesChanged', 'onWatchFoldersChanged'].map((k) => [k, (l: (p: unknown) => void) => {
      listeners[k] = l;
      return () => delete listeners[k];
    }]));
    const sent: [string, unknown][] = [];
    const off = forwardEvents(events as never, (ch, p) => sent.push([ch, p]));
    listeners.onJobsChanged([{ id: 1 }]);
    listeners.onProfilesChanged(undefined);
    listeners.onWatchFoldersChanged([]);
    expect(sent).toEqual([
      [eventChannel('jobsChanged'), [{ id: 1 }]], [eventChannel('profilesChanged'), null], [eventChannel('watchFoldersChanged'), []],
    ]);
    off();
    expect(Object.keys(listeners)).toEqual([]);
  });
});

function totals(byState: QueueTotals['byState'], bytesDone = 0, bytesTotal = 0): QueueTotals {
  return { jobs: Object.values(byState).reduce((a, b) => a + (b ?? 0), 0), byState, bytesDone, bytesTotal, speed: 0 };
}

describe('power and progress', () => {
  it('blocks app suspension while any job is active and releases it when idle', () => {
    const started = new Set<number>();
    let next = 1;
    const blocker = {
      start: vi.fn(() => {
        started.add(next);
        return next++;
      }),
      stop: vi.fn((id: number) => started.delete(id)),
      isStarted: (id: number) => started.has(id),
    };
    const guard = new PowerGuard(blocker);
    guard.update(activeJobCount(totals({ ready: 3 })) > 0);
    expect(blocker.start).not.toHaveBeenCalled();
    guard.update(activeJobCount(totals({ uploading: 1, queued: 4 })) > 0);
    guard.update(activeJobCount(totals({ waiting: 1 })) > 0);
    expect(blocker.start).toHaveBeenCalledTimes(1);
    expect(blocker.start).toHaveBeenCalledWith('prevent-app-suspension');
    guard.update(activeJobCount(totals({ ready: 4, failed: 1 })) > 0);
    expect(blocker.stop).toHaveBeenCalledWith(1);
    expect(started.size).toBe(0);
    expect(guard.active).toBe(false);
  });

  it('shows the taskbar progress from totals, paused when all active jobs wait, none when idle', () => {
    expect(progressBarFor(totals({ uploading: 1, ready: 1 }, 250, 1000))).toEqual({ progress: 0.25, mode: 'normal' });
    expect(progressBarFor(totals({ waiting: 2 }, 500, 1000))).toEqual({ progress: 0.5, mode: 'paused' });
    expect(progressBarFor(totals({ ready: 2 }, 1000, 1000))).toEqual({ progress: -1, mode: 'none' });
  });
});

function job(id: number, state: JobView['state'], error?: JobView['error']): JobView {
  return { id, kind: 'upload', path: `/v/${id}.mp4`, fileName: `${id}.mp4`, size: 1, state, meta: { title: 't', tags: [] }, bytesDone: 0, priority: 0, attempts: 0, createdAt: 0, updatedAt: 0, ...(error ? { error } : {}) };
}

describe('notifications', () => {
  it('tells about a failure once, a burst of failures in one notice, and a finished batch', () => {
    const notices: { title: string; body: string }[] = [];
    const n = new ActivityNotifier((x) => notices.push(x));
    n.totalsChanged(totals({ uploading: 3 }));
    n.jobsChanged([job(1, 'failed', { code: 'Forbidden.RAM', message: 'No permission', retryable: false })]);
    n.jobsChanged([job(1, 'failed', { code: 'Forbidden.RAM', message: 'No permission', retryable: false })]);
    expect(notices).toEqual([{ title: 'Upload failed: 1.mp4', body: 'No permission (Forbidden.RAM)' }]);
    n.jobsChanged([job(2, 'failed'), job(3, 'failed')]);
    expect(notices[1].title).toBe('2 uploads failed');
    n.totalsChanged(totals({ failed: 3 }));
    expect(notices[2]).toEqual({ title: 'Uploads finished with failures', body: '0 ready, 0 processing in VOD, 3 failed.' });
    n.totalsChanged(totals({ failed: 3 }));
    expect(notices).toHaveLength(3);
  });
});

describe('secret box', () => {
  function fakeSafeStorage(available: boolean, backend: string) {
    return {
      isEncryptionAvailable: () => available,
      getSelectedStorageBackend: () => backend,
      encryptString: vi.fn((s: string) => Buffer.from(`enc:${s}`).reverse()),
      decryptString: vi.fn((b: Buffer) => Buffer.from(b).reverse().toString().slice(4)),
    };
  }

  it('uses safeStorage where the OS keychain is real', async () => {
    for (const [platform, backend] of [['darwin', 'unknown'], ['win32', 'unknown'], ['linux', 'gnome_libsecret']] as const) {
      const ss = fakeSafeStorage(true, backend);
      const { box, warning } = chooseSecretBox(ss as never, platform, await tempDir());
      expect(warning).toBeUndefined();
      const blob = box.encrypt('sk');
      expect(ss.encryptString).toHaveBeenCalledWith('sk');
      expect(box.decrypt(blob)).toBe('sk');
      expect(ss.decryptString).toHaveBeenCalled();
      expect(box.kind).toMatch(/safeStorage/);
    }
  });

  it('falls back to the key file, with a warning, where safeStorage protects nothing', async () => {
    for (const [available, backend] of [[false, 'gnome_libsecret'], [true, 'basic_text']] as const) {
      const ss = fakeSafeStorage(available, backend);
      const { box, warning } = chooseSecretBox(ss as never, 'linux', await tempDir());
      expect(warning).toMatch(/key file/);
      expect(box.decrypt(box.encrypt('sk'))).toBe('sk');
      expect(ss.encryptString).not.toHaveBeenCalled();
    }
  });
});

describe('graceful quit', () => {
  it('holds the quit until the engine has shut down, once, then quits', async () => {
    const app = new EventEmitter() as EventEmitter & { quit: () => void };
    let release!: () => void;
    const shutdown = vi.fn(() => new Promise<void>((r) => (release = r)));
    const quitted = new Promise<void>((resolve) => {
      app.quit = () => {
        const event = { preventDefault: vi.fn() };
        app.emit('before-quit', event);
        expect(event.preventDefault).not.toHaveBeenCalled();
        resolve();
      };
    });
    const state = installGracefulQuit(app as never, shutdown);
    expect(state.quitting).toBe(false);
    const first = { preventDefault: vi.fn() };
    app.emit('before-quit', first);
    const second = { preventDefault: vi.fn() };
    app.emit('before-quit', second);
    expect(first.preventDefault).toHaveBeenCalled();
    expect(second.preventDefault).toHaveBeenCalled();
    expect(state.quitting).toBe(true);
    expect(shutdown).toHaveBeenCalledTimes(1);
    release();
    await quitted;
  });

  it('quits anyway when the shutdown fails', async () => {
    const app = new EventEmitter() as EventEmitter & { quit: () => void };
    const errors: unknown[] = [];
    const quitted = new Promise<void>((resolve) => (app.quit = resolve));
    installGracefulQuit(app as never, () => Promise.reject(new Error('disk gone')), { onError: (e) => errors.push(e) });
    app.emit('before-quit', { preventDefault: () => undefined });
    await quitted;
    expect(String(errors[0])).toMatch(/disk gone/);
  });
});

describe('menus', () => {
  const roles = (t: ReturnType<typeof menuTemplate>): string[] => t.flatMap((m) => (m.submenu as { role?: string }[]).map((i) => i.role ?? ''));
  it('has copy/paste everywhere, devtools only in development, an app menu on macOS', () => {
    const prod = menuTemplate({ platform: 'win32', isDev: false, appName: 'VOD Bulk Uploader' });
    expect(roles(prod)).toEqual(expect.arrayContaining(['copy', 'paste', 'cut', 'selectAll', 'undo', 'quit']));
    expect(roles(prod)).not.toContain('toggleDevTools');
    expect(roles(menuTemplate({ platform: 'linux', isDev: true, appName: 'x' }))).toContain('toggleDevTools');
    const mac = menuTemplate({ platform: 'darwin', isDev: false, appName: 'VOD Bulk Uploader' });
    expect(mac[0].label).toBe('VOD Bulk Uploader');
    expect(roles(mac)).toEqual(expect.arrayContaining(['about', 'hide', 'quit', 'copy', 'paste']));
  });
});

describe('permissions', () => {
  type RequestHandler = (contents: unknown, permission: string, callback: (granted: boolean) => void, details: { requestingUrl?: string }) => void;
  type CheckHandler = (contents: unknown, permission: string, requestingOrigin: string) => boolean;
  function policySession() {
    const handlers: { request?: RequestHandler; check?: CheckHandler; device?: () => boolean } = {};
    const ses = {
      setPermissionRequestHandler: (h: RequestHandler) => (handlers.request = h),
      setPermissionCheckHandler: (h: CheckHandler) => (handlers.check = h),
      setDevicePermissionHandler: (h: () => boolean) => (handlers.device = h),
    };
    installPermissionPolicy(ses as never, ['app://renderer']);
    const request = (permission: string, requestingUrl: string): boolean => {
      let answer: boolean | undefined;
      handlers.request!(null, permission, (g) => (answer = g), { requestingUrl });
      if (answer === undefined) throw new Error('the request handler did not answer');
      return answer;
    };
    return { handlers, request };
  }

  it('grants our page the clipboard write its Copy buttons need, and nothing else', () => {
    const { handlers, request } = policySession();
    expect(request('clipboard-sanitized-write', 'app://renderer/index.html')).toBe(true);
    expect(handlers.check!(null, 'clipboard-sanitized-write', 'app://renderer')).toBe(true);
    for (const p of ['media', 'geolocation', 'notifications', 'clipboard-read', 'fileSystem', 'openExternal', 'display-capture', 'hid', 'serial', 'usb', 'midiSysex', 'unknown']) {
      expect(request(p, 'app://renderer/index.html'), p).toBe(false);
      expect(handlers.check!(null, p, 'app://renderer/'), p).toBe(false);
    }
    expect(handlers.device!()).toBe(false);
  });

  it('refuses even the clipboard to any other origin', () => {
    const { handlers, request } = policySession();
    for (const url of ['https://evil.example/', 'file:///C:/x.html', 'app://other/index.html', 'not a url', '']) {
      expect(request('clipboard-sanitized-write', url), url).toBe(false);
      expect(handlers.check!(null, 'clipboard-sanitized-write', url), url).toBe(false);
    }
    expect(isPermissionGranted('clipboard-sanitized-write', 'http://localhost:5173/', ['app://renderer', 'http://localhost:5173'])).toBe(true);
  });
});

describe('development renderer URL', () => {
  it('is honoured only when the app is not packaged', () => {
    expect(developmentRendererUrl('http://localhost:5173', false)).toBe('http://localhost:5173/');
    expect(developmentRendererUrl('http://localhost:5173', true)).toBeUndefined();
    expect(developmentRendererUrl('https://evil.example/', true)).toBeUndefined();
    expect(developmentRendererUrl(undefined, false)).toBeUndefined();
    expect(developmentRendererUrl('', false)).toBeUndefined();
  });

  it('must be a dev server on this machine', () => {
    expect(developmentRendererUrl('http://127.0.0.1:5173/', false)).toBe('http://127.0.0.1:5173/');
    expect(() => developmentRendererUrl('https://evil.example/app', false)).toThrow(/local dev server/);
    expect(() => developmentRendererUrl('file:///tmp/index.html', false)).toThrow(/local dev server/);
    expect(() => developmentRendererUrl('localhost:5173', false)).toThrow(/local dev server|not a URL/);
    expect(() => developmentRendererUrl('::nonsense', false)).toThrow(/not a URL/);
  });
});

// The composition root (docs/ARCHITECTURE.md §2, habit 4): wires the engine, the profile table,
// the providers, the embedded sandbox and the controller, once, for any shell.

import fs from 'fs';
import path from 'path';
import { EVENT_SUBSCRIBERS, type VodBridge } from '../../shared/ipc';
import { openEngine } from '../engine/index';
import { ledgerAccount, openQueueStore } from '../engine/store/index';
import { AliyunVodProvider } from '../engine/vod/aliyun-provider';
import { startSandbox } from '../sandbox/index';
import { AppController, type PathKind } from './controller';
import { createLibraryBackend } from './library-backend';
import type { ProviderClass, StartSandbox } from './ports';
import type { SystemProxyResolver } from '../engine/net/proxy';
import { NetworkSettingsService } from './network-settings';
import { ProfileService } from './profiles';
import { ProviderRegistry } from './providers';
import { SandboxHost } from './sandbox-host';
import type { SecretBox } from './secret-box';
import { WatchFolderService } from './watch-folders';

export interface CreateAppOptions {
  dataDir: string;
  secretBox: SecretBox;
  shell: 'electron' | 'web';
  pickPaths?: (kind: PathKind) => Promise<string[] | null>;
  /** Make the Sandbox profile active and start the sandbox now (`vodup serve --sandbox`). */
  sandbox?: boolean;
  /** Defaults: package.json's version, the OS locale. */
  version?: string;
  locale?: string;
  /** Replaceable for tests; default: the real embedded sandbox with a disk store. */
  startSandbox?: StartSandbox;
  /** Replaceable for tests (a subclass that records calls); default: AliyunVodProvider. */
  providerClass?: ProviderClass;
  /** The OS's proxy for a URL (Electron: main/electron/system-proxy.ts); absent elsewhere. */
  resolveSystemProxy?: SystemProxyResolver;
  /** Between scans of the watch folders (default 3 s); tests lengthen it and scan on demand. */
  watchIntervalMs?: number;
}

/** The events of the contract, as VodBridge declares them. */
export type AppEvents = Pick<VodBridge, keyof typeof EVENT_SUBSCRIBERS>;

export interface App {
  controller: AppController;
  /** Also reached through the controller; here for a scan on demand (tests). */
  watchFolders: WatchFolderService;
  events: AppEvents;
  /** Stops the engine gracefully (parts settle, checkpoint consistent), then the sandbox. */
  dispose(): Promise<void>;
}

export async function createApp(opts: CreateAppOptions): Promise<App> {
  fs.mkdirSync(opts.dataDir, { recursive: true });
  const dbPath = path.join(opts.dataDir, 'queue.db');

  const sandbox = new SandboxHost(opts.startSandbox ?? defaultStartSandbox, path.join(opts.dataDir, 'sandbox'));
  // The profile table through its own connection: the engine owns the jobs through
  // another one (WAL, busy timeout); profile writes are rare and small.
  const store = openQueueStore(dbPath);
  const profiles = new ProfileService(store, opts.secretBox, sandbox);
  profiles.ensureDefault();
  // Before the engine starts: its first request already goes through the proxy setting.
  const network = new NetworkSettingsService(store, opts.secretBox, opts.resolveSystemProxy);
  network.apply();
  if (opts.sandbox) profiles.activateSandbox();

  const providers = new ProviderRegistry(profiles, opts.providerClass ?? AliyunVodProvider);
  let engine;
  try {
    engine = await openEngine({
      dbPath,
      providerFor: (id) => providers.providerFor(id),
      // The ledger's account: a profile's AccessKeyId@endpoint as the CLI names it; the
      // sandbox's endpoint moves with its port, so the sandbox profile is its own account.
      accountOf: (id) => {
        const p = profiles.get(id ?? profiles.activeId() ?? '');
        if (!p) return id ?? '';
        return p.kind === 'sandbox' ? `sandbox:${p.id}` : ledgerAccount(p);
      },
    });
    await engine.start();
    if (opts.sandbox) await sandbox.ensure();
  } catch (err) {
    await engine?.shutdown().catch(() => undefined);
    store.close();
    await sandbox.close();
    throw err;
  }

  // Its own reads of the jobs go through the profile connection (WAL: it sees the
  // engine's commits), as `vodup watch` reads through a second connection.
  const watchFolders = new WatchFolderService({
    engine, store, activeProfileId: () => profiles.activeId(), intervalMs: opts.watchIntervalMs,
  });
  watchFolders.start();

  const controller = new AppController({
    engine,
    watchFolders,
    network,
    profiles,
    providers,
    // Job links read through the profile connection too (WAL: it sees the engine's commits).
    library: createLibraryBackend({
      providerFor: (id) => providers.providerFor(id),
      jobIdsForVideos: (ids) => store.jobIdsForVideos(ids),
      engine,
    }),
    pickPaths: opts.pickPaths,
    info: {
      shell: opts.shell,
      version: opts.version ?? packageVersion(),
      platform: process.platform,
      locale: opts.locale ?? Intl.DateTimeFormat().resolvedOptions().locale,
    },
  });

  const events: AppEvents = {
    onJobsChanged: (l) => unsubscriber(engine.onDidChangeJobs(l)),
    onProgress: (l) => unsubscriber(engine.onDidProgress(l)),
    onProfilesChanged: (l) => unsubscriber(profiles.onDidChange(() => l())),
    onWatchFoldersChanged: (l) => unsubscriber(watchFolders.onDidChange(l)),
  };

  let disposing: Promise<void> | undefined;
  return {
    controller,
    watchFolders,
    events,
    dispose: () => (disposing ??= (async () => {
      try {
        await watchFolders.dispose(); // no scan adds jobs to an engine shutting down
        await engine.shutdown();
      } finally {
        controller.dispose();
        profiles.dispose();
        store.close();
        await sandbox.close();
      }
    })()),
  };
}

const defaultStartSandbox: StartSandbox = (o) => startSandbox({ dataDir: o.dataDir, store: 'disk' });

function unsubscriber(d: { dispose(): void }): () => void {
  return () => d.dispose();
}

/** The version in package.json, found upward from here (source and out/ differ in depth). */
function packageVersion(): string {
  for (let dir = __dirname; ; dir = path.dirname(dir)) {
    try {
      const pkg = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string };
      if (pkg.name === 'vod-bulk-uploader' && pkg.version) return pkg.version;
    } catch {
      // not here; go up
    }
    if (path.dirname(dir) === dir) return '0.0.0';
  }
}

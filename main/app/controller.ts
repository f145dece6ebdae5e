// The shell-agnostic application: every call of the IPC contract (shared/ipc.ts),
// answered over the engine, the profiles, a catalog cache per profile and the
// file-system helpers. Electron and web mode both hand their (validated) calls here.

import type {
  AddDownloadsReply, AddJobsReply, AppInfo, BridgeCalls, DirectoryListing, ExportedFile, ExportedUrls, JobEvent,
  ManifestReply, PickKind, WatchFolderInput, WatchFolderView,
} from '../../shared/ipc';
import type {
  DownloadRequest, DownloadWhat, LibraryPage, LibraryQuery, LibraryVideoDetails, VideoOpResult, VideoPatch,
} from '../../shared/library';
import type {
  Catalog, ConnectionResult, DuplicateFile, DuplicatePolicy, EngineSettings, ExportOptions, JobMeta, JobPage, JobQuery, JobSelector,
  JobView, MediaProbe, NetworkSettingsPatch, NetworkSettingsView, NewJob, ProfileInput, ProfileView, ProxyTestResult,
  QueueTotals, ScanResult,
} from '../../shared/types';
import type { UploadEngineApi } from '../engine/api';
import { readManifest, type Manifest } from '../engine/manifest';
import { FfprobeUnavailableError, probeMany } from '../engine/media-probe';
import { exportFileName, exportResults } from '../engine/results-export';
import { IpcError, toErrorPayload } from './ipc-error';
import { vodEndpoint } from '../engine/vod/vod-client';
import type { NetworkSettingsService } from './network-settings';
import type { ProfileService } from './profiles';
import type { ProviderRegistry } from './providers';
import { browseDirectory, scanPaths } from './scan';
import type { WatchFolderService } from './watch-folders';

export type PathKind = PickKind;

/**
 * The media library as the controller calls it, always for one profile's account (the
 * active one): search, details and bulk fixes (main/engine/library/library-service.ts),
 * URL export (main/engine/library/url-export.ts) and downloads (the engine's second
 * direction). create-app.ts wires it from those pieces.
 */
export interface LibraryBackend {
  search(profileId: string, query: LibraryQuery): Promise<LibraryPage>;
  details(profileId: string, videoIds: string[]): Promise<LibraryVideoDetails[]>;
  edit(profileId: string, patches: VideoPatch[]): Promise<VideoOpResult[]>;
  delete(profileId: string, videoIds: string[], opts: { sourceOnly?: boolean }): Promise<VideoOpResult[]>;
  transcode(profileId: string, videoIds: string[], templateGroupId: string): Promise<VideoOpResult[]>;
  exportUrls(profileId: string, videoIds: string[], what: DownloadWhat, format: 'csv' | 'json'): Promise<ExportedUrls>;
  addDownloads(profileId: string, req: DownloadRequest): Promise<AddDownloadsReply>;
}

export interface AppControllerDeps {
  engine: UploadEngineApi;
  profiles: ProfileService;
  providers: ProviderRegistry;
  info: AppInfo;
  watchFolders: WatchFolderService;
  network: NetworkSettingsService;
  library: LibraryBackend;
  /** The shell's native picker; absent in web mode (the renderer uses browseDirectory). */
  pickPaths?: (kind: PathKind) => Promise<string[] | null>;
}

export class AppController implements BridgeCalls {
  private readonly catalogs = new Map<string, Catalog>();
  private readonly profileListener;

  constructor(private readonly deps: AppControllerDeps) {
    // Any profile edit may change the account behind a profile: drop what came from it.
    this.profileListener = deps.profiles.onDidChange(() => {
      this.catalogs.clear();
      deps.providers.invalidate();
    });
  }

  async getAppInfo(): Promise<AppInfo> {
    return this.deps.info;
  }

  // --- profiles ---

  async listProfiles(): Promise<ProfileView[]> {
    return this.deps.profiles.list();
  }

  async saveProfile(input: ProfileInput): Promise<ProfileView> {
    return this.deps.profiles.save(input);
  }

  async deleteProfile(id: string): Promise<void> {
    this.deps.profiles.delete(id);
  }

  async testProfile(id: string): Promise<ConnectionResult> {
    if (!this.deps.profiles.get(id)) throw new IpcError('ProfileNotFound', 'That profile does not exist (any more).');
    try {
      const provider = await this.deps.providers.resolve(id);
      return await provider.testConnection();
    } catch (err) {
      // Opening the secret or starting the sandbox failed: still an answer, not a crash.
      const { message, code } = toErrorPayload(err);
      return { ok: false, message, ...(code ? { code } : {}) };
    }
  }

  /**
   * Test before save: the account as typed, not yet stored. What save() would refuse is
   * thrown (the form shows it); a failure to reach or convince the service is an answer.
   */
  async testProfileInput(input: ProfileInput): Promise<ConnectionResult> {
    const credentials = await this.deps.profiles.candidateCredentials(input);
    try {
      return await this.deps.providers.forCredentials(credentials).testConnection();
    } catch (err) {
      const { message, code } = toErrorPayload(err);
      return { ok: false, message, ...(code ? { code } : {}) };
    }
  }

  async getActiveProfile(): Promise<ProfileView | null> {
    return this.deps.profiles.active();
  }

  async setActiveProfile(id: string): Promise<void> {
    this.deps.profiles.setActive(id);
  }

  async getCatalog(opts?: { refresh?: boolean }): Promise<Catalog> {
    const id = this.requireActiveProfile();
    const cached = this.catalogs.get(id);
    if (cached && !opts?.refresh) return cached;
    const provider = await this.deps.providers.resolve(id);
    const catalog = await provider.getCatalog();
    // A profile switched or edited meanwhile must not get this account's catalog.
    if (this.deps.profiles.activeId() === id) this.catalogs.set(id, catalog);
    return catalog;
  }

  // --- files ---

  async pickPaths(kind: PathKind): Promise<string[] | null> {
    return this.deps.pickPaths ? this.deps.pickPaths(kind) : null;
  }

  browseDirectory(path?: string): Promise<DirectoryListing> {
    return browseDirectory(path);
  }

  scanPaths(paths: string[]): Promise<ScanResult> {
    return scanPaths(paths);
  }

  async probeFiles(paths: string[]): Promise<Record<string, MediaProbe>> {
    try {
      return await probeMany(paths);
    } catch (err) {
      if (err instanceof FfprobeUnavailableError) throw new IpcError('FfprobeUnavailable', err.message);
      throw err;
    }
  }

  /**
   * A manifest's rows, cut down to what the UI can stage: each item's file is checked
   * with scanPaths (the one place for "exists, is a file, is an accepted format and
   * size"), and a row whose file fails becomes a problem with scanPaths' reason.
   */
  async readManifest(file: string): Promise<ManifestReply> {
    let manifest: Manifest;
    try {
      // Category names resolve against the active account's tree (cached); without it
      // (unreadable, or refused to this account), ids only.
      const categories = await this.getCatalog().then((c) => (c.refused.some((r) => r.part === 'categories') ? undefined : c.categories), () => undefined);
      manifest = await readManifest(file, { categories });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'the file does not exist' : (err as Error).message;
      throw new IpcError('InvalidManifest', `Cannot read the list ${file}: ${why}. Choose a CSV (as Excel saves it) or a JSON array of objects, one row per file.`);
    }
    // readManifest turns every data row into exactly one item or one problem, in order,
    // so the rows without a problem are the items' rows.
    const problemRows = new Set(manifest.problems.map((p) => p.row));
    const itemRows: number[] = [];
    for (let row = 1; itemRows.length < manifest.items.length; row++) if (!problemRows.has(row)) itemRows.push(row);

    const scan = await scanPaths(manifest.items.map((i) => i.path));
    const found = new Set(scan.files.map((f) => f.path));
    const reasons = new Map(scan.rejected.map((r) => [r.path, r]));
    const items: ManifestReply['items'] = [];
    const problems: ManifestReply['problems'] = [...manifest.problems];
    manifest.items.forEach((item, i) => {
      if (found.has(item.path)) items.push(item);
      else {
        const r = reasons.get(item.path);
        problems.push(r
          ? { row: itemRows[i], path: item.path, message: r.reason, ...(r.code ? { code: r.code } : {}), ...(r.params ? { params: r.params } : {}) }
          : { row: itemRows[i], path: item.path, message: `Not a file: ${item.path} (a folder?). List files, one per row.`, code: 'ManifestNotAFile' });
      }
    });
    problems.sort((a, b) => a.row - b.row);
    return { items, problems };
  }

  // --- queue ---

  async addJobs(jobs: NewJob[], opts?: { hold?: boolean; duplicates?: DuplicatePolicy }): Promise<AddJobsReply> {
    const profileId = this.requireActiveProfile();
    const result = await this.deps.engine.addJobs(jobs, { hold: opts?.hold, profileId, duplicates: opts?.duplicates });
    return { added: result.added.length, rejected: result.rejected, duplicates: result.duplicates };
  }

  async findDuplicates(paths: string[]): Promise<DuplicateFile[]> {
    return this.deps.engine.findDuplicates(paths, { profileId: this.requireActiveProfile() });
  }

  async updateMeta(ids: number[], patch: Partial<JobMeta>): Promise<void> {
    await this.deps.engine.updateMeta(ids, patch);
  }

  async queryJobs(query: JobQuery): Promise<JobPage> {
    return this.deps.engine.queryJobs(query);
  }

  async getJob(id: number): Promise<JobView | null> {
    return this.deps.engine.getJob(id) ?? null;
  }

  async getJobEvents(id: number, limit?: number): Promise<JobEvent[]> {
    // Only what the contract names: the store's row ids stay in the store.
    return this.deps.engine.listEvents(id, limit).map(({ at, type, data }) => (data === undefined ? { at, type } : { at, type, data }));
  }

  async getTotals(): Promise<QueueTotals> {
    return this.deps.engine.totals();
  }

  pause(sel: JobSelector): Promise<void> {
    return this.deps.engine.pause(sel);
  }

  resume(sel: JobSelector): Promise<void> {
    return this.deps.engine.resume(sel);
  }

  retry(sel: JobSelector, opts?: { restartChanged?: boolean }): Promise<void> {
    return this.deps.engine.retry(sel, opts);
  }

  cancel(sel: JobSelector, opts?: { deleteVideo?: boolean }): Promise<void> {
    return this.deps.engine.cancel(sel, opts);
  }

  setPriority(ids: number[], priority: number): Promise<void> {
    return this.deps.engine.setPriority(ids, priority);
  }

  async clearFinished(): Promise<number> {
    return this.deps.engine.clearFinished();
  }

  async getSettings(): Promise<EngineSettings> {
    return this.deps.engine.getSettings();
  }

  async updateSettings(patch: Partial<EngineSettings>): Promise<EngineSettings> {
    return this.deps.engine.updateSettings(patch);
  }

  // --- network (proxy, OSS endpoint) ---

  async getNetworkSettings(): Promise<NetworkSettingsView> {
    return this.deps.network.view();
  }

  async updateNetworkSettings(patch: NetworkSettingsPatch): Promise<NetworkSettingsView> {
    return this.deps.network.update(patch);
  }

  /** Reaches the active account's VOD endpoint (the sandbox for a Sandbox profile) under the proxy being set up. */
  async testProxy(patch?: NetworkSettingsPatch): Promise<ProxyTestResult> {
    // The endpoint only: the account's secret is not needed to reach it (and may be unreadable).
    const id = this.deps.profiles.activeId();
    const rec = id ? this.deps.profiles.get(id) : undefined;
    const endpoint = !rec ? vodEndpoint({ region: 'cn-shanghai' })
      : rec.kind === 'sandbox' ? vodEndpoint(await this.deps.profiles.credentials(rec.id))
        : vodEndpoint(rec);
    const target = `${endpoint}/`;
    return this.deps.network.test(target, patch);
  }

  async exportResults(opts: ExportOptions): Promise<ExportedFile> {
    return { fileName: exportFileName(opts), content: await exportResults(this.deps.engine, opts) };
  }

  // --- watch folders ---

  async listWatchFolders(): Promise<WatchFolderView[]> {
    return this.deps.watchFolders.list();
  }

  async addWatchFolder(input: WatchFolderInput): Promise<WatchFolderView> {
    return this.deps.watchFolders.add(input);
  }

  async removeWatchFolder(id: string): Promise<void> {
    this.deps.watchFolders.remove(id);
  }

  async setWatchFolderPaused(id: string, paused: boolean): Promise<WatchFolderView> {
    return this.deps.watchFolders.setPaused(id, paused);
  }

  // --- the media library (issue 9), always of the active account ---

  searchLibrary(query: LibraryQuery): Promise<LibraryPage> {
    return this.deps.library.search(this.requireActiveProfile(), query);
  }

  getVideoDetails(videoIds: string[]): Promise<LibraryVideoDetails[]> {
    return this.deps.library.details(this.requireActiveProfile(), videoIds);
  }

  editVideos(patches: VideoPatch[]): Promise<VideoOpResult[]> {
    return this.deps.library.edit(this.requireActiveProfile(), patches);
  }

  deleteVideos(videoIds: string[], opts?: { sourceOnly?: boolean }): Promise<VideoOpResult[]> {
    return this.deps.library.delete(this.requireActiveProfile(), videoIds, opts ?? {});
  }

  transcodeVideos(videoIds: string[], templateGroupId: string): Promise<VideoOpResult[]> {
    return this.deps.library.transcode(this.requireActiveProfile(), videoIds, templateGroupId);
  }

  exportVideoUrls(videoIds: string[], what: DownloadWhat, format: 'csv' | 'json'): Promise<ExportedUrls> {
    return this.deps.library.exportUrls(this.requireActiveProfile(), videoIds, what, format);
  }

  /** The downloads go to the active account's videos unless the request names a profile. */
  addDownloads(req: DownloadRequest): Promise<AddDownloadsReply> {
    const profileId = req.profileId ?? this.requireActiveProfile();
    if (!this.deps.profiles.get(profileId)) throw new IpcError('ProfileNotFound', 'That profile does not exist (any more).');
    return this.deps.library.addDownloads(profileId, { ...req, profileId });
  }

  dispose(): void {
    this.profileListener.dispose();
  }

  private requireActiveProfile(): string {
    const id = this.deps.profiles.activeId();
    if (!id) throw new IpcError('NoActiveProfile', 'No profile is selected. Add an Alibaba Cloud profile or choose the Sandbox.');
    return id;
  }
}

// The IPC contract: the one list of calls and events between a shell (Electron main,
// web mode) and the renderer. The preload and the web-mode client expose exactly
// `VodBridge`; the main side validates every call's arguments with `ipcArgs` before
// anything reaches the engine.

import { z } from 'zod';
import {
  MAX_DESCRIPTION_CHARS, MAX_TAG_CHARS, MAX_TAGS, MAX_TITLE_CHARS,
} from './limits';
import { DUPLICATE_POLICIES, OSS_ENDPOINT_MODES, PROXY_MODES } from './types';
import type { Problem } from './validation';
import type {
  DownloadRequest, DownloadWhat, LibraryPage, LibraryQuery, LibraryVideoDetails, VideoOpResult, VideoPatch,
} from './library';
import type {
  Catalog, ConnectionResult, DuplicateFile, DuplicatePolicy, EngineSettings, ExportOptions, JobMeta, JobPage, JobQuery,
  JobSelector, JobState, JobView, MediaProbe, NetworkSettingsPatch, NetworkSettingsView, NewJob, ProfileInput, ProfileView, ProgressBatch,
  ProxyTestResult, QueueTotals, RejectedFile, ScanResult,
} from './types';

// --- argument schemas (validated in main) -----------------------------------

const jobId = z.number().int().positive();
const queueTab = z.enum(['pending', 'active', 'processing', 'done', 'failed', 'canceled']);
const selector = z.union([
  z.literal('all'),
  z.array(jobId).max(1_000_000),
  z.object({ tab: queueTab, search: z.string().max(1024).optional() }).strict(),
]);

export const jobMetaSchema = z.object({
  title: z.string().max(MAX_TITLE_CHARS * 4),
  description: z.string().max(MAX_DESCRIPTION_CHARS * 4).optional(),
  cateId: z.number().int().optional(),
  tags: z.array(z.string().max(MAX_TAG_CHARS * 4)).max(MAX_TAGS * 4),
  templateGroupId: z.string().max(256).optional(),
  workflowId: z.string().max(256).optional(),
  storageLocation: z.string().max(256).optional(),
  appId: z.string().max(256).optional(),
  userData: z.string().max(64 * 1024).optional(),
  coverPath: z.string().max(4096).optional(),
}).strict();

const newJobSchema = z.object({
  path: z.string().min(1).max(4096),
  meta: jobMetaSchema,
  priority: z.number().int().optional(),
}).strict();

const profileInputSchema = z.object({
  id: z.string().max(64).optional(),
  name: z.string().min(1).max(128),
  kind: z.enum(['aliyun', 'sandbox', 'tencent']),
  accessKeyId: z.string().max(256),
  accessKeySecret: z.string().max(1024).optional(),
  securityToken: z.string().max(8192).optional(),
  region: z.string().min(1).max(64),
  endpoint: z.string().max(1024).optional(),
  subAppId: z.string().max(32).optional(),
}).strict();

const jobQuerySchema = z.object({
  tab: queueTab.optional(),
  search: z.string().max(1024).optional(),
  sort: z.enum(['priority', 'id', 'fileName', 'size', 'state', 'updatedAt']).optional(),
  descending: z.boolean().optional(),
  offset: z.number().int().min(0),
  limit: z.number().int().min(0).max(10_000),
}).strict();

const settingsPatchSchema = z.object({
  filesInFlight: z.number().int().min(1).max(64),
  partsInFlight: z.number().int().min(1).max(256),
  partSizeMiB: z.number().int().min(0).max(5 * 1024),
  bandwidthLimit: z.number().min(0),
  autoResume: z.boolean(),
  keepRunningInTray: z.boolean(),
  windowStart: z.string().regex(/^(|([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?)$/, 'a time as HH:MM, or empty'),
  windowEnd: z.string().regex(/^(|([01]\d|2[0-3]):[0-5]\d(:[0-5]\d)?)$/, 'a time as HH:MM, or empty'),
}).partial().strict();

const networkPatchSchema = z.object({
  proxyMode: z.enum(PROXY_MODES),
  // Checked in full by shared/validation.ts proxyUrlProblem (the message never echoes it).
  proxyUrl: z.string().max(2048),
  ossEndpoint: z.enum(OSS_ENDPOINT_MODES),
}).partial().strict();

const watchFolderInputSchema = z.object({
  path: z.string().min(1).max(4096),
  settleSeconds: z.number().int().min(0).max(86_400),
  title: z.string().max(MAX_TITLE_CHARS * 4).optional(),
  description: z.string().max(MAX_DESCRIPTION_CHARS * 4).optional(),
  cateId: z.number().int().optional(),
  tags: z.array(z.string().max(MAX_TAG_CHARS * 4)).max(MAX_TAGS * 4),
  templateGroupId: z.string().max(256).optional(),
  workflowId: z.string().max(256).optional(),
}).strict();

const watchFolderId = z.string().min(1).max(64);

// --- the media library (issue 9) ---------------------------------------------------

/** A VideoId as VOD makes them (32 hex digits); any letters and digits up to 64 pass (shared/validation's rule). */
const videoId = z.string().regex(/^[0-9a-zA-Z]{1,64}$/, 'a VideoId (letters and digits)');
/** Bulk calls take any number of videos; the provider batches them as the API allows. */
const videoIds = z.array(videoId).min(1).max(1_000_000);

const libraryQuerySchema = z.object({
  title: z.string().max(MAX_TITLE_CHARS * 4).optional(),
  cateId: z.number().int().optional(),
  tags: z.array(z.string().max(MAX_TAG_CHARS * 4)).max(MAX_TAGS * 4).optional(),
  statuses: z.array(z.string().max(64)).max(32).optional(),
  createdFrom: z.number().int().min(0).optional(),
  createdTo: z.number().int().min(0).optional(),
  storageLocation: z.string().max(256).optional(),
  appId: z.string().max(256).optional(),
  sort: z.enum(['CreationTime:Desc', 'CreationTime:Asc']).optional(),
  pageSize: z.number().int().min(1).max(100).optional(),
  cursor: z.string().max(4096).optional(),
}).strict();

const videoPatchSchema = z.object({
  videoId,
  title: z.string().max(MAX_TITLE_CHARS * 4).optional(),
  description: z.string().max(MAX_DESCRIPTION_CHARS * 4).optional(),
  cateId: z.number().int().optional(),
  tags: z.array(z.string().max(MAX_TAG_CHARS * 4)).max(MAX_TAGS * 4).optional(),
  coverUrl: z.string().max(4096).optional(),
}).strict();

const downloadWhatSchema = z.object({
  source: z.boolean().optional(),
  streams: z.object({
    definitions: z.array(z.string().min(1).max(32)).max(32).optional(),
    formats: z.array(z.string().min(1).max(16)).max(16).optional(),
  }).strict().optional(),
  cover: z.boolean().optional(),
  snapshots: z.boolean().optional(),
  sprites: z.boolean().optional(),
}).strict();

const downloadRequestSchema = z.object({
  videoIds,
  what: downloadWhatSchema,
  outDir: z.string().min(1).max(4096),
  nameTemplate: z.string().min(1).max(1024).optional(),
  sidecar: z.boolean().optional(),
  profileId: z.string().max(64).optional(),
}).strict();

export const ipcArgs = {
  getAppInfo: z.tuple([]),
  listProfiles: z.tuple([]),
  saveProfile: z.tuple([profileInputSchema]),
  deleteProfile: z.tuple([z.string().max(64)]),
  testProfile: z.tuple([z.string().max(64)]),
  testProfileInput: z.tuple([profileInputSchema]),
  getActiveProfile: z.tuple([]),
  setActiveProfile: z.tuple([z.string().max(64)]),
  getCatalog: z.tuple([z.object({ refresh: z.boolean().optional() }).strict().optional()]),
  pickPaths: z.tuple([z.enum(['files', 'folder', 'image', 'manifest'])]),
  browseDirectory: z.tuple([z.string().max(4096).optional()]),
  scanPaths: z.tuple([z.array(z.string().min(1).max(4096)).max(100_000)]),
  probeFiles: z.tuple([z.array(z.string().min(1).max(4096)).max(100_000)]),
  readManifest: z.tuple([z.string().min(1).max(4096)]),
  addJobs: z.tuple([z.array(newJobSchema).max(100_000), z.object({
    hold: z.boolean().optional(),
    duplicates: z.enum(DUPLICATE_POLICIES).optional(),
  }).strict().optional()]),
  findDuplicates: z.tuple([z.array(z.string().min(1).max(4096)).max(100_000)]),
  updateMeta: z.tuple([z.array(jobId).max(1_000_000), jobMetaSchema.partial()]),
  queryJobs: z.tuple([jobQuerySchema]),
  getJob: z.tuple([jobId]),
  getJobEvents: z.tuple([jobId, z.number().int().min(1).max(1000).optional()]),
  getTotals: z.tuple([]),
  pause: z.tuple([selector]),
  resume: z.tuple([selector]),
  retry: z.tuple([selector, z.object({ restartChanged: z.boolean().optional() }).strict().optional()]),
  cancel: z.tuple([selector, z.object({ deleteVideo: z.boolean().optional() }).strict().optional()]),
  setPriority: z.tuple([z.array(jobId).max(1_000_000), z.number().int()]),
  clearFinished: z.tuple([]),
  getSettings: z.tuple([]),
  updateSettings: z.tuple([settingsPatchSchema]),
  getNetworkSettings: z.tuple([]),
  updateNetworkSettings: z.tuple([networkPatchSchema]),
  testProxy: z.tuple([networkPatchSchema.optional()]),
  exportResults: z.tuple([z.object({ format: z.enum(['csv', 'json']), tab: queueTab.optional(), ids: z.array(jobId).max(1_000_000).optional() }).strict()]),
  listWatchFolders: z.tuple([]),
  addWatchFolder: z.tuple([watchFolderInputSchema]),
  removeWatchFolder: z.tuple([watchFolderId]),
  setWatchFolderPaused: z.tuple([watchFolderId, z.boolean()]),
  searchLibrary: z.tuple([libraryQuerySchema]),
  getVideoDetails: z.tuple([z.array(videoId).min(1).max(100)]),
  editVideos: z.tuple([z.array(videoPatchSchema).min(1).max(1_000_000)]),
  deleteVideos: z.tuple([videoIds, z.object({ sourceOnly: z.boolean().optional() }).strict().optional()]),
  transcodeVideos: z.tuple([videoIds, z.string().min(1).max(256)]),
  exportVideoUrls: z.tuple([videoIds, downloadWhatSchema, z.enum(['csv', 'json'])]),
  addDownloads: z.tuple([downloadRequestSchema]),
} as const;

export type IpcMethod = keyof typeof ipcArgs;
export const IPC_METHODS = Object.keys(ipcArgs) as IpcMethod[];

// --- results ----------------------------------------------------------------

export interface AppInfo {
  shell: 'electron' | 'web';
  version: string;
  platform: string;
  /** The OS language, e.g. "zh-CN". */
  locale: string;
}

export interface DirectoryListing {
  path: string;
  parent?: string;
  entries: { name: string; path: string; isDirectory: boolean; size?: number }[];
  /** Bytes free to this user on the folder's file system, when the system says. */
  freeBytes?: number;
}

/** What the native picker is asked for: media files, folders, one cover image, or one manifest (csv/json). */
export type PickKind = 'files' | 'folder' | 'image' | 'manifest';

/**
 * One entry of a job's event log (created, initiated, waiting, failed, completed,
 * cover-set, adopted, restored …). `at` is epoch milliseconds; `data` is the event's
 * own details (an error code, a VideoId …), shown as is.
 */
export interface JobEvent {
  at: number;
  type: string;
  data?: unknown;
}

export interface ExportedFile {
  fileName: string;
  content: string;
}

/**
 * A manifest read for staging: the rows whose file exists and whose metadata is valid,
 * and every other row with its 1-based number and why it was left out.
 */
export interface ManifestReply {
  items: NewJob[];
  /** `message` is English; `code`/`params` (or each of `problems`) are for the operator's language. */
  problems: { row: number; path?: string; message: string; code?: string; params?: Record<string, string | number>; problems?: Problem[] }[];
}

export interface AddJobsReply {
  added: number;
  rejected: RejectedFile[];
  /** Files the account already has that were not added (duplicates 'skip' or 'fail'). */
  duplicates: DuplicateFile[];
}

/**
 * The metadata rules of a watch folder (as `vodup watch`'s flags): every file it takes
 * is enqueued with them. `title` is a template: "{name}" stands for the file's name
 * without its extension; a title without "{name}" gets " {name}" appended (files arrive
 * one by one, and each needs its own title); empty or absent: the file's name.
 */
export interface WatchFolderRules {
  title?: string;
  description?: string;
  cateId?: number;
  tags: string[];
  templateGroupId?: string;
  workflowId?: string;
}

export interface WatchFolderInput extends WatchFolderRules {
  /** An existing folder on the machine running the engine; watched with its sub-folders. */
  path: string;
  /** How long a file must keep its size and mtime before it is taken (a copy still running is not). */
  settleSeconds: number;
}

/** One file a watch folder took: the job it became, with that job's state now. */
export interface WatchTake {
  path: string;
  jobId: number;
  /** Epoch ms. */
  at: number;
  /** Absent once the job is gone from the queue. */
  state?: JobState;
  videoId?: string;
}

/**
 * Something about a watch folder the operator should know. `kind` says what happened
 * (the UI words it in its language); `message` is the detail, in English.
 * - lost: the folder is missing or unreadable (still watched);
 * - unreadable: a sub-folder or file in it cannot be read;
 * - ignored: a file VOD does not take (its name or format);
 * - refused: a file the queue refused (invalid metadata, …), taken again when it changes;
 * - restarted: a file changed while uploading; its job uploads it again under its VideoId;
 * - failed: a scan failed; tried again at the next one.
 */
export type WatchNoticeKind = 'lost' | 'unreadable' | 'ignored' | 'refused' | 'restarted' | 'failed';

export interface WatchNotice {
  kind: WatchNoticeKind;
  path: string;
  message: string;
  at: number;
}

export interface WatchFolderView extends WatchFolderInput {
  id: string;
  /** The account its files upload to: the one active when it was added. */
  profileId: string;
  paused: boolean;
  addedAt: number;
  /** Set while the folder is missing or unreadable (still watched: taken again once back). */
  lost?: string;
  /** The files it took, newest first (the latest 200). */
  taken: WatchTake[];
  /** The latest notices, newest first (since the app started). */
  notices: WatchNotice[];
}

/** The media URLs of a selection as a file to save (`vodup urls`' CSV or JSON), like ExportedFile. */
export interface ExportedUrls extends ExportedFile {
  /** How many URLs it holds (rows of the CSV, items of the JSON). */
  count: number;
}

export interface AddDownloadsReply {
  /** Download jobs put in the queue (one per file to fetch). */
  added: number;
  /** Files already in the queue for the same folder (the same request again): not added twice. */
  existing: number;
  /** Videos (or items) not enqueued, with why: `path` names the VideoId (or the folder). */
  rejected: RejectedFile[];
}

/** The API the renderer sees as `window.vod`. */
export interface VodBridge {
  getAppInfo(): Promise<AppInfo>;
  listProfiles(): Promise<ProfileView[]>;
  saveProfile(input: ProfileInput): Promise<ProfileView>;
  deleteProfile(id: string): Promise<void>;
  testProfile(id: string): Promise<ConnectionResult>;
  /**
   * Tests an account before it is saved (new, or edited: an omitted secret or token is
   * the stored one). Throws InvalidProfile for what save() would refuse.
   */
  testProfileInput(input: ProfileInput): Promise<ConnectionResult>;
  getActiveProfile(): Promise<ProfileView | null>;
  setActiveProfile(id: string): Promise<void>;
  getCatalog(opts?: { refresh?: boolean }): Promise<Catalog>;
  /**
   * A native dialog (Electron) or null where the shell has none (web: use browseDirectory).
   * 'image' picks one cover image (png/jpg/jpeg/gif/heic); 'manifest' one csv/json file.
   */
  pickPaths(kind: PickKind): Promise<string[] | null>;
  browseDirectory(path?: string): Promise<DirectoryListing>;
  scanPaths(paths: string[]): Promise<ScanResult>;
  /** ffprobe's view of each file (duration, resolution, codecs, or why it is not media), keyed by path. */
  probeFiles(paths: string[]): Promise<Record<string, MediaProbe>>;
  /**
   * Per-file metadata from a CSV (as Excel saves it; our or the PC tool's column names) or
   * a JSON array on the machine running the engine. Rows whose file is missing are problems.
   */
  readManifest(path: string): Promise<ManifestReply>;
  /**
   * duplicates: what to do with a file the active account already uploaded (the
   * ledger) or has in the queue — 'skip' it, 'upload' it again, or 'fail' (add none).
   * Absent: 'upload'.
   */
  addJobs(jobs: NewJob[], opts?: { hold?: boolean; duplicates?: DuplicatePolicy }): Promise<AddJobsReply>;
  /** Which of these files the active account already has (matched by size and sampled content). */
  findDuplicates(paths: string[]): Promise<DuplicateFile[]>;
  updateMeta(ids: number[], patch: Partial<JobMeta>): Promise<void>;
  queryJobs(query: JobQuery): Promise<JobPage>;
  getJob(id: number): Promise<JobView | null>;
  /** The job's latest events (default 200, at most 1000), oldest first. */
  getJobEvents(id: number, limit?: number): Promise<JobEvent[]>;
  getTotals(): Promise<QueueTotals>;
  pause(sel: JobSelector): Promise<void>;
  resume(sel: JobSelector): Promise<void>;
  /**
   * Failed and canceled jobs go back in line. With restartChanged, a job whose file
   * changed after its upload began uploads the file as it is now, from byte 0, under
   * the same VideoId.
   */
  retry(sel: JobSelector, opts?: { restartChanged?: boolean }): Promise<void>;
  cancel(sel: JobSelector, opts?: { deleteVideo?: boolean }): Promise<void>;
  setPriority(ids: number[], priority: number): Promise<void>;
  /**
   * Takes completed (ready, awaiting review) and canceled jobs out of the views and the
   * totals; they stay in the database (and the ledger). Returns how many were cleared.
   */
  clearFinished(): Promise<number>;
  getSettings(): Promise<EngineSettings>;
  updateSettings(patch: Partial<EngineSettings>): Promise<EngineSettings>;
  /** Proxy and OSS endpoint; the proxy URL comes with its password masked (user:••••@host). */
  getNetworkSettings(): Promise<NetworkSettingsView>;
  /** A proxyUrl whose password is still the mask keeps the stored password. */
  updateNetworkSettings(patch: NetworkSettingsPatch): Promise<NetworkSettingsView>;
  /** One request to the active account's VOD endpoint (or the sandbox) under the settings with `patch` applied, unsaved. */
  testProxy(patch?: NetworkSettingsPatch): Promise<ProxyTestResult>;
  /** The queue's results (all jobs or one tab) as a file to save: CSV with a BOM, or JSON. */
  exportResults(opts: ExportOptions): Promise<ExportedFile>;

  /** Watch folders (the app's `vodup watch`): kept in the queue database, watched while the app runs. */
  listWatchFolders(): Promise<WatchFolderView[]>;
  /** Starts watching a folder with the active account; refused for a missing folder or invalid rules. */
  addWatchFolder(input: WatchFolderInput): Promise<WatchFolderView>;
  /** Stops watching it; the jobs it made stay in the queue. */
  removeWatchFolder(id: string): Promise<void>;
  /** A paused folder is not scanned; files arriving meanwhile are taken once it resumes. */
  setWatchFolderPaused(id: string, paused: boolean): Promise<WatchFolderView>;

  // --- the media library (issue 9): what is already in VOD, with the active account ---

  /** One page of the account's videos (SearchMedia); `next` continues past VOD's 5,000-result window. */
  searchLibrary(query: LibraryQuery): Promise<LibraryPage>;
  /** The details panel of up to 100 videos; a video the service does not know is left out. */
  getVideoDetails(videoIds: string[]): Promise<LibraryVideoDetails[]>;
  /** UpdateVideoInfos for any number of videos; one result per patch, in order. */
  editVideos(patches: VideoPatch[]): Promise<VideoOpResult[]>;
  /** Deletes the videos, or with sourceOnly only their source files; one result per video. */
  deleteVideos(videoIds: string[], opts?: { sourceOnly?: boolean }): Promise<VideoOpResult[]>;
  /** Runs a transcode template group again on each video; one result per video. */
  transcodeVideos(videoIds: string[], templateGroupId: string): Promise<VideoOpResult[]>;
  /** The URLs (resolved now, with their expiry) of what `what` names of each video, as a file to save. */
  exportVideoUrls(videoIds: string[], what: DownloadWhat, format: 'csv' | 'json'): Promise<ExportedUrls>;
  /** Enqueues download jobs into the one queue (they show in the Queue view, ↓). */
  addDownloads(req: DownloadRequest): Promise<AddDownloadsReply>;

  /** Events from main; each returns its unsubscribe. */
  onJobsChanged(listener: (jobs: JobView[]) => void): () => void;
  onProgress(listener: (batch: ProgressBatch) => void): () => void;
  onProfilesChanged(listener: () => void): () => void;
  /** The watch folders, whenever one was added, removed, paused, took a file or one of its jobs changed state. */
  onWatchFoldersChanged(listener: (folders: WatchFolderView[]) => void): () => void;

  // --- local members: answered by the shell's bridge itself, never sent to main ---

  /**
   * Electron only: the local path of a dropped `File` (webUtils.getPathForFile).
   * Absent in web mode, where the browser never reveals paths: use browseDirectory.
   */
  pathForFile?(file: unknown): string | null;
  /**
   * Web mode only: the socket's state. After 'connected' follows a gap, events may have
   * been missed, so the UI should re-query what it shows.
   */
  onConnectionChanged?(listener: (state: BridgeConnectionState) => void): () => void;
}

export type BridgeConnectionState = 'connected' | 'reconnecting';

/** Members of VodBridge the bridge answers locally (no IPC method, no schema). */
type LocalMembers = 'pathForFile' | 'onConnectionChanged';

/** The calls every shell answers: VodBridge without events and local members. */
export type BridgeCalls = Pick<VodBridge, IpcMethod>;

export const IPC_EVENTS = ['jobsChanged', 'progress', 'profilesChanged', 'watchFoldersChanged'] as const;
export type IpcEvent = (typeof IPC_EVENTS)[number];

export interface IpcEventPayloads {
  jobsChanged: JobView[];
  progress: ProgressBatch;
  profilesChanged: null;
  watchFoldersChanged: WatchFolderView[];
}

/** Which bridge method subscribes to which event. */
export const EVENT_SUBSCRIBERS = {
  onJobsChanged: 'jobsChanged',
  onProgress: 'progress',
  onProfilesChanged: 'profilesChanged',
  onWatchFoldersChanged: 'watchFoldersChanged',
} as const satisfies Record<string, IpcEvent>;

// Compile-time check: every call in VodBridge has an argument schema and vice versa.
type CallNames = Exclude<keyof VodBridge, keyof typeof EVENT_SUBSCRIBERS | LocalMembers>;
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
export const contractIsComplete: Same<CallNames, IpcMethod> = true;

/** Channel name on the wire for a call (Electron ipc and the web socket alike). */
export const callChannel = (m: IpcMethod): string => `vod:${m}`;
export const eventChannel = (e: IpcEvent): string => `vod:event:${e}`;

// --- the wire -------------------------------------------------------------------

/** An error as it crosses a process boundary: a message for the user, a code for code. */
export interface IpcErrorPayload {
  message: string;
  /** E.g. 'InvalidArguments', 'UnknownMethod', or the service's own code. */
  code?: string;
}

/** Electron: what an ipcMain handler returns (thrown errors lose their code in Electron). */
export type IpcReply = { ok: true; result: unknown } | { ok: false; error: IpcErrorPayload };

/** Web mode, client → server. */
export interface WireCall {
  id: number;
  method: string;
  args: unknown[];
}

/** Web mode, server → client: a reply to a call, or an event. */
export type WireMessage =
  | { id: number; result: unknown }
  | { id: number; error: IpcErrorPayload }
  | { event: IpcEvent; payload: unknown };

/** Web mode: the WebSocket path and the query parameter / cookie carrying the access token. */
export const WEB_SOCKET_PATH = '/ws';
export const WEB_TOKEN_PARAM = 'token';

export type { JobQuery };

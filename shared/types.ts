// Domain types shared by the engine, every shell and the renderer.

export const JOB_STATES = [
  'queued', 'creating', 'uploading', 'completing', 'uploaded', 'ready', 'review',
  'paused', 'waiting', 'failed', 'canceled',
  // The download driver's own (main/engine/download): ranges arriving, the whole file
  // checked against the object's CRC-64 (or size and MD5), and the verified file in place.
  'downloading', 'verifying', 'downloaded',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * Which way a job moves bytes (docs/ARCHITECTURE.md §3, "Second direction"): a local file
 * up into VOD, or an item of a video in VOD (its source, a stream, a cover, a snapshot)
 * down to a local file. One queue and one scheduler; each kind has a driver and states.
 */
export const JOB_KINDS = ['upload', 'download'] as const;
export type JobKind = (typeof JOB_KINDS)[number];

/**
 * States in which nothing more will happen without the operator. `review`: the video
 * is in VOD and waits for a person to approve it (VOD status Checking); the uploader's
 * work is done, and the operator may ask it to check the status again.
 */
export const TERMINAL_STATES: readonly JobState[] = ['ready', 'review', 'downloaded', 'failed', 'canceled'];

/**
 * The job succeeded: an upload's file is a video in VOD (published, or awaiting review);
 * a download's file is on disk, verified, under its final name.
 */
export const DONE_STATES: readonly JobState[] = ['ready', 'review', 'downloaded'];

/**
 * A video's status as GetVideoInfo documents it (API reference, "Basic data types:
 * Status"). VOD may add statuses; an unknown one is kept and shown as it came, so the
 * type is an open string and this list is what the app knows how to treat.
 */
export const VOD_STATUSES = [
  'Uploading', 'UploadSucc', 'UploadFail', 'Transcoding', 'TranscodeFail', 'Checking', 'Blocked', 'Normal',
  'Preparing', 'PrepareFail', 'ProduceFail',
] as const;
export type KnownVodStatus = (typeof VOD_STATUSES)[number];
export type VodStatus = string;

export function isKnownVodStatus(s: string | undefined): s is KnownVodStatus {
  return s !== undefined && (VOD_STATUSES as readonly string[]).includes(s);
}

/** What the operator chooses for each file (CreateUploadVideo's parameters). */
export interface JobMeta {
  title: string;
  description?: string;
  cateId?: number;
  tags: string[];
  templateGroupId?: string;
  workflowId?: string;
  storageLocation?: string;
  appId?: string;
  /** JSON object as a string (callback, extend). */
  userData?: string;
  /** Local image file uploaded with CreateUploadImage and set as the cover. */
  coverPath?: string;
}

export interface JobError {
  code: string;
  message: string;
  retryable: boolean;
  /** What the operator can do about it. */
  hint?: string;
  requestId?: string;
  /**
   * Values for the renderer's translated text of this code (renderer/src/components/
   * problems.ts): always `kind` (the error class: network, auth, permission …), and e.g.
   * `service`, `host`, `reason` for a network failure. Absent in jobs stored before.
   */
  params?: Record<string, string | number>;
}

/** What a download job fetches and where it goes (JobView.download). */
export interface DownloadView {
  videoId: string;
  /** The item of the video (shared/library MediaUrl.key): `source`, `stream:HD:mp4`, `cover`… */
  itemKey: string;
  /** The folder the file goes to; its final path is JobView.path. */
  outDir: string;
  definition?: string;
  format?: string;
}

export interface JobView {
  id: number;
  /** Which way the bytes move; `download` jobs carry `download`. */
  kind: JobKind;
  /**
   * The service the job's upload goes to: 'aliyun' (Alibaba Cloud VOD) or 'tencent'
   * (Tencent Cloud VOD). The engine always sets it; a view built elsewhere without it
   * means 'aliyun'.
   */
  provider?: 'aliyun' | 'tencent';
  /** The local file: read for an upload, written (its final, verified name) for a download. */
  path: string;
  fileName: string;
  size: number;
  state: JobState;
  vodStatus?: VodStatus;
  videoId?: string;
  meta: JobMeta;
  /**
   * Bytes acknowledged by OSS (persisted parts) plus bytes in flight; for a download,
   * bytes written and fsynced (checkpointed ranges) plus bytes in flight.
   */
  bytesDone: number;
  priority: number;
  error?: JobError;
  attempts: number;
  /** Hex CRC-64/ECMA of the whole object, once complete. */
  crc64?: string;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  finishedAt?: number;
  download?: DownloadView;
}

export interface JobProgress {
  id: number;
  bytesDone: number;
  /** Bytes per second, smoothed. */
  speed: number;
  etaSeconds?: number;
}

export interface QueueTotals {
  jobs: number;
  byState: Partial<Record<JobState, number>>;
  bytesTotal: number;
  bytesDone: number;
  speed: number;
  /** Set while an upload window is configured and closed: when it opens (epoch ms). */
  windowOpensAt?: number;
  /**
   * What adaptive concurrency chose (main/engine/adaptive.ts): files and parts in flight
   * now, each at most its setting. Absent before the engine has run anything.
   */
  concurrency?: { files: number; parts: number };
}

export interface ProgressBatch {
  at: number;
  jobs: JobProgress[];
  totals: QueueTotals;
}

export interface EngineSettings {
  filesInFlight: number;
  partsInFlight: number;
  /** 0 = automatic (from the file size). */
  partSizeMiB: number;
  /** Bytes per second for the whole app; 0 = unlimited. */
  bandwidthLimit: number;
  autoResume: boolean;
  keepRunningInTray: boolean;
  /**
   * Upload only between these local times ("HH:MM", may wrap midnight: 22:00–06:00);
   * both empty = any time. Outside it nothing new starts and running uploads stop at
   * their last acknowledged part, to go on when it opens.
   */
  windowStart: string;
  windowEnd: string;
}

export const DEFAULT_SETTINGS: EngineSettings = {
  // Upper limits: adaptive concurrency (main/engine/adaptive.ts) chooses how many within
  // them, and a memory bound caps parts below 16 (see MEMORY_BOUND).
  filesInFlight: 32,
  partsInFlight: 16,
  partSizeMiB: 0,
  bandwidthLimit: 0,
  autoResume: true,
  keepRunningInTray: true,
  windowStart: '',
  windowEnd: '',
};

export type ProfileKind = 'aliyun' | 'sandbox' | 'tencent';

/** A profile as the renderer sees it: never the secret. */
export interface ProfileView {
  id: string;
  name: string;
  kind: ProfileKind;
  accessKeyId: string;
  region: string;
  endpoint?: string;
  /** A Tencent profile's VOD application (SubAppId); absent: the account's default one. */
  subAppId?: number;
  hasSecret: boolean;
  hasSecurityToken: boolean;
}

export interface ProfileInput {
  id?: string;
  name: string;
  kind: ProfileKind;
  accessKeyId: string;
  /** Omitted on edit = keep the stored secret. */
  accessKeySecret?: string;
  securityToken?: string;
  region: string;
  endpoint?: string;
  /**
   * Tencent only: the VOD application (SubAppId), as the form holds it (a positive
   * integer, or empty/omitted for the account's default application).
   */
  subAppId?: string;
}

export interface CategoryNode {
  cateId: number;
  name: string;
  level: number;
  parentId: number;
  children: CategoryNode[];
}

export interface TemplateGroup {
  id: string;
  name: string;
  isDefault: boolean;
  /** The "no transcoding" group (VOD_NO_TRANSCODE). */
  noTranscode: boolean;
  locked: boolean;
}

export interface Workflow {
  id: string;
  name: string;
}

export interface VodApp {
  appId: string;
  name: string;
}

/** The lists of a catalog, each read with its own VOD call. */
export type CatalogPart = 'categories' | 'templateGroups' | 'workflows' | 'apps';

/** A part the account may not read (a RAM user allowed to upload only): the service's own answer. */
export interface CatalogRefusal {
  part: CatalogPart;
  /** e.g. Forbidden.RAM */
  code: string;
  message: string;
}

export interface Catalog {
  categories: CategoryNode[];
  templateGroups: TemplateGroup[];
  workflows: Workflow[];
  /** The service's default application when the list is refused. */
  apps: VodApp[];
  /**
   * The parts VOD refused to list, each empty here: uploads still work, with ids typed by
   * hand (a least-privilege RAM user may upload without reading the catalog). Empty when
   * everything was read.
   */
  refused: CatalogRefusal[];
}

export interface ConnectionResult {
  ok: boolean;
  /**
   * ok, but this RAM user may not read the catalog (categories, template groups…): the
   * key and signature are valid and uploads may work; ids are typed by hand. code and
   * message are then the service's refusal.
   */
  catalogDenied?: boolean;
  /** The service's own error code and message when not ok. */
  code?: string;
  message?: string;
  requestId?: string;
}

export interface ScannedFile {
  path: string;
  size: number;
  kind: 'video' | 'audio';
}

export interface RejectedFile {
  path: string;
  reason: string;
  /** Why, as a code the renderer translates (e.g. UnsupportedExtension, HlsSegment); `reason` is the English text. */
  code?: string;
  params?: Record<string, string | number>;
}

export interface ScanResult {
  files: ScannedFile[];
  rejected: RejectedFile[];
}

export interface NewJob {
  path: string;
  meta: JobMeta;
  priority?: number;
}

/**
 * The queue's views, by what the file is doing: waiting its turn (queued, or paused with
 * its acknowledged progress), bytes moving or about to (creating … completing, or waiting
 * to retry), sent and being processed by VOD (object complete, waiting for Normal or
 * review), done, failed, and canceled (a filter of its own, so canceled jobs do not bury
 * a real failure).
 */
export type QueueTab = 'pending' | 'active' | 'processing' | 'done' | 'failed' | 'canceled';

export const QUEUE_TABS: readonly QueueTab[] = ['pending', 'active', 'processing', 'done', 'failed', 'canceled'];

/** Which states each queue view shows. */
export const TAB_STATES: Record<QueueTab, readonly JobState[]> = {
  pending: ['queued', 'paused'],
  active: ['creating', 'uploading', 'completing', 'downloading', 'verifying', 'waiting'],
  processing: ['uploaded'],
  done: ['ready', 'review', 'downloaded'],
  failed: ['failed'],
  canceled: ['canceled'],
};

/** What "Clear finished" takes out of the views (the jobs stay in the database). */
export const CLEARABLE_STATES: readonly JobState[] = ['ready', 'review', 'downloaded', 'canceled'];

export type JobSortKey = 'priority' | 'id' | 'fileName' | 'size' | 'state' | 'updatedAt';

export interface JobQuery {
  tab?: QueueTab;
  /** Substring of title, file name, VideoId. */
  search?: string;
  sort?: JobSortKey;
  descending?: boolean;
  offset: number;
  limit: number;
}

export interface JobPage {
  total: number;
  rows: JobView[];
}

/**
 * Which jobs a command acts on: these ids, every job, or every job of a tab (and
 * search) as the engine finds them when the command runs — select-all in a view means
 * all of its rows, not the ones the renderer happened to load.
 */
export type JobSelector = number[] | 'all' | TabSelector;

export interface TabSelector {
  tab: QueueTab;
  /** The view's search (title, file name, VideoId), as in JobQuery. */
  search?: string;
}

export function isTabSelector(sel: JobSelector): sel is TabSelector {
  return typeof sel === 'object' && !Array.isArray(sel);
}

/**
 * What ffprobe says about a local file before it is uploaded. `ok: false` is a warning
 * for the operator (VOD will likely fail to transcode it), never a reason to refuse it.
 */
export type MediaProbe =
  | {
    ok: true;
    durationSeconds?: number;
    width?: number;
    height?: number;
    videoCodec?: string;
    audioCodec?: string;
    /** Bits per second of the whole file. */
    bitRate?: number;
    formatName?: string;
  }
  | { ok: false; problem: string };

export type ExportFormat = 'csv' | 'json';

export interface ExportOptions {
  format: ExportFormat;
  /** Only the jobs of one queue tab; all jobs when absent. */
  tab?: QueueTab;
  /** Only these jobs (the operator's selection), within `tab` if both are given. */
  ids?: number[];
}

/**
 * What adding a file this account already has does: `skip` it (reported with its
 * VideoId or job), `upload` it again deliberately (a new VideoId), or `fail` the
 * whole add (nothing enqueued; the duplicates are named).
 */
export const DUPLICATE_POLICIES = ['skip', 'upload', 'fail'] as const;
export type DuplicatePolicy = (typeof DUPLICATE_POLICIES)[number];

/**
 * A file the account already has, matched by size and sampled hash (so a moved or
 * renamed file is still found). `uploaded`: it has a VideoId from this app (the
 * ledger); `queued`: a job of the queue is on its way with it.
 */
export interface DuplicateFile {
  path: string;
  kind: 'uploaded' | 'queued';
  videoId?: string;
  /** The job that has it (queued), or that uploaded it when it is still in the queue. */
  jobId?: number;
  /** uploaded: when (epoch ms). */
  uploadedAt?: number;
  title?: string;
  /** Where the file was when it was uploaded or added, when that was somewhere else. */
  previousPath?: string;
}

/** One row of the ledger, as it is exported. */
export interface LedgerRow {
  account: string;
  videoId: string;
  title: string;
  path: string;
  size: number;
  sampleHash: string;
  /** Hex CRC-64/ECMA of the object. */
  crc64?: string;
  uploadedAt: number;
  jobId?: number;
}

/** How the engine finds its proxy (main/engine/net/proxy.ts). */
export const PROXY_MODES = ['system', 'none', 'manual'] as const;
export type ProxyMode = (typeof PROXY_MODES)[number];

/** Where OSS uploads go: the UploadAddress's endpoint, or its acceleration or internal twin (main/engine/net/oss-endpoint.ts). */
export const OSS_ENDPOINT_MODES = ['default', 'accelerate', 'internal'] as const;
export type OssEndpointMode = (typeof OSS_ENDPOINT_MODES)[number];

/** The network settings as the renderer sees them: the proxy URL with its password masked. */
export interface NetworkSettingsView {
  proxyMode: ProxyMode;
  /** user:••••@host:port; empty when none is set. */
  proxyUrl: string;
  /** Whether the stored URL carries a password (the renderer never sees it). */
  proxyHasPassword: boolean;
  ossEndpoint: OssEndpointMode;
  /** Whether the shell can ask the OS for its proxy (Electron). */
  systemProxyAvailable: boolean;
}

export interface NetworkSettingsPatch {
  proxyMode?: ProxyMode;
  /** A new URL; one whose password is •••• keeps the stored password. */
  proxyUrl?: string;
  ossEndpoint?: OssEndpointMode;
}

/** The proxy test's answer, in words the settings view shows as they are. */
export interface ProxyTestResult {
  outcome: 'ok' | 'proxyAuth' | 'proxyUnreachable' | 'targetUnreachable' | 'proxyRefused' | 'failed';
  /** The route taken: "direct (…)" or "http proxy host:port (…)". */
  route: string;
  /** The URL reached (VOD's endpoint or the sandbox). */
  target: string;
  /** Time to the target's first answer. */
  latencyMs?: number;
  /** The HTTP status the target answered with (any answer proves it was reached). */
  status?: number;
  message: string;
}

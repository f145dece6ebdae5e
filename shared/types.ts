// Domain types shared by the engine, every shell and the renderer.

export const JOB_STATES = [
  'queued', 'creating', 'uploading', 'completing', 'uploaded', 'ready', 'review',
  'paused', 'waiting', 'failed', 'canceled',
] as const;
export type JobState = (typeof JOB_STATES)[number];

/**
 * States in which nothing more will happen without the operator. `review`: the video
 * is in VOD and waits for a person to approve it (VOD status Checking); the uploader's
 * work is done, and the operator may ask it to check the status again.
 */
export const TERMINAL_STATES: readonly JobState[] = ['ready', 'review', 'failed', 'canceled'];

/** The upload succeeded: the file is a video in VOD (published, or awaiting review). */
export const DONE_STATES: readonly JobState[] = ['ready', 'review'];

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

export interface JobView {
  id: number;
  path: string;
  fileName: string;
  size: number;
  state: JobState;
  vodStatus?: VodStatus;
  videoId?: string;
  meta: JobMeta;
  /** Bytes acknowledged by OSS (persisted parts) plus bytes in flight. */
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

export type ProfileKind = 'aliyun' | 'sandbox';

/** A profile as the renderer sees it: never the secret. */
export interface ProfileView {
  id: string;
  name: string;
  kind: ProfileKind;
  accessKeyId: string;
  region: string;
  endpoint?: string;
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
  active: ['creating', 'uploading', 'completing', 'waiting'],
  processing: ['uploaded'],
  done: ['ready', 'review'],
  failed: ['failed'],
  canceled: ['canceled'],
};

/** What "Clear finished" takes out of the views (the jobs stay in the database). */
export const CLEARABLE_STATES: readonly JobState[] = ['ready', 'review', 'canceled'];

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

// The sandbox's whole memory: videos, images, uploads, objects, issued credentials and
// the category tree. Kept as one JSON document in dataDir so a restarted sandbox with
// the same dataDir carries on where it stopped. Part bytes never live here, only their
// sizes, hashes and file names.
import fs from 'fs';
import path from 'path';
import type { SyntheticSpec } from './synthetic';

/**
 * The statuses VOD documents for a video (API reference, "Basic data types: Status").
 * The sandbox moves a video through Uploading → UploadSucc → Transcoding → Normal (or
 * Checking in review mode) by itself; any other value, including one VOD may add later,
 * can be set through the admin API, so VideoStatus is an open string.
 */
export const VOD_VIDEO_STATUSES = [
  'Uploading', 'UploadFail', 'UploadSucc', 'Transcoding', 'TranscodeFail', 'Checking', 'Blocked', 'Normal',
  'Preparing', 'PrepareFail', 'ProduceFail',
] as const;
export type VideoStatus = string;

export interface VideoRecord {
  videoId: string;
  title: string;
  fileName: string;
  fileSize?: number;
  cateId?: number;
  tags: string[];
  description?: string;
  coverURL?: string;
  templateGroupId: string;
  workflowId?: string;
  storageLocation: string;
  appId: string;
  userData?: string;
  bucket: string;
  objectKey: string;
  /** HLS (FileName *.m3u8): the folder its segments go to, handed out as UploadAddress.ObjectPrefix. */
  objectPrefix?: string;
  /** HLS: files the playlist listed that were not there when it arrived (hls-package.ts). */
  missingSegments?: string[];
  createdAt: number;
  modifiedAt: number;
  /** When the object behind the video was completed (CompleteMultipartUpload or PutObject). */
  uploadedAt?: number;
  size?: number;
  /** CRC-64/ECMA of the uploaded object, unsigned decimal. */
  crc64?: string;
  etag?: string;
  /** A status set through the admin API; wins over the one derived from timestamps until cleared. */
  statusOverride?: string;
  /** SubmitTranscodeJobs: Transcoding from here for transcodeMs, then Normal. */
  transcodeStartedAt?: number;
  /** DeleteMezzanines removed the source file; the video stays. */
  sourceDeleted?: boolean;
  /** Made by seedVideos: metadata only, no object behind it. */
  seeded?: boolean;
  /** Refused to every write (UpdateVideoInfos / DeleteVideo report it in ForbiddenVideoIds); set with setVideoForbidden. */
  forbidden?: boolean;
}

export interface ImageRecord {
  imageId: string;
  imageType: string;
  imageExt: string;
  title: string;
  bucket: string;
  objectKey: string;
  appId: string;
  createdAt: number;
  uploadedAt?: number;
}

export interface PartRecord {
  partNumber: number;
  /** Quoted upper-case MD5 hex, as OSS writes it. */
  etag: string;
  size: number;
  crc64: string;
  lastModified: number;
  /** Disk store: the part's file, relative to the store root. */
  file?: string;
}

export interface UploadRecord {
  uploadId: string;
  bucket: string;
  key: string;
  initiatedAt: number;
  contentType?: string;
  parts: Record<string, PartRecord>;
}

export interface Segment {
  file: string;
  size: number;
}

export interface ObjectRecord {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  crc64: string;
  lastModified: number;
  contentType: string;
  /** Disk store: the object's bytes in order (part files of a multipart upload, or one file). */
  segments?: Segment[];
  /** Bytes made on the fly from a seed, never stored (synthetic.ts); wins over segments. */
  synthetic?: SyntheticSpec;
}

export interface CredentialRecord {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  expiresAt: number;
  bucket: string;
  /** The one object key this credential may write and read. */
  objectKey: string;
  /** HLS: and every key under this prefix (the playlist's segments). */
  objectPrefix?: string;
}

export interface CategoryRecord {
  cateId: number;
  cateName: string;
  parentId: number;
  level: number;
  type: 'default' | 'material';
}

export interface KeyPair {
  accessKeyId: string;
  accessKeySecret: string;
}

export interface StateData {
  version: 1;
  accessKeyId: string;
  accessKeySecret: string;
  /**
   * A least-privilege RAM user: allowed the upload calls and status reads only (see
   * UPLOAD_ONLY_ACTIONS in vod-api.ts). Added after version 1 shipped, so a state file
   * without it gets one on load.
   */
  uploadOnly?: KeyPair;
  /**
   * The key pair VOD signs OSS URLs with (FileURL/PlayURL with OutputType=oss) and the
   * private key of the CDN domain's type-A URL signing (auth_key). Added after version 1
   * shipped, so a state file without them gets them on load.
   */
  urlSigner?: KeyPair;
  cdnAuthKey?: string;
  bucket: string;
  videos: Record<string, VideoRecord>;
  images: Record<string, ImageRecord>;
  uploads: Record<string, UploadRecord>;
  objects: Record<string, ObjectRecord>;
  credentials: Record<string, CredentialRecord>;
  categories: Record<string, CategoryRecord>;
  nextCateId: number;
}

export function objectId(bucket: string, key: string): string {
  return `${bucket}/${key}`;
}

const STATE_FILE = 'sandbox-state.json';
/** Writes are coalesced: many parts a second would otherwise rewrite the file each time. */
const SAVE_DELAY_MS = 100;

export class StateStore {
  private timer: NodeJS.Timeout | undefined;
  /** How long the last write took: a large state (100,000 seeded videos) is written less often. */
  private lastFlushMs = 0;
  private readonly file: string;

  private constructor(readonly data: StateData, dir: string) {
    this.file = path.join(dir, STATE_FILE);
  }

  static load(dir: string, fresh: () => StateData): StateStore {
    const file = path.join(dir, STATE_FILE);
    let data: StateData;
    if (fs.existsSync(file)) {
      const parsed = JSON.parse(fs.readFileSync(file, 'utf8')) as StateData;
      if (parsed.version !== 1) throw new Error(`${file} has state version ${String(parsed.version)}; this sandbox reads version 1. Use a fresh data directory.`);
      data = parsed;
    } else {
      data = fresh();
    }
    const store = new StateStore(data, dir);
    store.flush();
    return store;
  }

  /**
   * Marks the state changed; it reaches disk within SAVE_DELAY_MS or at flush(). A state
   * that takes long to write waits ten times its last write, so writing never takes more
   * than a tenth of the server's time (100,000 videos take most of a second to serialise).
   */
  changed(): void {
    if (this.timer) return;
    this.timer = setTimeout(() => this.flush(), Math.max(SAVE_DELAY_MS, this.lastFlushMs * 10));
  }

  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const started = Date.now();
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(this.data));
    fs.renameSync(tmp, this.file);
    this.lastFlushMs = Date.now() - started;
  }
}

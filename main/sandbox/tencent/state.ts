// The Tencent personality's memory, kept inside the sandbox's one state document
// (StateData.tencent) so a restarted sandbox on the same dataDir keeps its account,
// sessions, temporary credentials and media. Object bytes and multipart uploads live
// with the rest of the sandbox's (StateData.objects / uploads, keyed by the COS bucket).
import crypto from 'crypto';
import { hexId } from '../ids';

export interface TencentClass {
  classId: number;
  parentId: number;
  name: string;
  /** 0 for a first-level class, at most 3 (MediaClassInfo.Level). */
  level: number;
}

export interface TencentProcedure {
  name: string;
  type: 'Preset' | 'Custom';
  comment: string;
  createTime: string;
}

/** What ApplyUpload created: one VodSessionKey, its storage paths and its temporary key. */
export interface TencentSession {
  key: string;
  subAppId: number;
  mediaType: string;
  mediaName: string;
  coverType?: string;
  procedure?: string;
  classId: number;
  expireTime?: string;
  sourceContext?: string;
  sessionContext?: string;
  storageRegion: string;
  mediaStoragePath: string;
  coverStoragePath?: string;
  createdAt: number;
  /** The session may be committed until then (SandboxOptions.tencentSessionTtlSeconds). */
  expiresAt: number;
  credentialId: string;
  /** Set by the first successful CommitUpload. */
  fileId?: string;
}

export interface TencentCredential {
  secretId: string;
  secretKey: string;
  token: string;
  expiresAt: number;
  bucket: string;
  /** The session's folder (with its leading "/" and trailing "/"): the keys this key may touch. */
  prefix: string;
}

export interface TencentMedia {
  fileId: string;
  subAppId: number;
  name: string;
  type: string;
  classId: number;
  procedure?: string;
  storageRegion: string;
  storagePath: string;
  coverPath?: string;
  expireTime?: string;
  sourceContext?: string;
  createdAt: number;
  size: number;
  crc64: string;
  /** A status pinned through the admin hook (Normal, Forbidden, SystemForbidden, …). */
  statusOverride?: string;
  /** The task flow CommitUpload started for ApplyUpload's Procedure (DescribeTasks / DescribeTaskDetail). */
  procedureTaskId?: string;
  sessionContext?: string;
  // The media library (media-api.ts): what ModifyMediaInfo, DeleteMedia and
  // ProcessMediaByProcedure change, and seeded media (metadata only, synthetic bytes).
  description?: string;
  tags?: string[];
  updatedAt?: number;
  /** When the current task flow started (ProcessMediaByProcedure); createdAt for ApplyUpload's Procedure. */
  procedureStartedAt?: number;
  /** DeleteMedia DeleteParts OriginalFiles / TranscodeFiles. */
  sourceDeleted?: boolean;
  transcodesDeleted?: boolean;
  /** Made by seedMedia: its source is a synthetic object of `size` bytes. */
  seeded?: boolean;
}

export interface TencentData {
  secretId: string;
  secretKey: string;
  appId: number;
  subAppId: number;
  /** `<name>-<appid>`, the form cos-nodejs-sdk-v5 requires of Bucket. */
  bucket: string;
  sessions: Record<string, TencentSession>;
  credentials: Record<string, TencentCredential>;
  media: Record<string, TencentMedia>;
  classes: Record<string, TencentClass>;
  procedures: TencentProcedure[];
  /**
   * The distribution domain's Key hotlink protection key (UrlSignatureAuthPolicy.EncryptedKey,
   * DescribeVodDomains); set on first use for state files made before it existed.
   */
  urlSignatureKey?: string;
  /** ProcessMediaByProcedure's SessionIds and when they were used (refused again within 7 days). */
  procedureSessionIds?: Record<string, number>;
}

/** AKID… ids and 32-character keys, shaped like CAM's. */
export function tencentSecretId(): string {
  return 'AKID' + crypto.randomBytes(24).toString('base64url').replace(/[-_]/g, 'x').slice(0, 32);
}

export function tencentSecretKey(): string {
  return crypto.randomBytes(24).toString('base64url').replace(/[-_]/g, 'y').slice(0, 32);
}

/** A FileId: a 19-digit decimal string like VOD's ("5285890781234567890"). */
export function newFileId(): string {
  let s = String(1 + crypto.randomInt(8));
  while (s.length < 19) s += String(crypto.randomInt(10));
  return s;
}

export function newSessionKey(): string {
  return crypto.randomBytes(96).toString('base64').replace(/=+$/, '');
}

export function seedTencent(opts: { secretId?: string; secretKey?: string }): TencentData {
  const appId = 1250000000 + crypto.randomInt(1_000_000);
  const now = new Date().toISOString().replace(/\.\d{3}Z$/, 'Z');
  const classes: TencentClass[] = [
    { classId: 1, parentId: -1, name: 'Films', level: 0 },
    { classId: 2, parentId: 1, name: 'Features', level: 1 },
    { classId: 3, parentId: 1, name: 'Trailers', level: 1 },
    { classId: 4, parentId: 2, name: '2026', level: 2 },
    { classId: 5, parentId: -1, name: 'Series', level: 0 },
    { classId: 6, parentId: 5, name: '剧集', level: 1 },
  ];
  return {
    secretId: opts.secretId ?? tencentSecretId(),
    secretKey: opts.secretKey ?? tencentSecretKey(),
    appId,
    subAppId: 1500000000 + crypto.randomInt(1_000_000),
    bucket: `${hexId(4)}vodsandbox-${appId}`,
    sessions: {},
    credentials: {},
    media: {},
    classes: Object.fromEntries(classes.map((c) => [String(c.classId), c])),
    procedures: [
      { name: 'LongVideoPreset', type: 'Preset', comment: 'Transcode to the preset adaptive bitrate ladder', createTime: now },
      { name: 'SnapshotOnly', type: 'Custom', comment: 'Cover and sprite snapshots, no transcode', createTime: now },
      { name: 'HD-H264', type: 'Custom', comment: '720p and 1080p H.264', createTime: now },
    ],
  };
}

// The typed shapes of what the queue store keeps. Rows are mapped to and from these
// in queue-store.ts; nothing outside the store sees a column name.

import type { JobError, JobKind, JobMeta, JobState, ProfileKind, VodStatus } from '../../../shared/types';
import type { ProviderName, UploadAddress } from '../provider';

/** A job as it is stored: everything in its row. */
export interface JobRecord {
  id: number;
  /** Which way the bytes move (upload unless enqueued as a download). */
  kind: JobKind;
  /** An upload's file, or a download's final (verified) path. */
  path: string;
  fileName: string;
  size: number;
  /** File modification time when enqueued or last verified (fingerprint). */
  mtimeMs: number;
  /** Sampled hash of the file (fingerprint); set by the engine when it first reads it. */
  sampleHash?: string;
  meta: JobMeta;
  priority: number;
  state: JobState;
  vodStatus?: VodStatus;
  videoId?: string;
  /** Where the bytes go. Never the credential: credentials are not persisted. */
  uploadAddress?: UploadAddress;
  /** OSS multipart UploadId. */
  uploadId?: string;
  partSize?: number;
  /** Sum of the sizes of acknowledged parts; kept with the parts in one transaction. */
  bytesDone: number;
  /** CRC-64/ECMA of the whole object as unsigned decimal text (as OSS sends it). */
  crc64?: string;
  error?: JobError;
  attempts: number;
  /** Epoch ms when a waiting job may be retried. */
  nextAttemptAt?: number;
  createdAt: number;
  updatedAt: number;
  startedAt?: number;
  finishedAt?: number;
  coverImageId?: string;
  /** The profile whose account uploads the job; undefined = the CLI's environment account. */
  profileId?: string;
  /** The service the upload goes to (docs/ARCHITECTURE.md §3 "Providers"); 'aliyun' for jobs from before. */
  provider: ProviderName;
  /**
   * The provider's own identity of the open upload (UploadIdentity.session; Tencent: the
   * VodSessionKey, storage path…); undefined for Alibaba, whose identity is the VideoId.
   * `videoId` is the media id (UploadIdentity.mediaId).
   */
  uploadSession?: Record<string, unknown>;
}

/** What the caller gives to enqueue a job; the rest starts empty. */
export type NewJobRecord = Pick<JobRecord, 'path' | 'fileName' | 'size' | 'mtimeMs' | 'sampleHash' | 'meta' | 'profileId' | 'partSize'> & {
  /** 'aliyun' unless given; set again from the provider when the upload is opened. */
  provider?: ProviderName;
  /** `upload` unless given; a download is enqueued with its `downloads` row (DownloadRepository.insert). */
  kind?: JobKind;
  /** A download's VideoId (an upload's comes from CreateUploadVideo). */
  videoId?: string;
  priority?: number;
  /** `queued` unless given (`paused` to hold for editing). */
  state?: JobState;
};

/**
 * A change to a job. A key that is present with `undefined` or `null` clears that
 * column; an absent key leaves it alone. `id`, `state` (use transition), `bytesDone`
 * (follows the parts) and `createdAt` cannot be patched.
 */
export type JobPatch = {
  [K in Exclude<keyof JobRecord, 'id' | 'kind' | 'state' | 'bytesDone' | 'createdAt'>]?: JobRecord[K] | null;
};

export interface PartRecord {
  partNumber: number;
  etag: string;
  size: number;
  /** CRC-64/ECMA of the part as unsigned decimal text. */
  crc64: string;
}

export interface EventRecord {
  id: number;
  jobId: number;
  at: number;
  type: string;
  data?: unknown;
}

export interface ProfileRecord {
  id: string;
  name: string;
  kind: ProfileKind;
  accessKeyId: string;
  region: string;
  endpoint?: string;
  /**
   * The AccessKey secret, already encrypted by the caller (safeStorage or the like).
   * The store never sees a plaintext secret. On save, undefined keeps the stored
   * blob and null removes it.
   */
  secretBlob?: Buffer | null;
  /** An STS security token, encrypted by the caller; same rules as secretBlob. */
  tokenBlob?: Buffer | null;
  /** A Tencent profile's VOD application (SubAppId); undefined: the account's default one. */
  subAppId?: number;
  createdAt?: number;
  updatedAt?: number;
}

export interface UpdateMetaResult {
  updated: number[];
  /** Jobs that already have a VideoId: their metadata lives in VOD now. */
  refused: number[];
  /** Ids not in the queue. */
  missing: number[];
}

// The cloud side of an upload, behind one interface (docs/ARCHITECTURE.md §3 "Providers"):
// a provider-neutral upload (open → bytes through a ChunkWriter → finalize → status) that
// Alibaba (CreateUploadVideo → OSS → nothing to commit; vod/aliyun-provider.ts) and
// Tencent (ApplyUpload → COS → CommitUpload) both implement.

import type { Catalog, ConnectionResult, JobMeta, VodStatus } from '../../shared/types';
import type { ChunkWriter, ChunkWriterOptions } from './chunk-writer';
import type { UploadLease } from './credential-lease';

/** Which service a job's upload goes to (jobs.provider, profiles.kind). */
export type ProviderName = 'aliyun' | 'tencent';
export const PROVIDER_NAMES: readonly ProviderName[] = ['aliyun', 'tencent'];

/**
 * Where the bytes go: Alibaba's decoded UploadAddress; Tencent's StorageBucket,
 * StorageRegion and MediaStoragePath. Stored with the job (jobs.upload_address).
 */
export interface UploadAddress {
  /**
   * The object store's endpoint URL: OSS e.g. https://oss-cn-shanghai.aliyuncs.com or
   * http://127.0.0.1:PORT; COS: what its client's `Domain` needs (a sandbox), or empty
   * for the service's own domain.
   */
  endpoint: string;
  /** The bucket as the object store's client wants it (COS: "<name>-<appid>"). */
  bucket: string;
  /** The bucket's region when the writer needs it apart from the endpoint (COS: "ap-guangzhou"). */
  region?: string;
  objectKey: string;
  /**
   * Where the job's cover goes when it travels in the same session as the media
   * (Tencent's CoverStoragePath): the engine puts the cover there before finalize.
   * Undefined for Alibaba, whose cover is an image upload of its own (createImageUpload).
   */
  coverObjectKey?: string;
  /**
   * For an HLS playlist (FileName *.m3u8): the key prefix under which the files it lists
   * go, e.g. "sv/1f2e-3d4c/" (decoded UploadAddress `ObjectPrefix`). The upload
   * credential covers it as well as objectKey.
   */
  objectPrefix?: string;
}

/** A provider-neutral name for the same thing. */
export type UploadTarget = UploadAddress;

/** A temporary credential for that address (Alibaba's decoded UploadAuth; Tencent's TempCertificate). */
export interface UploadCredential {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken: string;
  region?: string;
  /** Epoch milliseconds when the credential stops working. */
  expiresAt: number;
}

export interface CreatedUpload {
  videoId: string;
  address: UploadAddress;
  credential: UploadCredential;
  requestId?: string;
}

export interface CreatedImageUpload {
  imageId: string;
  imageUrl: string;
  address: UploadAddress;
  credential: UploadCredential;
}

/**
 * The provider's own identity of one upload, stored as JSON with the job
 * (jobs.upload_session_json). `mediaId` is what the job is known by in the service once
 * known (Alibaba: the VideoId, from open on; Tencent: the FileId, from finalize on); it
 * is also stored in jobs.video_id. `session` is the provider's, opaque to the engine
 * (Tencent: VodSessionKey, storage path…); it must be plain JSON.
 */
export interface UploadIdentity {
  mediaId?: string;
  session?: Record<string, unknown>;
}

/** What open answers: the identity (stored before any byte is sent), where the bytes go, a credential for it. */
export interface OpenedUpload {
  identity: UploadIdentity;
  target: UploadTarget;
  credential: UploadCredential;
  requestId?: string;
}

export interface RenewedCredential {
  target: UploadTarget;
  credential: UploadCredential;
}

/**
 * Why the engine asks for a credential: `resume` — a new run (or a cancel/restart
 * clean-up) for an upload opened before; `expiring` — the lease's credential is about to
 * lapse or was refused mid-upload.
 */
export type RenewReason = 'resume' | 'expiring';

/**
 * The provider-neutral upload. The engine (job-runner.ts) drives:
 *   open (once; its identity stored before anything else)
 *   → lease (renewCredential, or the re-open path)
 *   → chunkWriter (multipart or one PutObject; parts checkpointed)
 *   → finalize (exactly once; reconcileFinalize after a lost answer)
 *   → getVideoStatus(es) until the media is ready.
 */
export interface UploadProvider {
  /** Stored with the job (jobs.provider) when it is opened. */
  readonly name: ProviderName;
  /**
   * Alibaba CreateUploadVideo → VideoId + UploadAddress + UploadAuth; Tencent
   * ApplyUpload → VodSessionKey + bucket/region/storage path + TempCertificate.
   * Called at most once per upload attempt; its outcome is written to the job's events
   * (create-sent / create-refused / create-unknown) before and after.
   */
  open(input: { meta: JobMeta; fileName: string; size: number }): Promise<OpenedUpload>;
  /**
   * A credential for the upload `identity` names. Alibaba: RefreshUploadVideo (always).
   * A provider that cannot renew a session's credential (Tencent API 3.0) answers
   * undefined — on `resume` it may instead answer a credential it kept in the identity
   * while that is still valid — and the engine then re-opens safely: a new session and a
   * new object path, the old multipart upload aborted, the object from byte 0, and a
   * `reopened` event on the job. A provider may also throw an EngineError with code
   * UPLOAD_SESSION_EXPIRED (errors.ts) from any call to the same effect.
   */
  renewCredential(identity: UploadIdentity, why: RenewReason): Promise<RenewedCredential | undefined>;
  /**
   * After the object is complete: Alibaba — nothing to do, the mediaId is the VideoId
   * from open; Tencent — CommitUpload → FileId. The engine calls it only while the
   * identity has no mediaId, records `finalize-sent` before and `finalized` after, and
   * never calls it twice without reconcileFinalize in between. A request sent without an
   * answer should throw an error isOutcomeUnknown (errors.ts) accepts; an answer that
   * says the session expired (Tencent: InvalidParameterValue.VodSessionKey after a long
   * pause, once reconcileFinalize found nothing) throws UPLOAD_SESSION_EXPIRED.
   */
  finalize(identity: UploadIdentity): Promise<{ mediaId: string }>;
  /**
   * After a finalize whose answer was lost (a `finalize-sent` without `finalized`):
   * the mediaId that call made, or undefined when it made none (then finalize is sent
   * again). Never answers a second mediaId for one session. Absent: finalize is simply
   * sent again (idempotent for that provider).
   */
  reconcileFinalize?(identity: UploadIdentity, input: { meta: JobMeta; sentAt: number }): Promise<{ mediaId: string } | undefined>;
  /**
   * Upload identities still unfinished with exactly this title, opened since `since`
   * (epoch ms): after an open whose answer was lost, to adopt what it made instead of
   * making a second one. Optional (create-checked with "the provider cannot search").
   */
  findUnfinishedUploads?(input: { title: string; since: number }): Promise<string[]>;
  /**
   * The byte mover for `target`, on the job's lease. Async because the app's per-profile
   * stand-ins (main/app/providers.ts) resolve the real provider on first use.
   */
  chunkWriter(target: UploadTarget, lease: UploadLease, opts?: ChunkWriterOptions): Promise<ChunkWriter>;
  /** The media's status (Alibaba GetVideoInfo's Status; Tencent's states mapped onto VodStatus). */
  getVideoStatus(videoId: string): Promise<VodStatus>;
  /**
   * Many statuses in few calls; undefined for a media id the service does not know.
   * Without it the engine asks one at a time.
   */
  getVideoStatuses?(videoIds: readonly string[]): Promise<Map<string, VodStatus | undefined>>;
}

/**
 * Everything the engine and the app ask of one account's provider: the neutral upload
 * (UploadProvider) and the calls around it. Alibaba's cover is an image upload of its
 * own (createImageUpload → PutObject → setCover); a provider whose cover travels in the
 * upload session (UploadTarget.coverObjectKey) has neither.
 */
export interface VideoProvider extends UploadProvider {
  /** CreateUploadImage (cover), whose credential cannot be refreshed. */
  createImageUpload?(input: { ext: string; title?: string; storageLocation?: string; appId?: string }): Promise<CreatedImageUpload>;
  /** UpdateVideoInfo with a CoverURL. */
  setCover?(videoId: string, coverUrl: string): Promise<void>;
  deleteVideo(videoId: string): Promise<void>;
  getCatalog(): Promise<Catalog>;
  testConnection(): Promise<ConnectionResult>;
}

/** What a provider needs to talk to its service. */
export interface ProviderCredentials {
  /** Which service; Alibaba when absent (profiles and environments from before Tencent). */
  provider?: ProviderName;
  /** Alibaba AccessKey ID; Tencent SecretId. */
  accessKeyId: string;
  /** Alibaba AccessKey secret; Tencent SecretKey. */
  accessKeySecret: string;
  securityToken?: string;
  region: string;
  /** Overrides https://vod.<region>.aliyuncs.com (a sandbox). */
  endpoint?: string;
  /** Tencent's VOD application (SubAppId), sent with every call; Alibaba has none. */
  subAppId?: number;
}

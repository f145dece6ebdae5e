// Tencent Cloud VOD behind the provider seam (docs/ARCHITECTURE.md §3 "Tencent provider"):
// open = ApplyUpload, the bytes through COS (cos-writer.ts), finalize = CommitUpload,
// status = DescribeMediaInfos (+ the Procedure's task flow). Facts and their sources are
// in docs/tencent-vod-notes.md.
//
// Identity (stored by the engine before any byte is sent): the VodSessionKey, the storage
// path, bucket and region, a SourceContext token unique to this open (what a lost
// CommitUpload is reconciled by), and the TempCertificate, so that a run after a crash
// resumes the same session and multipart upload while the key is valid. API 3.0 cannot
// renew a session's key (ApplyUpload takes no VodSessionKey); the client-upload endpoint
// ApplyUploadUGC can, given the VodSessionKey (tc-ugc-client.ts, as vod-js-sdk-v6 does):
// renewCredential answers the kept key on `resume` while it lasts, else a key renewed
// there for the same storage path. When that endpoint refuses (it is not documented to
// accept an API 3.0 session), answers another path, or cannot be signed for (a session
// token), renewCredential answers undefined — the engine uses the key to its end and then
// re-opens (a new session, a new path, the file from byte 0; the old session is never
// committed).
//
// CommitUpload exactly once: after a lost answer, reconcileFinalize sends CommitUpload
// again with the same VodSessionKey — the sandbox (and, by the reading the notes could
// find, the service) answers the same FileId. If it answers that the key is invalid
// instead, the session may have been committed by the lost call or expired; SearchMedia
// by MediaName, matched on the SourceContext token, finds the FileId the lost call made.
// When neither can tell, the job stops with a message (never a second ApplyUpload).

import crypto from 'node:crypto';
import path from 'node:path';
import type { Catalog, CategoryNode, ConnectionResult, JobMeta, TemplateGroup, VodStatus } from '../../../shared/types';
import type { ChunkWriter, ChunkWriterOptions } from '../chunk-writer';
import type { UploadLease } from '../credential-lease';
import { EngineError, UPLOAD_SESSION_EXPIRED } from '../errors';
import type {
  OpenedUpload, ProviderCredentials, ProviderName, RenewedCredential, RenewReason, UploadCredential, UploadIdentity, UploadProvider, UploadTarget,
} from '../provider';
import { CosChunkWriter } from './cos-writer';
import { tencentCredentialsOf } from './tc-credentials';
import { COMMIT_OUTCOME_UNKNOWN } from './tc-errors';
import { TcUgcClient, UGC_REFUSED } from './tc-ugc-client';
import { TcVodClient, type AppliedUpload, type TcVodClientOptions, type TencentCredentials } from './tc-vod-client';
import { TencentLibrary } from './tencent-library';
import type {
  DownloadWhat, LibraryPage, LibraryQuery, LibraryVideoDetails, MediaUrl, VideoOpResult, VideoPatch,
} from '../../../shared/library';

/** The session as stored in the job's identity (plain JSON). */
export interface TencentSession {
  vodSessionKey: string;
  /** `vodup:<hex>`: unique to this open; returned in the media's SourceInfo. */
  sourceContext: string;
  mediaName: string;
  bucket: string;
  region: string;
  storagePath: string;
  coverStoragePath?: string;
  /** The VOD application the session was applied in (SubAppId), when one was named: its key is renewed there. */
  subAppId?: number;
  /** ApplyUpload's TempCertificate: kept to resume the same session after a crash. */
  cert: { secretId: string; secretKey: string; token: string; expiresAt: number };
  appliedAt: number;
}

/** A kept key is used on resume only with at least this much life left. */
const RESUME_MARGIN_MS = 60_000;

/** Tencent's media states after upload (MediaBasicInfo.Status) onto the app's VOD statuses. */
export function tencentStatusToVod(status: string | undefined, tasks: readonly string[]): VodStatus {
  if (status === 'Forbidden' || status === 'SystemForbidden') return 'Blocked';
  if (status !== undefined && status !== 'Normal') return status;
  // A Procedure's task flow: WAITING / PROCESSING / FINISH / ABORTED (DescribeTaskDetail.Status).
  if (tasks.some((t) => t === 'WAITING' || t === 'PROCESSING')) return 'Transcoding';
  if (tasks.some((t) => t === 'ABORTED')) return 'TranscodeFail';
  return 'Normal';
}

/** ApplyUpload's MediaType: the file's extension, lower case, without the dot. */
export function mediaTypeOf(fileName: string): string {
  return path.extname(fileName).slice(1).toLowerCase();
}

function sessionOf(identity: UploadIdentity): TencentSession {
  const s = identity.session as unknown as TencentSession | undefined;
  if (!s || typeof s.vodSessionKey !== 'string') {
    throw new EngineError({ kind: 'parameter', code: 'NoTencentSession', retryable: false, message: 'The job has no Tencent upload session (VodSessionKey); it is applied for again.' });
  }
  return s;
}

function credentialOf(s: TencentSession): UploadCredential {
  return { accessKeyId: s.cert.secretId, accessKeySecret: s.cert.secretKey, securityToken: s.cert.token, region: s.region, expiresAt: s.cert.expiresAt };
}

export interface TencentProviderOptions extends Omit<TcVodClientOptions, 'credentials'> {
  now?: () => number;
  /** Seconds a signed media URL (Key hotlink protection) stays valid; default 3,600 (tencent-library.ts). */
  mediaUrlTtlSec?: number;
}

export class TencentProvider implements UploadProvider {
  /** The service its instances upload to, known before one exists (the app's stand-ins). */
  static readonly providerName: ProviderName = 'tencent';
  readonly name: ProviderName = 'tencent';
  readonly client: TcVodClient;
  /** ApplyUploadUGC: renews a session's key (tc-ugc-client.ts). */
  readonly ugc: TcUgcClient;
  private readonly credentials: TencentCredentials;
  /** The clock, held in an object: a function-valued own property would not reach the app's stand-ins (main/app/providers.ts). */
  private readonly clock: { now: () => number };

  /** Takes the app's and CLI's ProviderCredentials (SecretId as accessKeyId), or the VOD client's own shape. */
  constructor(credentials: TencentCredentials | (ProviderCredentials & { subAppId?: number }), opts: TencentProviderOptions = {}) {
    this.credentials = 'secretId' in credentials ? credentials : tencentCredentialsOf(credentials);
    this.client = new TcVodClient({ ...opts, credentials: this.credentials });
    this.ugc = new TcUgcClient({ ...opts, credentials: this.credentials });
    this.clock = { now: opts.now ?? Date.now };
    this.library = new TencentLibrary(this.client, { urlTtlSec: opts.mediaUrlTtlSec });
  }

  /** The media library (tencent-library.ts): SearchMedia, DescribeMediaInfos, ModifyMediaInfo, DeleteMedia, ProcessMediaByProcedure. */
  private readonly library: TencentLibrary;

  // MediaLibraryPort (main/engine/library/port.ts): FileIds stand where the port says VideoIds.
  searchVideos(query: LibraryQuery): Promise<LibraryPage> {
    return this.library.searchVideos(query);
  }

  getVideoDetails(fileIds: readonly string[], opts?: { basicOnly?: boolean }): Promise<Map<string, LibraryVideoDetails | undefined>> {
    return this.library.getVideoDetails(fileIds, opts);
  }

  updateVideos(patches: readonly VideoPatch[]): Promise<VideoOpResult[]> {
    return this.library.updateVideos(patches);
  }

  deleteVideos(fileIds: readonly string[], opts?: { sourceOnly?: boolean }): Promise<VideoOpResult[]> {
    return this.library.deleteVideos(fileIds, opts);
  }

  /** A task flow (Procedure) again on each media: ProcessMediaByProcedure. */
  submitTranscode(fileIds: readonly string[], procedureName: string): Promise<VideoOpResult[]> {
    return this.library.submitTranscode(fileIds, procedureName);
  }

  mediaUrls(fileId: string, what: DownloadWhat): Promise<MediaUrl[]> {
    return this.library.mediaUrls(fileId, what);
  }

  private targetOf(s: TencentSession): UploadTarget {
    return {
      endpoint: this.credentials.endpoint ?? '',
      bucket: s.bucket, region: s.region, objectKey: s.storagePath,
      ...(s.coverStoragePath ? { coverObjectKey: s.coverStoragePath } : {}),
    };
  }

  async open(input: { meta: JobMeta; fileName: string; size: number }): Promise<OpenedUpload> {
    const { meta } = input;
    const sourceContext = `vodup:${crypto.randomBytes(12).toString('hex')}`;
    const coverType = meta.coverPath ? mediaTypeOf(meta.coverPath) : undefined;
    const jobApp = meta.appId !== undefined && meta.appId !== '' ? Number(meta.appId) : undefined;
    // The job's application, else the profile's (TcVodClient adds that one to every call).
    const subAppId = Number.isInteger(jobApp) ? jobApp : this.credentials.subAppId;
    const applied: AppliedUpload = await this.client.applyUpload({
      MediaType: mediaTypeOf(input.fileName),
      MediaName: meta.title,
      ...(coverType ? { CoverType: coverType } : {}),
      ...(meta.templateGroupId ? { Procedure: meta.templateGroupId } : {}),
      ...(meta.cateId !== undefined ? { ClassId: meta.cateId } : {}),
      ...(meta.storageLocation ? { StorageRegion: meta.storageLocation } : {}),
      ...(Number.isInteger(subAppId) ? { SubAppId: subAppId } : {}),
      SourceContext: sourceContext,
    } as never);
    const c = applied.TempCertificate;
    const session: TencentSession = {
      vodSessionKey: applied.VodSessionKey,
      sourceContext,
      mediaName: meta.title,
      bucket: applied.StorageBucket,
      region: applied.StorageRegion,
      storagePath: applied.MediaStoragePath,
      ...(applied.CoverStoragePath ? { coverStoragePath: applied.CoverStoragePath } : {}),
      ...(subAppId !== undefined ? { subAppId } : {}),
      cert: { secretId: c.SecretId, secretKey: c.SecretKey, token: c.Token, expiresAt: Number(c.ExpiredTime) * 1000 },
      appliedAt: this.clock.now(),
    };
    return {
      identity: { session: session as unknown as Record<string, unknown> },
      target: this.targetOf(session),
      credential: credentialOf(session),
      ...(applied.RequestId ? { requestId: applied.RequestId } : {}),
    };
  }

  /**
   * On resume the kept key serves while it has life left; otherwise a fresh key for the
   * same session and storage path from ApplyUploadUGC. Undefined (the engine uses the
   * key to its end, then re-opens) when that endpoint refuses, answers another path, or
   * cannot be signed for: a session token (TENCENTCLOUD_SESSION_TOKEN) has no place in the
   * client upload signature. Network failures and 5xx that outlast the retries are thrown
   * (retryable): the next attempt asks again.
   */
  async renewCredential(identity: UploadIdentity, why: RenewReason): Promise<RenewedCredential | undefined> {
    const s = sessionOf(identity);
    if (why === 'resume' && s.cert.expiresAt - this.clock.now() > RESUME_MARGIN_MS) {
      return { target: this.targetOf(s), credential: credentialOf(s) };
    }
    if (!this.ugc.usable) return undefined;
    try {
      const r = await this.ugc.renew(s.vodSessionKey, { subAppId: s.subAppId ?? this.credentials.subAppId });
      // Only the same session's same object: a key for anything else would upload where CommitUpload does not look.
      if (r.vodSessionKey !== s.vodSessionKey || r.storagePath !== s.storagePath || r.bucket !== s.bucket) return undefined;
      const renewed: TencentSession = { ...s, cert: r.cert };
      return { target: this.targetOf(renewed), credential: credentialOf(renewed) };
    } catch (err) {
      if ((err as EngineError).code === UGC_REFUSED) return undefined;
      throw err;
    }
  }

  async finalize(identity: UploadIdentity): Promise<{ mediaId: string }> {
    const s = sessionOf(identity);
    try {
      const res = await this.client.commitUpload(s.vodSessionKey);
      return { mediaId: res.FileId };
    } catch (err) {
      const e = err as EngineError;
      // A session never committed whose key is no longer valid (VOD documents no
      // lifetime; the sandbox's is 3 days): the upload starts over under a new session.
      if (e.code === 'InvalidParameterValue.VodSessionKey') {
        throw e.with({ code: UPLOAD_SESSION_EXPIRED, kind: 'credentialExpired', retryable: true, message: `The upload session expired before it was committed (${e.message}); the file is applied for and uploaded again.` });
      }
      throw e;
    }
  }

  async reconcileFinalize(identity: UploadIdentity, input: { meta: JobMeta; sentAt: number }): Promise<{ mediaId: string } | undefined> {
    const s = sessionOf(identity);
    try {
      const res = await this.client.commitUpload(s.vodSessionKey);
      return { mediaId: res.FileId };
    } catch (err) {
      const e = err as EngineError;
      if (e.code !== 'InvalidParameterValue.VodSessionKey') throw e;
      const found = await this.searchBySourceContext(s, input.sentAt);
      if (found) return { mediaId: found };
      throw new EngineError({
        kind: 'parameter', code: COMMIT_OUTCOME_UNKNOWN, retryable: false,
        message: `CommitUpload's answer was lost and the session can no longer be committed; whether it made a FileId could not be found out (media "${s.mediaName}", SourceContext ${s.sourceContext}).`,
        hint: 'Look for the media in the VOD console (Media assets, by name); if it is there, nothing is to be done; if not, restart the job to upload it again.',
      });
    }
  }

  /** SearchMedia by MediaName since the lost commit, matched on the SourceContext token. */
  private async searchBySourceContext(s: TencentSession, since: number): Promise<string | undefined> {
    try {
      const res = await this.client.call<{ MediaInfoSet?: Array<{ FileId?: string; BasicInfo?: { SourceInfo?: { SourceContext?: string } } }> }>('SearchMedia', {
        Names: [s.mediaName], CreateTime: { After: new Date(Math.min(since, s.appliedAt) - 60_000).toISOString() }, Limit: 100,
      });
      return res.MediaInfoSet?.find((m) => m.BasicInfo?.SourceInfo?.SourceContext === s.sourceContext)?.FileId;
    } catch (err) {
      // A service (or sandbox) that cannot search: the outcome stays unknown.
      if ((err as EngineError).code === 'InvalidAction') return undefined;
      throw err;
    }
  }

  chunkWriter(target: UploadTarget, lease: UploadLease, opts?: ChunkWriterOptions): Promise<ChunkWriter> {
    return Promise.resolve(new CosChunkWriter(target, lease, opts));
  }

  async getVideoStatus(videoId: string): Promise<VodStatus> {
    const map = await this.getVideoStatuses([videoId]);
    const status = map.get(videoId);
    if (status === undefined) {
      throw new EngineError({ kind: 'notFound', code: 'FileIdNotFound', retryable: false, message: `Tencent VOD does not know FileId ${videoId} (it may have been deleted in the console).` });
    }
    return status;
  }

  async getVideoStatuses(videoIds: readonly string[]): Promise<Map<string, VodStatus | undefined>> {
    const { found, missing } = await this.client.describeMediaInfos(videoIds);
    const out = new Map<string, VodStatus | undefined>();
    for (const id of missing) out.set(id, undefined);
    for (const m of found) {
      const tasks = m.Status === 'Normal' || m.Status === undefined ? (await this.client.describeTasks(m.FileId)).map((t) => t.Status) : [];
      out.set(m.FileId, tencentStatusToVod(m.Status, tasks));
    }
    return out;
  }

  /** DeleteMedia: the media and every file VOD made from it (https://cloud.tencent.com/document/api/266/31764). */
  async deleteVideo(fileId: string): Promise<void> {
    await this.client.call('DeleteMedia', { FileId: fileId });
  }

  /** DescribeAllClass ↔ the category tree, DescribeProcedureTemplates ↔ template groups, SubAppId ↔ app. */
  async getCatalog(): Promise<Catalog> {
    const [classes, procedures] = await Promise.all([this.client.describeAllClass(), this.client.describeProcedureTemplates()]);
    const nodes = new Map<number, CategoryNode>();
    for (const c of classes) nodes.set(c.ClassId, { cateId: c.ClassId, name: c.ClassName, level: c.Level, parentId: c.ParentId, children: [] });
    const roots: CategoryNode[] = [];
    for (const n of nodes.values()) {
      const parent = nodes.get(n.parentId);
      if (parent && parent !== n) parent.children.push(n);
      else roots.push(n);
    }
    const templateGroups: TemplateGroup[] = procedures.map((p) => ({ id: p.Name, name: p.Name, isDefault: false, noTranscode: false, locked: false }));
    const sub = this.credentials.subAppId;
    return {
      categories: roots, templateGroups, workflows: [],
      apps: sub !== undefined ? [{ appId: String(sub), name: `SubAppId ${sub}` }] : [],
      refused: [],
    };
  }

  /** A cheap signed read (DescribeAllClass): proves endpoint, SecretId/SecretKey and signature. */
  async testConnection(): Promise<ConnectionResult> {
    try {
      await this.client.describeAllClass();
      return { ok: true };
    } catch (err) {
      const e = err as EngineError;
      const result: ConnectionResult = { ok: false, code: e.code, message: e.message };
      if (e.requestId) result.requestId = e.requestId;
      return result;
    }
  }
}

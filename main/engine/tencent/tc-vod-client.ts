// The Tencent Cloud VOD API 3.0 client (docs/ARCHITECTURE.md §3 "Tencent provider"):
// tencentcloud-sdk-nodejs-vod's Client (TC3-HMAC-SHA256 signing, transport) with what it
// lacks — an explicit timeout, retries through retry.ts, classification (tc-errors.ts),
// abort — in one `call`. Reads are retried; ApplyUpload and CommitUpload are sent once per
// call (the provider decides what a lost answer means, as for Alibaba's create calls).
//
// Endpoint: https://vod.tencentcloudapi.com by default (the SDK's own). With an endpoint
// set (VOD_ENDPOINT or the profile's: a sandbox), httpProfile {protocol, endpoint} point the
// SDK there; the SDK derives the signing scope's service from the host's first label
// (abstract_client.js), which a sandbox accepts (docs/tencent-vod-notes.md, "Pointing the
// official clients at a custom endpoint").

import * as tencentcloud from 'tencentcloud-sdk-nodejs-vod';
import { classifyError, describeTransport, EngineError, registerErrorClassifier } from '../errors';
import { agentFor } from '../net/proxy';
import { DEFAULT_CALL_POLICY, retrying, type RetryPolicy, type Sleep } from '../retry';
import { classifyTencentError, COMMIT_OUTCOME_UNKNOWN } from './tc-errors';

const VodClient = tencentcloud.vod.v20180717.Client;
type SdkClient = InstanceType<typeof VodClient>;

export const TENCENT_VOD_HOST = 'vod.tencentcloudapi.com';
/** The SDK's own default is 60 s; an API call that takes longer than this is lost. */
export const DEFAULT_TC_TIMEOUT_MS = 15_000;

export interface TencentCredentials {
  secretId: string;
  secretKey: string;
  /** TENCENTCLOUD_SESSION_TOKEN: a CAM temporary key's token. */
  sessionToken?: string;
  region: string;
  /** Overrides https://vod.tencentcloudapi.com (a sandbox): http://host:port. */
  endpoint?: string;
  /** The VOD application; required for accounts that activated VOD from 2023-12-25. */
  subAppId?: number;
}

export interface TempCertificate {
  SecretId: string;
  SecretKey: string;
  Token: string;
  /** Unix seconds. */
  ExpiredTime: number;
}

export interface AppliedUpload {
  StorageBucket: string;
  StorageRegion: string;
  VodSessionKey: string;
  MediaStoragePath: string;
  CoverStoragePath?: string;
  TempCertificate: TempCertificate;
  RequestId?: string;
}

export interface ApplyUploadParams {
  MediaType: string;
  MediaName?: string;
  CoverType?: string;
  Procedure?: string;
  ClassId?: number;
  StorageRegion?: string;
  SourceContext?: string;
  SessionContext?: string;
}

export interface TcMediaInfo {
  FileId: string;
  Name?: string;
  Status?: string;
  ClassId?: number;
  ClassPath?: string;
  MediaUrl?: string;
  Size?: number;
  SourceContext?: string;
}

export interface TcClass { ClassId: number; ParentId: number; ClassName: string; Level: number }
export interface TcProcedure { Name: string; Type?: string; Comment?: string }
export interface TcTask { TaskId: string; Status: string; FileId?: string }

export interface TcVodClientOptions {
  credentials: TencentCredentials;
  timeoutMs?: number;
  policy?: RetryPolicy;
  sleep?: Sleep;
}

export interface TcCallOptions {
  signal?: AbortSignal;
  /** Send once whatever the answer (ApplyUpload, CommitUpload). */
  once?: boolean;
}

/** The API's host (for messages) and the httpProfile that reaches it. */
export function tencentHttpProfile(credentials: Pick<TencentCredentials, 'endpoint'>, timeoutMs: number): { protocol: string; endpoint: string; reqTimeout: number } {
  const seconds = Math.max(1, Math.ceil(timeoutMs / 1000));
  if (!credentials.endpoint) return { protocol: 'https://', endpoint: TENCENT_VOD_HOST, reqTimeout: seconds };
  const u = new URL(credentials.endpoint);
  return { protocol: `${u.protocol}//`, endpoint: u.host, reqTimeout: seconds };
}

registerErrorClassifier('tencent', classifyTencentError);

/** Tencent errors first (the adapter's classifier), then the shared rules (Node's network and file errors). */
export function classifyTc(err: unknown): EngineError {
  return classifyError(err, 'tencent');
}

export class TcVodClient {
  private readonly sdk: SdkClient;
  private readonly host: string;
  readonly subAppId?: number;

  constructor(private readonly opts: TcVodClientOptions) {
    const c = opts.credentials;
    const httpProfile = tencentHttpProfile(c, opts.timeoutMs ?? DEFAULT_TC_TIMEOUT_MS);
    this.host = httpProfile.endpoint;
    this.subAppId = c.subAppId;
    this.sdk = new VodClient({
      credential: { secretId: c.secretId, secretKey: c.secretKey, ...(c.sessionToken ? { token: c.sessionToken } : {}) },
      region: c.region,
      profile: { httpProfile: { ...httpProfile, agent: agentFor(`${httpProfile.protocol}${httpProfile.endpoint}/`) } },
    });
  }

  /** One action: classified errors, retried per policy unless `once`. */
  async call<T>(action: string, params: Record<string, unknown>, o: TcCallOptions = {}): Promise<T> {
    const body: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== '') body[k] = v;
    if (this.subAppId !== undefined && body.SubAppId === undefined) body.SubAppId = this.subAppId;
    const classify = (err: unknown): EngineError => describeTransport(classifyTc(err), 'Tencent Cloud VOD', this.host);
    const policy = this.opts.policy ?? DEFAULT_CALL_POLICY;
    // `once`: one attempt per call; the error keeps its retryability for the job, which
    // tries again later (as Alibaba's create calls do, vod/vod-client.ts).
    return retrying(
      () => this.sdk.request(action, body, { signal: o.signal }) as Promise<T>,
      { policy: o.once ? { ...policy, maxAttempts: 1 } : policy, classify, signal: o.signal, sleep: this.opts.sleep },
    );
  }

  applyUpload(p: ApplyUploadParams, signal?: AbortSignal): Promise<AppliedUpload> {
    return this.call<AppliedUpload>('ApplyUpload', { ...p }, { once: true, signal });
  }

  /**
   * CommitUpload, sent once. A request that got no answer (it may have been carried out)
   * is `CommitOutcomeUnknown`: the provider reconciles, never applies again.
   */
  async commitUpload(vodSessionKey: string, signal?: AbortSignal): Promise<{ FileId: string; MediaUrl?: string; CoverUrl?: string }> {
    try {
      return await this.call('CommitUpload', { VodSessionKey: vodSessionKey }, { once: true, signal });
    } catch (err) {
      const e = err as EngineError;
      if (e.kind === 'network' && e.status === undefined && !/refused|resolved|ENOTFOUND|ECONNREFUSED/i.test(`${e.code} ${e.message}`)) {
        throw e.with({
          code: COMMIT_OUTCOME_UNKNOWN, retryable: true,
          message: `CommitUpload got no answer (${e.message}); the session may be committed. It is asked again with the same VodSessionKey.`,
        });
      }
      throw e;
    }
  }

  async describeMediaInfos(fileIds: readonly string[], signal?: AbortSignal): Promise<{ found: TcMediaInfo[]; missing: string[] }> {
    const found: TcMediaInfo[] = [];
    const missing: string[] = [];
    // DescribeMediaInfos takes at most 20 FileIds.
    for (let i = 0; i < fileIds.length; i += 20) {
      const page = await this.call<{ MediaInfoSet?: Array<{ FileId?: string; BasicInfo?: Record<string, unknown>; MetaData?: { Size?: number } }>; NotExistFileIdSet?: string[] }>(
        'DescribeMediaInfos', { FileIds: fileIds.slice(i, i + 20), Filters: ['basicInfo', 'metaData'] }, { signal },
      );
      for (const m of page.MediaInfoSet ?? []) {
        const b = m.BasicInfo ?? {};
        const source = (b.SourceInfo ?? {}) as { SourceContext?: string };
        found.push({
          FileId: String(m.FileId), Name: b.Name as string | undefined, Status: b.Status as string | undefined,
          ClassId: b.ClassId as number | undefined, ClassPath: b.ClassPath as string | undefined,
          MediaUrl: b.MediaUrl as string | undefined, Size: m.MetaData?.Size, SourceContext: source.SourceContext,
        });
      }
      missing.push(...(page.NotExistFileIdSet ?? []));
    }
    return { found, missing };
  }

  async describeAllClass(signal?: AbortSignal): Promise<TcClass[]> {
    const res = await this.call<{ ClassInfoSet?: Array<{ ClassId?: number; ParentId?: number; ClassName?: string; Name?: string; Level?: number }> }>('DescribeAllClass', {}, { signal });
    return (res.ClassInfoSet ?? []).map((c) => ({
      ClassId: Number(c.ClassId), ParentId: Number(c.ParentId ?? -1), ClassName: String(c.ClassName ?? c.Name ?? ''), Level: Number(c.Level ?? 0),
    }));
  }

  /** Every task-flow template, all pages. */
  async describeProcedureTemplates(signal?: AbortSignal): Promise<TcProcedure[]> {
    const out: TcProcedure[] = [];
    for (let offset = 0; ; offset += 100) {
      const page = await this.call<{ TotalCount?: number; ProcedureTemplateSet?: TcProcedure[] }>('DescribeProcedureTemplates', { Offset: offset, Limit: 100 }, { signal });
      const set = page.ProcedureTemplateSet ?? [];
      out.push(...set.map((t) => ({ Name: String(t.Name), Type: t.Type, Comment: t.Comment })));
      if (set.length < 100 || out.length >= (page.TotalCount ?? 0)) return out;
    }
  }

  /** The task flows started for a FileId (a Procedure given to ApplyUpload). */
  async describeTasks(fileId: string, signal?: AbortSignal): Promise<TcTask[]> {
    const res = await this.call<{ TaskSet?: Array<{ TaskId?: string; Status?: string; FileId?: string }> }>('DescribeTasks', { FileId: fileId, Limit: 100 }, { signal });
    return (res.TaskSet ?? []).map((t) => ({ TaskId: String(t.TaskId), Status: String(t.Status), FileId: t.FileId }));
  }
}

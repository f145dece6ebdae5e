// The VOD OpenAPI client: @alicloud/pop-core's RPCClient (signing, transport) with the
// things it lacks — explicit timeouts, retries with backoff, classification, abort — in
// one `call`. Every action goes through `call`; nothing else talks to VOD.

import RPCClient from '@alicloud/pop-core';
import { VOD_REGIONS } from '../../../shared/limits';
import type { CategoryNode } from '../../../shared/types';
import { CREATE_OUTCOME_UNKNOWN, classifyError, describeTransport, EngineError } from '../errors';
import type { ProviderCredentials } from '../provider';
import { quote } from './search-match';
import { DEFAULT_CALL_POLICY, retrying, type RetryInfo, type RetryPolicy, type Sleep } from '../retry';
import type {
  AddCategoryResponse, CreateUploadImageResponse, CreateUploadVideoResponse,
  GetCategoriesResponse, GetMezzanineInfoResponse, GetPlayInfoResponse, GetVideoInfoResponse,
  GetVideoInfosResponse, ListAppInfoResponse, ListSnapshotsResponse, ListTranscodeTemplateGroupResponse, ListWorkflowResponse,
  RefreshUploadVideoResponse, VodCategory, VodResponse,
  DeleteMezzaninesResponse, DeleteVideoResponse, SearchMediaResponse, SubmitTranscodeJobsResponse,
  UpdateVideoInfosResponse, VideoUpdateContent,
} from './wire-types';

export const VOD_API_VERSION = '2017-03-21';
/** pop-core's own default is 3 s, too short for a loaded gateway or a slow link. */
export const DEFAULT_VOD_TIMEOUT_MS = 15_000;
/** GetCategories' largest page. */
const CATEGORY_PAGE_SIZE = 100;
/** VOD nests categories at most three levels deep. */
const CATEGORY_LEVELS = 3;

/**
 * Actions that create something. If the request may have reached VOD (the connection broke
 * after it was sent), sending it again could make a second VideoId/ImageId/category; those
 * are retried only when the error proves the request was not processed.
 */
const NON_IDEMPOTENT_ACTIONS = new Set(['CreateUploadVideo', 'CreateUploadImage', 'AddCategory']);

/** Network errors raised before a request could have been sent. */
const NOT_SENT_CODES = new Set(['econnrefused', 'enotfound', 'eai_again', 'enetunreach', 'ehostunreach', 'enetdown']);

/** SearchMedia's largest page, and how far back a title search pages (5,000 results are reachable without a ScrollToken). */
const SEARCH_PAGE_SIZE = 100;
const SEARCH_MAX_PAGES = 10;

export interface SearchedVideo {
  VideoId: string;
  Title: string;
  Status: string;
  CreationTime: string;
}

export type VodParams = Record<string, string | number | boolean | undefined | null>;

export interface VodClientOptions {
  credentials: ProviderCredentials;
  timeoutMs?: number;
  policy?: RetryPolicy;
  /** Injected by tests so that backoff does not wait for real. */
  sleep?: Sleep;
  onRetry?: (action: string, info: RetryInfo) => void;
}

export interface CallOptions {
  signal?: AbortSignal;
  /**
   * Send once, whatever the answer: the caller retries (the library service retries a
   * whole batch per retry.ts, and knows what a resent delete's answer means).
   */
  once?: boolean;
}

/** Where a media URL points: VOD's CDN domain (the default) or the storage bucket itself. */
export type MediaOutputType = 'oss' | 'cdn';

export interface MezzanineParams {
  OutputType?: MediaOutputType;
  /** Seconds the FileURL stays valid. */
  AuthTimeout?: number;
}

export interface PlayInfoParams {
  /** mp4, m3u8, mp3, flv, mpd; comma-separated. */
  Formats?: string;
  /** FD, LD, SD, HD, FHD, OD, 2K, 4K, SQ, HQ, AUTO; comma-separated. */
  Definition?: string;
  StreamType?: 'video' | 'audio' | 'video,audio';
  /** Single (default): the latest stream per definition and format; Multiple: all, encrypted ones too. */
  ResultType?: 'Single' | 'Multiple';
  OutputType?: MediaOutputType;
  AuthTimeout?: number;
}

export interface SnapshotParams {
  SnapshotType?: 'CoverSnapshot' | 'NormalSnapshot' | 'SpriteSnapshot' | 'SpriteOriginSnapshot' | 'WebVttSnapshot';
  AuthTimeout?: number;
  PageNo?: number;
  /** At most 100. */
  PageSize?: number;
}

export function vodEndpoint(credentials: Pick<ProviderCredentials, 'region' | 'endpoint'>): string {
  return (credentials.endpoint ?? `https://vod.${credentials.region}.aliyuncs.com`).replace(/\/+$/, '');
}

/** VOD's documented hosts: the public and the VPC endpoint of each region it serves. */
function isDocumentedVodHost(host: string): boolean {
  const m = /^vod(?:-vpc)?\.([a-z0-9-]+)\.aliyuncs\.com$/.exec(host.toLowerCase());
  return m !== null && (VOD_REGIONS as readonly string[]).includes(m[1]);
}

/**
 * A host name that does not exist (DNS ENOTFOUND) is the configuration's fault — a region
 * without VOD (vod.cn-hangzhou.aliyuncs.com) or a mistyped endpoint — and waiting will not
 * make it exist: not retryable, with what to check. EAI_AGAIN (the resolver failed for
 * now) stays a network error. So does ENOTFOUND for VOD's documented hosts: those exist,
 * and an offline resolver reports ENOTFOUND too (macOS does, with the network down).
 */
export function endpointNotFound(e: EngineError, endpoint: string): EngineError | undefined {
  if (e.kind !== 'network' || e.code.toLowerCase() !== 'enotfound') return undefined;
  let host: string;
  try {
    host = new URL(endpoint).hostname;
  } catch {
    return undefined;
  }
  if (isDocumentedVodHost(host)) return undefined;
  return e.with({
    kind: 'parameter',
    code: 'VodEndpointNotFound',
    retryable: false,
    message: `The VOD endpoint ${host} does not exist (its name does not resolve).`,
    hint: `Check the region (VOD serves ${VOD_REGIONS.join(', ')}) and the endpoint, if one is set (VOD_ENDPOINT or the profile's endpoint).`,
  });
}

/** pop-core signs what it is given; leave out absent values and send the rest as strings. */
function cleanParams(params: VodParams): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === null || v === '') continue;
    out[k] = String(v);
  }
  return out;
}

function sentForSure(e: EngineError): boolean {
  if (e.kind !== 'network') return true;
  if (NOT_SENT_CODES.has(e.code.toLowerCase())) return false;
  // httpx (under pop-core) names a connect timeout "RequestTimeoutError" with "ConnectTimeout"
  // in its message, which describeTransport keeps in `detail`.
  return !/ConnectTimeout/.test(e.detail ?? e.message);
}

/** host[:port] of a URL, or the text itself when it is not one. */
export function hostOf(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return url;
  }
}

/** json-bigint (pop-core's parser) turns numbers over 15 digits into BigNumber objects. */
export function toNumber(v: unknown): number {
  return typeof v === 'number' ? v : Number(String(v));
}

export class VodClient {
  readonly endpoint: string;
  /** The endpoint's host, named in messages about transport failures. */
  readonly host: string;
  readonly region: string;
  private readonly rpc: RPCClient;
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly sleep?: Sleep;
  private readonly onRetry?: (action: string, info: RetryInfo) => void;

  constructor(opts: VodClientOptions) {
    const { credentials } = opts;
    if (!credentials.accessKeyId || !credentials.accessKeySecret) {
      throw new EngineError({
        kind: 'auth', code: 'MissingCredentials', message: 'The profile has no AccessKey ID or secret.',
        hint: 'Enter the AccessKey ID and secret in the profile.',
      });
    }
    this.endpoint = vodEndpoint(credentials);
    this.host = hostOf(this.endpoint);
    this.region = credentials.region;
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_VOD_TIMEOUT_MS;
    this.policy = opts.policy ?? DEFAULT_CALL_POLICY;
    this.sleep = opts.sleep;
    this.onRetry = opts.onRetry;
    this.rpc = new RPCClient({
      endpoint: this.endpoint,
      apiVersion: VOD_API_VERSION,
      accessKeyId: credentials.accessKeyId,
      accessKeySecret: credentials.accessKeySecret,
      securityToken: credentials.securityToken,
    });
  }

  /** One action: signed, POSTed (long metadata fits), retried per the call policy, classified. */
  async call<T extends VodResponse>(action: string, params: VodParams = {}, opts: CallOptions = {}): Promise<T> {
    const body = cleanParams(params);
    const nonIdempotent = NON_IDEMPOTENT_ACTIONS.has(action);
    const classify = (err: unknown): EngineError => {
      const e = describeTransport(err, 'VOD', this.host);
      const config = endpointNotFound(e, this.endpoint);
      if (config) return config;
      if (nonIdempotent && e.retryable && sentForSure(e) && e.kind === 'network') {
        return e.with({
          retryable: false,
          hint: `The connection broke after ${action} was sent, so VOD may have done it. Check the VOD console for a duplicate before retrying.`,
        });
      }
      return e;
    };
    const attempt = retrying<T>(
      () => this.rpc.request<T>(action, body, {
        method: 'POST',
        // Our names are already the service's (PascalCase); pop-core would otherwise re-case them.
        formatParams: false,
        formatAction: false,
        timeout: this.timeoutMs,
        // pop-core passes its options through httpx to http.request; a signal aborts the socket.
        beforeRequest: (o: Record<string, unknown>) => (opts.signal ? { ...o, signal: opts.signal } : o),
      }),
      {
        // An action that creates something is sent once per call: every answer it gets
        // (throttled, a 5xx, a refusal) goes back to the job, which records it before
        // trying again (job-runner createOrAdopt). Retried in here, a run killed during
        // the backoff would leave a request whose outcome the job cannot know.
        policy: nonIdempotent || opts.once ? { ...this.policy, maxAttempts: 1 } : this.policy,
        classify,
        signal: opts.signal,
        sleep: this.sleep,
        onRetry: this.onRetry ? (info) => this.onRetry!(action, info) : undefined,
      },
    );
    if (!nonIdempotent) return attempt;
    // Not resent here; but for the job it is a network failure like any other: the
    // engine looks for the video the lost request may have made before creating again.
    return attempt.catch((err: unknown) => {
      const e = classifyError(err);
      // Only a request that was sent and got no answer is ambiguous. Throttling, a 5xx or
      // any other answer proves it was not carried out: those are plain retryable errors.
      throw e.kind === 'network' && !e.retryable
        ? e.with({
          code: CREATE_OUTCOME_UNKNOWN,
          retryable: true,
          hint: `The connection broke after ${action} was sent, so VOD may have done it. The job waits for the network and then looks for that video before creating another.`,
        })
        : e;
    });
  }

  /**
   * Videos whose title is exactly `title`, newest first. SearchMedia matches Title
   * fuzzily (the media search protocol: Title is a full-text field), so a common title
   * brings many near matches: the titles are compared here, and pages are read, newest
   * first, until they reach videos older than `since` (at most SEARCH_MAX_PAGES pages).
   */
  async searchVideosByTitle(title: string, opts: CallOptions & { since?: number } = {}): Promise<SearchedVideo[]> {
    const out: SearchedVideo[] = [];
    for (let pageNo = 1; pageNo <= SEARCH_MAX_PAGES; pageNo++) {
      const res = await this.call<VodResponse & { MediaList?: { Video?: SearchedVideo }[] }>(
        'SearchMedia',
        { SearchType: 'video', Match: `Title = ${quote(title)}`, SortBy: 'CreationTime:Desc', PageNo: pageNo, PageSize: SEARCH_PAGE_SIZE },
        opts,
      );
      const page = (res.MediaList ?? []).map((m) => m.Video).filter((v): v is SearchedVideo => !!v);
      out.push(...page.filter((v) => v.Title === title));
      const oldest = page.length > 0 ? Date.parse(page[page.length - 1].CreationTime) : NaN;
      if (page.length < SEARCH_PAGE_SIZE || opts.since === undefined || !(oldest >= opts.since)) break;
    }
    return out;
  }

  createUploadVideo(p: {
    Title: string; FileName: string; FileSize?: number; CateId?: number; Tags?: string; Description?: string;
    CoverURL?: string; TemplateGroupId?: string; WorkflowId?: string; StorageLocation?: string; UserData?: string; AppId?: string;
  }, opts?: CallOptions): Promise<CreateUploadVideoResponse> {
    return this.call('CreateUploadVideo', p, opts);
  }

  refreshUploadVideo(videoId: string, opts?: CallOptions): Promise<RefreshUploadVideoResponse> {
    return this.call('RefreshUploadVideo', { VideoId: videoId }, opts);
  }

  createUploadImage(p: {
    ImageType: 'cover' | 'default'; ImageExt?: string; Title?: string; Tags?: string; CateId?: number;
    StorageLocation?: string; AppId?: string;
  }, opts?: CallOptions): Promise<CreateUploadImageResponse> {
    return this.call('CreateUploadImage', p, opts);
  }

  getVideoInfo(videoId: string, opts?: CallOptions): Promise<GetVideoInfoResponse> {
    return this.call('GetVideoInfo', { VideoId: videoId }, opts);
  }

  /** At most 20 ids per call, as the service allows. */
  getVideoInfos(videoIds: readonly string[], opts?: CallOptions): Promise<GetVideoInfosResponse> {
    return this.call('GetVideoInfos', { VideoIds: videoIds.join(',') }, opts);
  }

  // ---- Media URLs (issue 9): source file, streams, snapshots. Reads, retried as reads. ----
  // VOD's "Download media files" guide; parameters as the API reference documents them.

  /**
   * The source file with a signed FileURL (GetMezzanineInfo). OutputType `cdn` is VOD's
   * default, `oss` forces the storage URL; AuthTimeout in seconds (OSS URLs at most 30 days).
   * https://help.aliyun.com/document_detail/59624.htm
   */
  getMezzanineInfo(videoId: string, p: MezzanineParams = {}, opts?: CallOptions): Promise<GetMezzanineInfoResponse> {
    return this.call('GetMezzanineInfo', { VideoId: videoId, ...p }, opts);
  }

  /**
   * The video's streams with signed PlayURLs (GetPlayInfo), filtered by Formats,
   * Definition and StreamType (comma-separated); only a Normal video has them.
   * https://help.aliyun.com/document_detail/56124.htm
   */
  getPlayInfo(videoId: string, p: PlayInfoParams = {}, opts?: CallOptions): Promise<GetPlayInfoResponse> {
    return this.call('GetPlayInfo', { VideoId: videoId, ...p }, opts);
  }

  /**
   * One page of a video's snapshots of one type (ListSnapshots: CoverSnapshot by default,
   * SpriteSnapshot, …), URLs valid AuthTimeout seconds (at least 3,600).
   * https://www.alibabacloud.com/help/en/vod/api-listsnapshots
   */
  listSnapshots(videoId: string, p: SnapshotParams = {}, opts?: CallOptions): Promise<ListSnapshotsResponse> {
    return this.call('ListSnapshots', { VideoId: videoId, ...p }, opts);
  }

  // ---- end of media URLs ----

  updateVideoInfo(videoId: string, p: {
    Title?: string; Description?: string; Tags?: string; CateId?: number; CoverURL?: string;
  }, opts?: CallOptions): Promise<VodResponse> {
    return this.call('UpdateVideoInfo', { VideoId: videoId, ...p }, opts);
  }

  deleteVideo(videoIds: string | readonly string[], opts?: CallOptions): Promise<VodResponse> {
    return this.call('DeleteVideo', { VideoIds: typeof videoIds === 'string' ? videoIds : videoIds.join(',') }, opts);
  }

  /**
   * One page of SearchMedia, as VOD answers it (the Match is the caller's: see
   * search-match.ts). A read: retried per the call policy, throttling included.
   */
  searchMedia(p: {
    Match?: string; SortBy?: string; PageNo?: number; PageSize?: number; ScrollToken?: string; Fields?: string; SearchType?: string;
  }, opts?: CallOptions): Promise<SearchMediaResponse> {
    return this.call('SearchMedia', { SearchType: 'video', ...p }, opts);
  }

  /**
   * UpdateVideoInfos: at most 20 entries (VOD refuses more with CountExceededMax). Sent
   * once per call; the library service retries the batch.
   */
  updateVideoInfos(content: readonly VideoUpdateContent[], opts?: CallOptions): Promise<UpdateVideoInfosResponse> {
    return this.call('UpdateVideoInfos', { UpdateContent: JSON.stringify(content) }, { ...opts, once: true });
  }

  /** DeleteVideo of up to 20 videos with the per-id outcome; sent once per call (see deleteVideo for the retried one). */
  deleteVideos(videoIds: readonly string[], opts?: CallOptions): Promise<DeleteVideoResponse> {
    return this.call('DeleteVideo', { VideoIds: videoIds.join(',') }, { ...opts, once: true });
  }

  /** DeleteMezzanines: the source files of up to 20 videos; Force also those played from their source. Sent once. */
  deleteMezzanines(videoIds: readonly string[], force = false, opts?: CallOptions): Promise<DeleteMezzaninesResponse> {
    return this.call('DeleteMezzanines', { VideoIds: videoIds.join(','), Force: force ? 'true' : undefined }, { ...opts, once: true });
  }

  /** SubmitTranscodeJobs: one video through a template group again. Sent once (a resend would transcode twice). */
  submitTranscodeJobs(videoId: string, templateGroupId: string, opts?: CallOptions): Promise<SubmitTranscodeJobsResponse> {
    return this.call('SubmitTranscodeJobs', { VideoId: videoId, TemplateGroupId: templateGroupId }, { ...opts, once: true });
  }

  /** One page of one category's children; CateId -1 = the roots. */
  getCategories(p: { CateId?: number; PageNo?: number; PageSize?: number; Type?: 'default' | 'material' } = {}, opts?: CallOptions): Promise<GetCategoriesResponse> {
    return this.call('GetCategories', { CateId: p.CateId ?? -1, PageNo: p.PageNo ?? 1, PageSize: p.PageSize ?? CATEGORY_PAGE_SIZE, Type: p.Type }, opts);
  }

  /** All children of a category, over all pages. */
  async getAllSubCategories(cateId: number, type?: 'default' | 'material', opts?: CallOptions): Promise<VodCategory[]> {
    const all: VodCategory[] = [];
    for (let pageNo = 1; ; pageNo++) {
      const res = await this.getCategories({ CateId: cateId, PageNo: pageNo, PageSize: CATEGORY_PAGE_SIZE, Type: type }, opts);
      const page = res.SubCategories?.Category ?? [];
      all.push(...page);
      const total = res.SubTotal !== undefined ? toNumber(res.SubTotal) : undefined;
      // Stop on a short page, or when the reported total is reached (whichever the service gives).
      if (page.length < CATEGORY_PAGE_SIZE || (total !== undefined && all.length >= total)) return all;
    }
  }

  /** The whole category tree (three levels), every page of every level. */
  async getCategoryTree(type?: 'default' | 'material', opts?: CallOptions): Promise<CategoryNode[]> {
    const toNode = (c: VodCategory, level: number, parentId: number): CategoryNode => ({
      cateId: toNumber(c.CateId),
      name: c.CateName,
      level: c.Level !== undefined ? toNumber(c.Level) : level,
      parentId: c.ParentId !== undefined ? toNumber(c.ParentId) : parentId,
      children: [],
    });
    const fill = async (nodes: CategoryNode[], depth: number): Promise<void> => {
      if (depth >= CATEGORY_LEVELS) return;
      // Siblings in parallel; the call policy absorbs throttling.
      await Promise.all(nodes.map(async (node) => {
        const subs = await this.getAllSubCategories(node.cateId, type, opts);
        node.children = subs.map((c) => toNode(c, depth, node.cateId));
        await fill(node.children, depth + 1);
      }));
    };
    const roots = (await this.getAllSubCategories(-1, type, opts)).map((c) => toNode(c, 0, -1));
    await fill(roots, 1);
    return roots;
  }

  addCategory(cateName: string, parentId?: number, opts?: CallOptions): Promise<AddCategoryResponse> {
    return this.call('AddCategory', { CateName: cateName, ParentId: parentId }, opts);
  }

  listTranscodeTemplateGroup(appId?: string, opts?: CallOptions): Promise<ListTranscodeTemplateGroupResponse> {
    return this.call('ListTranscodeTemplateGroup', { AppId: appId }, opts);
  }

  listWorkflow(opts?: CallOptions): Promise<ListWorkflowResponse> {
    return this.call('ListWorkflow', {}, opts);
  }

  listAppInfo(p: { Status?: string; PageNo?: number; PageSize?: number } = {}, opts?: CallOptions): Promise<ListAppInfoResponse> {
    return this.call('ListAppInfo', { PageNo: p.PageNo ?? 1, PageSize: p.PageSize ?? 100, Status: p.Status }, opts);
  }
}

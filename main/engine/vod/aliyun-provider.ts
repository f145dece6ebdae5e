// VideoProvider for Alibaba Cloud ApsaraVideo VOD, on VodClient. Its side of the neutral
// upload (docs/ARCHITECTURE.md §3 "Providers"): open = CreateUploadVideo (the VideoId is the
// media id from the start), renewCredential = RefreshUploadVideo, the bytes through OSS
// (oss/oss-session.ts), finalize = nothing (VOD takes the upload when the object is
// complete).

import type {
  Catalog, CatalogPart, CatalogRefusal, CategoryNode, ConnectionResult, JobMeta, TemplateGroup, VodApp, VodStatus, Workflow,
} from '../../../shared/types';
import { DEFAULT_APP_ID } from '../../../shared/limits';
import { formatProblems, validateFileName, validateFileSize, validateMetadata, type Problem } from '../../../shared/validation';
import { classifyError, EngineError } from '../errors';
import type { ChunkWriter, ChunkWriterOptions } from '../chunk-writer';
import type { UploadLease } from '../credential-lease';
import { OssSession } from '../oss/oss-session';
import type {
  CreatedImageUpload, CreatedUpload, OpenedUpload, ProviderCredentials, ProviderName, RenewedCredential, UploadAddress,
  UploadCredential, UploadIdentity, UploadTarget, VideoProvider,
} from '../provider';
import type { DownloadWhat, MediaUrl } from '../../../shared/library';
import { resolveMediaUrls, type MediaUrlOptions } from './aliyun-media';
import type {
  LibraryPage, LibraryQuery, LibraryVideoDetails, VideoOpResult, VideoPatch,
} from '../../../shared/library';
import { AliyunLibrary } from './aliyun-library';
import { decodeUploadAddress, decodeUploadAuth } from './upload-auth';
import { VodClient, type VodClientOptions } from './vod-client';
import type { VodTemplateGroup } from './wire-types';

/** The built-in "no transcoding" group's id, and how its name reads in the console. */
const NO_TRANSCODE_RE = /VOD_NO_TRANSCODE|no[\s_-]?transcod|不转码/i;

export function isNoTranscodeGroup(g: Pick<VodTemplateGroup, 'TranscodeTemplateGroupId' | 'Name'>): boolean {
  return NO_TRANSCODE_RE.test(g.TranscodeTemplateGroupId) || NO_TRANSCODE_RE.test(g.Name);
}

function parameterError(problems: readonly Problem[]): EngineError {
  return new EngineError({
    kind: 'parameter',
    code: problems.length === 1 ? problems[0].code : 'InvalidMetadata',
    message: formatProblems(problems),
    hint: 'Correct the listed fields and add the file again.',
  });
}

/** An Alibaba upload's identity is its VideoId. */
function videoIdOf(identity: UploadIdentity): string {
  if (!identity.mediaId) {
    throw new EngineError({ kind: 'unknown', code: 'NoVideoId', retryable: false, message: 'This upload has no VideoId to continue with.' });
  }
  return identity.mediaId;
}

/** Permission errors that refuse the account or user as a whole, not one action. */
const ACCOUNT_REFUSAL = /illegalstatus|userdisabled/i;

/** GetVideoInfos takes at most 20 VideoIds. */
const VIDEO_INFOS_PER_CALL = 20;

export class AliyunVodProvider implements VideoProvider {
  /** The provider's name before an instance exists (the app's per-profile stand-ins). */
  static readonly providerName: ProviderName = 'aliyun';
  readonly name: ProviderName = 'aliyun';
  readonly client: VodClient;
  /** How media URLs are asked for (OutputType, AuthTimeout); see aliyun-media.ts. */
  mediaOptions: MediaUrlOptions = {};
  /** The media library's calls (aliyun-library.ts): search, details, bulk edit, delete, transcode. */
  private readonly library: AliyunLibrary;

  constructor(clientOrCredentials: VodClient | ProviderCredentials, opts: Omit<VodClientOptions, 'credentials'> = {}) {
    this.client = clientOrCredentials instanceof VodClient
      ? clientOrCredentials
      : new VodClient({ ...opts, credentials: clientOrCredentials });
    this.library = new AliyunLibrary(this.client);
  }

  // MediaLibraryPort (main/engine/library/port.ts), on SearchMedia and the bulk actions.
  searchVideos(query: LibraryQuery): Promise<LibraryPage> {
    return this.library.searchVideos(query);
  }

  getVideoDetails(videoIds: readonly string[], opts?: { basicOnly?: boolean }): Promise<Map<string, LibraryVideoDetails | undefined>> {
    return this.library.getVideoDetails(videoIds, opts);
  }

  updateVideos(patches: readonly VideoPatch[]): Promise<VideoOpResult[]> {
    return this.library.updateVideos(patches);
  }

  deleteVideos(videoIds: readonly string[], opts?: { sourceOnly?: boolean }): Promise<VideoOpResult[]> {
    return this.library.deleteVideos(videoIds, opts);
  }

  submitTranscode(videoIds: readonly string[], templateGroupId: string): Promise<VideoOpResult[]> {
    return this.library.submitTranscode(videoIds, templateGroupId);
  }

  async createUpload(input: { meta: JobMeta; fileName: string; size: number }): Promise<CreatedUpload> {
    const { meta, fileName, size } = input;
    const problems = [
      ...validateMetadata(meta),
      ...validateFileName(fileName),
      ...validateFileSize(size),
    ];
    if (problems.length > 0) throw parameterError(problems);
    const res = await this.client.createUploadVideo({
      Title: meta.title,
      FileName: fileName,
      FileSize: size,
      Description: meta.description,
      CateId: meta.cateId,
      Tags: meta.tags.length > 0 ? meta.tags.join(',') : undefined,
      TemplateGroupId: meta.templateGroupId,
      WorkflowId: meta.workflowId,
      StorageLocation: meta.storageLocation,
      AppId: meta.appId,
      UserData: meta.userData,
    });
    const received = Date.now();
    if (!res.VideoId) {
      throw new EngineError({ kind: 'server', code: 'MalformedResponse', message: 'CreateUploadVideo returned no VideoId.', retryable: false, requestId: res.RequestId });
    }
    return {
      videoId: res.VideoId,
      address: decodeUploadAddress(res.UploadAddress),
      credential: decodeUploadAuth(res.UploadAuth, received),
      requestId: res.RequestId,
    };
  }

  /** CreateUploadVideo: the VideoId is the upload's identity and its media id. */
  async open(input: { meta: JobMeta; fileName: string; size: number }): Promise<OpenedUpload> {
    const created = await this.createUpload(input);
    return { identity: { mediaId: created.videoId }, target: created.address, credential: created.credential, requestId: created.requestId };
  }

  /** RefreshUploadVideo: always possible while the video is unfinished. */
  async renewCredential(identity: UploadIdentity): Promise<RenewedCredential> {
    const fresh = await this.refreshUpload(videoIdOf(identity));
    return { target: fresh.address, credential: fresh.credential };
  }

  /** Nothing to commit: VOD takes the upload once the object is complete; the media id is the VideoId. */
  finalize(identity: UploadIdentity): Promise<{ mediaId: string }> {
    return Promise.resolve({ mediaId: videoIdOf(identity) });
  }

  /** OSS, through ali-oss (oss/oss-session.ts). */
  chunkWriter(target: UploadTarget, lease: UploadLease, opts: ChunkWriterOptions = {}): Promise<ChunkWriter> {
    void target; // the lease carries the address RefreshUploadVideo answered last
    return Promise.resolve(new OssSession(lease, opts));
  }

  async refreshUpload(videoId: string): Promise<{ address: UploadAddress; credential: UploadCredential }> {
    const res = await this.client.refreshUploadVideo(videoId);
    const received = Date.now();
    return { address: decodeUploadAddress(res.UploadAddress), credential: decodeUploadAuth(res.UploadAuth, received) };
  }

  /**
   * GetVideoInfo's Status as VOD sent it. A status this app does not know (VOD adds
   * some now and then) is returned too: the poller shows it and keeps asking, rather
   * than dropping it and polling without a word.
   */
  async getVideoStatus(videoId: string): Promise<VodStatus> {
    const res = await this.client.getVideoInfo(videoId);
    const status = res.Video?.Status;
    if (typeof status !== 'string' || status === '') {
      throw new EngineError({
        kind: 'server', code: 'MalformedResponse', message: `GetVideoInfo answered without a Status for ${videoId}.`,
        retryable: true, requestId: res.RequestId,
      });
    }
    return status;
  }

  /** GetVideoInfos, 20 ids a call (the service's limit); a missing video maps to undefined. */
  async getVideoStatuses(videoIds: readonly string[]): Promise<Map<string, VodStatus | undefined>> {
    const out = new Map<string, VodStatus | undefined>();
    for (let i = 0; i < videoIds.length; i += VIDEO_INFOS_PER_CALL) {
      const res = await this.client.getVideoInfos(videoIds.slice(i, i + VIDEO_INFOS_PER_CALL));
      for (const v of res.VideoList ?? []) {
        // Every status is kept; a video listed without one is left out (asked again later).
        if (typeof v.Status === 'string' && v.Status !== '') out.set(v.VideoId, v.Status);
      }
      for (const id of res.NonExistVideoIds ?? []) out.set(id, undefined);
    }
    return out;
  }

  async createImageUpload(input: { ext: string; title?: string; storageLocation?: string; appId?: string }): Promise<CreatedImageUpload> {
    const ext = input.ext.replace(/^\./, '').toLowerCase();
    const problems = validateFileName(`cover.${ext}`, ['image']);
    if (problems.length > 0) throw parameterError(problems);
    const res = await this.client.createUploadImage({
      ImageType: 'cover', ImageExt: ext, Title: input.title, StorageLocation: input.storageLocation, AppId: input.appId,
    });
    const received = Date.now();
    return {
      imageId: res.ImageId,
      imageUrl: res.ImageURL,
      address: decodeUploadAddress(res.UploadAddress),
      credential: decodeUploadAuth(res.UploadAuth, received),
    };
  }

  /**
   * SearchMedia for videos titled exactly `title` (the search matches titles loosely;
   * searchVideosByTitle compares them exactly), still Uploading and made since `since`,
   * oldest first.
   */
  async findUnfinishedUploads(input: { title: string; since: number }): Promise<string[]> {
    const videos = await this.client.searchVideosByTitle(input.title, { since: input.since });
    return videos
      .filter((v) => v.Status === 'Uploading' && Date.parse(v.CreationTime) >= input.since)
      .sort((a, b) => Date.parse(a.CreationTime) - Date.parse(b.CreationTime))
      .map((v) => v.VideoId);
  }

  /** MediaLibraryPort.mediaUrls: the video's fetchable items with fresh URLs (aliyun-media.ts). */
  mediaUrls(videoId: string, what: DownloadWhat): Promise<MediaUrl[]> {
    return resolveMediaUrls(this.client, videoId, what, this.mediaOptions);
  }

  async setCover(videoId: string, coverUrl: string): Promise<void> {
    await this.client.updateVideoInfo(videoId, { CoverURL: coverUrl });
  }

  async deleteVideo(videoId: string): Promise<void> {
    await this.client.deleteVideo(videoId);
  }

  /**
   * Storage locations are not part of it: VOD's 2017-03-21 API has no action that lists
   * them (its storage actions are AddVodStorageForApp, DescribeVodStorageData — usage
   * figures only — and the tiering ones; checked against the official SDK,
   * alibabacloud-go/vod-20170321), so the operator types the address the console shows,
   * checked by shared/validation validateStorageLocation.
   */
  /**
   * A part the account may not read (403 Forbidden.RAM and the like: a RAM user allowed
   * to upload only) is left empty and named in `refused`, so the UI can take ids typed by
   * hand instead of blocking; any other failure (network, throttling) fails the catalog,
   * to be asked again.
   */
  async getCatalog(): Promise<Catalog> {
    const refused: CatalogRefusal[] = [];
    const read = async <T>(part: CatalogPart, load: () => Promise<T>, ifRefused: T): Promise<T> => {
      try {
        return await load();
      } catch (err) {
        const e = classifyError(err);
        if (e.kind !== 'permission') throw err;
        refused.push({ part, code: e.code, message: e.message });
        return ifRefused;
      }
    };
    const [categories, templateGroups, workflows, apps] = await Promise.all([
      read('categories', () => this.client.getCategoryTree(), [] as CategoryNode[]),
      read('templateGroups', () => this.loadTemplateGroups(), [] as TemplateGroup[]),
      read('workflows', () => this.loadWorkflows(), [] as Workflow[]),
      read('apps', () => this.loadApps(), [{ appId: DEFAULT_APP_ID, name: 'Default' }] as VodApp[]),
    ]);
    const order: readonly CatalogPart[] = ['categories', 'templateGroups', 'workflows', 'apps'];
    refused.sort((a, b) => order.indexOf(a.part) - order.indexOf(b.part));
    return { categories, templateGroups, workflows, apps, refused };
  }

  /**
   * A cheap signed read: proves endpoint, AccessKey and signature in one call. VOD checks
   * the signature before the RAM policy, so a RAM refusal (403 Forbidden.RAM) proves the
   * key too: a least-privilege user that may upload but not read categories passes, with
   * catalogDenied. A refusal of the account itself (service not active, user disabled)
   * does not.
   */
  async testConnection(): Promise<ConnectionResult> {
    try {
      const res = await this.client.getCategories({ CateId: -1, PageNo: 1, PageSize: 1 });
      return { ok: true, requestId: res.RequestId };
    } catch (err) {
      const e = classifyError(err);
      const catalogDenied = e.kind === 'permission' && !ACCOUNT_REFUSAL.test(e.code);
      const result: ConnectionResult = { ok: catalogDenied, code: e.code, message: e.message };
      if (catalogDenied) result.catalogDenied = true;
      if (e.requestId) result.requestId = e.requestId;
      return result;
    }
  }

  private async loadTemplateGroups(): Promise<TemplateGroup[]> {
    const res = await this.client.listTranscodeTemplateGroup();
    return (res.TranscodeTemplateGroupList ?? []).map((g) => ({
      id: g.TranscodeTemplateGroupId,
      name: g.Name,
      isDefault: g.IsDefault === 'Default',
      noTranscode: isNoTranscodeGroup(g),
      locked: g.Locked === 'Enabled',
    }));
  }

  private async loadWorkflows(): Promise<Workflow[]> {
    const res = await this.client.listWorkflow();
    return (res.WorkflowList ?? [])
      .filter((w) => !w.Status || w.Status === 'Enabled')
      .map((w) => ({ id: w.WorkflowId, name: w.Name }));
  }

  private async loadApps(): Promise<VodApp[]> {
    const res = await this.client.listAppInfo({ Status: 'Normal' });
    return (res.AppInfoList ?? []).map((a) => ({ appId: a.AppId, name: a.AppName }));
  }
}

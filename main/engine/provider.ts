// The cloud side of an upload, behind one interface so that a second provider
// (Tencent Cloud VOD: ApplyUpload → COS → CommitUpload) can follow.
// The Alibaba implementation is in vod/aliyun-provider.ts.

import type { Catalog, ConnectionResult, JobMeta, VodStatus } from '../../shared/types';

/** Where the bytes go (decoded UploadAddress). */
export interface UploadAddress {
  /** OSS endpoint URL, e.g. https://oss-cn-shanghai.aliyuncs.com or http://127.0.0.1:PORT. */
  endpoint: string;
  bucket: string;
  objectKey: string;
  /**
   * For an HLS playlist (FileName *.m3u8): the key prefix under which the files it lists
   * go, e.g. "sv/1f2e-3d4c/" (decoded UploadAddress `ObjectPrefix`). The upload
   * credential covers it as well as objectKey.
   */
  objectPrefix?: string;
}

/** A temporary credential for that address (decoded UploadAuth). */
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

export interface VideoProvider {
  /** CreateUploadVideo. Called at most once per job: its VideoId is stored before anything else. */
  createUpload(input: { meta: JobMeta; fileName: string; size: number }): Promise<CreatedUpload>;
  /**
   * VideoIds still `Uploading` with exactly this title, created since `since` (epoch ms).
   * Used after a CreateUploadVideo whose answer was lost, to adopt the video it made
   * instead of making a second one.
   */
  findUnfinishedUploads?(input: { title: string; since: number }): Promise<string[]>;
  /** RefreshUploadVideo: a fresh credential for the same address. */
  refreshUpload(videoId: string): Promise<{ address: UploadAddress; credential: UploadCredential }>;
  /** GetVideoInfo's Status. */
  getVideoStatus(videoId: string): Promise<VodStatus>;
  /**
   * Many statuses in few calls (GetVideoInfos); undefined for a video the service does
   * not know. Without it the engine asks one video at a time.
   */
  getVideoStatuses?(videoIds: readonly string[]): Promise<Map<string, VodStatus | undefined>>;
  /** CreateUploadImage (cover), whose credential cannot be refreshed. */
  createImageUpload(input: { ext: string; title?: string; storageLocation?: string; appId?: string }): Promise<CreatedImageUpload>;
  /** UpdateVideoInfo with a CoverURL. */
  setCover(videoId: string, coverUrl: string): Promise<void>;
  deleteVideo(videoId: string): Promise<void>;
  getCatalog(): Promise<Catalog>;
  testConnection(): Promise<ConnectionResult>;
}

/** What a provider needs to talk to its service. */
export interface ProviderCredentials {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  region: string;
  /** Overrides https://vod.<region>.aliyuncs.com (a sandbox). */
  endpoint?: string;
}

// The library side of a provider (issue 9): find, fix and fetch videos already in the
// service. A port because a second cloud (Tencent VOD) implements it too; the Alibaba
// implementation lives beside its upload side in main/engine/vod/aliyun-provider.ts.

import type {
  DownloadWhat, LibraryPage, LibraryQuery, LibraryVideoDetails, MediaUrl, VideoOpResult, VideoPatch,
} from '../../../shared/library';

export interface MediaLibraryPort {
  /** One page of videos (SearchMedia; ScrollToken past VOD's 5,000-result window). */
  searchVideos(query: LibraryQuery): Promise<LibraryPage>;
  /**
   * Details of many videos in few calls; undefined for a video the service does not know.
   * `basicOnly`: the metadata alone (GetVideoInfos, 20 a call), streams and snapshots left
   * empty and no source — what a bulk edit needs to apply a template to the current title.
   */
  getVideoDetails(videoIds: readonly string[], opts?: { basicOnly?: boolean }): Promise<Map<string, LibraryVideoDetails | undefined>>;
  /** UpdateVideoInfos in batches of what the API allows; one result per patch. */
  updateVideos(patches: readonly VideoPatch[]): Promise<VideoOpResult[]>;
  /** DeleteVideo (or DeleteMezzanines with `sourceOnly`) in batches; one result per video. */
  deleteVideos(videoIds: readonly string[], opts?: { sourceOnly?: boolean }): Promise<VideoOpResult[]>;
  /** SubmitTranscodeJobs: run a template group again on each video; one result per video. */
  submitTranscode?(videoIds: readonly string[], templateGroupId: string): Promise<VideoOpResult[]>;
  /**
   * The fetchable items of one video with URLs resolved now (GetMezzanineInfo,
   * GetPlayInfo, GetVideoInfo / ListSnapshots). URLs expire: resolve again before use,
   * never store one as the truth.
   */
  mediaUrls(videoId: string, what: DownloadWhat): Promise<MediaUrl[]>;
}

// The media library's domain types (issue 9): what is already in VOD, found, fixed and
// fetched. Shared by the engine (main/engine/library), every shell and the renderer.
// Pure TypeScript, like everything in shared/.

import type { VodStatus } from './types';

/**
 * A search of the account's videos (SearchMedia's Match, SortBy, paging). Every field
 * narrows; absent means any. Times are epoch milliseconds.
 */
export interface LibraryQuery {
  /** Words of the title (VOD's full-text `Title = '…'`). */
  title?: string;
  cateId?: number;
  /** Videos having any of these tags. */
  tags?: string[];
  statuses?: VodStatus[];
  createdFrom?: number;
  createdTo?: number;
  storageLocation?: string;
  appId?: string;
  sort?: 'CreationTime:Desc' | 'CreationTime:Asc';
  /** Results per page, at most 100 (SearchMedia's PageSize). */
  pageSize?: number;
  /**
   * Where the next page starts: absent for the first page, else the `next` of the page
   * before (opaque: a page number inside VOD's 5,000-result window, a ScrollToken past it).
   */
  cursor?: string;
}

/** One video as a list shows it. */
export interface LibraryVideo {
  videoId: string;
  title: string;
  status: VodStatus;
  description?: string;
  cateId?: number;
  cateName?: string;
  tags: string[];
  /** Seconds. */
  duration?: number;
  /** Bytes of the source file. */
  size?: number;
  coverUrl?: string;
  /** Epoch ms. */
  createdAt: number;
  storageLocation?: string;
  appId?: string;
  /** The queue job that uploaded it, when this app did (linked by VideoId). */
  jobId?: number;
}

export interface LibraryPage {
  videos: LibraryVideo[];
  /** SearchMedia's Total: how many match (may exceed what paging can reach without a ScrollToken). */
  total: number;
  /** The cursor of the next page; absent on the last. */
  next?: string;
}

/** A transcoded stream (GetPlayInfo's PlayInfo). */
export interface StreamInfo {
  definition: string;
  format: string;
  size?: number;
  bitrate?: number;
  width?: number;
  height?: number;
  duration?: number;
  /** Encrypted streams stay encrypted when downloaded (VOD's "Download media files"). */
  encrypted?: boolean;
}

/** One video with everything its details panel shows. */
export interface LibraryVideoDetails extends LibraryVideo {
  streams: StreamInfo[];
  snapshots: string[];
  source?: { fileName?: string; size?: number; md5?: string };
}

/** What to change on one video (UpdateVideoInfos); absent fields stay as they are. */
export interface VideoPatch {
  videoId: string;
  title?: string;
  description?: string;
  cateId?: number;
  tags?: string[];
  coverUrl?: string;
}

/** The outcome of one video in a bulk operation: every video gets one. */
export interface VideoOpResult {
  videoId: string;
  ok: boolean;
  code?: string;
  message?: string;
  /**
   * A failure of the whole call (throttled, network, 5xx) that may succeed when sent
   * again, as opposed to this video's own refusal (not found, forbidden). The library
   * service retries these; what reaches the operator has given up.
   */
  retryable?: boolean;
  /** The request was sent and its answer lost: VOD may have carried it out. */
  outcomeUnknown?: boolean;
  /** The service has no such video (Alibaba InvalidVideo.NotFound, Tencent ResourceNotFound.FileNotExist). */
  notFound?: boolean;
}

/** What to fetch of each selected video. */
export interface DownloadWhat {
  source?: boolean;
  /** Streams by definition (e.g. `HD`, `SD`, `OD`) and format (`mp4`, `m3u8`); empty lists mean all. */
  streams?: { definitions?: string[]; formats?: string[] };
  cover?: boolean;
  snapshots?: boolean;
  sprites?: boolean;
}

export type MediaItemKind = 'source' | 'stream' | 'cover' | 'snapshot' | 'sprite';

/**
 * One fetchable object of a video, with a URL resolved just now. `key` names the item
 * stably across resolutions (`source`, `stream:HD:mp4`, `cover`, `snapshot:3`), so a
 * download can ask for the same item's URL again when the old one expired.
 */
export interface MediaUrl {
  videoId: string;
  title: string;
  key: string;
  kind: MediaItemKind;
  definition?: string;
  format?: string;
  url: string;
  /** Epoch ms after which the URL is refused; absent when the service does not say. */
  expiresAt?: number;
  size?: number;
  /** Hex MD5 of the file when the service reports it (FileMD5 / PlayInfo MD5). */
  md5?: string;
  /** The file name the service gives it (source file name, or from the URL). */
  fileName?: string;
  /** A stream VOD encrypted (PlayInfo Encrypt=1): it downloads encrypted and plays only with the right player. */
  encrypted?: boolean;
}

/** A bulk download: which videos, what of each, where and how named. */
export interface DownloadRequest {
  videoIds: string[];
  what: DownloadWhat;
  outDir: string;
  /** File name template: `{title}`, `{videoId}`, `{definition}`, `{format}`, `{kind}`, `{ext}`. */
  nameTemplate?: string;
  /** Write `<file>.json` beside each file with the video's metadata. */
  sidecar?: boolean;
  profileId?: string;
}

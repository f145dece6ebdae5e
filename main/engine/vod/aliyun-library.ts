// The library side of the Alibaba provider (MediaLibraryPort, main/engine/library/port.ts):
// SearchMedia pages, video details, UpdateVideoInfos, DeleteVideo / DeleteMezzanines and
// SubmitTranscodeJobs on VodClient. AliyunVodProvider delegates to it. Limits per call are
// VOD's (20 ids for UpdateVideoInfos, DeleteVideo, DeleteMezzanines, GetVideoInfos).
// Retrying a failed write is the library service's (library-service.ts): a call that fails
// as a whole answers a retryable result per video instead of throwing, so that the other
// batches' results are never lost.

import type {
  LibraryPage, LibraryQuery, LibraryVideo, LibraryVideoDetails, StreamInfo, VideoOpResult, VideoPatch,
} from '../../../shared/library';
import { classifyError } from '../errors';
import { mapLimit } from '../library/adapter-util';
import {
  buildMatch, decodeCursor, encodeCursor, pageSizeOf, searchKey, sortOf,
} from './search-match';
import { toNumber, type VodClient } from './vod-client';
import type { VideoUpdateContent, VodVideoDetails } from './wire-types';

/** UpdateVideoInfos, DeleteVideo, DeleteMezzanines and GetVideoInfos take at most 20 ids a call. */
export const VOD_IDS_PER_CALL = 20;
/** Details ask GetPlayInfo and GetMezzanineInfo per video; this many videos at once. */
const DETAIL_CONCURRENCY = 4;

function optionalNumber(v: unknown): number | undefined {
  if (v === undefined || v === null || v === '') return undefined;
  const n = toNumber(v);
  return Number.isFinite(n) ? n : undefined;
}

export function toLibraryVideo(v: VodVideoDetails): LibraryVideo {
  const created = v.CreationTime ? Date.parse(v.CreationTime) : NaN;
  return {
    videoId: v.VideoId,
    title: v.Title ?? '',
    status: v.Status,
    ...(v.Description ? { description: v.Description } : {}),
    ...(optionalNumber(v.CateId) !== undefined ? { cateId: optionalNumber(v.CateId) } : {}),
    ...(v.CateName ? { cateName: v.CateName } : {}),
    tags: v.Tags ? v.Tags.split(',').map((t) => t.trim()).filter(Boolean) : [],
    ...(optionalNumber(v.Duration) !== undefined ? { duration: optionalNumber(v.Duration) } : {}),
    ...(optionalNumber(v.Size) !== undefined ? { size: optionalNumber(v.Size) } : {}),
    ...(v.CoverURL ? { coverUrl: v.CoverURL } : {}),
    createdAt: Number.isFinite(created) ? created : 0,
    ...(v.StorageLocation ? { storageLocation: v.StorageLocation } : {}),
    ...(v.AppId ? { appId: v.AppId } : {}),
  };
}

function chunks<T>(items: readonly T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/**
 * Every video of a call that failed as a whole gets the call's error. A network failure
 * after sending may have been carried out: said (outcomeUnknown), and retryable only if
 * sending the call again is harmless (`resendSafe`).
 */
function failedAll(ids: readonly string[], err: unknown, resendSafe = true): VideoOpResult[] {
  const e = classifyError(err);
  const unknown = e.kind === 'network';
  return ids.map((videoId) => ({
    videoId,
    ok: false,
    code: e.code,
    message: unknown ? `${e.message} (the request may have reached VOD)` : e.message,
    retryable: e.retryable && (resendSafe || !unknown),
    ...(unknown ? { outcomeUnknown: true } : {}),
  }));
}

export class AliyunLibrary {
  constructor(private readonly client: VodClient) {}

  async searchVideos(query: LibraryQuery): Promise<LibraryPage> {
    const match = buildMatch(query);
    const sortBy = sortOf(query);
    const key = searchKey(match, sortBy);
    const at = query.cursor ? decodeCursor(query.cursor, match, sortBy) : { pageNo: 1, pageSize: pageSizeOf(query), search: key };
    const res = await this.client.searchMedia({
      Match: match || undefined,
      SortBy: sortBy,
      PageNo: at.pageNo,
      PageSize: at.pageSize,
      ScrollToken: 'scrollToken' in at ? at.scrollToken : undefined,
    });
    const videos = (res.MediaList ?? []).map((m) => m.Video).filter((v): v is VodVideoDetails => !!v?.VideoId).map(toLibraryVideo);
    const total = optionalNumber(res.Total) ?? videos.length;
    const reached = at.pageNo * at.pageSize;
    const more = (res.MediaList ?? []).length > 0 && reached < total;
    return {
      videos,
      total,
      ...(more ? { next: encodeCursor({ pageNo: at.pageNo + 1, pageSize: at.pageSize, scrollToken: res.ScrollToken, search: key }) } : {}),
    };
  }

  async getVideoDetails(videoIds: readonly string[], opts: { basicOnly?: boolean } = {}): Promise<Map<string, LibraryVideoDetails | undefined>> {
    const base = new Map<string, VodVideoDetails | undefined>();
    for (const batch of chunks(videoIds, VOD_IDS_PER_CALL)) {
      const res = await this.client.getVideoInfos(batch);
      for (const v of res.VideoList ?? []) base.set(v.VideoId, v);
      for (const id of res.NonExistVideoIds ?? []) base.set(id, undefined);
    }
    const out = new Map<string, LibraryVideoDetails | undefined>();
    const known = videoIds.filter((id) => base.get(id));
    const details = opts.basicOnly
      ? known.map((id) => ({ ...toLibraryVideo(base.get(id)!), streams: [], snapshots: base.get(id)!.Snapshots?.Snapshot ?? [] }))
      : await mapLimit(known, DETAIL_CONCURRENCY, async (id) => this.details(base.get(id)!));
    known.forEach((id, i) => out.set(id, details[i]));
    for (const id of videoIds) if (!out.has(id)) out.set(id, undefined);
    return out;
  }

  /**
   * One video's streams (GetPlayInfo: only a Normal video has them; any refusal leaves
   * the list empty) and source file (GetMezzanineInfo). URLs are not kept: they expire.
   */
  private async details(v: VodVideoDetails): Promise<LibraryVideoDetails> {
    let streams: StreamInfo[] = [];
    if (v.Status === 'Normal') {
      try {
        const play = await this.client.getPlayInfo(v.VideoId);
        streams = (play.PlayInfoList?.PlayInfo ?? []).map((p) => ({
          definition: p.Definition ?? 'OD',
          format: p.Format ?? '',
          ...(optionalNumber(p.Size) !== undefined ? { size: optionalNumber(p.Size) } : {}),
          ...(optionalNumber(p.Bitrate) !== undefined ? { bitrate: optionalNumber(p.Bitrate) } : {}),
          ...(optionalNumber(p.Width) !== undefined ? { width: optionalNumber(p.Width) } : {}),
          ...(optionalNumber(p.Height) !== undefined ? { height: optionalNumber(p.Height) } : {}),
          ...(optionalNumber(p.Duration) !== undefined ? { duration: optionalNumber(p.Duration) } : {}),
        }));
      } catch (err) {
        if (classifyError(err).retryable) throw err;
      }
    }
    let source: LibraryVideoDetails['source'];
    try {
      const m = (await this.client.getMezzanineInfo(v.VideoId)).Mezzanine;
      source = {
        ...(m.FileName ? { fileName: m.FileName } : {}),
        ...(optionalNumber(m.Size) !== undefined ? { size: optionalNumber(m.Size) } : {}),
        ...(m.FileMD5 ? { md5: m.FileMD5 } : {}),
      };
    } catch (err) {
      if (classifyError(err).retryable) throw err;
    }
    return { ...toLibraryVideo(v), streams, snapshots: v.Snapshots?.Snapshot ?? [], ...(source ? { source } : {}) };
  }

  async updateVideos(patches: readonly VideoPatch[]): Promise<VideoOpResult[]> {
    const out: VideoOpResult[] = [];
    for (const batch of chunks(patches, VOD_IDS_PER_CALL)) {
      const content: VideoUpdateContent[] = batch.map((p) => ({
        VideoId: p.videoId,
        ...(p.title !== undefined ? { Title: p.title } : {}),
        ...(p.description !== undefined ? { Description: p.description } : {}),
        ...(p.tags !== undefined ? { Tags: p.tags.join(',') } : {}),
        ...(p.cateId !== undefined ? { CateId: p.cateId } : {}),
        ...(p.coverUrl !== undefined ? { CoverURL: p.coverUrl } : {}),
      }));
      try {
        const res = await this.client.updateVideoInfos(content);
        const missing = new Set(res.NonExistVideoIds ?? []);
        const forbidden = new Set(res.ForbiddenVideoIds ?? []);
        for (const p of batch) out.push(outcome(p.videoId, missing, forbidden));
      } catch (err) {
        out.push(...failedAll(batch.map((p) => p.videoId), err));
      }
    }
    return out;
  }

  async deleteVideos(videoIds: readonly string[], opts: { sourceOnly?: boolean } = {}): Promise<VideoOpResult[]> {
    const out: VideoOpResult[] = [];
    for (const batch of chunks(videoIds, VOD_IDS_PER_CALL)) {
      try {
        if (opts.sourceOnly) {
          // Force: a video played from its source (no transcoding) loses its only stream;
          // the operator asked for exactly that, and the CLI and UI say so before.
          const res = await this.client.deleteMezzanines(batch, true);
          const missing = new Set(res.NonExistVideoIds ?? []);
          const kept = new Set(res.UnRemoveableVideoIds ?? []);
          for (const id of batch) {
            out.push(kept.has(id)
              ? { videoId: id, ok: false, code: 'SourceNotRemovable', message: 'VOD kept the source file (it may not be deleted for this video).' }
              : outcome(id, missing, new Set()));
          }
        } else {
          const res = await this.client.deleteVideos(batch);
          for (const id of batch) out.push(outcome(id, new Set(res.NonExistVideoIds ?? []), new Set(res.ForbiddenVideoIds ?? [])));
        }
      } catch (err) {
        out.push(...failedAll(batch, err));
      }
    }
    return out;
  }

  async submitTranscode(videoIds: readonly string[], templateGroupId: string): Promise<VideoOpResult[]> {
    const out: VideoOpResult[] = [];
    for (const id of videoIds) {
      try {
        await this.client.submitTranscodeJobs(id, templateGroupId);
        out.push({ videoId: id, ok: true });
      } catch (err) {
        // A second SubmitTranscodeJobs would transcode twice: not resent when the first may have arrived.
        out.push(...failedAll([id], err, false));
      }
    }
    return out;
  }
}

function outcome(videoId: string, missing: ReadonlySet<string>, forbidden: ReadonlySet<string>): VideoOpResult {
  if (missing.has(videoId)) return { videoId, ok: false, code: 'InvalidVideo.NotFound', message: 'VOD has no video with this id (deleted, or from another account or region).' };
  if (forbidden.has(videoId)) return { videoId, ok: false, code: 'Forbidden', message: 'VOD refused to change this video for this AccessKey.' };
  return { videoId, ok: true };
}

// MediaLibraryPort.mediaUrls for Alibaba Cloud VOD: the fetchable items of one video with
// URLs resolved now, as VOD's "Download media files" guide lists them — the source file
// (GetMezzanineInfo), transcoded streams (GetPlayInfo), the cover (GetVideoInfo's
// CoverURL), cover snapshots and sprites (ListSnapshots).
// https://www.alibabacloud.com/help/en/vod/user-guide/download-media-files
//
// Each item has a key that stays the same across resolutions (`source`,
// `stream:HD:mp4`, `cover`, `snapshot:2`, `sprite:1`), so a download whose URL expired
// asks again and finds the same item. URLs are never the truth: they expire.

import type { DownloadWhat, MediaUrl } from '../../../shared/library';
import { classifyError, EngineError } from '../errors';
import { fileNameOf } from '../library/adapter-util';
import type { MediaOutputType, VodClient } from './vod-client';
import { toNumber } from './vod-client';
import type { PlayInfo } from './wire-types';

export interface MediaUrlOptions {
  /**
   * `oss` (default): storage URLs, what the guide recommends forcing for downloads (no
   * CDN cache between the file and us); VOD gives m3u8 streams only as `cdn` URLs.
   */
  outputType?: MediaOutputType;
  /** Seconds a URL should stay valid (default 3,600; OSS URLs at most 30 days). */
  authTimeoutSec?: number;
  /** Injected by tests. */
  now?: () => number;
}

export const DEFAULT_MEDIA_AUTH_TIMEOUT_SEC = 3600;
/** ListSnapshots takes AuthTimeout below 3,600 s as 3,600 s. */
const SNAPSHOT_MIN_AUTH_TIMEOUT_SEC = 3600;
const SNAPSHOT_PAGE_SIZE = 100;
/** A video has few snapshots; a bound keeps a misbehaving answer from paging forever. */
const SNAPSHOT_MAX_PAGES = 50;

/** Stable key of a stream: `stream:<definition>:<format>`. */
export function streamKey(definition: string, format: string): string {
  return `stream:${definition}:${format.toLowerCase()}`;
}

/**
 * When a URL stops working, epoch ms: an OSS URL says so itself (`Expires`, or V4's
 * `x-oss-date` + `x-oss-expires`); a CDN type-A URL (`auth_key`) does not, so the lifetime
 * we asked for is counted from the request. Undefined for a URL with neither (public).
 */
export function urlExpiry(url: string, requestedAt: number, askedSec: number | undefined): number | undefined {
  let q: URLSearchParams;
  try {
    q = new URL(url).searchParams;
  } catch {
    return undefined;
  }
  const expires = q.get('Expires');
  if (expires && /^\d+$/.test(expires)) return Number(expires) * 1000;
  const v4Date = q.get('x-oss-date');
  const v4Expires = q.get('x-oss-expires');
  if (v4Date && v4Expires && /^\d+$/.test(v4Expires)) {
    const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(v4Date);
    if (m) return Date.UTC(+m[1], +m[2] - 1, +m[3], +m[4], +m[5], +m[6]) + Number(v4Expires) * 1000;
  }
  if (q.has('auth_key') && askedSec !== undefined) return requestedAt + askedSec * 1000;
  return undefined;
}

const baseName = (name: string | undefined) => name?.split(/[\\/]/).pop() || undefined;
const hexMd5 = (s: string | undefined) => (s && /^[0-9a-f]{32}$/i.test(s) ? s.toLowerCase() : undefined);
const optNumber = (v: unknown) => {
  if (v === undefined || v === null || v === '') return undefined;
  const n = toNumber(v);
  return Number.isFinite(n) ? n : undefined;
};

/** Filter values as VOD takes them: comma-separated, absent when the list is empty (all). */
const csv = (list: readonly string[] | undefined) => (list && list.length > 0 ? list.join(',') : undefined);

export async function resolveMediaUrls(client: VodClient, videoId: string, what: DownloadWhat, opts: MediaUrlOptions = {}): Promise<MediaUrl[]> {
  const now = opts.now ?? Date.now;
  const outputType = opts.outputType ?? 'oss';
  const authTimeout = opts.authTimeoutSec ?? DEFAULT_MEDIA_AUTH_TIMEOUT_SEC;
  const info = await client.getVideoInfo(videoId);
  const title = info.Video?.Title ?? '';
  const base = { videoId, title };

  const source = async (): Promise<MediaUrl[]> => {
    const at = now();
    const m = (await client.getMezzanineInfo(videoId, { OutputType: outputType, AuthTimeout: authTimeout })).Mezzanine;
    if (!m?.FileURL) {
      throw new EngineError({ kind: 'server', code: 'MalformedResponse', message: `GetMezzanineInfo gave no FileURL for ${videoId}.`, retryable: true });
    }
    return [{
      ...base, key: 'source', kind: 'source', url: m.FileURL, expiresAt: urlExpiry(m.FileURL, at, authTimeout),
      size: optNumber(m.Size), md5: hexMd5(m.FileMD5), fileName: baseName(m.FileName) ?? fileNameOf(m.FileURL),
    }];
  };

  const streams = async (): Promise<MediaUrl[]> => {
    const at = now();
    const params = {
      Definition: csv(what.streams?.definitions), Formats: csv(what.streams?.formats?.map((f) => f.toLowerCase())),
      OutputType: outputType, AuthTimeout: authTimeout,
    };
    let list: PlayInfo[];
    try {
      list = (await client.getPlayInfo(videoId, { ...params, ResultType: 'Single' })).PlayInfoList?.PlayInfo ?? [];
    } catch (err) {
      const e = classifyError(err);
      if (e.code === 'InvalidVideo.NoneStream') return [];
      if (e.code !== 'Forbidden.AliyunVoDEncryption') throw e;
      // Only streams in Alibaba Cloud's proprietary encryption: they are listed with
      // ResultType=Multiple (the API reference's advice), and download encrypted.
      list = latestPerStream((await client.getPlayInfo(videoId, { ...params, ResultType: 'Multiple' })).PlayInfoList?.PlayInfo ?? []);
    }
    return list.filter((p) => p.PlayURL && p.Definition && p.Format).map((p) => ({
      ...base,
      key: streamKey(p.Definition!, p.Format!),
      kind: 'stream' as const,
      definition: p.Definition,
      format: p.Format!.toLowerCase(),
      url: p.PlayURL,
      expiresAt: urlExpiry(p.PlayURL, at, authTimeout),
      size: optNumber(p.Size),
      fileName: fileNameOf(p.PlayURL),
      ...(optNumber(p.Encrypt) === 1 ? { encrypted: true } : {}),
    }));
  };

  const snapshots = async (type: 'CoverSnapshot' | 'SpriteSnapshot', prefix: 'snapshot' | 'sprite'): Promise<MediaUrl[]> => {
    const ttl = Math.max(SNAPSHOT_MIN_AUTH_TIMEOUT_SEC, authTimeout);
    const out: MediaUrl[] = [];
    for (let pageNo = 1; pageNo <= SNAPSHOT_MAX_PAGES; pageNo++) {
      const at = now();
      const res = await client.listSnapshots(videoId, { SnapshotType: type, AuthTimeout: ttl, PageNo: pageNo, PageSize: SNAPSHOT_PAGE_SIZE });
      const page = res.MediaSnapshot?.Snapshots?.Snapshot ?? [];
      for (const s of page) {
        if (!s.Url) continue;
        const index = optNumber(s.Index) ?? out.length + 1;
        out.push({
          ...base, key: `${prefix}:${index}`, kind: prefix, url: s.Url, expiresAt: urlExpiry(s.Url, at, ttl), fileName: fileNameOf(s.Url),
        });
      }
      const total = optNumber(res.MediaSnapshot?.Total);
      if (page.length < SNAPSHOT_PAGE_SIZE || (total !== undefined && out.length >= total)) break;
    }
    return out;
  };

  const cover = async (): Promise<MediaUrl[]> => {
    const url = info.Video?.CoverURL;
    if (!url) return [];
    // GetVideoInfo takes no AuthTimeout: its URL's lifetime is known only when it says so.
    return [{ ...base, key: 'cover', kind: 'cover', url, expiresAt: urlExpiry(url, now(), undefined), fileName: fileNameOf(url) }];
  };

  const parts = await Promise.all([
    what.source ? source() : [],
    what.streams ? streams() : [],
    what.cover ? cover() : [],
    what.snapshots ? snapshots('CoverSnapshot', 'snapshot') : [],
    what.sprites ? snapshots('SpriteSnapshot', 'sprite') : [],
  ]);
  return parts.flat();
}

/** With ResultType=Multiple: the newest stream of each definition and format. */
function latestPerStream(list: PlayInfo[]): PlayInfo[] {
  const best = new Map<string, PlayInfo>();
  for (const p of list) {
    if (!p.Definition || !p.Format) continue;
    const k = streamKey(p.Definition, p.Format);
    const prev = best.get(k);
    if (!prev || Date.parse(p.CreationTime ?? '') > Date.parse(prev.CreationTime ?? '')) best.set(k, p);
  }
  return [...best.values()];
}

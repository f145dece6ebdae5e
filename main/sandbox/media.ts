// What "transcoding" makes of a video in the sandbox: per its template group, one stream
// per definition and format, three cover snapshots and one sprite (VOD's snapshot types:
// https://help.aliyun.com/en/vod/user-guide/video-snapshots). No media processing
// happens: each is a synthetic object (synthetic.ts) whose bytes follow from the video,
// the item and the source's ETag, so a new upload of the source changes them, and whose
// sizes differ per definition (LD < SD < HD, the top one about the source's size).
//
// They are not stored. An object key of this shape is resolved from the video record on
// every lookup (core.getObject), from the moment the transcode is over (transcodeMs after
// the upload; at once with VOD_NO_TRANSCODE) until the video is deleted. An object
// replaced through the admin API is stored and wins.
import { AUDIO_EXTENSIONS } from '../../shared/limits';
import { DEFAULT_TEMPLATE_GROUP_ID, NO_TRANSCODE_GROUP_ID, TEMPLATE_GROUP_OUTPUTS, type Rendition } from './catalog';
import type { SandboxCore } from './core';
import type { ObjectRecord, VideoRecord } from './state';
import { syntheticCrc64, syntheticEtag, type SyntheticSpec } from './synthetic';

export const COVER_SNAPSHOTS = 3;
export const SPRITE_SNAPSHOTS = 1;
/** Formats GetPlayInfo can hand out for an untranscoded source (its Formats values). */
const PLAYABLE_SOURCE_FORMATS = new Set(['mp4', 'm3u8', 'mp3', 'flv']);

const SNAPSHOT_BYTES = 6 * 1024;
const SPRITE_BYTES = 24 * 1024;

export interface StreamView {
  definition: string;
  format: string;
  bucket: string;
  key: string;
  size: number;
  width: number;
  height: number;
  bitrate: number;
  streamType: 'video' | 'audio';
  /** The source itself (OD of an untranscoded video). */
  source: boolean;
  createdAt: number;
}

export type SnapshotKind = 'cover' | 'sprite';

export function extensionOf(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? name;
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

const isAudio = (v: VideoRecord) => (AUDIO_EXTENSIONS as readonly string[]).includes(extensionOf(v.fileName));

/**
 * The ETag the derived objects are made from: the source's, or for a seeded video (many
 * videos made at once without bytes, media-library.ts) a stand-in, since its source is
 * synthetic too.
 */
function sourceTag(v: VideoRecord): string | undefined {
  return v.etag ?? (v.seeded ? `seeded:${v.videoId}` : undefined);
}

/** When the transcode was over (the derived objects exist from then on), or undefined if not yet. */
export function transcodedAt(core: SandboxCore, v: VideoRecord, now = Date.now()): number | undefined {
  if (v.uploadedAt === undefined || !sourceTag(v) || v.missingSegments?.length) return undefined;
  // Transcoded again (SubmitTranscodeJobs, media-library.ts): the new group's output from its end on.
  const started = v.transcodeStartedAt ?? v.uploadedAt;
  if (v.transcodeStartedAt === undefined && v.templateGroupId === NO_TRANSCODE_GROUP_ID && !v.workflowId) return v.uploadedAt;
  const done = started + core.transcodeMs;
  return now >= done ? done : undefined;
}

function renditions(v: VideoRecord): readonly Rendition[] {
  return TEMPLATE_GROUP_OUTPUTS[v.templateGroupId] ?? TEMPLATE_GROUP_OUTPUTS[DEFAULT_TEMPLATE_GROUP_ID];
}

/** Sizes that grow with the definition and differ however small the source: (i+1)·max(1 KiB, source/n). */
function streamSize(sourceSize: number, index: number, count: number): number {
  return (index + 1) * Math.max(1024, Math.ceil(sourceSize / count));
}

const pad5 = (n: number) => String(n).padStart(5, '0');

export function streamKey(videoId: string, r: Pick<Rendition, 'definition' | 'format'>): string {
  return `transcode/${videoId}/${r.definition.toLowerCase()}.${r.format}`;
}

export function snapshotKey(videoId: string, kind: SnapshotKind, index: number): string {
  return `snapshot/${videoId}/${kind}${pad5(index)}.jpg`;
}

const STREAM_KEY = /^transcode\/([0-9a-f]{32})\/([a-z0-9]+)\.(mp4|m3u8)$/;
/** A seeded video's source (media-library.ts seed): synthetic bytes of its recorded size, until DeleteMezzanines. */
const SEEDED_SOURCE_KEY = /^sv\/seed\/([0-9a-f]{32})\.mp4$/;
const SNAPSHOT_KEY = /^snapshot\/([0-9a-f]{32})\/(cover|sprite)(\d{5})\.jpg$/;

/** A synthetic object record: its ETag and CRC-64 follow from the seed and size (synthetic.ts). */
export function syntheticObject(spec: SyntheticSpec, bucket: string, key: string, size: number, lastModified: number, contentType: string): ObjectRecord {
  return {
    bucket, key, size, lastModified, contentType, synthetic: spec,
    etag: syntheticEtag(spec, size), crc64: syntheticCrc64(spec, size),
  };
}

/** The derived object under `key`, or undefined when the key is not one or the video has none (yet). */
export function derivedObject(core: SandboxCore, bucket: string, key: string, now = Date.now()): ObjectRecord | undefined {
  const seeded = SEEDED_SOURCE_KEY.exec(key);
  if (seeded) {
    const v = core.data.videos[seeded[1]];
    if (!v?.seeded || v.sourceDeleted || v.bucket !== bucket || v.objectKey !== key || v.uploadedAt === undefined) return undefined;
    return syntheticObject({ seed: `source:${v.videoId}` }, bucket, key, v.size ?? 0, v.uploadedAt, 'video/mp4');
  }
  const stream = STREAM_KEY.exec(key);
  const snap = stream ? null : SNAPSHOT_KEY.exec(key);
  const videoId = stream?.[1] ?? snap?.[1];
  const v = videoId ? core.data.videos[videoId] : undefined;
  if (!v || v.bucket !== bucket) return undefined;
  const at = transcodedAt(core, v, now);
  if (at === undefined) return undefined;
  if (stream) {
    const list = renditions(v);
    const i = list.findIndex((r) => r.definition.toLowerCase() === stream[2] && r.format === stream[3]);
    if (i < 0) return undefined;
    const r = list[i];
    const spec = { seed: `stream:${v.videoId}:${r.definition}:${r.format}:${sourceTag(v)}` };
    const type = r.format === 'm3u8' ? 'application/x-mpegURL' : 'video/mp4';
    return syntheticObject(spec, bucket, key, streamSize(v.size ?? 0, i, list.length), at, type);
  }
  if (!snap || isAudio(v)) return undefined;
  const kind = snap[2] as SnapshotKind;
  const index = Number(snap[3]);
  if (index < 1 || index > (kind === 'cover' ? COVER_SNAPSHOTS : SPRITE_SNAPSHOTS)) return undefined;
  const spec: SyntheticSpec = { seed: `${kind}:${v.videoId}:${index}:${sourceTag(v)}`, head: 'jpeg' };
  return syntheticObject(spec, bucket, key, (kind === 'cover' ? SNAPSHOT_BYTES : SPRITE_BYTES) + index * 512, at, 'image/jpeg');
}

/**
 * The video's streams as GetPlayInfo lists them: its template group's renditions, or
 * for an untranscoded video the source itself (OD) when it is in a format players take.
 * Empty until the transcode is over.
 */
export function streamsOf(core: SandboxCore, v: VideoRecord, now = Date.now()): StreamView[] {
  const at = transcodedAt(core, v, now);
  if (at === undefined) return [];
  const streamType = isAudio(v) ? 'audio' : 'video';
  const list = renditions(v);
  if (list.length === 0) {
    const format = extensionOf(v.fileName);
    const src = core.getObject(v.bucket, v.objectKey);
    if (!PLAYABLE_SOURCE_FORMATS.has(format) || !src) return [];
    return [{
      definition: 'OD', format, bucket: v.bucket, key: v.objectKey, size: src.size, width: 0, height: 0, bitrate: 0, streamType, source: true, createdAt: at,
    }];
  }
  const out: StreamView[] = [];
  for (const r of list) {
    const key = streamKey(v.videoId, r);
    const obj = core.getObject(v.bucket, key);
    if (!obj) continue;
    out.push({
      definition: r.definition, format: r.format, bucket: v.bucket, key, size: obj.size, width: r.width, height: r.height, bitrate: r.bitrate,
      streamType, source: false, createdAt: at,
    });
  }
  return out;
}

/** Object keys of the video's snapshots of one kind, in index order; empty before the transcode or for audio. */
export function snapshotKeys(core: SandboxCore, v: VideoRecord, kind: SnapshotKind, now = Date.now()): string[] {
  if (transcodedAt(core, v, now) === undefined || isAudio(v)) return [];
  const n = kind === 'cover' ? COVER_SNAPSHOTS : SPRITE_SNAPSHOTS;
  return Array.from({ length: n }, (_, i) => snapshotKey(v.videoId, kind, i + 1));
}

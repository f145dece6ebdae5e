// The Tencent personality's media library (API 3.0, 2018-07-17): DescribeMediaInfos with
// the media's files, SearchMedia, ModifyMediaInfo, DeleteMedia, ProcessMediaByProcedure and
// DescribeVodDomains, as the API reference describes them (parameter and response shapes
// checked against tencentcloud-sdk-nodejs-vod's vod_models.d.ts):
//
// - SearchMedia (https://cloud.tencent.com/document/api/266/31813): every filter narrows;
//   FileIds/Names/NamePrefixes/Descriptions/ClassIds (a class and its subclasses)/Tags/
//   Categories/MediaTypes/Status/StorageRegions/SourceTypes match any element; CreateTime
//   {After (>=), Before (<)}; Sort {Field: CreateTime, Order}, ignored when Text, Names or
//   Descriptions are given (results by relevance). Offset + Limit may not exceed 5,000:
//   "if there are over 5,000 search results, paged query is not supported for the
//   excessive part", and TotalCount says 5,000 when more match. The sandbox refuses an
//   Offset + Limit past it (InvalidParameterValue) rather than guessing the service's words.
// - ModifyMediaInfo (ModifyMediaInfoRequest in vod_models.d.ts): one FileId a call;
//   Name ≤ 64, Description ≤ 128 characters; AddTags and DeleteTags disjoint, ClearTags not
//   with AddTags, at most 16 tags of ≤ 32 characters; an unknown FileId is
//   ResourceNotFound.FileNotExist (the error code list of the SDKs' VodErrorCode).
// - DeleteMedia (https://cloud.tencent.com/document/api/266/31764): the media and all its
//   files, or only DeleteParts' OriginalFiles (the source; no task flow can run after it)
//   and/or TranscodeFiles.
// - ProcessMediaByProcedure (https://www.tencentcloud.com/document/product/266/34124): a task flow
//   again on a FileId; a SessionId used in the last 7 days is refused (the API's de-dup).
// - DescribeVodDomains: the distribution domain with its Key hotlink protection
//   (UrlSignatureAuthPolicy {Status, EncryptedKey}); files are served by media-objects.ts.
import { hexId } from '../ids';
import { syntheticCrc64 } from '../synthetic';
import {
  PROCEDURE_OUTPUTS, SNAPSHOT_DEFINITION, SNAPSHOT_OFFSETS_MS, SPRITE_DEFINITION, TRANSCODE_TEMPLATES,
  seededSourceKey, snapshotKey, sourceKeyOf, spriteKey, transcodeKey, transcodedAt,
} from './media-objects';
import type { TencentData, TencentMedia } from './state';
import { newFileId } from './state';
import { TcError } from './tc3-signature';
import {
  AUDIO_TYPES, IMAGE_TYPES, checkSubApp, classPath, iso, mediaStatus, str, type TencentAction, type TencentContext,
} from './vod-api';

type Params = Record<string, unknown>;

/** SearchMedia's window: Offset + Limit at most this many, and TotalCount says at most this many. */
export const SEARCH_WINDOW = 5000;
/** ProcessMediaByProcedure refuses a SessionId seen in this long. */
const SESSION_ID_DEDUP_MS = 7 * 86_400_000;

const list = (p: Params, k: string): string[] | undefined => {
  const v = p[k];
  if (v === undefined || v === null) return undefined;
  if (!Array.isArray(v)) throw new TcError('InvalidParameter', `${k} must be an array.`);
  return v.map(String);
};

function categoryOf(m: TencentMedia): string {
  return AUDIO_TYPES.includes(m.type) ? 'Audio' : IMAGE_TYPES.includes(m.type) ? 'Image' : 'Video';
}

/** The class and every class below it. */
function withSubclasses(ctx: TencentContext, ids: readonly number[]): Set<number> {
  const out = new Set(ids);
  for (let grew = true; grew;) {
    grew = false;
    for (const c of Object.values(ctx.data.classes)) {
      if (out.has(c.parentId) && !out.has(c.classId)) {
        out.add(c.classId);
        grew = true;
      }
    }
  }
  return out;
}

/** One media as DescribeMediaInfos and SearchMedia answer it (MediaInfo), with the parts `want` asks for. */
export function mediaInfo(ctx: TencentContext, m: TencentMedia, want: (f: string) => boolean): Record<string, unknown> {
  const cls = classPath(ctx, m.classId);
  const at = transcodedAt(m, ctx.transcodeMs, ctx.now);
  const out = at !== undefined && m.procedure ? PROCEDURE_OUTPUTS[m.procedure] : undefined;
  const objectSize = (key: string) => ctx.objectExists(ctx.data.bucket, key)?.size ?? 0;
  const cover = m.coverPath && !m.sourceDeleted
    ? ctx.distributionUrl(m.coverPath)
    : out?.snapshots ? ctx.distributionUrl(snapshotKey(m.fileId, 0)) : '';
  return {
    FileId: m.fileId,
    BasicInfo: want('basicInfo') ? {
      Name: m.name, Description: m.description ?? '', CreateTime: iso(m.createdAt), UpdateTime: iso(m.updatedAt ?? m.createdAt),
      ExpireTime: m.expireTime ?? '9999-12-31T23:59:59Z', ClassId: m.classId, ClassName: cls.name, ClassPath: cls.path,
      CoverUrl: cover, Type: m.type,
      MediaUrl: m.sourceDeleted ? '' : ctx.distributionUrl(m.storagePath),
      SourceInfo: { SourceType: 'Upload', SourceContext: m.sourceContext ?? '' },
      StorageRegion: m.storageRegion, StoragePath: m.storagePath, TagSet: [...(m.tags ?? [])], Vid: '', Category: categoryOf(m),
      Status: mediaStatus(m), StorageClass: 'STANDARD',
    } : null,
    MetaData: want('metaData') ? {
      Size: m.size, Container: m.type, Bitrate: 0, Height: 0, Width: 0, Duration: 0, Rotate: 0,
      VideoStreamSet: [], AudioStreamSet: [], VideoDuration: 0, AudioDuration: 0, Md5: '',
    } : null,
    TranscodeInfo: want('transcodeInfo') && out && out.transcodes.length > 0 ? {
      TranscodeSet: out.transcodes.map((def) => {
        const t = TRANSCODE_TEMPLATES[def];
        const key = transcodeKey(m.fileId, def);
        return {
          Url: ctx.distributionUrl(key), Definition: def, Bitrate: t.bitrate, Height: t.height, Width: t.width,
          Size: objectSize(key), Duration: 0, Md5: '', Container: 'mp4', VideoStreamSet: [], AudioStreamSet: [], DigitalWatermarkType: 'None',
        };
      }),
    } : null,
    SnapshotByTimeOffsetInfo: want('snapshotByTimeOffsetInfo') && out?.snapshots ? {
      SnapshotByTimeOffsetSet: [{
        Definition: SNAPSHOT_DEFINITION,
        PicInfoSet: SNAPSHOT_OFFSETS_MS.map((offset, i) => ({ TimeOffset: offset, Url: ctx.distributionUrl(snapshotKey(m.fileId, i)), WaterMarkDefinition: [] })),
      }],
    } : null,
    ImageSpriteInfo: want('imageSpriteInfo') && out?.sprite ? {
      ImageSpriteSet: [{
        Definition: SPRITE_DEFINITION, Height: 90, Width: 160, TotalCount: 100,
        ImageUrlSet: [ctx.distributionUrl(spriteKey(m.fileId, 0))], WebVttUrl: '',
      }],
    } : null,
    AnimatedGraphicsInfo: null, SampleSnapshotInfo: null, KeyFrameDescInfo: null, AdaptiveDynamicStreamingInfo: null, MiniProgramReviewInfo: null,
  };
}

function filtersOf(p: Params): (f: string) => boolean {
  const f = list(p, 'Filters');
  const set = f && f.length > 0 ? new Set(f) : undefined;
  return (name) => !set || set.has(name);
}

function mediaOf(ctx: TencentContext, fileId: string | undefined): TencentMedia {
  if (!fileId) throw new TcError('MissingParameter', 'The request is missing the required parameter FileId.');
  const m = ctx.data.media[fileId];
  if (!m) throw new TcError('ResourceNotFound.FileNotExist', `The file ${fileId} does not exist.`);
  return m;
}

const describeMediaInfos: TencentAction = (ctx, p) => {
  checkSubApp(ctx, p);
  const ids = list(p, 'FileIds') ?? [];
  if (ids.length === 0) throw new TcError('MissingParameter', 'The request is missing the required parameter FileIds.');
  if (ids.length > 20) throw new TcError('InvalidParameterValue.FileIds', 'FileIds takes at most 20 ids.');
  const want = filtersOf(p);
  const set: Record<string, unknown>[] = [];
  const missing: string[] = [];
  for (const id of ids) {
    const m = ctx.data.media[id];
    if (m) set.push(mediaInfo(ctx, m, want));
    else missing.push(id);
  }
  return { MediaInfoSet: set, NotExistFileIdSet: missing };
};

/** A crude relevance: the whole name, then its start, then anywhere; newer first among equals. */
function relevance(m: TencentMedia, words: readonly string[]): number {
  const name = m.name.toLowerCase();
  let best = 0;
  for (const w of words) {
    const x = w.toLowerCase();
    best = Math.max(best, name === x ? 3 : name.startsWith(x) ? 2 : name.includes(x) || (m.description ?? '').toLowerCase().includes(x) ? 1 : 0);
  }
  return best;
}

const searchMedia: TencentAction = (ctx, p) => {
  checkSubApp(ctx, p);
  const offset = p.Offset === undefined ? 0 : Number(p.Offset);
  const limit = p.Limit === undefined ? 10 : Number(p.Limit);
  if (!Number.isInteger(offset) || offset < 0) throw new TcError('InvalidParameterValue.Offset', 'Offset must be a whole number, 0 or more.');
  if (!Number.isInteger(limit) || limit < 1) throw new TcError('InvalidParameterValue.Limit', 'Limit must be a whole number, 1 or more.');
  if (offset + limit > SEARCH_WINDOW) {
    throw new TcError('InvalidParameterValue', `Offset + Limit must not exceed ${SEARCH_WINDOW}: results past the first ${SEARCH_WINDOW} cannot be paged to; narrow the search (e.g. by CreateTime).`);
  }
  const fileIds = list(p, 'FileIds');
  const text = str(p, 'Text');
  const names = list(p, 'Names');
  const prefixes = list(p, 'NamePrefixes');
  const descriptions = list(p, 'Descriptions');
  const classIds = list(p, 'ClassIds');
  const tags = list(p, 'Tags');
  const categories = list(p, 'Categories');
  const mediaTypes = list(p, 'MediaTypes')?.map((t) => t.toLowerCase());
  const statuses = list(p, 'Status');
  const regions = list(p, 'StorageRegions');
  const sources = list(p, 'SourceTypes');
  for (const [k, v, max] of [['Names', names, 10], ['NamePrefixes', prefixes, 10], ['ClassIds', classIds, 10], ['Tags', tags, 16], ['FileIds', fileIds, 10]] as const) {
    if (v && v.length > max) throw new TcError('InvalidParameterValue', `${k} takes at most ${max} elements.`);
  }
  const created = (p.CreateTime ?? {}) as { After?: unknown; Before?: unknown };
  const after = created.After === undefined || created.After === '' ? undefined : Date.parse(String(created.After));
  const before = created.Before === undefined || created.Before === '' ? undefined : Date.parse(String(created.Before));
  if ((after !== undefined && !Number.isFinite(after)) || (before !== undefined && !Number.isFinite(before))) {
    throw new TcError('InvalidParameterValue', 'CreateTime.After and CreateTime.Before are ISO 8601 times.');
  }
  const classes = classIds ? withSubclasses(ctx, classIds.map(Number)) : undefined;
  const words = [...(text ? [text] : []), ...(names ?? []), ...(descriptions ?? [])];
  const matched = Object.values(ctx.data.media).filter((m) => {
    if (fileIds && !fileIds.includes(m.fileId)) return false;
    if (text && !m.name.toLowerCase().includes(text.toLowerCase()) && !(m.description ?? '').toLowerCase().includes(text.toLowerCase())) return false;
    if (names && !names.some((n) => m.name.toLowerCase().includes(n.toLowerCase()))) return false;
    if (descriptions && !descriptions.some((d) => (m.description ?? '').toLowerCase().includes(d.toLowerCase()))) return false;
    if (prefixes && !prefixes.some((x) => m.name.startsWith(x))) return false;
    if (classes && !classes.has(m.classId)) return false;
    if (tags && !tags.some((t) => (m.tags ?? []).includes(t))) return false;
    if (categories && !categories.includes(categoryOf(m))) return false;
    if (mediaTypes && !mediaTypes.includes(m.type)) return false;
    if (statuses && !statuses.includes(mediaStatus(m))) return false;
    if (regions && !regions.includes(m.storageRegion)) return false;
    if (sources && !sources.includes('Upload')) return false;
    // CreateTime and ISO times are whole seconds: compare at that precision.
    const secondMs = Math.floor(m.createdAt / 1000) * 1000;
    if (after !== undefined && secondMs < after) return false;
    if (before !== undefined && secondMs >= before) return false;
    return true;
  });
  const sort = (p.Sort ?? {}) as { Field?: unknown; Order?: unknown };
  if (sort.Field !== undefined && sort.Field !== 'CreateTime') throw new TcError('InvalidParameterValue.SortField', 'Sort.Field can only be CreateTime.');
  const asc = sort.Order === 'Asc';
  const byTime = (a: TencentMedia, b: TencentMedia) => {
    const d = Math.floor(a.createdAt / 1000) - Math.floor(b.createdAt / 1000);
    return (asc ? d : -d) || (a.fileId < b.fileId ? -1 : a.fileId > b.fileId ? 1 : 0);
  };
  if (words.length > 0) matched.sort((a, b) => relevance(b, words) - relevance(a, words) || byTime(a, b));
  else matched.sort(byTime);
  const want = filtersOf(p);
  return {
    TotalCount: Math.min(matched.length, SEARCH_WINDOW),
    MediaInfoSet: matched.slice(offset, offset + limit).map((m) => mediaInfo(ctx, m, want)),
  };
};

const modifyMediaInfo: TencentAction = (ctx, p) => {
  checkSubApp(ctx, p);
  const m = mediaOf(ctx, str(p, 'FileId'));
  const name = str(p, 'Name');
  const description = str(p, 'Description');
  if (name !== undefined && [...name].length > 64) throw new TcError('InvalidParameterValue.Name', 'Name may have at most 64 characters.');
  if (description !== undefined && [...description].length > 128) throw new TcError('InvalidParameterValue.Description', 'Description may have at most 128 characters.');
  let classId: number | undefined;
  if (p.ClassId !== undefined) {
    classId = Number(p.ClassId);
    if (!Number.isInteger(classId) || (classId !== 0 && !ctx.data.classes[String(classId)])) throw new TcError('FailedOperation.ClassNoFound', `The class ${String(p.ClassId)} does not exist.`);
  }
  const expire = str(p, 'ExpireTime');
  if (expire !== undefined && !Number.isFinite(Date.parse(expire))) throw new TcError('InvalidParameterValue.ExpireTime', 'ExpireTime is an ISO 8601 time.');
  const add = list(p, 'AddTags') ?? [];
  const del = list(p, 'DeleteTags') ?? [];
  const clear = p.ClearTags !== undefined && Number(p.ClearTags) === 1;
  if (clear && add.length > 0) throw new TcError('InvalidParameterValue.Tags', 'ClearTags and AddTags cannot be in the same request.');
  if (add.some((t) => del.includes(t))) throw new TcError('InvalidParameterValue.Tags', 'AddTags and DeleteTags must be different.');
  if (add.some((t) => [...t].length > 32 || t === '')) throw new TcError('InvalidParameterValue.Tags', 'A tag has 1 to 32 characters.');
  let tags = clear ? [] : (m.tags ?? []).filter((t) => !del.includes(t));
  for (const t of add) if (!tags.includes(t)) tags = [...tags, t];
  if (tags.length > 16) throw new TcError('InvalidParameterValue.Tags', 'A media file has at most 16 tags.');
  if (name !== undefined) m.name = name;
  if (description !== undefined) m.description = description;
  if (classId !== undefined) m.classId = classId;
  if (expire !== undefined) m.expireTime = expire;
  m.tags = tags;
  m.updatedAt = ctx.now;
  ctx.changed();
  return {};
};

const deleteMedia: TencentAction = (ctx, p) => {
  checkSubApp(ctx, p);
  const m = mediaOf(ctx, str(p, 'FileId'));
  const parts = Array.isArray(p.DeleteParts) ? (p.DeleteParts as Array<{ Type?: unknown }>).map((x) => String(x?.Type ?? '')) : [];
  const known = ['OriginalFiles', 'TranscodeFiles', 'AdaptiveDynamicStreamingFiles', 'WechatPublishFiles', 'WechatMiniProgramPublishFiles'];
  const bad = parts.find((t) => !known.includes(t));
  if (bad !== undefined) throw new TcError('InvalidParameterValue', `DeleteParts.Type "${bad}" is not one of ${known.join(', ')}.`);
  if (parts.length === 0) {
    delete ctx.data.media[m.fileId];
    ctx.deleteObject(sourceKeyOf(m));
    if (m.coverPath) ctx.deleteObject(m.coverPath.replace(/^\/+/, ''));
  } else {
    if (parts.includes('OriginalFiles')) {
      m.sourceDeleted = true;
      ctx.deleteObject(sourceKeyOf(m));
      // "OriginalFiles: the cover uploaded with the file is deleted too" (MediaDeleteItem).
      if (m.coverPath) ctx.deleteObject(m.coverPath.replace(/^\/+/, ''));
    }
    if (parts.includes('TranscodeFiles')) m.transcodesDeleted = true;
    m.updatedAt = ctx.now;
  }
  ctx.changed();
  return {};
};

const processMediaByProcedure: TencentAction = (ctx, p) => {
  checkSubApp(ctx, p);
  const name = str(p, 'ProcedureName');
  if (!name) throw new TcError('MissingParameter', 'The request is missing the required parameter ProcedureName.');
  if (!ctx.data.procedures.some((t) => t.name === name)) throw new TcError('InvalidParameterValue.ProcedureName', `The task flow "${name}" does not exist (DescribeProcedureTemplates lists them).`);
  const m = mediaOf(ctx, str(p, 'FileId'));
  if (m.sourceDeleted) throw new TcError('FailedOperation', `The source file of ${m.fileId} was deleted; no task flow can run on it.`);
  const sessionId = str(p, 'SessionId');
  if (sessionId) {
    const seen = ctx.data.procedureSessionIds ??= {};
    for (const [k, t] of Object.entries(seen)) if (ctx.now - t > SESSION_ID_DEDUP_MS) delete seen[k];
    if (seen[sessionId] !== undefined) throw new TcError('InvalidParameterValue.SessionId', `A request with SessionId "${sessionId}" was made in the last 7 days.`);
    seen[sessionId] = ctx.now;
  }
  m.procedure = name;
  m.procedureTaskId = `${ctx.data.appId}-procedurev2-${hexId(16)}`;
  m.procedureStartedAt = ctx.now;
  m.transcodesDeleted = false;
  m.sessionContext = str(p, 'SessionContext') ?? m.sessionContext;
  ctx.changed();
  return { TaskId: m.procedureTaskId };
};

const describeVodDomains: TencentAction = (ctx, p) => {
  checkSubApp(ctx, p);
  const host = new URL(ctx.distributionUrl('x')).host;
  return {
    TotalCount: 1,
    DomainSet: [{
      Domain: host, DeployStatus: 'Online', CreateTime: iso(ctx.now),
      AccelerateAreaInfos: [{ Area: 'Chinese Mainland', TencentDisableReason: '', TencentEdgeDomain: host }],
      HTTPSConfig: { CertId: '' },
      UrlSignatureAuthPolicy: { Status: 'Enabled', EncryptedKey: ctx.urlSignatureKey() },
      RefererAuthPolicy: { Status: 'Disabled', AuthType: 'Black', Referers: [], BlankRefererAllowed: 'Yes' },
      Type: 'VOD',
    }],
  };
};

export const MEDIA_ACTIONS: Record<string, TencentAction> = {
  DescribeMediaInfos: describeMediaInfos,
  SearchMedia: searchMedia,
  ModifyMediaInfo: modifyMediaInfo,
  DeleteMedia: deleteMedia,
  ProcessMediaByProcedure: processMediaByProcedure,
  DescribeVodDomains: describeVodDomains,
};

export interface SeedMediaOptions {
  count: number;
  namePrefix?: string;
  classId?: number;
  tags?: string[];
  /** Epoch ms of the first; default so that the last is now. */
  createdFrom?: number;
  /** Between creation times (default 1,000 ms; less puts several in one second, as CreateTime counts). */
  stepMs?: number;
  /** A task flow that has run (its transcodes and snapshots exist once transcodeMs is over). */
  procedure?: string;
  /** Bytes of each synthetic source (default 1,024). */
  size?: number;
  type?: string;
}

/** Many media at once, metadata only: sources are synthetic objects (media-objects.ts). Answers the FileIds, oldest first. */
export function seedMedia(data: TencentData, region: string, o: SeedMediaOptions): string[] {
  if (!Number.isSafeInteger(o.count) || o.count < 1 || o.count > 1_000_000) throw new Error('count must be a whole number from 1 to 1,000,000.');
  if (o.classId !== undefined && o.classId !== 0 && !data.classes[String(o.classId)]) throw new Error(`The class ${o.classId} does not exist.`);
  if (o.procedure !== undefined && !PROCEDURE_OUTPUTS[o.procedure]) throw new Error(`The task flow ${o.procedure} does not exist.`);
  const step = o.stepMs ?? 1000;
  const from = o.createdFrom ?? Date.now() - (o.count - 1) * step;
  const size = o.size ?? 1024;
  const type = o.type ?? 'mp4';
  const ids: string[] = [];
  for (let i = 0; i < o.count; i++) {
    let fileId = newFileId();
    while (data.media[fileId]) fileId = newFileId();
    const createdAt = from + i * step;
    data.media[fileId] = {
      fileId, subAppId: data.subAppId, name: `${o.namePrefix ?? 'seeded'} ${i + 1}`, type, classId: o.classId ?? 0,
      ...(o.procedure ? { procedure: o.procedure, procedureTaskId: `${data.appId}-procedurev2-${hexId(16)}` } : {}),
      storageRegion: region, storagePath: `/${seededSourceKey(fileId, type)}`, createdAt, size,
      crc64: syntheticCrc64({ seed: `tc-source:${fileId}` }, size), tags: [...(o.tags ?? [])], seeded: true,
    };
    ids.push(fileId);
  }
  return ids;
}

// The VOD OpenAPI actions the sandbox answers (version 2017-03-21). Each takes the
// verified request parameters and returns the response body without RequestId; errors
// are thrown as RpcError carrying VOD's code and a plausible HTTP status.
import crypto from 'crypto';
import {
  AUDIO_EXTENSIONS, IMAGE_EXTENSIONS, MAX_DESCRIPTION_CHARS, MAX_FILE_BYTES, MAX_TAG_CHARS, MAX_TAGS,
  MAX_TITLE_CHARS, VIDEO_EXTENSIONS,
} from '../../shared/limits';
import { APPS, DEFAULT_APP_ID, DEFAULT_TEMPLATE_GROUP_ID, TEMPLATE_GROUPS, WORKFLOWS } from './catalog';
import type { SandboxCore } from './core';
import { hexId, isoSeconds } from './ids';
import { extensionOf as extension, snapshotKeys, streamsOf } from './media';
import { CDN_AUTH_TTL_SECONDS, type OutputType } from './url-signing';
import type { CategoryRecord, VideoRecord } from './state';
import { RpcError } from './vod-signature';

type Params = Record<string, string | undefined>;
type Body = Record<string, unknown>;
export type Action = (core: SandboxCore, p: Params) => Body | Promise<Body>;

const invalid = (message: string) => new RpcError(400, 'InvalidParameter', message);

function required(p: Params, name: string): string {
  const v = p[name];
  if (v === undefined || v === '') throw new RpcError(400, `Missing${name}`, `${name} is mandatory for this action.`);
  return v;
}

/** VOD counts characters, not bytes: 汉字 count one each. */
const chars = (s: string) => Array.from(s).length;

function intParam(p: Params, name: string, def: number, min: number, max: number): number {
  const raw = p[name];
  if (raw === undefined || raw === '') return def;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) throw invalid(`The parameter ${name} must be an integer from ${min} to ${max}; got "${raw}".`);
  return n;
}


export function checkTitle(title: string): void {
  if (title.trim() === '') throw invalid('The parameter Title must not be empty.');
  if (chars(title) > MAX_TITLE_CHARS) throw invalid(`The parameter Title is ${chars(title)} characters long; at most ${MAX_TITLE_CHARS} are allowed.`);
}

export function checkDescription(d: string | undefined): void {
  if (d !== undefined && chars(d) > MAX_DESCRIPTION_CHARS) {
    throw invalid(`The parameter Description is ${chars(d)} characters long; at most ${MAX_DESCRIPTION_CHARS} are allowed.`);
  }
}

export function parseTagList(raw: string | undefined): string[] {
  if (raw === undefined || raw.trim() === '') return [];
  const tags = raw.split(',').map((t) => t.trim()).filter(Boolean);
  if (tags.length > MAX_TAGS) throw invalid(`The parameter Tags has ${tags.length} tags; at most ${MAX_TAGS} are allowed.`);
  const long = tags.find((t) => chars(t) > MAX_TAG_CHARS);
  if (long) throw invalid(`The tag "${long}" is longer than ${MAX_TAG_CHARS} characters.`);
  return tags;
}

function checkUserData(u: string | undefined): void {
  if (u === undefined || u === '') return;
  try {
    const v: unknown = JSON.parse(u);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
  } catch {
    throw invalid('The parameter UserData must be a JSON object.');
  }
}

export function category(core: SandboxCore, raw: string | undefined): number | undefined {
  if (raw === undefined || raw === '') return undefined;
  const id = Number(raw);
  if (!core.data.categories[String(id)]) throw new RpcError(404, 'InvalidCateId.NotFound', `The category ${raw} does not exist.`);
  return id;
}

function appId(raw: string | undefined): string {
  const id = raw || DEFAULT_APP_ID;
  if (!APPS.some((a) => a.AppId === id)) throw new RpcError(404, 'InvalidAppId.NotFound', `The application ${id} does not exist.`);
  return id;
}

function storageLocation(core: SandboxCore, raw: string | undefined): string {
  const loc = core.storageLocation();
  if (raw && raw !== loc) throw new RpcError(404, 'InvalidStorage.NotFound', `The storage location ${raw} does not exist; this account has ${loc}.`);
  return loc;
}

function findVideo(core: SandboxCore, id: string): VideoRecord {
  const v = core.data.videos[id];
  if (!v) throw new RpcError(404, 'InvalidVideo.NotFound', `The video ${id} does not exist.`);
  return v;
}

/** A stable 32-hex id for a derived thing (a transcode or snapshot job). */
function hashId(s: string): string {
  return crypto.createHash('md5').update(s).digest('hex');
}

function shortKey(): string {
  const h = hexId(9);
  return `${h.slice(0, 8)}-${h.slice(8)}`;
}

/**
 * CoverURL: the one set (UpdateVideoInfo, CreateUploadVideo), else once the transcode is
 * over the first cover snapshot, as VOD picks one when none was chosen
 * (https://help.aliyun.com/en/vod/user-guide/video-snapshots), as a signed CDN URL.
 */
function coverUrl(core: SandboxCore, v: VideoRecord): string | undefined {
  if (v.coverURL) return v.coverURL;
  const [first] = snapshotKeys(core, v, 'cover');
  return first ? core.mediaUrl(v.bucket, first, 'cdn', SNAPSHOT_AUTH_TIMEOUT).url : undefined;
}

export function videoView(core: SandboxCore, v: VideoRecord): Body {
  const cate = v.cateId !== undefined ? core.data.categories[String(v.cateId)] : undefined;
  return {
    VideoId: v.videoId,
    Title: v.title,
    Status: core.videoStatus(v),
    Size: v.size ?? v.fileSize ?? 0,
    Duration: 0,
    CateId: v.cateId,
    CateName: cate?.cateName,
    CoverURL: coverUrl(core, v),
    Description: v.description,
    Tags: v.tags.join(','),
    TemplateGroupId: v.templateGroupId,
    StorageLocation: v.storageLocation,
    RegionId: core.region,
    AppId: v.appId,
    CreationTime: isoSeconds(v.createdAt),
    ModificationTime: isoSeconds(v.modifiedAt),
    Snapshots: { Snapshot: [] },
  };
}

function categoryView(core: SandboxCore, c: CategoryRecord): Body {
  const children = Object.values(core.data.categories).filter((x) => x.parentId === c.cateId).length;
  return { CateId: c.cateId, CateName: c.cateName, Level: c.level, ParentId: c.parentId, SubTotal: children, Type: c.type };
}

const createUploadVideo: Action = (core, p) => {
  const title = required(p, 'Title');
  const fileName = required(p, 'FileName');
  checkTitle(title);
  checkDescription(p.Description);
  const tags = parseTagList(p.Tags);
  checkUserData(p.UserData);
  const ext = extension(fileName);
  if (!([...VIDEO_EXTENSIONS, ...AUDIO_EXTENSIONS] as readonly string[]).includes(ext)) {
    throw invalid(ext ? `The file extension ".${ext}" of FileName is not a supported audio or video format.` : 'The parameter FileName has no extension; VOD needs one to know the format.');
  }
  let fileSize: number | undefined;
  if (p.FileSize !== undefined && p.FileSize !== '') {
    fileSize = Number(p.FileSize);
    if (!Number.isSafeInteger(fileSize) || fileSize < 0) throw invalid(`The parameter FileSize must be a whole number of bytes; got "${p.FileSize}".`);
    if (fileSize > MAX_FILE_BYTES) throw invalid(`The file is ${fileSize} bytes; VOD accepts at most 48.8 TB.`);
  }
  const templateGroupId = p.TemplateGroupId || DEFAULT_TEMPLATE_GROUP_ID;
  if (!TEMPLATE_GROUPS.some((g) => g.TranscodeTemplateGroupId === templateGroupId)) {
    throw new RpcError(404, 'InvalidTemplateGroupId.NotFound', `The transcode template group ${templateGroupId} does not exist.`);
  }
  if (p.WorkflowId && !WORKFLOWS.some((w) => w.WorkflowId === p.WorkflowId)) {
    throw new RpcError(404, 'InvalidWorkflowId.NotFound', `The workflow ${p.WorkflowId} does not exist.`);
  }
  const cateId = category(core, p.CateId);
  const app = appId(p.AppId);
  const loc = storageLocation(core, p.StorageLocation);
  const now = Date.now();
  const k = shortKey();
  const video: VideoRecord = {
    videoId: hexId(16),
    title,
    fileName,
    fileSize,
    cateId,
    tags,
    description: p.Description,
    coverURL: p.CoverURL,
    templateGroupId,
    workflowId: p.WorkflowId || undefined,
    storageLocation: loc,
    appId: app,
    userData: p.UserData,
    bucket: core.data.bucket,
    objectKey: `sv/${k}/${k}.${ext}`,
    // HLS: the segments go beside the playlist, under its folder (the official C upload
    // SDK uploads them to the FileName's folder; the Python SDK to ObjectPrefix + name).
    ...(ext === 'm3u8' ? { objectPrefix: `sv/${k}/` } : {}),
    createdAt: now,
    modifiedAt: now,
  };
  core.data.videos[video.videoId] = video;
  core.library.added(video);
  core.counters.createUploadVideo++;
  const cred = core.issueCredential(video.bucket, video.objectKey, video.objectPrefix);
  return {
    VideoId: video.videoId,
    UploadAddress: core.uploadAddress(video.bucket, video.objectKey, video.objectPrefix),
    UploadAuth: core.uploadAuth(cred),
  };
};

const refreshUploadVideo: Action = (core, p) => {
  const v = findVideo(core, required(p, 'VideoId'));
  const cred = core.issueCredential(v.bucket, v.objectKey, v.objectPrefix);
  return { VideoId: v.videoId, UploadAddress: core.uploadAddress(v.bucket, v.objectKey, v.objectPrefix), UploadAuth: core.uploadAuth(cred) };
};

const createUploadImage: Action = (core, p) => {
  const imageType = p.ImageType || 'default';
  if (!['default', 'cover'].includes(imageType)) throw invalid(`The parameter ImageType must be "default" or "cover"; got "${imageType}".`);
  const ext = (p.ImageExt || 'png').toLowerCase();
  if (!(IMAGE_EXTENSIONS as readonly string[]).includes(ext)) throw invalid(`The parameter ImageExt "${ext}" is not one of ${IMAGE_EXTENSIONS.join(', ')}.`);
  if (p.Title !== undefined) checkTitle(p.Title);
  parseTagList(p.Tags);
  category(core, p.CateId);
  storageLocation(core, p.StorageLocation);
  const imageId = hexId(16);
  const key = `image/${imageType}/${imageId.toUpperCase()}-6-2.${ext}`;
  core.data.images[imageId] = {
    imageId, imageType, imageExt: ext, title: p.Title ?? '', bucket: core.data.bucket, objectKey: key, appId: appId(p.AppId), createdAt: Date.now(),
  };
  const cred = core.issueCredential(core.data.bucket, key);
  const url = core.fileUrl(core.data.bucket, key);
  return { ImageId: imageId, ImageURL: url, FileURL: url, UploadAddress: core.uploadAddress(core.data.bucket, key), UploadAuth: core.uploadAuth(cred) };
};

const getCategories: Action = (core, p) => {
  const cateId = p.CateId === undefined || p.CateId === '' ? -1 : Number(p.CateId);
  const type = p.Type || 'default';
  if (type !== 'default' && type !== 'material') throw invalid(`The parameter Type must be "default" or "material"; got "${type}".`);
  const pageNo = intParam(p, 'PageNo', 1, 1, 1_000_000);
  const pageSize = intParam(p, 'PageSize', 10, 1, 100);
  let self: Body;
  if (cateId === -1) {
    self = { CateId: -1, CateName: '', Level: -1, ParentId: -1, Type: type };
  } else {
    const c = core.data.categories[String(cateId)];
    if (!c) throw new RpcError(404, 'InvalidCateId.NotFound', `The category ${String(p.CateId)} does not exist.`);
    self = { CateId: c.cateId, CateName: c.cateName, Level: c.level, ParentId: c.parentId, Type: c.type };
  }
  const desc = (p.SortBy ?? '').toLowerCase().endsWith(':desc');
  const subs = Object.values(core.data.categories)
    .filter((c) => c.parentId === cateId && (cateId !== -1 || c.type === type))
    .sort((a, b) => (desc ? b.cateId - a.cateId : a.cateId - b.cateId));
  const page = subs.slice((pageNo - 1) * pageSize, pageNo * pageSize);
  return { SubTotal: subs.length, Category: self, SubCategories: { Category: page.map((c) => categoryView(core, c)) } };
};

const addCategory: Action = (core, p) => {
  const name = required(p, 'CateName');
  if (Buffer.byteLength(name) > 64) throw invalid('The parameter CateName is longer than 64 bytes.');
  const parentId = p.ParentId === undefined || p.ParentId === '' ? -1 : Number(p.ParentId);
  let level = 0;
  let type: CategoryRecord['type'] = p.Type === 'material' ? 'material' : 'default';
  if (parentId !== -1) {
    const parent = core.data.categories[String(parentId)];
    if (!parent) throw new RpcError(404, 'InvalidCateId.NotFound', `The parent category ${String(p.ParentId)} does not exist.`);
    if (parent.level >= 2) throw new RpcError(403, 'Forbidden.ExceedMaxLevel', 'Categories nest at most three levels; the parent is already on the third.');
    level = parent.level + 1;
    type = parent.type;
  }
  const c: CategoryRecord = { cateId: core.data.nextCateId++, cateName: name, parentId, level, type };
  core.data.categories[String(c.cateId)] = c;
  core.state.changed();
  return { Category: { CateId: c.cateId, CateName: c.cateName, ParentId: c.parentId, Level: c.level, Type: c.type } };
};

const listTranscodeTemplateGroup: Action = (_core, p) => {
  const app = p.AppId ? appId(p.AppId) : undefined;
  const list = TEMPLATE_GROUPS.map((g) => ({ ...g, AppId: app ?? g.AppId }));
  return { TranscodeTemplateGroupList: list };
};

/** GetVideoInfo also lists the cover snapshots' URLs (Video.Snapshots.Snapshot). */
const getVideoInfo: Action = (core, p) => {
  const v = findVideo(core, required(p, 'VideoId'));
  const snapshots = snapshotKeys(core, v, 'cover').map((key) => core.mediaUrl(v.bucket, key, 'cdn', SNAPSHOT_AUTH_TIMEOUT).url);
  return { Video: { ...videoView(core, v), Snapshots: { Snapshot: snapshots } } };
};

const getVideoInfos: Action = (core, p) => {
  const ids = required(p, 'VideoIds').split(',').map((s) => s.trim()).filter(Boolean);
  if (ids.length > 20) throw invalid(`The parameter VideoIds lists ${ids.length} videos; at most 20 are allowed.`);
  const found = ids.filter((id) => core.data.videos[id]);
  return {
    VideoList: found.map((id) => videoView(core, core.data.videos[id])),
    NonExistVideoIds: ids.filter((id) => !core.data.videos[id]),
  };
};

/** OutputType: `cdn` (the default) or `oss` (GetMezzanineInfo, GetPlayInfo). */
function outputType(p: Params): OutputType {
  const raw = (p.OutputType ?? '').toLowerCase() || 'cdn';
  if (raw !== 'oss' && raw !== 'cdn') throw invalid(`The parameter OutputType must be "oss" or "cdn"; got "${p.OutputType ?? ''}".`);
  return raw;
}

/** OSS URLs live at most 30 days "to reduce security risks of the origin"; CDN URLs have no maximum. */
const MAX_OSS_AUTH_TIMEOUT = 2_592_000;
/** OSS URLs default to 3,600 s; CDN URLs to the validity the domain's URL signing has. */
const DEFAULT_OSS_AUTH_TIMEOUT = 3600;
/** ListSnapshots: default and minimum 3,600 s (a smaller value is taken as 3,600). */
const SNAPSHOT_AUTH_TIMEOUT = 3600;

/**
 * AuthTimeout as GetMezzanineInfo and GetPlayInfo document it (seconds, at least 1; for
 * OutputType=oss at most 2,592,000).
 * https://help.aliyun.com/document_detail/59624.htm, https://help.aliyun.com/document_detail/56124.htm
 */
function authTimeout(p: Params, type: OutputType): number {
  const raw = p.AuthTimeout;
  if (raw === undefined || raw === '') return type === 'oss' ? DEFAULT_OSS_AUTH_TIMEOUT : CDN_AUTH_TTL_SECONDS;
  const n = Number(raw);
  const max = type === 'oss' ? MAX_OSS_AUTH_TIMEOUT : Number.MAX_SAFE_INTEGER;
  if (!Number.isInteger(n) || n < 1 || n > max) {
    throw invalid(`The parameter AuthTimeout must be a whole number of seconds from 1${type === 'oss' ? ` to ${MAX_OSS_AUTH_TIMEOUT} for OSS URLs` : ''}; got "${raw}".`);
  }
  return n;
}

/**
 * GetMezzanineInfo: the source file with a signed URL (api-getmezzanineinfo). The API
 * reference lists no hash among the fields; the official SDK's model has FileMD5 and an
 * older reference's sample shows CRC64. The sandbox gives CRC64 always and FileMD5 only
 * where it is the file's true MD5 (a single PutObject's ETag).
 */
const getMezzanineInfo: Action = (core, p) => {
  const v = findVideo(core, required(p, 'VideoId'));
  const type = outputType(p);
  const ttl = authTimeout(p, type);
  const obj = v.uploadedAt === undefined ? undefined : core.getObject(v.bucket, v.objectKey);
  if (v.uploadedAt !== undefined && !obj) throw new RpcError(404, 'InvalidFile.NotFound', 'The file does not exist.');
  const md5 = obj && core.etag === 'md5' && !obj.synthetic && /^"[0-9A-F]{32}"$/.test(obj.etag) ? obj.etag.slice(1, -1).toLowerCase() : undefined;
  return {
    Mezzanine: {
      VideoId: v.videoId,
      FileName: v.fileName,
      FileURL: core.mediaUrl(v.bucket, v.objectKey, type, ttl).url,
      OutputType: type,
      Size: obj?.size ?? v.fileSize ?? 0,
      Status: v.uploadedAt === undefined ? 'Uploading' : 'Normal',
      Duration: '0',
      Bitrate: '0',
      Fps: '0',
      Width: 0,
      Height: 0,
      FileMD5: md5,
      CRC64: obj?.crc64,
      CreationTime: isoSeconds(v.createdAt),
      PreprocessStatus: 'UnPreprocess',
    },
  };
};

/** A comma-separated filter, upper- or lower-cased for comparing; undefined when absent. */
function listParam(p: Params, name: string, norm: (s: string) => string): Set<string> | undefined {
  const raw = p[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  return new Set(raw.split(',').map((s) => norm(s.trim())).filter(Boolean));
}

/**
 * GetPlayInfo (api-getplayinfo, 2017-03-21): the video's streams filtered by Formats,
 * Definition and StreamType, each with a signed PlayURL. Only a Normal video plays
 * (403 Forbidden.IllegalStatus); no stream left after the filters is 404
 * InvalidVideo.NoneStream with the filters in the message, as the reference shows. An
 * OSS URL is for MP4 streams only ("the video stream must be in the MP4 format"), so
 * OutputType=oss leaves m3u8 out. ResultType Multiple would add older and encrypted
 * streams; the sandbox has one unencrypted stream per definition and format.
 */
const getPlayInfo: Action = (core, p) => {
  const v = findVideo(core, required(p, 'VideoId'));
  const formats = listParam(p, 'Formats', (s) => s.toLowerCase());
  const definitions = listParam(p, 'Definition', (s) => s.toUpperCase());
  const streamTypes = listParam(p, 'StreamType', (s) => s.toLowerCase());
  const resultType = p.ResultType || 'Single';
  if (resultType !== 'Single' && resultType !== 'Multiple') throw invalid(`The parameter ResultType must be "Single" or "Multiple"; got "${resultType}".`);
  const type = outputType(p);
  const ttl = authTimeout(p, type);
  const status = core.videoStatus(v);
  if (status !== 'Normal') {
    throw new RpcError(403, 'Forbidden.IllegalStatus', `Status of the video is illegal. Current Status is ${status}.`);
  }
  const streams = streamsOf(core, v).filter((s) => (!formats || formats.has(s.format))
    && (!definitions || definitions.has(s.definition.toUpperCase()))
    && (!streamTypes || streamTypes.has(s.streamType))
    && (type !== 'oss' || s.format !== 'm3u8'));
  if (streams.length === 0) {
    const show = (set: Set<string> | undefined) => (set ? [...set].join(',') : '');
    throw new RpcError(404, 'InvalidVideo.NoneStream', `The video has no stream to play for the request parameter 'Formats: ${show(formats)}, Definition: ${show(definitions)}, StreamType: ${show(streamTypes)}'.`);
  }
  const now = Date.now();
  return {
    VideoBase: {
      VideoId: v.videoId, Title: v.title, Status: status, CoverURL: coverUrl(core, v), Duration: '0', CreationTime: isoSeconds(v.createdAt),
      MediaType: streams[0].streamType, OutputType: type,
    },
    PlayInfoList: {
      PlayInfo: streams.map((s) => ({
        PlayURL: core.mediaUrl(s.bucket, s.key, type, ttl, now).url,
        Definition: s.definition,
        Format: s.format,
        Size: s.size,
        Bitrate: s.bitrate.toFixed(4),
        Duration: '0',
        Fps: s.source ? '0' : '25',
        Width: s.width,
        Height: s.height,
        Encrypt: 0,
        Status: 'Normal',
        StreamType: s.streamType,
        Specification: s.source ? '' : `H264.${s.definition}`,
        JobId: s.source ? '' : hashId(`${s.key}:${v.etag ?? ''}`),
        CreationTime: isoSeconds(s.createdAt),
        ModificationTime: isoSeconds(s.createdAt),
      })),
    },
  };
};

const SNAPSHOT_TYPES = ['CoverSnapshot', 'NormalSnapshot', 'SpriteSnapshot', 'SpriteOriginSnapshot', 'WebVttSnapshot'];
/** ListSnapshots answers for these statuses only (api-listsnapshots, Forbidden.IllegalStatus). */
const SNAPSHOT_STATUSES = new Set(['UploadSucc', 'Normal', 'Checking', 'Blocked']);

/**
 * ListSnapshots (api-listsnapshots): the cover snapshots VOD takes of every video
 * (CoverSnapshot, the default) and the sprite (SpriteSnapshot), as signed CDN URLs.
 * NormalSnapshot, SpriteOriginSnapshot and WebVttSnapshot come from SubmitSnapshotJob,
 * which the sandbox does not imitate: they list nothing.
 */
const listSnapshots: Action = (core, p) => {
  const v = findVideo(core, required(p, 'VideoId'));
  const type = p.SnapshotType || 'CoverSnapshot';
  if (!SNAPSHOT_TYPES.includes(type)) throw invalid(`The parameter SnapshotType must be one of ${SNAPSHOT_TYPES.join(', ')}; got "${type}".`);
  const rawTtl = p.AuthTimeout === undefined || p.AuthTimeout === '' ? SNAPSHOT_AUTH_TIMEOUT : Number(p.AuthTimeout);
  if (!Number.isInteger(rawTtl) || rawTtl < 1) throw invalid(`The parameter AuthTimeout must be a whole number of seconds; got "${p.AuthTimeout ?? ''}".`);
  const pageNo = intParam(p, 'PageNo', 1, 1, 1_000_000);
  const pageSize = intParam(p, 'PageSize', 20, 1, 100);
  const status = core.videoStatus(v);
  if (!SNAPSHOT_STATUSES.has(status)) throw new RpcError(400, 'Forbidden.IllegalStatus', 'Status of the video is illegal.');
  const kind = type === 'CoverSnapshot' ? 'cover' : type === 'SpriteSnapshot' ? 'sprite' : undefined;
  const keys = kind ? snapshotKeys(core, v, kind) : [];
  const ttl = Math.max(SNAPSHOT_AUTH_TIMEOUT, rawTtl);
  const now = Date.now();
  const page = keys.slice((pageNo - 1) * pageSize, pageNo * pageSize);
  return {
    MediaSnapshot: {
      Total: keys.length,
      Regular: kind ? `${core.url}/__cdn/snapshot/${v.videoId}/${kind}{SnapshotCount}.jpg` : undefined,
      CreationTime: keys.length ? isoSeconds(v.uploadedAt ?? v.createdAt) : undefined,
      JobId: keys.length ? hashId(`snapshot:${v.videoId}:${v.etag ?? ''}`) : undefined,
      Snapshots: {
        Snapshot: page.map((key) => ({ Index: keys.indexOf(key) + 1, Url: core.mediaUrl(v.bucket, key, 'cdn', ttl, now).url })),
      },
    },
  };
};

const updateVideoInfo: Action = (core, p) => {
  const v = findVideo(core, required(p, 'VideoId'));
  if (p.Title !== undefined) checkTitle(p.Title);
  checkDescription(p.Description);
  const tags = p.Tags !== undefined ? parseTagList(p.Tags) : undefined;
  const cateId = category(core, p.CateId);
  checkUserData(p.UserData);
  if (p.Title !== undefined) v.title = p.Title;
  if (p.Description !== undefined) v.description = p.Description;
  if (tags) v.tags = tags;
  if (cateId !== undefined) v.cateId = cateId;
  if (p.CoverURL !== undefined) v.coverURL = p.CoverURL;
  if (p.UserData !== undefined) v.userData = p.UserData;
  v.modifiedAt = Date.now();
  core.state.changed();
  return {};
};

const listWorkflow: Action = () => ({ WorkflowList: WORKFLOWS.map((w) => ({ ...w })) });

const listAppInfo: Action = (_core, p) => {
  const list = APPS.filter((a) => !p.Status || a.Status === p.Status);
  const pageNo = intParam(p, 'PageNo', 1, 1, 1_000_000);
  const pageSize = intParam(p, 'PageSize', 10, 1, 100);
  return { Total: list.length, AppInfoList: list.slice((pageNo - 1) * pageSize, pageNo * pageSize).map((a) => ({ ...a })) };
};

/**
 * What the sandbox's upload-only RAM user may call: enough to upload, refresh, read
 * status, fix metadata and clean up. Everything else answers 403 Forbidden.RAM, as
 * VOD does for a RAM user whose policy lacks the action.
 */
export const UPLOAD_ONLY_ACTIONS: ReadonlySet<string> = new Set([
  'CreateUploadVideo', 'RefreshUploadVideo', 'CreateUploadImage', 'GetVideoInfo', 'GetVideoInfos', 'UpdateVideoInfo', 'DeleteVideo',
]);

export const ACTIONS: Record<string, Action> = {
  CreateUploadVideo: createUploadVideo,
  RefreshUploadVideo: refreshUploadVideo,
  CreateUploadImage: createUploadImage,
  GetCategories: getCategories,
  AddCategory: addCategory,
  ListTranscodeTemplateGroup: listTranscodeTemplateGroup,
  GetVideoInfo: getVideoInfo,
  GetVideoInfos: getVideoInfos,
  GetMezzanineInfo: getMezzanineInfo,
  GetPlayInfo: getPlayInfo,
  ListSnapshots: listSnapshots,
  // The media library (media-library.ts): search, bulk edit, delete, transcode again.
  SearchMedia: (core, p) => core.library.search(p),
  UpdateVideoInfo: updateVideoInfo,
  UpdateVideoInfos: (core, p) => core.library.updateVideoInfos(p),
  DeleteVideo: (core, p) => core.library.deleteVideos(p),
  DeleteMezzanines: (core, p) => core.library.deleteMezzanines(p),
  SubmitTranscodeJobs: (core, p) => core.library.submitTranscodeJobs(p),
  ListWorkflow: listWorkflow,
  ListAppInfo: listAppInfo,
};

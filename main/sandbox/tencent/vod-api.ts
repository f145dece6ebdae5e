// Tencent Cloud VOD API 3.0 (version 2018-07-17) actions the sandbox imitates: the
// three-step server upload (ApplyUpload → COS → CommitUpload, https://cloud.tencent.com/document/product/266/9759)
// and the reads an uploader needs (DescribeAllClass,
// DescribeProcedureTemplates, and DescribeTasks / DescribeTaskDetail for the task flow a
// Procedure starts; DescribeMediaInfos and the media library are in media-api.ts).
// Parameter and error names follow the API reference
// (ApplyUpload https://cloud.tencent.com/document/product/266/31767, CommitUpload
// https://cloud.tencent.com/document/api/266/31766) and the error codes each action
// lists in tencentcloud-sdk-go's vod/v20180717 client.
import { hexId } from '../ids';
import { TcError } from './tc3-signature';
import { newFileId, newSessionKey, tencentSecretId, tencentSecretKey, type TencentData, type TencentMedia, type TencentSession } from './state';

export const TC_VOD_VERSION = '2018-07-17';

export interface TencentContext {
  data: TencentData;
  region: string;
  now: number;
  /** Lifetime of TempCertificate (seconds). */
  credentialTtlSeconds: number;
  /** How long a VodSessionKey may be committed (seconds). */
  sessionTtlSeconds: number;
  /** What a second CommitUpload of a committed session answers. */
  commitRepeat: 'same' | 'error';
  /** How long a task flow takes: WAITING for its first third, PROCESSING, then FINISH. */
  transcodeMs: number;
  objectExists(bucket: string, key: string): { size: number; crc64: string } | undefined;
  fileUrl(bucket: string, key: string): string;
  /** The distribution domain's plain URL of an object (media-objects.ts); signed by whoever fetches it. */
  distributionUrl(key: string): string;
  /** The domain's Key hotlink protection key (DescribeVodDomains). */
  urlSignatureKey(): string;
  /** Removes a stored object of the account's bucket (DeleteMedia); derived ones vanish with their media. */
  deleteObject(key: string): void;
  changed(): void;
}

type Params = Record<string, unknown>;
export type TencentAction = (ctx: TencentContext, p: Params) => Record<string, unknown>;

/** Media types VOD accepts for upload ("上传能力综述", https://cloud.tencent.com/document/product/266/9760). */
const VIDEO_TYPES = ['wmv', 'rm', 'mov', 'mpeg', 'mp4', '3gp', 'flv', 'avi', 'rmvb', 'ts', 'asf', 'mpg', 'webm', 'mkv', 'm3u8', 'wm', 'asx', 'ram', 'mpe', 'vob', 'dat', 'mp4v', 'm4v', 'f4v', 'mxf', 'qt', 'ogg'];
export const AUDIO_TYPES = ['mp3', 'm4a', 'flac', 'ogg', 'wav', 'amr', 'aac'];
export const IMAGE_TYPES = ['jpg', 'jpeg', 'png', 'gif', 'bmp', 'tiff', 'ai', 'cdr', 'eps'];
const COVER_TYPES = ['jpg', 'jpeg', 'png', 'gif', 'bmp', 'tiff', 'ai', 'cdr', 'eps'];

export const str = (p: Params, k: string): string | undefined => (typeof p[k] === 'string' ? (p[k] as string) : p[k] === undefined || p[k] === null ? undefined : String(p[k]));
export const iso = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

export function checkSubApp(ctx: TencentContext, p: Params): number {
  const raw = p.SubAppId;
  if (raw === undefined || raw === null) return ctx.data.subAppId;
  const n = Number(raw);
  if (!Number.isInteger(n) || n !== ctx.data.subAppId) {
    throw new TcError('InvalidParameterValue.SubAppId', `SubAppId ${String(raw)} is not an application of this account (its application is ${ctx.data.subAppId}).`);
  }
  return n;
}

export function classPath(ctx: TencentContext, classId: number): { name: string; path: string } {
  if (classId === 0) return { name: '其他', path: '其他' };
  const names: string[] = [];
  for (let c = ctx.data.classes[String(classId)]; c; c = ctx.data.classes[String(c.parentId)]) names.unshift(c.name);
  return { name: names[names.length - 1] ?? '', path: names.join('-') };
}

const applyUpload: TencentAction = (ctx, p) => {
  const subAppId = checkSubApp(ctx, p);
  const mediaType = (str(p, 'MediaType') ?? '').toLowerCase();
  if (!mediaType) throw new TcError('MissingParameter', 'The request is missing the required parameter MediaType.');
  if (![...VIDEO_TYPES, ...AUDIO_TYPES, ...IMAGE_TYPES].includes(mediaType)) throw new TcError('InvalidParameterValue.MediaType', `MediaType "${mediaType}" is not a type VOD accepts for upload.`);
  const coverType = str(p, 'CoverType')?.toLowerCase();
  if (coverType !== undefined && !COVER_TYPES.includes(coverType)) throw new TcError('InvalidParameterValue.CoverType', `CoverType "${coverType}" is not an image type VOD accepts as a cover.`);
  const procedure = str(p, 'Procedure');
  if (procedure && !ctx.data.procedures.some((t) => t.name === procedure)) throw new TcError('InvalidParameterValue', `Procedure "${procedure}" is not a task flow template of this application (DescribeProcedureTemplates lists them).`);
  const classId = p.ClassId === undefined ? 0 : Number(p.ClassId);
  if (!Number.isInteger(classId) || (classId !== 0 && !ctx.data.classes[String(classId)])) throw new TcError('InvalidParameterValue', `ClassId ${String(p.ClassId)} does not exist (DescribeAllClass lists the classes; 0 is "other").`);
  const expireTime = str(p, 'ExpireTime');
  if (expireTime !== undefined && !(Date.parse(expireTime) > ctx.now)) throw new TcError('InvalidParameterValue.ExpireTime', `ExpireTime "${expireTime}" must be an ISO 8601 time in the future.`);
  const sourceContext = str(p, 'SourceContext');
  if (sourceContext && sourceContext.length > 250) throw new TcError('InvalidParameterValue', 'SourceContext is longer than 250 characters.');
  const sessionContext = str(p, 'SessionContext');
  if (sessionContext && sessionContext.length > 1000) throw new TcError('InvalidParameterValue', 'SessionContext is longer than 1000 characters.');
  const storageRegion = str(p, 'StorageRegion') ?? ctx.region;
  if (storageRegion !== ctx.region) throw new TcError('InvalidParameterValue', `StorageRegion "${storageRegion}" is not enabled for this application; the sandbox stores in ${ctx.region}.`);

  // A folder per session, as VOD's storage paths are; HLS segments go beside the playlist (vod-node-sdk puts them under its dirname).
  const folder = `/${hexId(4)}vod${ctx.region.replace(/^ap-/, '').slice(0, 2)}${ctx.data.appId}/${hexId(4)}${hexId(8)}/`;
  const mediaStoragePath = `${folder}f0.${mediaType}`;
  const coverStoragePath = coverType ? `${folder}cover.${coverType}` : undefined;
  const cred = {
    secretId: tencentSecretId(), secretKey: tencentSecretKey(), token: hexId(40),
    expiresAt: ctx.now + ctx.credentialTtlSeconds * 1000, bucket: ctx.data.bucket, prefix: folder,
  };
  // Expired keys are kept a day so a late request gets ExpiredToken, not InvalidAccessKeyId.
  for (const [id, c] of Object.entries(ctx.data.credentials)) if (c.expiresAt < ctx.now - 86_400_000) delete ctx.data.credentials[id];
  for (const [k, s] of Object.entries(ctx.data.sessions)) if (s.expiresAt < ctx.now - 86_400_000 && !s.fileId) delete ctx.data.sessions[k];
  ctx.data.credentials[cred.secretId] = cred;
  const session: TencentSession = {
    key: newSessionKey(), subAppId, mediaType, mediaName: str(p, 'MediaName') ?? '', coverType, procedure: procedure || undefined,
    classId, expireTime, sourceContext, sessionContext, storageRegion, mediaStoragePath, coverStoragePath,
    createdAt: ctx.now, expiresAt: ctx.now + ctx.sessionTtlSeconds * 1000, credentialId: cred.secretId,
  };
  ctx.data.sessions[session.key] = session;
  ctx.changed();
  return {
    StorageBucket: ctx.data.bucket,
    StorageRegion: storageRegion,
    VodSessionKey: session.key,
    MediaStoragePath: mediaStoragePath,
    ...(coverStoragePath ? { CoverStoragePath: coverStoragePath } : {}),
    TempCertificate: { SecretId: cred.secretId, SecretKey: cred.secretKey, Token: cred.token, ExpiredTime: Math.floor(cred.expiresAt / 1000) },
  };
};

function commitAnswer(ctx: TencentContext, m: TencentMedia): Record<string, unknown> {
  return {
    FileId: m.fileId,
    MediaUrl: ctx.fileUrl(ctx.data.bucket, m.storagePath),
    CoverUrl: m.coverPath ? ctx.fileUrl(ctx.data.bucket, m.coverPath) : '',
  };
}

const commitUpload: TencentAction = (ctx, p) => {
  checkSubApp(ctx, p);
  const key = str(p, 'VodSessionKey');
  if (!key) throw new TcError('MissingParameter', 'The request is missing the required parameter VodSessionKey.');
  const session = ctx.data.sessions[key];
  if (!session) throw new TcError('InvalidParameterValue.VodSessionKey', 'VodSessionKey is not a session of this application (ApplyUpload returns it).');
  if (session.fileId) {
    const media = ctx.data.media[session.fileId];
    if (ctx.commitRepeat === 'same' && media) return commitAnswer(ctx, media);
    throw new TcError('InvalidParameterValue.VodSessionKey', `VodSessionKey was already committed (FileId ${session.fileId}).`);
  }
  if (ctx.now >= session.expiresAt) throw new TcError('InvalidParameterValue.VodSessionKey', `VodSessionKey expired at ${iso(session.expiresAt)}; apply for a new upload (ApplyUpload) and upload the file again.`);
  const obj = ctx.objectExists(ctx.data.bucket, session.mediaStoragePath);
  if (!obj) throw new TcError('ResourceNotFound', `The media file ${session.mediaStoragePath} is not in storage: upload it to COS (and complete the multipart upload) before CommitUpload.`);
  if (session.coverStoragePath && !ctx.objectExists(ctx.data.bucket, session.coverStoragePath)) {
    throw new TcError('ResourceNotFound', `The cover ${session.coverStoragePath} is not in storage: ApplyUpload was given a CoverType, so upload the cover before CommitUpload.`);
  }
  const media: TencentMedia = {
    fileId: newFileId(), subAppId: session.subAppId, name: session.mediaName || `f0.${session.mediaType}`, type: session.mediaType,
    classId: session.classId, procedure: session.procedure, storageRegion: session.storageRegion, storagePath: session.mediaStoragePath,
    coverPath: session.coverStoragePath, expireTime: session.expireTime, sourceContext: session.sourceContext,
    createdAt: ctx.now, size: obj.size, crc64: obj.crc64, sessionContext: session.sessionContext,
    ...(session.procedure ? { procedureTaskId: `${ctx.data.appId}-procedurev2-${hexId(16)}` } : {}),
  };
  ctx.data.media[media.fileId] = media;
  session.fileId = media.fileId;
  ctx.changed();
  return commitAnswer(ctx, media);
};

/** Media status in BasicInfo: Normal, or a pinned Forbidden/SystemForbidden (MediaBasicInfo.Status). */
export function mediaStatus(m: TencentMedia): string {
  return m.statusOverride ?? 'Normal';
}

/** A task flow's state from the time since CommitUpload (no timers, so it survives restarts). */
function procedureState(ctx: TencentContext, m: TencentMedia): { status: string; begin?: number; finish?: number } {
  // From the latest start: ApplyUpload's Procedure at commit, or ProcessMediaByProcedure (media-api.ts).
  const started = m.procedureStartedAt ?? m.createdAt;
  const elapsed = ctx.now - started;
  const begin = started + ctx.transcodeMs / 3;
  if (elapsed < ctx.transcodeMs / 3) return { status: 'WAITING' };
  if (elapsed < ctx.transcodeMs) return { status: 'PROCESSING', begin };
  return { status: 'FINISH', begin, finish: started + ctx.transcodeMs };
}

function taskSummary(ctx: TencentContext, m: TencentMedia): Record<string, unknown> {
  const st = procedureState(ctx, m);
  return {
    TaskId: m.procedureTaskId, Status: st.status, FileId: m.fileId, TaskType: 'Procedure',
    CreateTime: iso(m.createdAt), BeginProcessTime: st.begin ? iso(st.begin) : '', FinishTime: st.finish ? iso(st.finish) : '',
    SessionId: '', SessionContext: m.sessionContext ?? '',
  };
}

/** DescribeTasks: the task flows ApplyUpload's Procedure started, filtered by FileId and Status (one page, no ScrollToken). */
const describeTasks: TencentAction = (ctx, p) => {
  checkSubApp(ctx, p);
  const fileId = str(p, 'FileId');
  const status = str(p, 'Status');
  const limit = p.Limit === undefined ? 10 : Number(p.Limit);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new TcError('InvalidParameterValue', 'Limit must be from 1 to 100.');
  const tasks = Object.values(ctx.data.media)
    .filter((m) => m.procedureTaskId && (!fileId || m.fileId === fileId))
    .map((m) => taskSummary(ctx, m))
    .filter((t) => !status || t.Status === status)
    .sort((a, b) => String(b.CreateTime).localeCompare(String(a.CreateTime)));
  return { TaskSet: tasks.slice(0, limit), ScrollToken: '' };
};

const describeTaskDetail: TencentAction = (ctx, p) => {
  checkSubApp(ctx, p);
  const taskId = str(p, 'TaskId');
  if (!taskId) throw new TcError('MissingParameter', 'The request is missing the required parameter TaskId.');
  const m = Object.values(ctx.data.media).find((x) => x.procedureTaskId === taskId);
  if (!m) throw new TcError('InvalidParameterValue.TaskId', `The task ${taskId} does not exist.`);
  const t = taskSummary(ctx, m);
  return {
    TaskType: 'Procedure', Status: t.Status, CreateTime: t.CreateTime, BeginProcessTime: t.BeginProcessTime, FinishTime: t.FinishTime,
    ProcedureTask: {
      TaskId: taskId, Status: t.Status === 'FINISH' ? 'FINISH' : 'PROCESSING', FileId: m.fileId, FileName: m.name,
      FileUrl: ctx.fileUrl(ctx.data.bucket, m.storagePath), MediaProcessResultSet: [], AiContentReviewResultSet: [], AiAnalysisResultSet: [],
      AiRecognitionResultSet: [], TasksPriority: 0, TasksNotifyMode: 'Finish', SessionContext: m.sessionContext ?? '', SessionId: '',
    },
  };
};

const describeAllClass: TencentAction = (ctx, p) => {
  checkSubApp(ctx, p);
  const all = Object.values(ctx.data.classes);
  return {
    ClassInfoSet: all.map((c) => ({
      ClassId: c.classId, ParentId: c.parentId, Name: c.name, ClassName: c.name, Level: c.level,
      SubClassIdSet: all.filter((s) => s.parentId === c.classId).map((s) => s.classId),
    })),
  };
};

const describeProcedureTemplates: TencentAction = (ctx, p) => {
  checkSubApp(ctx, p);
  const names = Array.isArray(p.Names) ? new Set((p.Names as unknown[]).map(String)) : undefined;
  const type = str(p, 'Type');
  const offset = p.Offset === undefined ? 0 : Number(p.Offset);
  const limit = p.Limit === undefined ? 10 : Number(p.Limit);
  if (!Number.isInteger(offset) || offset < 0) throw new TcError('InvalidParameterValue', 'Offset must be a whole number, 0 or more.');
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) throw new TcError('InvalidParameterValue', 'Limit must be from 1 to 100.');
  const matched = ctx.data.procedures.filter((t) => (!names || names.has(t.name)) && (!type || t.type === type));
  return {
    TotalCount: matched.length,
    ProcedureTemplateSet: matched.slice(offset, offset + limit).map((t) => ({
      Name: t.name, Type: t.type, Comment: t.comment, CreateTime: t.createTime, UpdateTime: t.createTime,
      MediaProcessTask: null, AiContentReviewTask: null, AiAnalysisTask: null, AiRecognitionTask: null, MiniProgramPublishTask: null, ReviewAudioVideoTask: null,
    })),
  };
};

export const TENCENT_ACTIONS: Record<string, TencentAction> = {
  ApplyUpload: applyUpload,
  CommitUpload: commitUpload,
  DescribeAllClass: describeAllClass,
  DescribeProcedureTemplates: describeProcedureTemplates,
  DescribeTasks: describeTasks,
  DescribeTaskDetail: describeTaskDetail,
};

// Metadata and file validation: the single module every shell and the engine use.
// Each check returns a list of problems (empty = valid) so a UI can show them inline
// and the CLI can print them all at once.

import {
  AUDIO_EXTENSIONS, CALLBACK_TYPES, IMAGE_EXTENSIONS, MAX_CALLBACK_URL_BYTES, MAX_DESCRIPTION_CHARS, MAX_FILE_BYTES,
  MAX_TAG_CHARS, MAX_TAGS, MAX_TITLE_CHARS, MAX_USER_DATA_EXTEND_BYTES, STORAGE_REGIONS, USER_DATA_FIELDS, VIDEO_EXTENSIONS,
  VOD_REGIONS,
} from './limits';

import type { DownloadWhat } from './library';

export type MediaKind = 'video' | 'audio' | 'image';

export interface Problem {
  field: 'title' | 'description' | 'tags' | 'file' | 'size' | 'extension' | 'cateId' | 'userData' | 'storageLocation' | 'templateGroupId'
    | 'coverUrl' | 'videoId';
  code: string;
  message: string;
  /** The values in the message, for a UI that words it in another language. */
  params?: Record<string, string | number>;
}

/** Bytes of a string in UTF-8 (汉字 take three), as a service counts a byte limit. */
export function utf8Bytes(s: string): number {
  let n = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    n += cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
  }
  return n;
}

/** Characters as the service counts them: Unicode code points, so 汉字 count one each. */
export function charCount(s: string): number {
  return Array.from(s).length;
}

export function extensionOf(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

export function mediaKindOf(fileName: string): MediaKind | undefined {
  const ext = extensionOf(fileName);
  if ((VIDEO_EXTENSIONS as readonly string[]).includes(ext)) return 'video';
  if ((AUDIO_EXTENSIONS as readonly string[]).includes(ext)) return 'audio';
  if ((IMAGE_EXTENSIONS as readonly string[]).includes(ext)) return 'image';
  return undefined;
}

/** Splits a comma-separated tag string (ASCII or full-width commas) into trimmed tags. */
export function parseTags(input: string | readonly string[]): string[] {
  const parts = typeof input === 'string' ? input.split(/[,，]/) : input;
  return parts.map((t) => t.trim()).filter((t) => t.length > 0);
}

export function validateTitle(title: string): Problem[] {
  if (title.trim().length === 0) {
    return [{ field: 'title', code: 'TitleEmpty', message: 'Title is required.' }];
  }
  const n = charCount(title);
  if (n > MAX_TITLE_CHARS) {
    return [{ field: 'title', code: 'TitleTooLong', message: `Title has ${n} characters; the limit is ${MAX_TITLE_CHARS}.` }];
  }
  return [];
}

export function validateDescription(description: string | undefined): Problem[] {
  if (!description) return [];
  const n = charCount(description);
  if (n > MAX_DESCRIPTION_CHARS) {
    return [{ field: 'description', code: 'DescriptionTooLong', message: `Description has ${n} characters; the limit is ${MAX_DESCRIPTION_CHARS}.` }];
  }
  return [];
}

export function validateTags(tags: readonly string[]): Problem[] {
  const problems: Problem[] = [];
  if (tags.length > MAX_TAGS) {
    problems.push({ field: 'tags', code: 'TooManyTags', message: `${tags.length} tags; at most ${MAX_TAGS} are allowed.` });
  }
  for (const tag of tags) {
    if (charCount(tag) > MAX_TAG_CHARS) {
      problems.push({ field: 'tags', code: 'TagTooLong', message: `Tag "${tag}" is longer than ${MAX_TAG_CHARS} characters.` });
    }
    if (tag.includes(',')) {
      problems.push({ field: 'tags', code: 'TagHasComma', message: `Tag "${tag}" contains a comma.` });
    }
  }
  if (new Set(tags).size !== tags.length) {
    problems.push({ field: 'tags', code: 'DuplicateTag', message: 'The same tag is given twice.' });
  }
  return problems;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/**
 * UserData as VOD reads it: a JSON object of MessageCallback, Extend and
 * AccelerateConfig. A misspelt field would be ignored by VOD without a word (the
 * callback data silently missing), so unknown fields are refused.
 */
export function validateUserData(userData: string | undefined): Problem[] {
  if (!userData) return [];
  let v: unknown;
  try {
    v = JSON.parse(userData);
  } catch {
    v = undefined;
  }
  if (!isObject(v)) {
    return [{ field: 'userData', code: 'UserDataNotJson', message: 'UserData must be a JSON object. Example: {"Extend": {"batch": "2024-06"}}.' }];
  }
  const problems: Problem[] = [];
  const unknown = Object.keys(v).filter((k) => !(USER_DATA_FIELDS as readonly string[]).includes(k));
  if (unknown.length > 0) {
    const fields = unknown.map((k) => `"${k}"`).join(', ');
    const known = USER_DATA_FIELDS.join(', ');
    problems.push({
      field: 'userData', code: 'UserDataUnknownField', params: { fields, known },
      message: `UserData has ${fields}, which VOD does not read; its fields are ${known} (capitalised as shown).`,
    });
  }
  if (v.Extend !== undefined) {
    const bytes = utf8Bytes(typeof v.Extend === 'string' ? v.Extend : JSON.stringify(v.Extend));
    if (bytes > MAX_USER_DATA_EXTEND_BYTES) {
      problems.push({
        field: 'userData', code: 'UserDataExtendTooLong', params: { bytes, max: MAX_USER_DATA_EXTEND_BYTES },
        message: `UserData's Extend is ${bytes} bytes; VOD takes at most ${MAX_USER_DATA_EXTEND_BYTES} (it comes back in callbacks). Shorten it or keep the rest elsewhere.`,
      });
    }
  }
  if (v.MessageCallback !== undefined) problems.push(...validateMessageCallback(v.MessageCallback));
  if (v.AccelerateConfig !== undefined && !isObject(v.AccelerateConfig)) {
    problems.push({
      field: 'userData', code: 'UserDataAccelerateConfigInvalid',
      message: 'UserData\'s AccelerateConfig must be a JSON object, e.g. {"Type": "oss", "Domain": "https://oss-accelerate.aliyuncs.com"}.',
    });
  }
  return problems;
}

function validateMessageCallback(cb: unknown): Problem[] {
  if (!isObject(cb)) {
    return [{
      field: 'userData', code: 'UserDataCallbackNotObject',
      message: 'UserData\'s MessageCallback must be a JSON object, e.g. {"CallbackURL": "https://example.com/vod-events"}.',
    }];
  }
  const { CallbackURL: url, CallbackType: type } = cb;
  const problems: Problem[] = [];
  if (type !== undefined && !(typeof type === 'string' && (CALLBACK_TYPES as readonly string[]).includes(type.toLowerCase()))) {
    const types = CALLBACK_TYPES.map((t) => `"${t}"`).join(' or ');
    problems.push({ field: 'userData', code: 'UserDataCallbackType', params: { types }, message: `UserData's MessageCallback.CallbackType must be ${types}.` });
  }
  if (url !== undefined) {
    if (typeof url !== 'string' || !/^https?:\/\/[^\s/]+/i.test(url)) {
      problems.push({ field: 'userData', code: 'UserDataCallbackUrl', message: 'UserData\'s MessageCallback.CallbackURL must be an http:// or https:// address.' });
    } else if (utf8Bytes(url) > MAX_CALLBACK_URL_BYTES) {
      problems.push({
        field: 'userData', code: 'UserDataCallbackUrlTooLong', params: { bytes: utf8Bytes(url), max: MAX_CALLBACK_URL_BYTES },
        message: `UserData's MessageCallback.CallbackURL is ${utf8Bytes(url)} bytes; VOD takes at most ${MAX_CALLBACK_URL_BYTES}.`,
      });
    }
  }
  return problems;
}

/**
 * A storage address as the VOD console shows it (Configuration Management > Media
 * Management > Storage) and CreateUploadVideo's StorageLocation takes it:
 * `<bucket>.oss-<region>.aliyuncs.com`, e.g. outin-<32 hex>.oss-cn-shanghai.aliyuncs.com
 * for a VOD bucket. No API lists them (see AliyunVodProvider.getCatalog), so it is typed.
 */
export function validateStorageLocation(location: string | undefined): Problem[] {
  if (!location) return [];
  // OSS bucket names: 3-63 lowercase letters, digits and hyphens, starting and ending with a letter or digit.
  const m = /^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]\.oss-([a-z0-9-]+)\.aliyuncs\.com$/.exec(location);
  if (!m) {
    return [{
      field: 'storageLocation', code: 'StorageLocationInvalid', params: { location },
      message: `"${location}" is not a VOD storage address. It reads like outin-0123456789abcdef0123456789abcdef.oss-cn-shanghai.aliyuncs.com; copy it from the VOD console (Configuration Management > Media Management > Storage), or leave it empty for the default.`,
    }];
  }
  if (!(STORAGE_REGIONS as readonly string[]).includes(m[1])) {
    return [{
      field: 'storageLocation', code: 'StorageLocationRegion', params: { location, region: m[1], regions: STORAGE_REGIONS.join(', ') },
      message: `"${location}" is in ${m[1]}, where VOD does not store media. VOD's storage regions: ${STORAGE_REGIONS.join(', ')}.`,
    }];
  }
  return [];
}

export function validateFileName(fileName: string, allowed: readonly MediaKind[] = ['video', 'audio']): Problem[] {
  const kind = mediaKindOf(fileName);
  if (!kind || !allowed.includes(kind)) {
    const ext = extensionOf(fileName);
    return [{
      field: 'extension',
      code: 'UnsupportedExtension',
      message: ext
        ? `".${ext}" is not a format VOD accepts for ${allowed.join('/')} uploads.`
        : 'The file has no extension; VOD needs one to know the format.',
    }];
  }
  return [];
}

/** VOD's built-in "no transcoding" template group. */
export const NO_TRANSCODE_GROUP_ID = 'VOD_NO_TRANSCODE';
/**
 * What plays without transcoding. VOD's "Standard transcoding" guide: with the built-in No
 * Transcoding group "your source video must be directly playable … MP4, FLV, M3U8, MP3
 * and WEBM" (help.aliyun.com/en/vod/user-guide/standard-transcoding). Anything else would
 * be stored and never become playable (its status would not reach Normal), so the app
 * refuses the combination before an upload instead of polling a video that never ends.
 */
const PLAYABLE_WITHOUT_TRANSCODING: readonly string[] = ['mp4', 'flv', 'm3u8', 'mp3', 'webm'];

/** A file sent with the No Transcoding group (and no workflow, which wins over it) must be playable as it is. */
export function validateNoTranscodeFormat(fileName: string, meta: { templateGroupId?: string; workflowId?: string }): Problem[] {
  if (meta.templateGroupId !== NO_TRANSCODE_GROUP_ID || meta.workflowId) return [];
  const ext = extensionOf(fileName);
  if (PLAYABLE_WITHOUT_TRANSCODING.includes(ext)) return [];
  const formats = PLAYABLE_WITHOUT_TRANSCODING.join(', ');
  return [{
    field: 'templateGroupId', code: 'NotPlayableWithoutTranscoding', params: { ext: ext || '?', formats },
    message: `".${ext}" does not play without transcoding (VOD plays only ${formats} as uploaded). Choose a transcoding template group, or convert the file first.`,
  }];
}

export function validateFileSize(size: number): Problem[] {
  if (!Number.isSafeInteger(size) || size < 0) {
    return [{ field: 'size', code: 'InvalidSize', message: 'The file size is not a valid number of bytes.' }];
  }
  if (size > MAX_FILE_BYTES) {
    return [{ field: 'size', code: 'FileTooLarge', message: `The file is ${size} bytes; VOD accepts at most 48.8 TB.` }];
  }
  return [];
}

export interface MetadataInput {
  title: string;
  description?: string;
  tags?: readonly string[];
  userData?: string;
  storageLocation?: string;
}

export function validateMetadata(meta: MetadataInput): Problem[] {
  return [
    ...validateTitle(meta.title),
    ...validateDescription(meta.description),
    ...validateTags(meta.tags ?? []),
    ...validateUserData(meta.userData),
    ...validateStorageLocation(meta.storageLocation),
  ];
}

/** What one bulk edit changes on one video (shared/library.ts VideoPatch, without importing it). */
export interface VideoPatchInput {
  videoId: string;
  title?: string;
  description?: string;
  cateId?: number;
  tags?: readonly string[];
  coverUrl?: string;
}

/**
 * One video's edit, checked as UpdateVideoInfos checks it (title, description and tag
 * limits, https://help.aliyun.com/document_detail/86043.htm) before anything is sent: only
 * the fields it changes are checked, and an edit that changes nothing is refused.
 */
export function validateVideoPatch(patch: VideoPatchInput): Problem[] {
  const problems: Problem[] = [];
  if (!/^[0-9a-zA-Z]{1,64}$/.test(patch.videoId)) {
    problems.push({ field: 'videoId', code: 'VideoIdInvalid', params: { videoId: patch.videoId }, message: `"${patch.videoId}" is not a VideoId (32 letters and digits, as VOD shows it).` });
  }
  if (patch.title !== undefined) problems.push(...validateTitle(patch.title));
  if (patch.description !== undefined) problems.push(...validateDescription(patch.description));
  if (patch.tags !== undefined) problems.push(...validateTags(patch.tags));
  if (patch.cateId !== undefined && (!Number.isSafeInteger(patch.cateId) || patch.cateId <= 0)) {
    problems.push({ field: 'cateId', code: 'CateIdInvalid', message: `A category is a positive whole number (CateId); got ${patch.cateId}.` });
  }
  if (patch.coverUrl !== undefined && !/^https?:\/\/[^\s/]+\S*$/i.test(patch.coverUrl)) {
    problems.push({ field: 'coverUrl', code: 'CoverUrlInvalid', message: 'A cover is given as an http:// or https:// address of an image.' });
  }
  const changes = [patch.title, patch.description, patch.tags, patch.cateId, patch.coverUrl].some((v) => v !== undefined);
  if (!changes && problems.length === 0) {
    problems.push({ field: 'videoId', code: 'NothingToChange', message: 'The edit changes nothing: give a title, description, category, tags or cover.' });
  }
  return problems;
}

/** Default title from a file path: the base name without its extension. */
export function titleFromFileName(fileName: string): string {
  const base = fileName.split(/[\\/]/).pop() ?? fileName;
  const dot = base.lastIndexOf('.');
  const stem = dot > 0 ? base.slice(0, dot) : base;
  return Array.from(stem).slice(0, MAX_TITLE_CHARS).join('');
}

export function formatProblems(problems: readonly Problem[]): string {
  return problems.map((p) => p.message).join(' ');
}

/**
 * A region VOD does not serve has no endpoint (there is no vod.cn-hangzhou.aliyuncs.com,
 * the region an aliyun CLI profile often names), and every call to it would wait on a
 * DNS error: refused up front, with what to use instead. An explicit endpoint (a sandbox,
 * a private gateway) is the operator's word and is not checked.
 */
export function vodRegionProblem(region: string, endpoint?: string): string | undefined {
  if (endpoint) return undefined;
  if ((VOD_REGIONS as readonly string[]).includes(region)) return undefined;
  return `VOD does not serve the region "${region}" (there is no vod.${region}.aliyuncs.com). ` +
    `VOD's regions: ${VOD_REGIONS.join(', ')}.`;
}

/**
 * A Tencent VOD application id (SubAppId) as typed: empty (the account's default
 * application) or a positive integer. Accounts that activated VOD from 2023-12-25 must
 * give one (every API 3.0 action's SubAppId description). Answers the number, or a
 * problem in words.
 */
export function parseSubAppId(text: string | undefined): { value?: number; problem?: string } {
  const s = (text ?? '').trim();
  if (s === '') return {};
  if (!/^\d+$/.test(s) || !Number.isSafeInteger(Number(s)) || Number(s) <= 0) {
    return { problem: `"${s}" is not a VOD application id (SubAppId): use the positive whole number the VOD console shows, or leave it empty for the default application.` };
  }
  return { value: Number(s) };
}

/** The proxy schemes the engine speaks (main/engine/net/proxy.ts). */
export const PROXY_SCHEMES = ['http', 'https', 'socks5', 'socks5h', 'socks'] as const;

/**
 * What is wrong with a proxy URL, or undefined. The message never repeats the URL (it may
 * hold a password).
 */
export function proxyUrlProblem(text: string): string | undefined {
  const trimmed = text.trim();
  if (trimmed === '') return 'Enter the proxy URL, e.g. http://proxy.example.com:8080 or socks5://127.0.0.1:1080.';
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    return 'The proxy URL is not a URL: write it as scheme://host:port, e.g. http://proxy.example.com:8080.';
  }
  const scheme = url.protocol.replace(/:$/, '');
  if (!(PROXY_SCHEMES as readonly string[]).includes(scheme)) {
    return `The proxy scheme "${scheme}" is not supported: use http, https, socks5 or socks5h.`;
  }
  if (!url.hostname) return 'The proxy URL has no host.';
  if ((url.pathname !== '/' && url.pathname !== '') || url.search || url.hash) return 'A proxy URL is scheme://[user:password@]host:port, without a path.';
  return undefined;
}

function addOnce(list: string[], v: string): void {
  if (!list.includes(v)) list.push(v);
}

/** The words of a `--what` list (download, URL export), and what each asks for. */
export const DOWNLOAD_WHAT_WORDS = ['source', 'streams', 'cover', 'snapshots', 'sprites'] as const;

/**
 * `source,streams:HD,streams:SD:mp4,cover,snapshots,sprites` → DownloadWhat. `streams`
 * alone means every stream; `streams:DEF` narrows to those definitions and
 * `streams:DEF:FMT` (or `streams::FMT`) to those formats too (definitions and formats
 * filter independently, as GetPlayInfo's Definition and Formats do). Errors name the bad
 * word; an empty list is one.
 */
export function parseDownloadWhat(spec: string): { what: DownloadWhat; errors: string[] } {
  const what: DownloadWhat = {};
  const errors: string[] = [];
  const words = spec.split(',').map((w) => w.trim()).filter(Boolean);
  if (words.length === 0) errors.push(`Say what to take: a comma-separated list of ${DOWNLOAD_WHAT_WORDS.join(', ')} (streams:HD for one definition).`);
  for (const word of words) {
    const [head, def, fmt, ...rest] = word.split(':');
    const name = head.toLowerCase();
    if (name === 'streams' || name === 'stream') {
      what.streams ??= {};
      if (rest.length > 0 || (def !== undefined && def !== '' && !/^[A-Za-z0-9]{1,8}$/.test(def)) || (fmt !== undefined && !/^[A-Za-z0-9]{1,8}$/.test(fmt))) {
        errors.push(`"${word}" is not streams, streams:<definition> or streams:<definition>:<format> (e.g. streams:HD, streams:SD:mp4).`);
        continue;
      }
      if (def) addOnce((what.streams.definitions ??= []), def.toUpperCase());
      if (fmt) addOnce((what.streams.formats ??= []), fmt.toLowerCase());
      continue;
    }
    if (def !== undefined) {
      errors.push(`"${word}": only streams take a definition.`);
      continue;
    }
    if (name === 'source') what.source = true;
    else if (name === 'cover') what.cover = true;
    else if (name === 'snapshots' || name === 'snapshot') what.snapshots = true;
    else if (name === 'sprites' || name === 'sprite') what.sprites = true;
    else errors.push(`"${word}" is not something a video has; use ${DOWNLOAD_WHAT_WORDS.join(', ')}.`);
  }
  return { what, errors };
}

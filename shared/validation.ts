// Metadata and file validation: the single module every shell and the engine use.
// Each check returns a list of problems (empty = valid) so a UI can show them inline
// and the CLI can print them all at once.

import {
  AUDIO_EXTENSIONS, IMAGE_EXTENSIONS, MAX_DESCRIPTION_CHARS, MAX_FILE_BYTES, MAX_TAG_CHARS,
  MAX_TAGS, MAX_TITLE_CHARS, VIDEO_EXTENSIONS, VOD_REGIONS,
} from './limits';

export type MediaKind = 'video' | 'audio' | 'image';

export interface Problem {
  field: 'title' | 'description' | 'tags' | 'file' | 'size' | 'extension' | 'cateId' | 'userData';
  code: string;
  message: string;
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

export function validateUserData(userData: string | undefined): Problem[] {
  if (!userData) return [];
  try {
    const v: unknown = JSON.parse(userData);
    if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new Error('not an object');
    return [];
  } catch {
    return [{ field: 'userData', code: 'UserDataNotJson', message: 'UserData must be a JSON object.' }];
  }
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
}

export function validateMetadata(meta: MetadataInput): Problem[] {
  return [
    ...validateTitle(meta.title),
    ...validateDescription(meta.description),
    ...validateTags(meta.tags ?? []),
    ...validateUserData(meta.userData),
  ];
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

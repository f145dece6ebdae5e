// A bulk edit of library videos as the operator words it ("append ' (2024)' to every
// title", "add the tag 'show'", "replace 'Ep' by 'Episode'"), turned into one VideoPatch
// per video from what each video has now. Pure, so the Library view and its tests agree.

import type { LibraryVideo, VideoPatch } from './library';
import { validateVideoPatch, type Problem } from './validation';

/**
 * Title: `set` gives every video the same title; `template` builds it from the video's
 * own (`{title}` stands for the current title, `{videoId}` for its id); `replace`
 * replaces every occurrence of `find` (case-sensitive, literal) by `with`.
 */
export type TitleEdit =
  | { mode: 'set'; value: string }
  | { mode: 'template'; value: string }
  | { mode: 'replace'; find: string; with: string };

/** Tags: `set` replaces the list, `add` and `remove` change each video's own list. */
export type TagsEdit = { mode: 'set' | 'add' | 'remove'; tags: string[] };

/** What to change; an absent field stays as each video has it. */
export interface BulkEdit {
  title?: TitleEdit;
  description?: string;
  cateId?: number;
  tags?: TagsEdit;
  coverUrl?: string;
}

export function editedTitle(video: Pick<LibraryVideo, 'title' | 'videoId'>, edit: TitleEdit): string {
  switch (edit.mode) {
    case 'set':
      return edit.value;
    case 'template':
      // One pass, so a title that itself contains `{videoId}` stays as it is.
      return edit.value.replace(/\{(title|videoId)\}/g, (_m, k: string) => (k === 'title' ? video.title : video.videoId));
    case 'replace':
      return edit.find === '' ? video.title : video.title.split(edit.find).join(edit.with);
  }
}

export function editedTags(current: readonly string[], edit: TagsEdit): string[] {
  if (edit.mode === 'set') return dedupe(edit.tags);
  if (edit.mode === 'add') return dedupe([...current, ...edit.tags]);
  const gone = new Set(edit.tags);
  return current.filter((t) => !gone.has(t));
}

function dedupe(tags: readonly string[]): string[] {
  return [...new Set(tags)];
}

/**
 * One patch per video, holding only the fields the edit names. A field whose new value
 * equals the current one is still sent (the operator asked for it; VOD answers per video).
 */
export function bulkPatches(videos: readonly Pick<LibraryVideo, 'videoId' | 'title' | 'tags'>[], edit: BulkEdit): VideoPatch[] {
  return videos.map((v) => {
    const patch: VideoPatch = { videoId: v.videoId };
    if (edit.title) patch.title = editedTitle(v, edit.title);
    if (edit.description !== undefined) patch.description = edit.description;
    if (edit.cateId !== undefined) patch.cateId = edit.cateId;
    if (edit.tags) patch.tags = editedTags(v.tags, edit.tags);
    if (edit.coverUrl !== undefined) patch.coverUrl = edit.coverUrl;
    return patch;
  });
}

/** Whether the edit changes anything at all (an empty form sends nothing). */
export function isEmptyEdit(edit: BulkEdit): boolean {
  return !edit.title && edit.description === undefined && edit.cateId === undefined && !edit.tags && edit.coverUrl === undefined;
}

/** What VOD would refuse in a patch (shared/validation.ts, as LibraryService checks it again before sending). */
export function patchProblems(patch: VideoPatch): Problem[] {
  return validateVideoPatch(patch);
}

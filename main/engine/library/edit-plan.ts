// A bulk edit as the CLI's flags state it ("--title-template '{title} (fixed)'", "--add-tag
// s2") in terms of the one bulk-edit rule the Library view uses too (shared/library-edit.ts):
// one VideoPatch per video from the videos' current metadata. LibraryService.edit then
// checks and sends them.

import type { LibraryVideo, VideoPatch } from '../../../shared/library';
import { bulkPatches, editedTitle, type BulkEdit } from '../../../shared/library-edit';

export interface EditSpec {
  /** The new title of every video. */
  title?: string;
  /** A title made from each video's own: `{title}` (its current title), `{videoId}`. */
  titleTemplate?: string;
  description?: string;
  cateId?: number;
  /** Replace the tags. */
  tags?: string[];
  /** Add these tags to each video's own (kept once). */
  addTags?: string[];
  coverUrl?: string;
}

/** Whether the spec needs each video's current metadata (a template or added tags). */
export function needsCurrent(spec: EditSpec): boolean {
  return spec.titleTemplate !== undefined || (spec.addTags?.length ?? 0) > 0;
}

export function renderTitle(template: string, v: Pick<LibraryVideo, 'title' | 'videoId'>): string {
  return editedTitle(v, { mode: 'template', value: template });
}

/** The CLI's flags as a BulkEdit: `--tags` with `--add-tag` sets the union. */
export function bulkEditOf(spec: EditSpec): BulkEdit {
  const edit: BulkEdit = {};
  if (spec.titleTemplate !== undefined) edit.title = { mode: 'template', value: spec.titleTemplate };
  else if (spec.title !== undefined) edit.title = { mode: 'set', value: spec.title };
  if (spec.description !== undefined) edit.description = spec.description;
  if (spec.cateId !== undefined) edit.cateId = spec.cateId;
  if (spec.coverUrl !== undefined) edit.coverUrl = spec.coverUrl;
  if (spec.tags !== undefined) edit.tags = { mode: 'set', tags: [...spec.tags, ...(spec.addTags ?? [])] };
  else if (spec.addTags?.length) edit.tags = { mode: 'add', tags: spec.addTags };
  return edit;
}

/** One patch per video; a field the spec leaves out is left out of the patch (unchanged in VOD). */
export function planEdits(videos: readonly Pick<LibraryVideo, 'videoId' | 'title' | 'tags'>[], spec: EditSpec): VideoPatch[] {
  return bulkPatches(videos, bulkEditOf(spec));
}

// A bulk edit as the operator states it ("append ' (fixed)' to every title", "add the tag
// s2") turned into one VideoPatch per video from the videos' current metadata. Pure: the
// CLI and the UI both plan with it, then LibraryService.edit checks and sends.

import type { LibraryVideo, VideoPatch } from '../../../shared/library';

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
  return template.replace(/\{(title|videoId)\}/g, (_m, k: string) => (k === 'title' ? v.title : v.videoId));
}

/** One patch per video; a field the spec leaves out is left out of the patch (unchanged in VOD). */
export function planEdits(videos: readonly Pick<LibraryVideo, 'videoId' | 'title' | 'tags'>[], spec: EditSpec): VideoPatch[] {
  return videos.map((v) => {
    const patch: VideoPatch = { videoId: v.videoId };
    if (spec.titleTemplate !== undefined) patch.title = renderTitle(spec.titleTemplate, v);
    else if (spec.title !== undefined) patch.title = spec.title;
    if (spec.description !== undefined) patch.description = spec.description;
    if (spec.cateId !== undefined) patch.cateId = spec.cateId;
    if (spec.coverUrl !== undefined) patch.coverUrl = spec.coverUrl;
    const base = spec.tags ?? (spec.addTags?.length ? v.tags : undefined);
    if (base !== undefined) patch.tags = [...new Set([...base, ...(spec.addTags ?? [])])];
    return patch;
  });
}

// How a downloaded file is named (issue 9): a template of the video's fields, made safe for
// every file system. One rule for the engine (main/engine/download/file-names.ts, which adds
// the extension's lookup and free-name search) and the download dialog's live preview.

import type { MediaItemKind } from './library';

/** Without a template: the title, then what sets the item apart from the video's others. */
export const DEFAULT_NAME_BY_KIND: Record<MediaItemKind, string> = {
  source: '{title}',
  stream: '{title}-{definition}',
  cover: '{title}-cover',
  snapshot: '{title}-snapshot-{index}',
  sprite: '{title}-sprite-{index}',
};

/** Longest name we make (bytes of UTF-8): 255 is the usual limit; the temp suffix and ` (99)` need room. */
const MAX_NAME_BYTES = 200;

export interface NameFields {
  title: string;
  videoId: string;
  kind: MediaItemKind;
  /** The item's key (`snapshot:3` gives `{index}` 3). */
  key?: string;
  definition?: string;
  format?: string;
  /** The file's extension, without the dot. */
  ext: string;
}

/**
 * The file name of an item: the template's `{title}`, `{videoId}`, `{definition}`,
 * `{format}`, `{kind}`, `{index}`, `{ext}` filled in (an unknown field stays as typed),
 * made safe, with `.ext` added when the template does not place it.
 */
export function fileNameFor(template: string | undefined, f: NameFields): string {
  const tpl = template?.trim() || DEFAULT_NAME_BY_KIND[f.kind];
  const fields: Record<string, string> = {
    title: f.title || f.videoId,
    videoId: f.videoId,
    definition: f.definition ?? (f.kind === 'source' ? 'source' : ''),
    format: f.format ?? f.ext,
    kind: f.kind,
    index: /:(\d+)$/.exec(f.key ?? '')?.[1] ?? '',
    ext: f.ext,
  };
  const filled = tpl.replace(/\{(\w+)\}/g, (m, k: string) => (k in fields ? fields[k] : m));
  const base = safeName(tpl.includes('{ext}') ? filled : filled.replace(/[-_ .]+$/, ''));
  return tpl.includes('{ext}') ? base : `${base}.${f.ext}`;
}

const utf8 = new TextEncoder();

/**
 * A name every file system takes: no path separators or characters Windows refuses, no
 * control characters, no leading/trailing dots or spaces, not a reserved device name,
 * not empty, and at most MAX_NAME_BYTES of UTF-8.
 */
export function safeName(name: string): string {
  // eslint-disable-next-line no-control-regex
  let s = name.replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_').replace(/\s+/g, ' ').trim().replace(/^[. ]+|[. ]+$/g, '');
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(s)) s = `_${s}`;
  if (!s) s = 'untitled';
  while (utf8.encode(s).length > MAX_NAME_BYTES) s = s.slice(0, -1);
  return s;
}

// How a downloaded file is named (issue 9): a template of the video's fields, made safe
// for every file system, and a free name when another file or job has it already
// (` (2)`, ` (3)`…, as browsers and file managers do).

import path from 'node:path';
import type { MediaUrl } from '../../../shared/library';

/** Without a template: the title, then what sets the item apart from the video's others. */
const DEFAULT_BY_KIND: Record<MediaUrl['kind'], string> = {
  source: '{title}',
  stream: '{title}-{definition}',
  cover: '{title}-cover',
  snapshot: '{title}-snapshot-{index}',
  sprite: '{title}-sprite-{index}',
};

/** The suffix of the temporary file the bytes arrive in, beside the final name. */
export const TEMP_SUFFIX = '.vodpart';

/** Longest name we make (bytes of UTF-8): 255 is the usual limit; the temp suffix and ` (99)` need room. */
const MAX_NAME_BYTES = 200;

/** The extension the item's file takes: its own name's, else its format's, else the URL's. */
export function extensionOf(item: Pick<MediaUrl, 'fileName' | 'format' | 'url' | 'kind'>): string {
  const fromName = item.fileName ? path.extname(item.fileName).slice(1) : '';
  if (fromName) return fromName.toLowerCase();
  if (item.format) return item.format.toLowerCase();
  try {
    const ext = path.posix.extname(new URL(item.url).pathname).slice(1);
    if (ext) return ext.toLowerCase();
  } catch {
    // not a URL we can read: fall through
  }
  return item.kind === 'cover' || item.kind === 'snapshot' || item.kind === 'sprite' ? 'jpg' : 'bin';
}

/**
 * The file name of an item: the template's `{title}`, `{videoId}`, `{definition}`,
 * `{format}`, `{kind}`, `{index}`, `{ext}` filled in (an unknown field stays as typed),
 * made safe, with `.ext` added when the template does not place it.
 */
export function renderName(template: string | undefined, item: MediaUrl): string {
  const ext = extensionOf(item);
  const tpl = template?.trim() || DEFAULT_BY_KIND[item.kind];
  const index = /:(\d+)$/.exec(item.key)?.[1] ?? '';
  const fields: Record<string, string> = {
    title: item.title || item.videoId,
    videoId: item.videoId,
    definition: item.definition ?? (item.kind === 'source' ? 'source' : ''),
    format: item.format ?? ext,
    kind: item.kind,
    index,
    ext,
  };
  const filled = tpl.replace(/\{(\w+)\}/g, (m, k: string) => (k in fields ? fields[k] : m));
  const base = safeName(tpl.includes('{ext}') ? filled : filled.replace(/[-_ .]+$/, ''));
  return tpl.includes('{ext}') ? base : `${base}.${ext}`;
}

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
  while (Buffer.byteLength(s) > MAX_NAME_BYTES) s = s.slice(0, -1);
  return s;
}

/**
 * The first free name in `dir` for `name`: itself, else `stem (2).ext`, `stem (3).ext`…
 * `taken` says whether a path is in use (on disk, by another job, by an earlier item of
 * the same request).
 */
export function freeName(dir: string, name: string, taken: (p: string) => boolean): string {
  const ext = path.extname(name);
  const stem = name.slice(0, name.length - ext.length);
  for (let n = 1; ; n++) {
    const candidate = path.join(dir, n === 1 ? name : `${stem} (${n})${ext}`);
    if (!taken(candidate)) return candidate;
  }
}

// How a downloaded file is named (issue 9): the template rule of shared/download-names.ts
// with the item's extension, and a free name when another file or job has it already
// (` (2)`, ` (3)`…, as browsers and file managers do).

import path from 'node:path';
import { fileNameFor } from '../../../shared/download-names';
import type { MediaUrl } from '../../../shared/library';

/** The suffix of the temporary file the bytes arrive in, beside the final name. */
export const TEMP_SUFFIX = '.vodpart';

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

/** The file name of an item (shared/download-names.ts, the rule the download dialog previews). */
export function renderName(template: string | undefined, item: MediaUrl): string {
  return fileNameFor(template, { ...item, ext: extensionOf(item) });
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

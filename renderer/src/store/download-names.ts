// The name a download's file will get, for the download dialog's live preview. It mirrors
// main/engine/download/file-names.ts (renderName, safeName), which the renderer cannot
// import; test/unit/download-name-preview.test.ts holds the two to the same answers.

/** The names the engine gives without a template, per kind of item. */
const DEFAULT_NAME_BY_KIND: Record<string, string> = {
  source: '{title}',
  stream: '{title}-{definition}',
  cover: '{title}-cover',
  snapshot: '{title}-snapshot-{index}',
  sprite: '{title}-sprite-{index}',
};

export interface PreviewItem {
  kind: 'source' | 'stream' | 'cover' | 'snapshot' | 'sprite';
  definition?: string;
  format?: string;
  ext: string;
  index?: string;
}

/** The file name the engine will give an item (file-names.ts renderName), for the live preview. */
export function previewName(template: string, v: { title: string; videoId: string }, item: PreviewItem): string {
  const tpl = template.trim() || DEFAULT_NAME_BY_KIND[item.kind];
  const fields: Record<string, string> = {
    title: v.title || v.videoId,
    videoId: v.videoId,
    definition: item.definition ?? (item.kind === 'source' ? 'source' : ''),
    format: item.format ?? item.ext,
    kind: item.kind,
    index: item.index ?? '',
    ext: item.ext,
  };
  const filled = tpl.replace(/\{(\w+)\}/g, (m, k: string) => (k in fields ? fields[k] : m));
  const withExt = tpl.includes('{ext}');
  // eslint-disable-next-line no-control-regex
  let name = (withExt ? filled : filled.replace(/[-_ .]+$/, '')).replace(/[\u0000-\u001f\u007f<>:"/\\|?*]/g, '_')
    .replace(/\s+/g, ' ').trim().replace(/^[. ]+|[. ]+$/g, '');
  if (/^(con|prn|aux|nul|com\d|lpt\d)(\..*)?$/i.test(name)) name = `_${name}`;
  if (!name) name = 'untitled';
  return withExt ? name : `${name}.${item.ext}`;
}


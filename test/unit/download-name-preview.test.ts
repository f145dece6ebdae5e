// The download dialog's preview of a file name says what the engine will name the file:
// the renderer's copy (renderer/src/store/download-names.ts) against the engine's rule
// (main/engine/download/file-names.ts) over templates, kinds and awkward titles.

import { describe, expect, it } from 'vitest';
import { renderName } from '../../main/engine/download/file-names';
import type { MediaUrl } from '../../shared/library';
import { previewName, type PreviewItem } from '../../renderer/src/store/download-names';

const items: { item: PreviewItem; url: Pick<MediaUrl, 'key' | 'kind' | 'definition' | 'format' | 'fileName'> }[] = [
  { item: { kind: 'source', ext: 'mov' }, url: { key: 'source', kind: 'source', fileName: 'master.MOV' } },
  { item: { kind: 'stream', definition: 'HD', format: 'mp4', ext: 'mp4' }, url: { key: 'stream:HD:mp4', kind: 'stream', definition: 'HD', format: 'mp4' } },
  { item: { kind: 'cover', ext: 'jpg' }, url: { key: 'cover', kind: 'cover', fileName: 'cover.jpg' } },
  { item: { kind: 'snapshot', ext: 'jpg', index: '3' }, url: { key: 'snapshot:3', kind: 'snapshot', fileName: 's.jpg' } },
];

describe('download name preview', () => {
  it('names every item as the engine does', () => {
    const videos = [
      { videoId: 'a1', title: 'Show: Ep 1 / "final"' },
      { videoId: 'b2', title: '  .hidden  ' },
      { videoId: 'c3', title: '' },
      { videoId: 'd4', title: 'CON' },
    ];
    const templates = ['', '{title}.{ext}', '{videoId}-{kind}-{definition}', '{title}_{format}_{index}', '{unknown}-{title}'];
    for (const v of videos) {
      for (const tpl of templates) {
        for (const { item, url } of items) {
          const engine = renderName(tpl || undefined, { ...url, videoId: v.videoId, title: v.title, url: 'https://example.com/x' });
          expect(previewName(tpl, v, item), `${tpl} ${url.key} "${v.title}"`).toBe(engine);
        }
      }
    }
  });
});

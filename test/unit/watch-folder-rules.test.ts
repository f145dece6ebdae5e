// The metadata a watch folder gives each file it takes: the title template as
// `vodup watch --title` applies it (dropTitle, shared by the CLI and the app).

import { describe, expect, it } from 'vitest';
import { metaFor } from '../../main/app/watch-folders';
import { dropTitle } from '../../main/engine/drop-folder';

describe('watch folder rules', () => {
  it('titles each file by its name, inside the template, or after a plain title', () => {
    expect(dropTitle('/drop/news/Evening 1.mp4', undefined)).toBe('Evening 1');
    expect(dropTitle('/drop/news/Evening 1.mp4', '')).toBe('Evening 1');
    expect(dropTitle('/drop/news/Evening 1.mp4', '[{name}] · {name}')).toBe('[Evening 1] · Evening 1');
    expect(dropTitle('/drop/news/Evening 1.mp4', 'News')).toBe('News Evening 1');
  });

  it('gives each file the folder\'s category, group, workflow, tags and description, and nothing it does not set', () => {
    expect(metaFor('/d/a.mov', { title: 'Show', tags: ['x', 'y'], cateId: 7, templateGroupId: 'g1', workflowId: 'w1', description: 'd' }))
      .toEqual({ title: 'Show a', tags: ['x', 'y'], cateId: 7, templateGroupId: 'g1', workflowId: 'w1', description: 'd' });
    expect(metaFor('/d/a.mov', { tags: [] })).toEqual({ title: 'a', tags: [] });
  });
});

// Bulk edits of library videos as the Library view words them: each video's patch made
// from its own title and tags, and what VOD would refuse caught before sending.

import { describe, expect, it } from 'vitest';
import { bulkPatches, editedTags, editedTitle, isEmptyEdit, patchProblems } from '../../shared/library-edit';
import type { LibraryVideo } from '../../shared/library';

const video = (videoId: string, title: string, tags: string[] = []): LibraryVideo => ({
  videoId, title, tags, status: 'Normal', createdAt: 0,
});

describe('bulk edit of library videos', () => {
  it('builds titles from a template, a replacement or one value', () => {
    const v = video('a1', 'Ep 1 Ep');
    expect(editedTitle(v, { mode: 'template', value: '{title} (2024) {videoId}' })).toBe('Ep 1 Ep (2024) a1');
    expect(editedTitle(v, { mode: 'replace', find: 'Ep', with: 'Episode' })).toBe('Episode 1 Episode');
    expect(editedTitle(v, { mode: 'replace', find: '', with: 'x' })).toBe('Ep 1 Ep');
    expect(editedTitle(v, { mode: 'set', value: 'Same' })).toBe('Same');
  });

  it('adds, removes and sets tags per video without duplicates', () => {
    expect(editedTags(['a', 'b'], { mode: 'add', tags: ['b', 'c'] })).toEqual(['a', 'b', 'c']);
    expect(editedTags(['a', 'b'], { mode: 'remove', tags: ['a', 'z'] })).toEqual(['b']);
    expect(editedTags(['a'], { mode: 'set', tags: ['x', 'x', 'y'] })).toEqual(['x', 'y']);
  });

  it('makes one patch per video holding only the fields named', () => {
    const patches = bulkPatches([video('a', 'One', ['t']), video('b', 'Two')], {
      title: { mode: 'template', value: '{title}!' }, tags: { mode: 'add', tags: ['new'] }, cateId: 7,
    });
    expect(patches).toEqual([
      { videoId: 'a', title: 'One!', tags: ['t', 'new'], cateId: 7 },
      { videoId: 'b', title: 'Two!', tags: ['new'], cateId: 7 },
    ]);
    expect(bulkPatches([video('a', 'One')], { description: '' })).toEqual([{ videoId: 'a', description: '' }]);
    expect(isEmptyEdit({})).toBe(true);
    expect(isEmptyEdit({ description: '' })).toBe(false);
  });

  it('catches what VOD would refuse, by the upload rules', () => {
    expect(patchProblems({ videoId: 'a', title: '   ' }).map((p) => p.code)).toEqual(['TitleEmpty']);
    expect(patchProblems({ videoId: 'a', title: 'x'.repeat(129) }).map((p) => p.code)).toEqual(['TitleTooLong']);
    expect(patchProblems({ videoId: 'a', tags: ['a', 'a'] }).map((p) => p.code)).toEqual(['DuplicateTag']);
    expect(patchProblems({ videoId: 'a', title: 'fine', tags: ['ok'] })).toEqual([]);
  });
});

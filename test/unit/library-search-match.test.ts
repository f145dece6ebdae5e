// The Match builder and the paging cursor (main/engine/vod/search-match.ts), checked
// against the sandbox's own parser of VOD's media search protocol (main/sandbox/search-match.ts)
// so that what the app sends is what the protocol reads; and the bulk-edit planner.
import { describe, expect, it } from 'vitest';
import { buildMatch, decodeCursor, encodeCursor, pageSizeOf, quote, searchKey } from '../../main/engine/vod/search-match';
import { planEdits, renderTitle } from '../../main/engine/library/edit-plan';
import { compileMatch, parseMatch, type MatchSubject } from '../../main/sandbox/search-match';
import { looseMatch } from '../../main/sandbox/media-library';
import { validateVideoPatch } from '../../shared/validation';

const T = Date.parse('2024-01-01T00:00:00Z');

function subject(over: Partial<MatchSubject> = {}): MatchSubject {
  const title = over.title ?? 'Episode 1';
  return {
    videoId: 'a'.repeat(32), title, cateId: 1000001, status: 'Normal', storageLocation: 'outin-x.oss-cn-shanghai.aliyuncs.com',
    appId: 'app-1000000', tags: ['s1'], createdAt: T, modifiedAt: T, titleHas: (q) => looseMatch(title, q), ...over,
  };
}

const matches = (match: string, s: MatchSubject): boolean => compileMatch(parseMatch(match), looseMatch)(s);

describe('buildMatch', () => {
  it('joins every filter with and, in the protocol\'s syntax', () => {
    const m = buildMatch({
      title: 'Episode', cateId: 1000001, tags: ['s1', 'drama'], statuses: ['Normal', 'Checking'],
      createdFrom: T, createdTo: T + 86_400_000, storageLocation: 'outin-x.oss-cn-shanghai.aliyuncs.com', appId: 'app-1000000',
    });
    expect(m).toBe("Title = 'Episode' and CateId = 1000001 and Tags in ('s1','drama') and Status in ('Normal','Checking') and "
      + "CreationTime = ['2024-01-01T00:00:00Z','2024-01-02T00:00:00Z') and StorageLocation = 'outin-x.oss-cn-shanghai.aliyuncs.com' and AppId = 'app-1000000'");
    expect(matches(m, subject())).toBe(true);
    expect(matches(m, subject({ createdAt: T + 86_400_000 }))).toBe(false);
    expect(matches(m, subject({ status: 'Blocked' }))).toBe(false);
    expect(matches(m, subject({ tags: ['other'] }))).toBe(false);
  });

  it('is empty for no filter, and open-ended for one time bound', () => {
    expect(buildMatch({})).toBe('');
    expect(buildMatch({ createdFrom: T })).toBe("CreationTime = ['2024-01-01T00:00:00Z',)");
    expect(buildMatch({ createdTo: T })).toBe("CreationTime = [,'2024-01-01T00:00:00Z')");
    expect(matches(buildMatch({ createdTo: T }), subject({ createdAt: T - 1000 }))).toBe(true);
    expect(matches(buildMatch({ createdTo: T }), subject({ createdAt: T }))).toBe(false);
  });

  it('escapes quotes and backslashes so a title cannot change the query', () => {
    expect(quote("it's")).toBe("'it\\'s'");
    const tricky = "O'Brien\\' or Title = 'x";
    const m = buildMatch({ title: tricky, cateId: 7 });
    const parsed = parseMatch(m);
    expect(parsed).toEqual({ op: 'and', nodes: [{ op: 'eq', field: 'Title', value: tricky }, { op: 'eq', field: 'CateId', value: '7' }] });
    expect(matches(m, subject({ title: tricky, cateId: 7, titleHas: (q) => looseMatch(tricky, q) }))).toBe(true);
  });

  it('refuses an empty time range, a bad category and a page over 100', () => {
    expect(() => buildMatch({ createdFrom: T, createdTo: T })).toThrow(/range is empty/);
    expect(() => buildMatch({ cateId: 1.5 })).toThrow(/whole number/);
    expect(() => pageSizeOf({ pageSize: 101 })).toThrow(/1 to 100/);
    expect(pageSizeOf({})).toBe(50);
  });
});

describe('paging cursor', () => {
  it('round-trips and belongs to one search', () => {
    const key = searchKey("Title = 'a'", 'CreationTime:Desc');
    const c = encodeCursor({ pageNo: 51, pageSize: 100, scrollToken: 'f'.repeat(32), search: key });
    expect(decodeCursor(c, "Title = 'a'", 'CreationTime:Desc')).toEqual({ pageNo: 51, pageSize: 100, scrollToken: 'f'.repeat(32), search: key });
    expect(() => decodeCursor(c, "Title = 'b'", 'CreationTime:Desc')).toThrow(/another search/);
    expect(() => decodeCursor(c, "Title = 'a'", 'CreationTime:Asc')).toThrow(/another search/);
    expect(() => decodeCursor('not-a-cursor', '', 'CreationTime:Desc')).toThrow(/not one this app made/);
  });
});

describe('bulk edit planning', () => {
  const videos = [
    { videoId: 'a'.repeat(32), title: 'Ep 1', tags: ['s1'] },
    { videoId: 'b'.repeat(32), title: 'Ep 2', tags: [] },
  ];

  it('fills a title template per video and adds tags once', () => {
    const patches = planEdits(videos, { titleTemplate: '{title} (fixed)', addTags: ['s1', 'hd'] });
    expect(patches).toEqual([
      { videoId: 'a'.repeat(32), title: 'Ep 1 (fixed)', tags: ['s1', 'hd'] },
      { videoId: 'b'.repeat(32), title: 'Ep 2 (fixed)', tags: ['s1', 'hd'] },
    ]);
    expect(renderTitle('{videoId}: {title}', videos[1])).toBe(`${'b'.repeat(32)}: Ep 2`);
  });

  it('leaves out what the spec does not change, and validation refuses what VOD would', () => {
    expect(planEdits(videos, { cateId: 1000002 })).toEqual([{ videoId: 'a'.repeat(32), cateId: 1000002 }, { videoId: 'b'.repeat(32), cateId: 1000002 }]);
    expect(validateVideoPatch({ videoId: 'a'.repeat(32), title: 'x'.repeat(129) }).map((p) => p.code)).toEqual(['TitleTooLong']);
    expect(validateVideoPatch({ videoId: 'a'.repeat(32), tags: Array.from({ length: 17 }, (_, i) => `t${i}`) }).map((p) => p.code)).toEqual(['TooManyTags']);
    expect(validateVideoPatch({ videoId: 'a'.repeat(32), coverUrl: 'file:///x.png' }).map((p) => p.code)).toEqual(['CoverUrlInvalid']);
    expect(validateVideoPatch({ videoId: 'a'.repeat(32) }).map((p) => p.code)).toEqual(['NothingToChange']);
    expect(validateVideoPatch({ videoId: 'a'.repeat(32), title: '修正 (fixed)' })).toEqual([]);
  });
});

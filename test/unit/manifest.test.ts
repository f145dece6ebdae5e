import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { readManifest } from '../../main/engine/manifest';
import type { CategoryNode } from '../../shared/types';
import { tempDir } from '../helpers/files';

describe('manifests', () => {
  it('reads a CSV as Excel saves it: BOM, the PC tool\'s Chinese headers, quoted cells, relative paths', async () => {
    const dir = await tempDir();
    const csv = '\uFEFF文件,资源名称,分类,标签,资源描述,转码模板组,封面\r\n'
      + 'clips/a.mp4,"第一集, 上",1000001,"news,体育",A description,VOD_NO_TRANSCODE,covers/a.png\r\n'
      + 'b.mov,,,"one; two",,,\r\n';
    const file = path.join(dir, 'list.csv');
    await fsp.writeFile(file, csv);
    const { items, problems } = await readManifest(file);
    expect(problems).toEqual([]);
    expect(items).toEqual([
      {
        path: path.join(dir, 'clips/a.mp4'),
        meta: {
          title: '第一集, 上', tags: ['news', '体育'], description: 'A description', templateGroupId: 'VOD_NO_TRANSCODE',
          coverPath: path.join(dir, 'covers/a.png'), cateId: 1000001,
        },
      },
      // No title: the file name, as everywhere else; semicolons separate tags too.
      { path: path.join(dir, 'b.mov'), meta: { title: 'b', tags: ['one', 'two'] } },
    ]);
  });

  it('reports each bad row with its number and the reason, and keeps the good ones', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'list.csv');
    await fsp.writeFile(file, [
      'path,title,category,tags,priority',
      `ok.mp4,Fine,,,5`,
      `long.mp4,${'x'.repeat(129)},,,`,
      `notes.txt,Text,,,`,
      `cat.mp4,Cat,Movies,,`,
      `,No path,,,`,
      `tags.mp4,Tags,,"${Array.from({ length: 17 }, (_, i) => `t${i}`).join(',')}",`,
      `prio.mp4,Prio,,,soon`,
    ].join('\n'));
    const { items, problems } = await readManifest(file);
    expect(items).toEqual([{ path: path.join(dir, 'ok.mp4'), meta: { title: 'Fine', tags: [] }, priority: 5 }]);
    // One item or one problem per row, in row order (the app numbers its own checks by it).
    expect(items.length + problems.length).toBe(7);
    expect(problems.map((p) => [p.row, p.message])).toEqual([
      [2, 'Title has 129 characters; the limit is 128.'],
      [3, '".txt" is not a format VOD accepts for video/audio uploads.'],
      [4, 'Category "Movies" is not a category id (a number).'],
      [5, 'No file path (a "path" column is required).'],
      [6, '17 tags; at most 16 are allowed.'],
      [7, 'Priority "soon" is not a whole number.'],
    ]);
  });

  it('resolves category names and paths against the account\'s tree, and says when it cannot', async () => {
    const leaf = (cateId: number, name: string, children: CategoryNode[] = []): CategoryNode => ({ cateId, name, level: 0, parentId: -1, children });
    const categories = [
      leaf(1, 'Movies', [leaf(2, 'Action', [leaf(3, 'Classics')]), leaf(4, 'Drama')]),
      leaf(5, 'Series', [leaf(6, 'Drama')]),
    ];
    const dir = await tempDir();
    const file = path.join(dir, 'list.csv');
    await fsp.writeFile(file, ['path,category', 'a.mp4,Action', 'b.mp4,movies / action / CLASSICS', 'c.mp4,Series>Drama', 'd.mp4,Drama', 'e.mp4,Cartoons'].join('\n'));
    const { items, problems } = await readManifest(file, { categories });
    expect(items.map((i) => [path.basename(i.path), i.meta.cateId])).toEqual([['a.mp4', 2], ['b.mp4', 3], ['c.mp4', 6]]);
    expect(problems.map((p) => [p.row, p.message])).toEqual([
      [4, 'Category "Drama" is ambiguous: Movies/Drama (4), Series/Drama (6). Give its path or its id.'],
      [5, 'No category is named "Cartoons" in this account.'],
    ]);
  });

  it('reads a JSON array with the same names, and says what is wrong with a malformed one', async () => {
    const dir = await tempDir();
    const file = path.join(dir, 'list.json');
    await fsp.writeFile(file, JSON.stringify([{ path: '/srv/in/x.mkv', title: 'X', tags: ['a', 'b'], userData: { Extend: { id: 7 } }, category: 1000002 }]));
    expect((await readManifest(file)).items).toEqual([
      { path: '/srv/in/x.mkv', meta: { title: 'X', tags: ['a', 'b'], userData: '{"Extend":{"id":7}}', cateId: 1000002 } },
    ]);
    // A row VOD would refuse is refused here, with its row number: Extend over 512 bytes, a storage location that is not one.
    await fsp.writeFile(file, JSON.stringify([
      { path: '/srv/in/ok.mkv', storageLocation: 'outin-0123456789abcdef0123456789abcdef.oss-cn-beijing.aliyuncs.com' },
      { path: '/srv/in/long.mkv', userData: { Extend: { note: 'n'.repeat(600) } } },
      { path: '/srv/in/where.mkv', storageLocation: 'my-bucket' },
    ]));
    const checked = await readManifest(file);
    expect(checked.items.map((i) => path.basename(i.path))).toEqual(['ok.mkv']);
    expect(checked.problems.map((p) => [p.row, p.message])).toEqual([
      [2, expect.stringContaining("UserData's Extend is 611 bytes; VOD takes at most 512")],
      [3, expect.stringContaining('"my-bucket" is not a VOD storage address.')],
    ]);
    await fsp.writeFile(file, JSON.stringify({ path: 'x.mp4' }));
    await expect(readManifest(file)).rejects.toThrow('A JSON manifest is an array of objects, one per file.');
  });
  it('reports the rows a playlist row lists as its segments, naming its row, and keeps only the playlist of them', async () => {
    const dir = await tempDir();
    await fsp.mkdir(path.join(dir, 'show', 'hi'), { recursive: true });
    await fsp.writeFile(path.join(dir, 'show', 'main.m3u8'), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhi/index.m3u8\n');
    await fsp.writeFile(path.join(dir, 'show', 'hi', 'index.m3u8'), '#EXTM3U\n#EXTINF:2,\nseg0.ts\n#EXTINF:2,\nseg1.ts\n');
    for (const s of ['seg0.ts', 'seg1.ts']) await fsp.writeFile(path.join(dir, 'show', 'hi', s), s);
    await fsp.writeFile(path.join(dir, 'lone.ts'), 'a video of its own');
    const file = path.join(dir, 'list.csv');
    await fsp.writeFile(file, [
      'path,title',
      'show/hi/seg0.ts,Seg 0',
      'show/main.m3u8,The show',
      'bad.txt,Text',
      'lone.ts,Lone',
      'show/hi/index.m3u8,Variant',
      'show/hi/seg1.ts,Seg 1',
    ].join('\n'));
    const { items, problems } = await readManifest(file);
    expect(items.map((i) => [path.relative(dir, i.path), i.meta.title])).toEqual([
      [path.join('show', 'main.m3u8'), 'The show'], ['lone.ts', 'Lone'],
    ]);
    expect(items.length + problems.length).toBe(6);
    const segment = 'Segment of main.m3u8 (row 2): it is uploaded with that playlist, not as a video of its own.';
    expect(problems.map((p) => [p.row, p.message])).toEqual([
      [1, segment],
      [3, '".txt" is not a format VOD accepts for video/audio uploads.'],
      [5, segment],
      [6, segment],
    ]);
    expect(problems[0].path).toBe(path.join(dir, 'show', 'hi', 'seg0.ts'));
  });
});

import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { browseDirectory, scanPaths } from '../../main/app/scan';
import { tempDir } from '../helpers/files';

function write(file: string, bytes = 10): string {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, Buffer.alloc(bytes, 1));
  return file;
}

describe('scanPaths', () => {
  it('expands folders recursively in natural order and sorts out what VOD refuses', async () => {
    const root = await tempDir();
    const ep10 = write(path.join(root, 'show', 'ep10.mp4'), 100);
    const ep2 = write(path.join(root, 'show', 'ep2.MKV'), 200);
    const song = write(path.join(root, 'show', 'music', 'song.flac'), 300);
    const notes = write(path.join(root, 'show', 'notes.txt'));
    const empty = write(path.join(root, 'show', 'empty.mov'), 0);
    write(path.join(root, 'show', '._ep2.MKV'));
    write(path.join(root, 'show', '.hidden', 'x.mp4'));
    const result = await scanPaths([path.join(root, 'show')]);
    expect(result.files).toEqual([
      { path: empty, size: 0, kind: 'video' },
      { path: ep2, size: 200, kind: 'video' },
      { path: ep10, size: 100, kind: 'video' },
      { path: song, size: 300, kind: 'audio' },
    ]);
    // An empty file is uploadable (OSS keeps an empty object); only what VOD refuses is out.
    expect(result.rejected.map((r) => r.path)).toEqual([notes]);
    expect(result.rejected.find((r) => r.path === notes)?.reason).toMatch(/\.txt/);
  });

  it('keeps an HLS playlist as one file and lists the files it refers to as skipped', async () => {
    const root = await tempDir();
    const playlist = path.join(root, 'pkg', 'show.m3u8');
    fs.mkdirSync(path.dirname(playlist), { recursive: true });
    fs.writeFileSync(playlist, '#EXTM3U\n#EXTINF:2,\nseg0.ts\n#EXTINF:2,\nhd/seg1.ts\n#EXT-X-ENDLIST\n');
    const seg0 = write(path.join(root, 'pkg', 'seg0.ts'));
    const seg1 = write(path.join(root, 'pkg', 'hd', 'seg1.ts'));
    const other = write(path.join(root, 'pkg', 'trailer.ts'));
    const result = await scanPaths([root]);
    expect(result.files.map((f) => f.path)).toEqual([playlist, other]);
    expect(result.rejected.map((r) => [r.path, r.reason])).toEqual([
      [seg1, expect.stringMatching(/^Segment of show\.m3u8/)],
      [seg0, expect.stringMatching(/^Segment of show\.m3u8/)],
    ]);
  });

  it('ends a symlink loop and counts a file reached twice once', async () => {
    const root = await tempDir();
    const clip = write(path.join(root, 'a', 'clip.mp4'));
    fs.symlinkSync(root, path.join(root, 'a', 'loop'));
    const result = await scanPaths([root, clip]);
    expect(result.files.map((f) => f.path)).toEqual([clip]);
    expect(result.rejected).toEqual([]);
  });

  it('reports a missing path with what happened', async () => {
    const root = await tempDir();
    const gone = path.join(root, 'gone.mp4');
    const result = await scanPaths([gone]);
    expect(result.files).toEqual([]);
    expect(result.rejected).toEqual([{ path: gone, reason: expect.stringMatching(/Not found/), code: 'FileMissing' }]);
  });
});

describe('browseDirectory', () => {
  it('lists folders first, then files with sizes, hiding dot entries, with the parent', async () => {
    const root = await tempDir();
    write(path.join(root, 'b.mp4'), 5);
    write(path.join(root, 'a.txt'), 7);
    fs.mkdirSync(path.join(root, 'zdir'));
    write(path.join(root, '.secret'));
    const listing = await browseDirectory(root);
    expect(listing.path).toBe(root);
    expect(listing.parent).toBe(path.dirname(root));
    expect(listing.entries).toEqual([
      { name: 'zdir', path: path.join(root, 'zdir'), isDirectory: true },
      { name: 'a.txt', path: path.join(root, 'a.txt'), isDirectory: false, size: 7 },
      { name: 'b.mp4', path: path.join(root, 'b.mp4'), isDirectory: false, size: 5 },
    ]);
    // The free space of its file system, as statfs reports it to this user.
    const st = await fs.promises.statfs(root);
    expect(listing.freeBytes).toBeGreaterThan(0);
    expect(Math.abs(listing.freeBytes! - st.bavail * st.bsize)).toBeLessThan(64 * 1024 * 1024);
  });

  it('refuses a missing folder with a code and a message', async () => {
    const root = await tempDir();
    await expect(browseDirectory(path.join(root, 'nope'))).rejects.toMatchObject({ code: 'ENOENT', message: expect.stringMatching(/Not found/) });
  });
});

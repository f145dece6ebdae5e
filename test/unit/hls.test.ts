// The HLS playlist reader: what a playlist lists, which files make its package, and
// what is refused (with the file and the line named).
import fs from 'fs';
import os from 'os';
import path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parsePlaylist, readHlsPackage, separateHlsSegments, segmentSkipReason } from '../../main/engine/hls';
import { thrownEngineError } from '../helpers/errors';

let dir: string;
beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'hls-unit-'));
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes files (text) under a fresh folder; returns the folder. */
function pkg(name: string, files: Record<string, string>): string {
  const root = path.join(dir, name);
  for (const [rel, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(root, rel)), { recursive: true });
    fs.writeFileSync(path.join(root, rel), text);
  }
  return root;
}

async function refusal(p: Promise<unknown>) {
  let thrown: unknown;
  try {
    await p;
  } catch (err) {
    thrown = err;
  }
  return thrownEngineError(() => {
    if (thrown) throw thrown;
  });
}

describe('parsePlaylist', () => {
  it('lists segments, init sections and keys of a media playlist with their lines', () => {
    const text = '\uFEFF#EXTM3U\r\n#EXT-X-VERSION:7\r\n# a comment\r\n#EXT-X-KEY:METHOD=AES-128,URI="keys/k1.bin",IV=0x1\r\n' +
      '#EXT-X-MAP:URI="init.mp4",BYTERANGE="720@0"\r\n\r\n#EXTINF:2.0,title, with comma\r\nseg0.m4s\r\n' +
      '#EXT-X-KEY:METHOD=NONE\r\n#EXTINF:2.0,\r\n  sub/seg1.m4s  \r\n#EXT-X-ENDLIST\r\n';
    const parsed = parsePlaylist(text);
    expect(parsed.isPlaylist).toBe(true);
    expect(parsed.references).toEqual([
      { uri: 'keys/k1.bin', kind: 'key', line: 4 },
      { uri: 'init.mp4', kind: 'map', line: 5 },
      { uri: 'seg0.m4s', kind: 'segment', line: 8 },
      { uri: 'sub/seg1.m4s', kind: 'segment', line: 11 },
    ]);
  });

  it('lists the variant and rendition playlists of a master playlist', () => {
    const text = '#EXTM3U\n#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="a",NAME="English, US",URI="audio/en.m3u8"\n' +
      '#EXT-X-STREAM-INF:BANDWIDTH=1280000,CODECS="avc1.4d401f,mp4a.40.2"\nhi/index.m3u8\n' +
      '#EXT-X-I-FRAME-STREAM-INF:BANDWIDTH=86000,URI="hi/iframe.m3u8"\n#EXT-X-SESSION-KEY:METHOD=SAMPLE-AES,URI="skd://key"\n';
    expect(parsePlaylist(text).references.map((r) => [r.kind, r.uri])).toEqual([
      ['playlist', 'audio/en.m3u8'], ['playlist', 'hi/index.m3u8'], ['playlist', 'hi/iframe.m3u8'], ['key', 'skd://key'],
    ]);
  });

  it('knows text that is not a playlist', () => {
    expect(parsePlaylist('seg0.ts\n').isPlaylist).toBe(false);
    expect(parsePlaylist('').isPlaylist).toBe(false);
  });
});

describe('readHlsPackage', () => {
  it('collects each file once, relative to the playlist folder, with the total size', async () => {
    const root = pkg('media', {
      'show.m3u8': '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\n#EXT-X-BYTERANGE:100@0\nall.m4s\n#EXTINF:2,\n#EXT-X-BYTERANGE:100@100\nall.m4s\n' +
        '#EXTINF:2,\nextra%20one.m4s?token=abc\n#EXTINF:2,\nsub\\win.m4s\n#EXT-X-KEY:METHOD=AES-128,URI="https://keys.example.com/k"\n#EXT-X-ENDLIST\n',
      'init.mp4': 'i'.repeat(10),
      'all.m4s': 'a'.repeat(200),
      'extra one.m4s': 'e'.repeat(5),
      'sub/win.m4s': 'w'.repeat(7),
    });
    const p = await readHlsPackage(path.join(root, 'show.m3u8'));
    expect(p.files.map((f) => [f.relPath, f.kind, f.size])).toEqual([
      ['init.mp4', 'map', 10], ['all.m4s', 'segment', 200], ['extra one.m4s', 'segment', 5], ['sub/win.m4s', 'segment', 7],
    ]);
    expect(p.files[3].absPath).toBe(path.join(root, 'sub', 'win.m4s'));
    expect(p.totalSize).toBe(p.playlistSize + 222);
  });

  it('follows a master playlist into variants whose URIs are relative to themselves', async () => {
    const variant = '#EXTM3U\n#EXTINF:2,\nseg0.ts\n#EXTINF:2,\n../shared/intro.ts\n#EXT-X-ENDLIST\n';
    const root = pkg('master', {
      'master.m3u8': '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhi/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=2\nlo/index.m3u8\n',
      'hi/index.m3u8': variant, 'hi/seg0.ts': 'h', 'lo/index.m3u8': variant, 'lo/seg0.ts': 'l', 'shared/intro.ts': 'i',
    });
    const p = await readHlsPackage(path.join(root, 'master.m3u8'));
    expect(p.files.map((f) => `${f.kind}:${f.relPath}`)).toEqual([
      'playlist:hi/index.m3u8', 'playlist:lo/index.m3u8', 'segment:hi/seg0.ts', 'segment:shared/intro.ts', 'segment:lo/seg0.ts',
    ]);
  });

  it('refuses a playlist with a missing segment, naming it and its line', async () => {
    const root = pkg('missing', { 'out.m3u8': '#EXTM3U\n#EXTINF:1,\nseg000.ts\n#EXTINF:1,\nseg001.ts\n', 'seg000.ts': 'x' });
    const e = await refusal(readHlsPackage(path.join(root, 'out.m3u8')));
    expect(e.code).toBe('HlsFileMissing');
    expect(e.retryable).toBe(false);
    expect(e.message).toContain('"seg001.ts"');
    expect(e.message).toContain('out.m3u8 line 5');
    expect(e.message).toContain(path.join(root, 'seg001.ts'));
  });

  it('names the variant that lists a missing segment', async () => {
    const root = pkg('missing-variant', { 'm.m3u8': '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv/i.m3u8\n', 'v/i.m3u8': '#EXTM3U\n#EXTINF:1,\ngone.ts\n' });
    const e = await refusal(readHlsPackage(path.join(root, 'm.m3u8')));
    expect(e.message).toMatch(/"gone\.ts" listed by v\/i\.m3u8 \(listed by m\.m3u8\) line 3 is missing/);
  });

  it.each([
    ['an http segment', '#EXTM3U\n#EXTINF:1,\nhttps://cdn.example.com/seg0.ts\n', 'HlsExternalUri'],
    ['an absolute path', '#EXTM3U\n#EXTINF:1,\n/var/media/seg0.ts\n', 'HlsAbsolutePath'],
    ['a Windows path', '#EXTM3U\n#EXTINF:1,\nC:\\media\\seg0.ts\n', 'HlsAbsolutePath'],
    ['a file outside the folder', '#EXTM3U\n#EXTINF:1,\n../seg0.ts\n', 'HlsOutsideFolder'],
    ['an init section on a server', '#EXTM3U\n#EXT-X-MAP:URI="http://x/init.mp4"\n#EXTINF:1,\nseg.ts\n', 'HlsExternalUri'],
    ['no segments', '#EXTM3U\n#EXT-X-ENDLIST\n', 'HlsEmpty'],
    ['text that is not a playlist', 'seg0.ts\n', 'HlsNotPlaylist'],
  ])('refuses %s', async (_what, text, code) => {
    const root = pkg(`refuse-${code}-${Math.random().toString(36).slice(2)}`, { 'p.m3u8': text, 'seg.ts': 's' });
    const e = await refusal(readHlsPackage(path.join(root, 'p.m3u8')));
    expect(e.code).toBe(code);
    expect(e.hint).toBeTruthy();
  });
});

describe('separateHlsSegments', () => {
  it('keeps playlists and other videos; drops what a playlist lists, naming the playlist', async () => {
    const root = pkg('scan', {
      'a/out.m3u8': '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nv/index.m3u8\n',
      'a/v/index.m3u8': '#EXTM3U\n#EXTINF:1,\nseg0.ts\n',
      'a/v/seg0.ts': 's',
      'a/stray.ts': 't',
      'b/loop1.m3u8': '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nloop2.m3u8\n',
      'b/loop2.m3u8': '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nloop1.m3u8\n',
    });
    const files = ['a/out.m3u8', 'a/stray.ts', 'a/v/index.m3u8', 'a/v/seg0.ts', 'b/loop1.m3u8', 'b/loop2.m3u8'].map((f) => path.join(root, f));
    const { keep, segmentOf } = await separateHlsSegments(files);
    expect(keep.map((f) => path.relative(root, f))).toEqual(['a/out.m3u8', 'a/stray.ts', 'b/loop1.m3u8']);
    expect(segmentOf.get(path.join(root, 'a/v/seg0.ts'))).toBe(path.join(root, 'a/out.m3u8'));
    expect(segmentOf.get(path.join(root, 'a/v/index.m3u8'))).toBe(path.join(root, 'a/out.m3u8'));
    expect(segmentOf.get(path.join(root, 'b/loop2.m3u8'))).toBe(path.join(root, 'b/loop1.m3u8'));
    expect(segmentSkipReason(path.join(root, 'a/out.m3u8'))).toMatch(/^Segment of out\.m3u8/);
  });
});

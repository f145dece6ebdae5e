// parseDownloadWhat: the `--what` list of `vodup urls` and `vodup download`.
import { describe, expect, it } from 'vitest';
import { parseDownloadWhat } from '../../shared/validation';

describe('parseDownloadWhat', () => {
  it('reads each word, definitions and formats, without repeats', () => {
    expect(parseDownloadWhat('source, streams:HD,streams:sd:MP4,streams:HD,cover,snapshots,sprites')).toEqual({
      what: { source: true, streams: { definitions: ['HD', 'SD'], formats: ['mp4'] }, cover: true, snapshots: true, sprites: true },
      errors: [],
    });
    expect(parseDownloadWhat('streams').what).toEqual({ streams: {} });
    expect(parseDownloadWhat('streams::m3u8').what).toEqual({ streams: { formats: ['m3u8'] } });
  });

  it('names what it does not understand', () => {
    expect(parseDownloadWhat('').errors).toHaveLength(1);
    expect(parseDownloadWhat('source,posters').errors).toEqual(['"posters" is not something a video has; use source, streams, cover, snapshots, sprites.']);
    expect(parseDownloadWhat('cover:HD').errors).toEqual(['"cover:HD": only streams take a definition.']);
    expect(parseDownloadWhat('streams:H D').errors[0]).toContain('streams:<definition>');
    expect(parseDownloadWhat('streams:HD:mp4:x').errors).toHaveLength(1);
  });
});

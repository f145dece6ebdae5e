import { describe, expect, it } from 'vitest';
import {
  charCount, extensionOf, mediaKindOf, parseTags, titleFromFileName, validateDescription, validateFileName,
  validateFileSize, validateMetadata, validateTags, validateTitle, validateUserData,
} from '../../shared/validation';

const codes = (ps: { code: string }[]): string[] => ps.map((p) => p.code);

describe('metadata validation (the service limits)', () => {
  it('titles: required, at most 128 characters counted as the service counts them', () => {
    expect(codes(validateTitle(''))).toEqual(['TitleEmpty']);
    expect(codes(validateTitle('   '))).toEqual(['TitleEmpty']);
    expect(validateTitle('x'.repeat(128))).toEqual([]);
    expect(validateTitle('x'.repeat(129))[0].message).toBe('Title has 129 characters; the limit is 128.');
    // 128 Chinese characters are 128, not 384 (bytes) nor 256 (UTF-16 units of astral chars).
    expect(validateTitle('视'.repeat(128))).toEqual([]);
    expect(charCount('𠀀'.repeat(3))).toBe(3);
  });

  it('descriptions up to 1024 characters', () => {
    expect(validateDescription(undefined)).toEqual([]);
    expect(validateDescription('d'.repeat(1024))).toEqual([]);
    expect(codes(validateDescription('d'.repeat(1025)))).toEqual(['DescriptionTooLong']);
  });

  it('tags: at most 16, each at most 32 characters, no duplicates', () => {
    expect(validateTags(Array.from({ length: 16 }, (_, i) => `t${i}`))).toEqual([]);
    expect(validateTags(Array.from({ length: 17 }, (_, i) => `t${i}`))[0].message).toBe('17 tags; at most 16 are allowed.');
    expect(codes(validateTags(['a'.repeat(33)]))).toEqual(['TagTooLong']);
    expect(codes(validateTags(['a', 'a']))).toEqual(['DuplicateTag']);
    expect(parseTags(' news, 2026 ，体育,, ')).toEqual(['news', '2026', '体育']);
  });

  it('user data must be a JSON object', () => {
    expect(validateUserData('{"Extend":{"k":1}}')).toEqual([]);
    expect(codes(validateUserData('[1]'))).toEqual(['UserDataNotJson']);
    expect(codes(validateUserData('nope'))).toEqual(['UserDataNotJson']);
  });

  it('reports every problem at once', () => {
    const ps = validateMetadata({ title: '', description: 'd'.repeat(2000), tags: Array.from({ length: 20 }, (_, i) => `t${i}`), userData: 'x' });
    expect(codes(ps)).toEqual(['TitleEmpty', 'DescriptionTooLong', 'TooManyTags', 'UserDataNotJson']);
  });
});

describe('files', () => {
  it('knows the formats VOD accepts, case-insensitively, on either path style', () => {
    expect(mediaKindOf('C:\\in\\A.MP4')).toBe('video');
    expect(mediaKindOf('/in/b.flac')).toBe('audio');
    expect(mediaKindOf('/in/c.heic')).toBe('image');
    expect(mediaKindOf('/in/notes.txt')).toBeUndefined();
    expect(extensionOf('/in/.hidden')).toBe('');
    expect(validateFileName('/in/a.mkv')).toEqual([]);
    expect(validateFileName('/in/notes.txt')[0].message).toBe('".txt" is not a format VOD accepts for video/audio uploads.');
    expect(validateFileName('/in/README')[0].message).toMatch(/no extension/);
    expect(validateFileName('/in/cover.png')).toHaveLength(1);
    expect(validateFileName('/in/cover.png', ['image'])).toEqual([]);
  });

  it('sizes up to 48.8 TB', () => {
    expect(validateFileSize(0)).toEqual([]);
    expect(validateFileSize(48.8e12)).toEqual([]);
    expect(codes(validateFileSize(48.8e12 + 1))).toEqual(['FileTooLarge']);
    expect(codes(validateFileSize(-1))).toEqual(['InvalidSize']);
  });

  it('titles default to the file name without its extension, cut to 128 characters', () => {
    expect(titleFromFileName('/in/Holiday 2026.mov')).toBe('Holiday 2026');
    expect(titleFromFileName('C:\\in\\片头.mp4')).toBe('片头');
    expect(Array.from(titleFromFileName(`/in/${'长'.repeat(200)}.mp4`))).toHaveLength(128);
  });
});

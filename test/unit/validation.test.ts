import { describe, expect, it } from 'vitest';
import {
  charCount, extensionOf, mediaKindOf, parseSubAppId, parseTags, titleFromFileName, validateDescription, validateFileName,
  utf8Bytes, validateFileSize, validateMetadata, validateNoTranscodeFormat, validateStorageLocation, validateTags, validateTitle, validateUserData,
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
    expect(codes(validateUserData('"{}"'))).toEqual(['UserDataNotJson']);
    expect(validateUserData('')).toEqual([]);
  });

  it("user data's Extend holds at most 512 bytes, counted in UTF-8", () => {
    // {"k":"…"} is 8 bytes of JSON around the value.
    const ascii = (n: number) => JSON.stringify({ Extend: { k: 'x'.repeat(n - 8) } });
    expect(validateUserData(ascii(512))).toEqual([]);
    const over = validateUserData(ascii(513));
    expect(over).toEqual([expect.objectContaining({ code: 'UserDataExtendTooLong', params: { bytes: 513, max: 512 } })]);
    expect(over[0].message).toMatch(/Extend is 513 bytes; VOD takes at most 512/);
    // 170 汉字 are 510 bytes: with the JSON around them, over the limit though far under 512 characters.
    expect(codes(validateUserData(JSON.stringify({ Extend: { k: '视'.repeat(170) } })))).toEqual(['UserDataExtendTooLong']);
    expect(utf8Bytes('a视𠀀')).toBe(1 + 3 + 4);
    // Extend given as a JSON string is measured as that string.
    expect(validateUserData(JSON.stringify({ Extend: 'y'.repeat(512) }))).toEqual([]);
    expect(codes(validateUserData(JSON.stringify({ Extend: 'y'.repeat(513) })))).toEqual(['UserDataExtendTooLong']);
  });

  it("user data's fields are the ones VOD reads, with a callback it can call", () => {
    expect(validateUserData(JSON.stringify({
      MessageCallback: { CallbackURL: 'https://example.com/vod', CallbackType: 'http' }, Extend: { a: 1 }, AccelerateConfig: { Type: 'oss', Domain: 'https://oss-accelerate.aliyuncs.com' },
    }))).toEqual([]);
    const typo = validateUserData('{"extend":{"a":1},"Callback":1}');
    expect(codes(typo)).toEqual(['UserDataUnknownField']);
    expect(typo[0].message).toContain('"extend", "Callback"');
    expect(codes(validateUserData('{"MessageCallback":"https://x.example"}'))).toEqual(['UserDataCallbackNotObject']);
    expect(codes(validateUserData('{"MessageCallback":{"CallbackURL":"ftp://x.example"}}'))).toEqual(['UserDataCallbackUrl']);
    expect(codes(validateUserData('{"MessageCallback":{"CallbackURL":7}}'))).toEqual(['UserDataCallbackUrl']);
    expect(codes(validateUserData(JSON.stringify({ MessageCallback: { CallbackURL: `https://x.example/${'p'.repeat(240)}` } })))).toEqual(['UserDataCallbackUrlTooLong']);
    expect(validateUserData('{"MessageCallback":{"CallbackType":"MNS"}}')).toEqual([]);
    expect(codes(validateUserData('{"MessageCallback":{"CallbackType":"email"}}'))).toEqual(['UserDataCallbackType']);
    expect(codes(validateUserData('{"AccelerateConfig":true}'))).toEqual(['UserDataAccelerateConfigInvalid']);
  });

  it('a storage location is a VOD storage address in one of its regions', () => {
    expect(validateStorageLocation(undefined)).toEqual([]);
    expect(validateStorageLocation(`outin-${'0a'.repeat(16)}.oss-cn-shanghai.aliyuncs.com`)).toEqual([]);
    // A bucket of the user's own bound to VOD (AddVodStorageForApp's user_oss_bucket).
    expect(validateStorageLocation('example-bucket.oss-ap-southeast-1.aliyuncs.com')).toEqual([]);
    for (const bad of ['outin-abc', 'https://outin-1.oss-cn-shanghai.aliyuncs.com', 'Outin-1.oss-cn-shanghai.aliyuncs.com', 'outin-1.oss-cn-shanghai.aliyuncs.com/', 'x.oss-cn-shanghai.aliyuncs.com', ' outin-1.oss-cn-beijing.aliyuncs.com']) {
      expect(codes(validateStorageLocation(bad)), bad).toEqual(['StorageLocationInvalid']);
    }
    const region = validateStorageLocation('outin-1.oss-cn-hangzhou.aliyuncs.com');
    expect(region).toEqual([expect.objectContaining({ code: 'StorageLocationRegion', params: expect.objectContaining({ region: 'cn-hangzhou' }) })]);
    expect(region[0].message).toMatch(/cn-hangzhou, where VOD does not store media/);
  });

  it('reports every problem at once', () => {
    const ps = validateMetadata({ title: '', description: 'd'.repeat(2000), tags: Array.from({ length: 20 }, (_, i) => `t${i}`), userData: 'x', storageLocation: 'bucket' });
    expect(codes(ps)).toEqual(['TitleEmpty', 'DescriptionTooLong', 'TooManyTags', 'UserDataNotJson', 'StorageLocationInvalid']);
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

  it('refuses a format VOD cannot play without transcoding only with the No Transcoding group and no workflow', () => {
    expect(validateNoTranscodeFormat('a.mkv', { templateGroupId: 'VOD_NO_TRANSCODE' })).toMatchObject([
      { field: 'templateGroupId', code: 'NotPlayableWithoutTranscoding', params: { ext: 'mkv' } },
    ]);
    for (const ok of ['a.mp4', 'b.FLV', 'c.m3u8', 'd.mp3', 'e.webm']) expect(validateNoTranscodeFormat(ok, { templateGroupId: 'VOD_NO_TRANSCODE' })).toEqual([]);
    expect(validateNoTranscodeFormat('a.mkv', { templateGroupId: 'tg-1' })).toEqual([]);
    expect(validateNoTranscodeFormat('a.mkv', {})).toEqual([]);
    expect(validateNoTranscodeFormat('a.mkv', { templateGroupId: 'VOD_NO_TRANSCODE', workflowId: 'wf-1' })).toEqual([]);
  });
});

describe('parseSubAppId', () => {
  it('takes empty (the default application) or a positive whole number, and says what is wrong otherwise', () => {
    expect(parseSubAppId('')).toEqual({});
    expect(parseSubAppId(undefined)).toEqual({});
    expect(parseSubAppId('  ')).toEqual({});
    expect(parseSubAppId(' 1500012345 ')).toEqual({ value: 1500012345 });
    for (const bad of ['0', '-1', '1.5', '1e3', 'abc', '99999999999999999999']) {
      expect(parseSubAppId(bad).problem, bad).toMatch(/not a VOD application id \(SubAppId\)/);
    }
  });
});

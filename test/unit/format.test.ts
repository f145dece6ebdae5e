import { describe, expect, it } from 'vitest';
import { baseName, formatBytes, formatDuration, formatSpeed, mediaSummary, percent, percentText } from '../../shared/format';

describe('shared formatting', () => {
  it('sizes in binary units with sensible digits', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(1023)).toBe('1023 B');
    expect(formatBytes(1536)).toBe('1.50 KB');
    expect(formatBytes(200 * 1024 * 1024)).toBe('200 MB');
    expect(formatBytes(48.8e12)).toBe('44.4 TB');
    expect(formatBytes(undefined)).toBe('—');
    expect(formatBytes(-1)).toBe('—');
  });

  it('speeds, durations and percentages', () => {
    expect(formatSpeed(0)).toBe('—');
    expect(formatSpeed(10 * 1024 * 1024)).toBe('10.0 MB/s');
    expect(formatDuration(75)).toBe('1:15');
    expect(formatDuration(3725)).toBe('1:02:05');
    expect(formatDuration(2 * 86_400 + 3 * 3600 + 5)).toBe('2d 3h');
    expect(formatDuration(Number.NaN)).toBe('—');
    expect(percent(5, 0)).toBe(100);
    expect(percent(0, 0)).toBe(0);
    expect(percent(150, 100)).toBe(100);
    expect(percentText(1, 200)).toBe('0.5%');
    expect(percentText(50, 100)).toBe('50%');
  });

  it('base names of Windows and POSIX paths', () => {
    expect(baseName('C:\\Videos\\a.mp4')).toBe('a.mp4');
    expect(baseName('/srv/in/b.mov')).toBe('b.mov');
  });
});

describe('mediaSummary', () => {
  it('joins duration, resolution and codecs, leaving out what ffprobe did not report', () => {
    expect(mediaSummary({ ok: true, durationSeconds: 2.04, width: 320, height: 240, videoCodec: 'h264', audioCodec: 'aac' }))
      .toBe('0:02 · 320×240 · h264/aac');
    expect(mediaSummary({ ok: true, durationSeconds: 3725, audioCodec: 'mp3' })).toBe('1:02:05 · mp3');
    expect(mediaSummary({ ok: true, width: 1920, height: 1080, videoCodec: 'hevc' })).toBe('1920×1080 · hevc');
    expect(mediaSummary({ ok: true })).toBe('');
  });
});

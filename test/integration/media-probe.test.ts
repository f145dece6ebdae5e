// probeMedia against real files made by Debian's ffmpeg, with the bundled ffprobe
// (@ffprobe-installer) and the one on PATH.

import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FfprobeUnavailableError, ffprobeCandidates, probeMany, probeMedia,
} from '../../main/engine/media-probe';
import { tempDir } from '../helpers/files';

let dir: string;
let video: string;
let audio: string;
let garbage: string;

beforeAll(async () => {
  dir = await tempDir('vodup-probe-');
  video = path.join(dir, 'clip.mp4');
  audio = path.join(dir, 'tone.mp3');
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=25',
    '-f', 'lavfi', '-i', 'sine=duration=2', '-shortest', '-c:v', 'libx264', '-c:a', 'aac', video]);
  execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'sine=duration=1', audio]);
  // Not random bytes: ffprobe now and then reads those as a raw stream (h263) and passes them.
  garbage = path.join(dir, 'corrupt.mp4');
  fs.writeFileSync(garbage, 'not a video\n'.repeat(20_000));
}, 60_000);

describe('probeMedia', () => {
  it('reads duration, resolution and codecs of a real video', async () => {
    const p = await probeMedia(video);
    expect(p.ok).toBe(true);
    if (!p.ok) return;
    expect(p.durationSeconds).toBeGreaterThan(1.9);
    expect(p.durationSeconds).toBeLessThan(2.2);
    expect([p.width, p.height]).toEqual([320, 240]);
    expect(p.videoCodec).toBe('h264');
    expect(p.audioCodec).toBe('aac');
    expect(p.formatName).toContain('mp4');
    expect(p.bitRate).toBeGreaterThan(0);
  });

  it('reads an audio-only file (no resolution, no video codec)', async () => {
    const p = await probeMedia(audio);
    expect(p).toMatchObject({ ok: true, audioCodec: 'mp3' });
    if (p.ok) expect(p.width).toBeUndefined();
  });

  it('flags a non-media file named .mp4 with ffprobe\'s own reason', async () => {
    const p = await probeMedia(garbage);
    expect(p.ok).toBe(false);
    if (p.ok) return;
    expect(p.problem).toMatch(/Not readable as media \(.+\): VOD will likely fail to transcode/);
    expect(p.problem).not.toContain(garbage); // the path is the row's, not repeated in the reason
  });

  it('says a missing file is missing', async () => {
    expect(await probeMedia(path.join(dir, 'gone.mp4'))).toEqual({ ok: false, problem: 'File not found: it was moved or deleted.' });
  });

  it('gives the same answer through the ffprobe on PATH as through the bundled one', async () => {
    const candidates = ffprobeCandidates({});
    expect(candidates.at(-1)).toBe('ffprobe');
    expect(candidates[0]).toMatch(/@ffprobe-installer/);
    const bundled = await probeMedia(video, { ffprobePath: candidates[0] });
    const system = await probeMedia(video, { ffprobePath: 'ffprobe' });
    expect(bundled).toMatchObject({ ok: true, width: 320, height: 240, videoCodec: 'h264' });
    expect(system).toMatchObject({ ok: true, width: 320, height: 240, videoCodec: 'h264' });
  });

  it('kills a probe that overruns its timeout and says so', async () => {
    // 1 ms: no ffprobe process can even start and answer in that time.
    expect(await probeMedia(video, { timeoutMs: 1 })).toEqual({ ok: false, problem: 'ffprobe did not finish reading it within 0.001 s.' });
  });

  it('puts $VODUP_FFPROBE first', () => {
    expect(ffprobeCandidates({ VODUP_FFPROBE: '/opt/ff/ffprobe' })[0]).toBe('/opt/ff/ffprobe');
  });

  it('rejects with what to do when no ffprobe can be started', async () => {
    const err = await probeMedia(video, { ffprobePath: path.join(dir, 'no-such-ffprobe') }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(FfprobeUnavailableError);
    expect((err as Error).message).toMatch(/Install ffmpeg .* or set VODUP_FFPROBE/);
  });
});

describe('probeMany', () => {
  it('answers for every path, keyed by path', async () => {
    const missing = path.join(dir, 'missing.mov');
    const out = await probeMany([video, garbage, missing, audio, video]);
    expect(Object.keys(out).sort()).toEqual([video, garbage, missing, audio].sort());
    expect(out[video]).toMatchObject({ ok: true, width: 320 });
    expect(out[garbage].ok).toBe(false);
    expect(out[missing].ok).toBe(false);
    expect(out[audio].ok).toBe(true);
  });
});

// What a local file holds as media, asked of ffprobe before the upload: duration,
// resolution, codecs, or why it is not readable as media. VOD would only say so after
// the whole file was uploaded and transcoding failed; this says it on the staging list.
//
// ffprobe is spawned directly (`-print_format json -show_format -show_streams`) rather
// than through fluent-ffmpeg's ffprobe(): that one has no timeout and no way to kill a
// child stuck on a network share or a pathological file, and it hides ffprobe's own
// error line behind a generic message. execFile gives both with a few lines.

import { execFile } from 'child_process';
import { promises as fsp } from 'fs';
import type { MediaProbe } from '../../shared/types';
import { Semaphore } from './semaphore';

export interface ProbeOptions {
  /** Per file; a probe taking longer is killed and reported as a problem. */
  timeoutMs?: number;
  /** The ffprobe binary; default: see ffprobeCandidates(). */
  ffprobePath?: string;
  /** probeMany: files probed at once (default PROBE_CONCURRENCY). */
  concurrency?: number;
}

export const DEFAULT_PROBE_TIMEOUT_MS = 20_000;
/** ffprobe reads headers only, but over a NAS many at once thrash the disk. */
export const PROBE_CONCURRENCY = 2;

/** No ffprobe could be started at all: a setup problem, not a problem of the file. */
export class FfprobeUnavailableError extends Error {
  constructor(tried: readonly string[], cause?: unknown) {
    super(
      `ffprobe could not be started (tried: ${tried.join(', ')}). `
      + 'Install ffmpeg (which includes ffprobe) or set VODUP_FFPROBE to the path of an ffprobe binary.',
      { cause },
    );
    this.name = 'FfprobeUnavailableError';
  }
}

/**
 * Where to look, in order: $VODUP_FFPROBE; the binary of @ffprobe-installer (inside a
 * packaged Electron app it lives in app.asar.unpacked, since a binary cannot be
 * executed from inside an asar archive: electron-builder.yml unpacks it); `ffprobe` on PATH.
 */
export function ffprobeCandidates(env: NodeJS.ProcessEnv = process.env): string[] {
  const out: string[] = [];
  const fromEnv = env.VODUP_FFPROBE?.trim();
  if (fromEnv) out.push(fromEnv);
  try {
    // Required, not imported: it throws on a platform it ships no binary for.
    const installer = require('@ffprobe-installer/ffprobe') as { path: string };
    out.push(installer.path.replace(`app.asar${pathSep()}`, `app.asar.unpacked${pathSep()}`));
  } catch {
    // No bundled binary for this platform: PATH is next.
  }
  out.push('ffprobe');
  return out;
}

function pathSep(): string {
  return process.platform === 'win32' ? '\\' : '/';
}

interface RawRun {
  stdout: string;
  stderr: string;
  /** The child could not be started (ENOENT, EACCES): try the next candidate. */
  notStarted?: NodeJS.ErrnoException;
  timedOut?: boolean;
  exitCode?: number | null;
}

function run(bin: string, file: string, timeoutMs: number): Promise<RawRun> {
  const args = ['-v', 'error', '-print_format', 'json', '-show_format', '-show_streams', file];
  const started = Date.now();
  return new Promise((resolve) => {
    execFile(bin, args, { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 8 * 1024 * 1024, windowsHide: true },
      (err, stdout, stderr) => {
        // A process that exits just as its timeout fires is reported by Node as a success
        // with the output it had cut off (the kill destroys the pipes first): past the
        // timeout, the run timed out whatever the exit says.
        const e = err as (NodeJS.ErrnoException & { killed?: boolean; code?: unknown }) | null;
        if (e && typeof e.code === 'string' && (e.code === 'ENOENT' || e.code === 'EACCES' || e.code === 'EPERM')) {
          return resolve({ stdout, stderr, notStarted: e });
        }
        if (Date.now() - started >= timeoutMs) return resolve({ stdout, stderr, timedOut: true });
        if (!e) return resolve({ stdout, stderr });
        resolve({ stdout, stderr, timedOut: e.killed === true, exitCode: typeof e.code === 'number' ? e.code : null });
      });
  });
}

let workingBinary: string | undefined;

interface FfprobeJson {
  format?: { duration?: string; bit_rate?: string; format_name?: string };
  streams?: { codec_type?: string; codec_name?: string; width?: number; height?: number; duration?: string }[];
}

const num = (v: string | number | undefined): number | undefined => {
  const n = typeof v === 'number' ? v : v === undefined ? NaN : Number(v);
  return Number.isFinite(n) ? n : undefined;
};

/** ffprobe's error line names the file first ("x.mp4: Invalid data …"); the operator knows which file. */
function ffprobeReason(stderr: string, file: string): string {
  const line = stderr.split(/\r?\n/).map((l) => l.trim()).filter(Boolean).pop() ?? '';
  const stripped = line.startsWith(`${file}: `) ? line.slice(file.length + 2) : line;
  return stripped || 'ffprobe gave no reason';
}

const WILL_FAIL = ': VOD will likely fail to transcode this file.';
const NOT_MEDIA = 'Not readable as media (';

/** A file ffprobe cannot read as media: the one wording, with ffprobe's reason inside. */
function notMedia(reason: string): MediaProbe {
  return { ok: false, problem: `${NOT_MEDIA}${reason})${WILL_FAIL}` };
}

/**
 * The reason alone of a failed probe ("Invalid data found when processing input",
 * "the file is empty (0 bytes)"), for a shell that words the consequence itself.
 */
export function probeReason(p: { problem: string }): string {
  let r = p.problem;
  if (r.endsWith(WILL_FAIL)) r = r.slice(0, -WILL_FAIL.length);
  if (r.startsWith(NOT_MEDIA) && r.endsWith(')')) r = r.slice(NOT_MEDIA.length, -1);
  return r.replace(/\.$/, '');
}

function interpret(json: FfprobeJson): MediaProbe {
  const streams = json.streams ?? [];
  // Cover art in MP3/M4A shows up as a one-frame "video" stream; it is not the video.
  const video = streams.find((s) => s.codec_type === 'video' && !['mjpeg', 'png', 'bmp'].includes(s.codec_name ?? ''))
    ?? streams.find((s) => s.codec_type === 'video');
  const audio = streams.find((s) => s.codec_type === 'audio');
  if (!video && !audio) {
    return { ok: false, problem: `No video or audio stream found${WILL_FAIL}` };
  }
  const out: MediaProbe = { ok: true };
  const duration = num(json.format?.duration) ?? num(video?.duration) ?? num(audio?.duration);
  if (duration !== undefined) out.durationSeconds = duration;
  if (video?.width && video.height) {
    out.width = video.width;
    out.height = video.height;
  }
  if (video?.codec_name) out.videoCodec = video.codec_name;
  if (audio?.codec_name) out.audioCodec = audio.codec_name;
  const bitRate = num(json.format?.bit_rate);
  if (bitRate !== undefined) out.bitRate = bitRate;
  if (json.format?.format_name) out.formatName = json.format.format_name;
  return out;
}

/**
 * Probes one file. Problems of the file (missing, unreadable, not media, too slow) come
 * back as `{ ok: false, problem }`; only a missing ffprobe rejects (FfprobeUnavailableError).
 */
export async function probeMedia(file: string, opts: ProbeOptions = {}): Promise<MediaProbe> {
  try {
    const st = await fsp.stat(file);
    if (!st.isFile()) return { ok: false, problem: 'Not a regular file.' };
    // Nothing to read: no need to start ffprobe (whose own words would be less plain).
    if (st.size === 0) return notMedia('the file is empty (0 bytes)');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    return {
      ok: false,
      problem: code === 'ENOENT' ? 'File not found: it was moved or deleted.' : `Cannot read the file (${code ?? String(err)}).`,
    };
  }
  const timeoutMs = opts.timeoutMs ?? DEFAULT_PROBE_TIMEOUT_MS;
  const candidates = opts.ffprobePath ? [opts.ffprobePath] : workingBinary ? [workingBinary] : ffprobeCandidates();
  let lastStartError: unknown;
  for (const bin of candidates) {
    const r = await run(bin, file, timeoutMs);
    if (r.notStarted) {
      lastStartError = r.notStarted;
      continue;
    }
    if (!opts.ffprobePath) workingBinary = bin;
    if (r.timedOut) {
      return { ok: false, problem: `ffprobe did not finish reading it within ${Number((timeoutMs / 1000).toFixed(3))} s.` };
    }
    if (r.exitCode !== undefined) {
      return notMedia(ffprobeReason(r.stderr, file));
    }
    try {
      return interpret(JSON.parse(r.stdout) as FfprobeJson);
    } catch {
      return { ok: false, problem: 'ffprobe gave an answer that is not JSON.' };
    }
  }
  // A remembered binary that vanished: forget it so the next call searches again.
  workingBinary = undefined;
  throw new FfprobeUnavailableError(candidates, lastStartError);
}

/** Probes many files, at most opts.concurrency (PROBE_CONCURRENCY) at a time; results keyed by path. */
export async function probeMany(files: readonly string[], opts: ProbeOptions = {}): Promise<Record<string, MediaProbe>> {
  const gate = new Semaphore(Math.max(1, opts.concurrency ?? PROBE_CONCURRENCY));
  const out: Record<string, MediaProbe> = {};
  await Promise.all([...new Set(files)].map(async (f) => {
    const release = await gate.acquire();
    try {
      out[f] = await probeMedia(f, opts);
    } finally {
      release();
    }
  }));
  return out;
}

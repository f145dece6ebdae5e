// Display formatting of sizes, speeds and durations, for every shell (the renderer and
// the CLI show the same numbers the same way). Binary units with the labels Windows
// Explorer uses (KB/MB/GB = 1024^n), which is what operators compare against.

import type { MediaProbe } from './types';

const UNITS = ['B', 'KB', 'MB', 'GB', 'TB', 'PB'];

export function formatBytes(n: number | undefined): string {
  if (n === undefined || !Number.isFinite(n) || n < 0) return '—';
  let v = n;
  let u = 0;
  while (v >= 1024 && u < UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  const digits = u === 0 ? 0 : v < 10 ? 2 : v < 100 ? 1 : 0;
  return `${v.toFixed(digits)} ${UNITS[u]}`;
}

export function formatSpeed(bytesPerSecond: number | undefined): string {
  if (!bytesPerSecond || bytesPerSecond <= 0) return '—';
  return `${formatBytes(bytesPerSecond)}/s`;
}

/** 75 → "1:15", 3725 → "1:02:05", over a day → "2d 3h". */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return '—';
  const s = Math.round(seconds);
  if (s >= 86_400) return `${Math.floor(s / 86_400)}d ${Math.floor((s % 86_400) / 3600)}h`;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  const mm = h > 0 ? String(m).padStart(2, '0') : String(m);
  return `${h > 0 ? `${h}:` : ''}${mm}:${String(sec).padStart(2, '0')}`;
}

/** Share done in percent, 0..100. */
export function percent(done: number, total: number): number {
  if (total <= 0) return done > 0 ? 100 : 0;
  return Math.min(100, Math.max(0, (done / total) * 100));
}

export function percentText(done: number, total: number): string {
  const p = percent(done, total);
  return `${p.toFixed(p < 10 ? 1 : 0)}%`;
}

export function baseName(path: string): string {
  return path.split(/[\\/]/).pop() ?? path;
}

/** What ffprobe found, in one line: "0:02 · 320×240 · h264/aac" (parts it lacks are left out). */
export function mediaSummary(p: Extract<MediaProbe, { ok: true }>): string {
  const parts: string[] = [];
  if (p.durationSeconds !== undefined) parts.push(formatDuration(p.durationSeconds));
  if (p.width && p.height) parts.push(`${p.width}×${p.height}`);
  const codecs = [p.videoCodec, p.audioCodec].filter(Boolean).join('/');
  if (codecs) parts.push(codecs);
  return parts.join(' · ');
}

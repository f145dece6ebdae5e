// Parsers for numeric flags: a bad value stops before anything runs, with the range
// the setting accepts (the same ranges shared/ipc.ts enforces for the UI).

import { InvalidArgumentError } from 'commander';
import { CliError } from './errors';
import { checkWindow } from '../../shared/upload-window';
import { parseDownloadWhat } from '../../shared/validation';
import type { DownloadWhat } from '../../shared/library';

export function intIn(min: number, max: number, unit = ''): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n) || n < min || n > max) {
      throw new InvalidArgumentError(`Give a whole number from ${min} to ${max}${unit}.`);
    }
    return n;
  };
}

/** Megabytes (10^6 bytes) per second → bytes per second; 0 = unlimited. */
export function megabytesPerSecond(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) {
    throw new InvalidArgumentError('Give a speed in MB/s (e.g. 20 or 2.5), or 0 for no limit.');
  }
  return Math.round(n * 1e6);
}

/** "22:00-06:00" → an upload window; "any" clears a stored one. */
export function uploadWindowFlag(value: string): { start: string; end: string } {
  if (value.trim().toLowerCase() === 'any') return { start: '', end: '' };
  const [start = '', end = ''] = value.split('-').map((s) => s.trim());
  const problem = checkWindow({ start, end });
  if (problem || !start) throw new InvalidArgumentError(`${problem ?? 'Give the window as HH:MM-HH:MM.'} Give it as HH:MM-HH:MM (e.g. 22:00-06:00), or "any".`);
  return { start, end };
}

export function categoryId(value: string): number {
  const n = Number(value);
  if (!/^\s*-?\d+\s*$/.test(value) || !Number.isSafeInteger(n)) {
    throw new InvalidArgumentError('A category is a numeric CateId (see the VOD console or GetCategories).');
  }
  return n;
}

/** Job ids, or the single word "all". */
export function parseSelector(args: readonly string[]): number[] | 'all' {
  if (args.length === 1 && args[0].toLowerCase() === 'all') return 'all';
  const ids: number[] = [];
  for (const a of args) {
    const n = Number(a.replace(/^#/, ''));
    if (!/^#?\d+$/.test(a) || !Number.isSafeInteger(n) || n <= 0) {
      throw new CliError(`"${a}" is not a job id: give job ids as shown by \`vodup status\`, or "all".`);
    }
    ids.push(n);
  }
  return ids;
}

/**
 * `--what source,streams:HD,streams:SD:mp4,cover,snapshots,sprites` → what to fetch of
 * each video. `streams` alone is every stream; `streams:DEF` one definition (any format),
 * `streams:DEF:FMT` that definition in that format.
 */
export function downloadWhat(value: string): DownloadWhat {
  // One grammar for `download --what` and `urls --what` (shared/validation.ts).
  const { what, errors } = parseDownloadWhat(value);
  if (errors.length > 0) throw new InvalidArgumentError(errors.join(' '));
  return what;
}

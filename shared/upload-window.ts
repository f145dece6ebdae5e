// The upload window (EngineSettings.windowStart/windowEnd): local times of day between
// which uploads run, e.g. 22:00–06:00 on an office link. Pure functions of a Date, so
// the engine, the CLI and the renderer agree, and tests need no clock.

export interface UploadWindow {
  start: string;
  end: string;
}

const TIME = /^([01]\d|2[0-3]):([0-5]\d)(?::([0-5]\d))?$/;

/** Seconds after local midnight for "HH:MM[:SS]"; undefined when not such a time. */
export function parseTimeOfDay(s: string): number | undefined {
  const m = TIME.exec(s.trim());
  return m ? Number(m[1]) * 3600 + Number(m[2]) * 60 + Number(m[3] ?? 0) : undefined;
}

/** Undefined = no window (any time); an error message when only one end is set or a time is malformed. */
export function checkWindow(w: UploadWindow): string | undefined {
  if (!w.start && !w.end) return undefined;
  if (parseTimeOfDay(w.start) === undefined || parseTimeOfDay(w.end) === undefined) {
    return 'An upload window needs a start and an end time, as HH:MM (e.g. 22:00 and 06:00).';
  }
  if (parseTimeOfDay(w.start) === parseTimeOfDay(w.end)) return 'The upload window starts and ends at the same time.';
  return undefined;
}

export function hasWindow(w: UploadWindow): boolean {
  return checkWindow(w) === undefined && !!w.start && !!w.end;
}

function secondsOfDay(d: Date): number {
  return d.getHours() * 3600 + d.getMinutes() * 60 + d.getSeconds();
}

/** Whether uploads may run at `at` (always true without a window). */
export function isWindowOpen(w: UploadWindow, at: Date): boolean {
  if (!hasWindow(w)) return true;
  const s = parseTimeOfDay(w.start)!;
  const e = parseTimeOfDay(w.end)!;
  const t = secondsOfDay(at);
  return s < e ? t >= s && t < e : t >= s || t < e;
}

/** The next moment after `at` when the window opens or closes; undefined without a window. */
export function nextWindowChange(w: UploadWindow, at: Date): Date | undefined {
  if (!hasWindow(w)) return undefined;
  const target = isWindowOpen(w, at) ? parseTimeOfDay(w.end)! : parseTimeOfDay(w.start)!;
  const next = new Date(at.getTime());
  next.setHours(Math.floor(target / 3600), Math.floor((target % 3600) / 60), target % 60, 0);
  if (next.getTime() <= at.getTime()) next.setDate(next.getDate() + 1);
  return next;
}

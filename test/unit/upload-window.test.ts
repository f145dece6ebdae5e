import { describe, expect, it } from 'vitest';
import { checkWindow, isWindowOpen, nextWindowChange, parseTimeOfDay } from '../../shared/upload-window';

const at = (hh: number, mm: number, ss = 0): Date => new Date(2026, 10, 21, hh, mm, ss);

describe('upload window', () => {
  it('parses times of day and checks both ends', () => {
    expect(parseTimeOfDay('06:30')).toBe(6 * 3600 + 30 * 60);
    expect(parseTimeOfDay('23:59:59')).toBe(86_399);
    expect(parseTimeOfDay('24:00')).toBeUndefined();
    expect(checkWindow({ start: '', end: '' })).toBeUndefined();
    expect(checkWindow({ start: '22:00', end: '' })).toMatch(/needs a start and an end/);
    expect(checkWindow({ start: '7:00', end: '09:00' })).toMatch(/HH:MM/);
    expect(checkWindow({ start: '09:00', end: '09:00' })).toMatch(/same time/);
  });

  it('is always open without a window', () => {
    expect(isWindowOpen({ start: '', end: '' }, at(3, 0))).toBe(true);
    expect(nextWindowChange({ start: '', end: '' }, at(3, 0))).toBeUndefined();
  });

  it('a daytime window: open from start to end, next change the same or the next day', () => {
    const w = { start: '09:00', end: '17:30' };
    expect(isWindowOpen(w, at(8, 59, 59))).toBe(false);
    expect(isWindowOpen(w, at(9, 0))).toBe(true);
    expect(isWindowOpen(w, at(17, 29, 59))).toBe(true);
    expect(isWindowOpen(w, at(17, 30))).toBe(false);
    expect(nextWindowChange(w, at(8, 0))).toEqual(at(9, 0));
    expect(nextWindowChange(w, at(12, 0))).toEqual(at(17, 30));
    expect(nextWindowChange(w, at(18, 0))).toEqual(new Date(2026, 10, 22, 9, 0));
  });

  it('a night window wraps midnight', () => {
    const w = { start: '22:00', end: '06:00' };
    expect(isWindowOpen(w, at(23, 0))).toBe(true);
    expect(isWindowOpen(w, at(2, 0))).toBe(true);
    expect(isWindowOpen(w, at(6, 0))).toBe(false);
    expect(isWindowOpen(w, at(21, 59))).toBe(false);
    expect(nextWindowChange(w, at(23, 0))).toEqual(new Date(2026, 10, 22, 6, 0));
    expect(nextWindowChange(w, at(2, 0))).toEqual(at(6, 0));
    expect(nextWindowChange(w, at(12, 0))).toEqual(at(22, 0));
  });
});

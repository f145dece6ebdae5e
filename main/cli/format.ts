// Terminal-only formatting; sizes, speeds and durations come from shared/format.ts.

export { formatBytes, formatDuration, formatSpeed, percentText } from '../../shared/format';

/** Cuts to a terminal width without breaking a surrogate pair. */
export function fitWidth(line: string, columns: number | undefined): string {
  if (!columns || columns <= 1) return line;
  const chars = Array.from(line);
  return chars.length < columns ? line : `${chars.slice(0, columns - 2).join('')}…`;
}

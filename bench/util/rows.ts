// The row every benchmark module returns (bench/crc64.ts and bench/store.ts use the
// same shape), and the markdown table BENCHMARKS.md shows.

export interface BenchRow {
  name: string;
  value: number;
  unit: string;
  /** The target as text, e.g. "≥ 0.9"; absent when the row is informative only. */
  target?: string;
  ok?: boolean;
}

export function round(v: number, digits = 2): number {
  const f = 10 ** digits;
  return Math.round(v * f) / f;
}

export function markdownTable(rows: readonly BenchRow[]): string {
  const out = ['| measurement | value | unit | target | met |', '| --- | ---: | --- | --- | --- |'];
  for (const r of rows) {
    const met = r.ok === undefined ? '' : r.ok ? 'yes' : '**no**';
    out.push(`| ${r.name.replace(/\|/g, '\\|')} | ${r.value} | ${r.unit} | ${r.target ?? ''} | ${met} |`);
  }
  return out.join('\n');
}

/** A plain-text table for the terminal. */
export function textTable(rows: readonly BenchRow[]): string {
  const w = Math.max(...rows.map((r) => r.name.length), 10);
  return rows.map((r) => {
    const met = r.ok === undefined ? '' : r.ok ? '  ok' : '  MISSED';
    return `${r.name.padEnd(w)}  ${String(r.value).padStart(10)} ${r.unit.padEnd(10)} ${r.target ?? ''}${met}`;
  }).join('\n');
}

// `npm run soak` (= build, then node out/bench/soak/main.js): the full kill -9 soak.
// Flags: --seed N (or SOAK_SEED=N) repeats a run; --kills N; --short runs the CI
// version; --faults k=v,… changes the preset's faults (0 turns one off, and it is then
// not required to fire); --keep keeps the work folder. Exits 1 on any violation, 2 on
// bad flags.

import { parseFaults } from '../../main/sandbox/index';
import { FULL, SHORT } from './presets';
import { newSeed } from './rng';
import { formatSummary, runSoak } from './soak';

function flag(argv: readonly string[], name: string): string | undefined {
  const at = argv.indexOf(name);
  return at >= 0 ? argv[at + 1] : undefined;
}

function wholeNumber(text: string | undefined, what: string): number | undefined {
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!/^\d+$/.test(text.trim()) || !Number.isSafeInteger(n) || n < 1) throw new Error(`${what} must be a whole number ≥ 1, got "${text}".`);
  return n;
}

async function main(argv: string[]): Promise<number> {
  let seed: number | undefined;
  let kills: number | undefined;
  let preset = argv.includes('--short') ? SHORT : FULL;
  try {
    seed = wholeNumber(flag(argv, '--seed') ?? process.env.SOAK_SEED, '--seed (SOAK_SEED)');
    kills = wholeNumber(flag(argv, '--kills'), '--kills');
    const faults = flag(argv, '--faults');
    if (faults !== undefined) {
      preset = { ...preset, faults: { ...preset.faults, ...parseFaults(faults) } };
    }
  } catch (err) {
    process.stderr.write(`soak: ${(err as Error).message}\n`);
    return 2;
  }
  const report = await runSoak({
    preset,
    seed: seed ?? newSeed(),
    kills,
    keep: argv.includes('--keep'),
    log: (line) => process.stdout.write(`${line}\n`),
  });
  process.stdout.write(`\n${formatSummary(report)}\n`);
  return report.violations.length === 0 ? 0 : 1;
}

main(process.argv.slice(2)).then((code) => process.exit(code), (err: unknown) => {
  process.stderr.write(`soak: ${(err as Error).stack ?? String(err)}\n`);
  process.exit(1);
});

// `vodup ledger export`: what this app uploaded (the ledger, kept when jobs leave the
// queue) as CSV or JSON. Read-only: it opens the queue without starting the engine.
// The account is the credentials' (AccessKeyId@endpoint); --all lists every account's.
// `vodup ledger seed` fills it from VOD on a fresh machine (engine/ledger-seed.ts).

import fs from 'fs';
import { ledgerExport } from '../../engine/ledger-export';
import { seedLedger, type SeedOutcome } from '../../engine/ledger-seed';
import { openQueueStore } from '../../engine/store';
import { cliAccount, loadCredentials } from '../credentials';
import { expandInputs } from '../expand';
import { CliError, EXIT } from '../errors';
import { resolveDbPath } from '../paths';
import { openQueueToRead } from './no-provider';

export interface LedgerExportFlags {
  db?: string;
  json?: boolean;
  csv?: boolean;
  all?: boolean;
  out?: string;
}

export async function ledgerExportCommand(flags: LedgerExportFlags, stdout: NodeJS.WritableStream = process.stdout): Promise<number> {
  if (flags.json && flags.csv) throw new CliError('Give --json or --csv, not both.');
  if (!flags.all && cliAccount() === '') {
    throw new CliError('The ledger is kept per account, and no credentials say which: set them (see `vodup --help`), or give --all for every account\'s uploads.');
  }
  const session = await openQueueToRead(flags.db, 'vodup ledger export');
  let text: string;
  try {
    text = ledgerExport(session.engine.listLedger({ all: !!flags.all }), flags.json ? 'json' : 'csv');
  } finally {
    await session.close();
  }
  if (!flags.out) {
    stdout.write(text);
    return EXIT.ok;
  }
  try {
    fs.writeFileSync(flags.out, text);
  } catch (err) {
    throw new CliError(`Cannot write ${flags.out}: ${(err as Error).message}`);
  }
  return EXIT.ok;
}

export interface LedgerSeedFlags {
  db?: string;
  json?: boolean;
}

/**
 * `vodup ledger seed <files or folders…>`: records in the ledger the local files the
 * credentials' account already has in VOD, each proven by its CRC-64 (engine/ledger-seed.ts),
 * so that a fresh machine skips them. Exit 0 unless a file could not be read or asked about.
 */
export async function ledgerSeedCommand(inputs: string[], flags: LedgerSeedFlags, stdout: NodeJS.WritableStream = process.stdout): Promise<number> {
  const creds = loadCredentials();
  const expansion = await expandInputs(inputs);
  for (const p of expansion.problems) process.stderr.write(`vodup: ${p.path}: ${p.message}\n`);
  const store = openQueueStore(resolveDbPath(flags.db));
  let outcomes: SeedOutcome[];
  try {
    outcomes = await seedLedger(store.ledger, creds, expansion.files.map((f) => f.path));
  } finally {
    store.close();
  }
  for (const o of outcomes) {
    if (flags.json) {
      stdout.write(`${JSON.stringify(o)}\n`);
      continue;
    }
    const what = o.outcome === 'seeded' ? `seeded  ${o.path}: VideoId ${o.videoId} ("${o.title}")`
      : o.outcome === 'known' ? `known   ${o.path}: VideoId ${o.videoId}, already in the ledger`
        : o.outcome === 'not-found' ? `new     ${o.path}: no video of this title and size in the account`
          : o.outcome === 'unverified' ? `unsure  ${o.path}: ${o.candidates.join(', ')} have its title and size, but not proven the same bytes (${o.why}); not recorded`
            : `error   ${o.path}: ${o.message}`;
    stdout.write(`${what}\n`);
  }
  const count = (k: SeedOutcome['outcome']) => outcomes.filter((o) => o.outcome === k).length;
  process.stderr.write(`${count('seeded')} seeded, ${count('known')} already known, ${count('not-found')} not in VOD, ${count('unverified')} unproven, ${count('error')} errors.\n`);
  return expansion.problems.length + count('error') > 0 ? EXIT.usage : EXIT.ok;
}

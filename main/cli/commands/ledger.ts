// `vodup ledger export`: what this app uploaded (the ledger, kept when jobs leave the
// queue) as CSV or JSON. Read-only: it opens the queue without starting the engine.
// The account is the credentials' (AccessKeyId@endpoint); --all lists every account's.

import fs from 'fs';
import { ledgerExport } from '../../engine/ledger-export';
import { cliAccount } from '../credentials';
import { CliError, EXIT } from '../errors';
import { resolveDbPath } from '../paths';
import { openSession } from '../session';
import { unavailableProvider } from './no-provider';

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
  const dbPath = resolveDbPath(flags.db);
  if (!fs.existsSync(dbPath)) {
    throw new CliError(`No queue at ${dbPath}. Give the queue with --db, or set VODUP_HOME.`);
  }
  const session = await openSession({
    dbPath,
    start: false,
    provider: () => unavailableProvider('`vodup ledger export` only reads the queue.'),
  });
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

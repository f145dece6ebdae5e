// `vodup export`: the queue's results (VideoId, state, VOD status, CRC-64, times, error
// per job) as CSV or JSON for the CMS team; stdout unless --out. Read-only: it opens the
// queue without starting the engine and needs no credentials.

import fs from 'fs';
import { finished } from 'stream/promises';
import type { ExportFormat, QueueTab } from '../../../shared/types';
import { writeResults } from '../../engine/results-export';
import { CliError, EXIT } from '../errors';
import { openQueueToRead } from './no-provider';

export interface ExportFlags {
  db?: string;
  format?: ExportFormat;
  tab?: QueueTab;
  out?: string;
}

export async function exportCommand(flags: ExportFlags, stdout: NodeJS.WritableStream = process.stdout): Promise<number> {
  const session = await openQueueToRead(flags.db, 'vodup export');
  try {
    const opts = { format: flags.format ?? 'csv', tab: flags.tab };
    if (!flags.out) {
      await writeResults(session.engine, opts, stdout);
      return EXIT.ok;
    }
    let file: fs.WriteStream;
    try {
      file = fs.createWriteStream(flags.out, { flags: 'w' });
      await new Promise<void>((resolve, reject) => file.once('open', () => resolve()).once('error', reject));
    } catch (err) {
      throw new CliError(`Cannot write ${flags.out}: ${(err as Error).message}`);
    }
    await writeResults(session.engine, opts, file);
    file.end();
    await finished(file);
    return EXIT.ok;
  } finally {
    await session.close();
  }
}

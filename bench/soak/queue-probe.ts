// Reads the CLI's queue database while a run works: how many parts it has recorded as
// acknowledged (a part is recorded only after OSS answered and its CRC-64 matched), so
// a kill can land right after the Kth acknowledged part. Read-only; the queue is in WAL
// mode, so reading never blocks the writer.

import Database from 'better-sqlite3';
import fs from 'fs';

export class QueueProbe {
  private db: Database.Database | undefined;

  constructor(private readonly dbPath: string) {}

  /** Parts recorded over all jobs; 0 before the queue exists. */
  ackedParts(): number {
    if (!this.db) {
      if (!fs.existsSync(this.dbPath)) return 0;
      try {
        this.db = new Database(this.dbPath, { readonly: true, fileMustExist: true });
      } catch {
        // Created this instant, schema not written yet: ask again on the next poll.
        return 0;
      }
    }
    try {
      return (this.db.prepare('SELECT COUNT(*) AS n FROM parts').get() as { n: number }).n;
    } catch {
      return 0;
    }
  }

  /** Queue events by type (adopted, reconciled, waiting…); none before the queue exists. */
  eventCounts(): Record<string, number> {
    if (!fs.existsSync(this.dbPath)) return {};
    const db = new Database(this.dbPath, { readonly: true, fileMustExist: true });
    try {
      const rows = db.prepare('SELECT type, COUNT(*) AS n FROM events GROUP BY type').all() as { type: string; n: number }[];
      return Object.fromEntries(rows.map((r) => [r.type, r.n]));
    } finally {
      db.close();
    }
  }

  close(): void {
    this.db?.close();
    this.db = undefined;
  }
}

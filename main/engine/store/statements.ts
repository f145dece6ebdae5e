// Prepared statements cached by their SQL text, one cache per connection: better-sqlite3
// prepares a statement once and runs it many times. Every repository on the queue's
// connection (queue-store.ts, hls-files.ts, ledger.ts) asks through one of these.

import type Database from 'better-sqlite3';

export type Prepare = (sql: string) => Database.Statement;

export function statementCache(db: Database.Database): Prepare {
  const cache = new Map<string, Database.Statement>();
  return (sql) => {
    let s = cache.get(sql);
    if (!s) {
      s = db.prepare(sql);
      cache.set(sql, s);
    }
    return s;
  };
}

// The account for commands that may run without credentials (status, pause, cancel):
// every call fails with a clear "no credentials" error instead of the command
// refusing to start. The engine treats cloud clean-up on cancel as best effort, so a
// cancel without credentials still cancels locally (OSS purges the upload in ~7 days).

import fs from 'fs';
import { EngineError } from '../../engine/errors';
import type { VideoProvider } from '../../engine/provider';
import { CliError } from '../errors';
import { resolveDbPath } from '../paths';
import { openSession, type Session } from '../session';

export function unavailableProvider(why: string): VideoProvider {
  const fail = (): Promise<never> =>
    Promise.reject(new EngineError({ kind: 'auth', code: 'NoCredentials', message: why, retryable: false }));
  return {
    // Nothing is opened without an account; the name only labels what this stands for.
    name: 'aliyun',
    open: fail,
    renewCredential: fail,
    finalize: fail,
    chunkWriter: fail,
    getVideoStatus: fail,
    createImageUpload: fail,
    setCover: fail,
    deleteVideo: fail,
    getCatalog: fail,
    testConnection: fail,
  };
}

/**
 * The queue at `db` opened only to read it (export, ledger export): not started, no
 * account. A path with no queue is refused, since opening it would create an empty one.
 */
export async function openQueueToRead(db: string | undefined, command: string): Promise<Session> {
  const dbPath = resolveDbPath(db);
  if (!fs.existsSync(dbPath)) {
    throw new CliError(`No queue at ${dbPath}. Give the queue with --db, or set VODUP_HOME.`);
  }
  return openSession({ dbPath, start: false, provider: () => unavailableProvider(`\`${command}\` only reads the queue.`) });
}

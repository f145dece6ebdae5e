// One running engine per queue. Two processes scheduling the same SQLite queue (say
// `vodup serve` and `vodup run` on ~/.vodup) would upload the same jobs twice. The
// lock is a file next to the database, created exclusively, holding the owner's pid;
// a lock whose process is gone (a crash, a reboot, a zombie left by a kill) is taken
// over. Read-only use of the queue (`vodup status`) does not take it.

import { execFileSync } from 'node:child_process';
import fs, { promises as fsp } from 'node:fs';
import os from 'node:os';
import { EngineError } from './errors';

export interface QueueLock {
  release(): Promise<void>;
}

interface Owner {
  pid: number;
  host: string;
  since: number;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    if ((err as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // A killed owner stays in the process table as a zombie until its parent reaps it
  // (a supervisor that never does, a shell that is itself stopped), and signal 0 still
  // reaches a zombie. A zombie runs nothing: its lock is free.
  return !isZombie(pid);
}

/** Whether pid is a zombie (exited, not yet reaped). Windows has no zombies. */
export function isZombie(pid: number): boolean {
  if (process.platform === 'linux') {
    try {
      // "pid (comm) S …": the state follows the last ')' (comm may hold spaces and parentheses).
      const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
      return stat.slice(stat.lastIndexOf(')') + 1).trim().startsWith('Z');
    } catch {
      return false;
    }
  }
  if (process.platform === 'win32') return false;
  try {
    // macOS and the BSDs: ps prints the state letters, Z for a zombie.
    return execFileSync('ps', ['-o', 'stat=', '-p', String(pid)], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })
      .trim().startsWith('Z');
  } catch {
    return false;
  }
}

async function readOwner(file: string): Promise<Owner | undefined> {
  try {
    const o = JSON.parse(await fsp.readFile(file, 'utf8')) as Owner;
    return typeof o.pid === 'number' ? o : undefined;
  } catch {
    return undefined;
  }
}

export async function acquireQueueLock(dbPath: string): Promise<QueueLock> {
  const file = `${dbPath}.lock`;
  const me: Owner = { pid: process.pid, host: os.hostname(), since: Date.now() };
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      const fh = await fsp.open(file, 'wx');
      await fh.writeFile(JSON.stringify(me));
      await fh.close();
      return {
        release: async () => {
          const owner = await readOwner(file);
          if (owner?.pid === me.pid && owner.since === me.since) await fsp.rm(file, { force: true });
        },
      };
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
    }
    const owner = await readOwner(file);
    // Another host on a shared folder cannot be checked; its lock is respected.
    if (owner && (owner.host !== me.host || alive(owner.pid))) {
      throw new EngineError({
        kind: 'parameter', code: 'QueueInUse', retryable: false,
        message: `The upload queue ${dbPath} is in use by another process (pid ${owner.pid} on ${owner.host}, since ${new Date(owner.since).toISOString()}).`,
        hint: `Stop the other vodup or app first (this one then continues its uploads), or give this one its own queue with --db. If no such process runs any more, delete ${file}.`,
      });
    }
    // The owner is gone (crash, reboot) or the file is unreadable: take it over.
    await fsp.rm(file, { force: true });
  }
  throw new EngineError({ kind: 'unknown', code: 'QueueLockFailed', retryable: false, message: `Could not take the lock ${file}.` });
}

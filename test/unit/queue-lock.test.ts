// The queue lock against real processes: a live owner is respected, a zombie owner (killed,
// not yet reaped by its parent) is not — signal 0 still reaches a zombie, so the lock
// must look at the process state.

import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import type { Socket } from 'node:net';
import { promises as fsp } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { acquireQueueLock, isZombie } from '../../main/engine/queue-lock';
import { tempDir } from '../helpers/files';

const children: ChildProcess[] = [];
afterEach(() => {
  // Killing the parent gets its zombie child reaped by init.
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Polls `check` until it holds; fails after a generous deadline (the machine may be busy). */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

const commandOf = (pid: number): string => {
  try {
    return execFileSync('ps', ['-o', 'comm=', '-p', String(pid)], { encoding: 'utf8' }).trim();
  } catch {
    return '';
  }
};

/**
 * A real zombie: sh starts a `cat` that reads the pipe on fd 3, prints its pid and replaces
 * itself with `sleep`, which never waits for children. Once sh is `sleep` (so sh itself
 * cannot reap it), closing our end of the pipe ends the cat, which stays a zombie for as
 * long as the sleep runs. Resolves with the zombie's and its parent's pids.
 */
async function makeZombie(): Promise<{ zombie: number; parent: number }> {
  const child = spawn('sh', ['-c', 'cat <&3 >/dev/null & echo $!; exec sleep 60'], { stdio: ['ignore', 'pipe', 'ignore', 'pipe'] });
  children.push(child);
  const zombie = await new Promise<number>((resolve, reject) => {
    child.stdout!.once('data', (d: Buffer) => resolve(Number(String(d).trim())));
    child.once('error', reject);
  });
  const parent = child.pid!;
  await until(() => commandOf(parent) === 'sleep', 'sh has become sleep');
  (child.stdio[3] as Socket).destroy();
  await until(() => isZombie(zombie), `pid ${zombie} is a zombie`);
  return { zombie, parent };
}

async function writeLock(dbPath: string, pid: number): Promise<void> {
  await fsp.writeFile(`${dbPath}.lock`, JSON.stringify({ pid, host: os.hostname(), since: 1 }));
}

describe('queue lock', () => {
  it('takes over the lock of an owner that is a zombie, and respects a live one', { timeout: 60_000 }, async () => {
    const dir = await tempDir();
    const dbPath = path.join(dir, 'queue.db');
    const { zombie, parent } = await makeZombie();
    // The zombie still answers signal 0: that alone would call it alive.
    expect(() => process.kill(zombie, 0)).not.toThrow();
    expect(isZombie(parent)).toBe(false);

    await writeLock(dbPath, parent);
    await expect(acquireQueueLock(dbPath)).rejects.toMatchObject({ code: 'QueueInUse', message: expect.stringContaining(`pid ${parent}`) });

    await writeLock(dbPath, zombie);
    const lock = await acquireQueueLock(dbPath);
    const owner = JSON.parse(await fsp.readFile(`${dbPath}.lock`, 'utf8')) as { pid: number };
    expect(owner.pid).toBe(process.pid);
    await lock.release();
    await expect(fsp.stat(`${dbPath}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('does not call a running process or a missing one a zombie', () => {
    expect(isZombie(process.pid)).toBe(false);
    expect(isZombie(2 ** 22 + 12345)).toBe(false);
  });
});

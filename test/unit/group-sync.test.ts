import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it } from 'vitest';
import { GroupSync } from '../../main/engine/download/group-sync';

// Ranges that finish while an fdatasync runs share one follow-up sync (it began after
// they asked); none of them is answered by the sync that was already under way.

let dir: string;
let fd: number;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-group-sync-'));
  fd = fs.openSync(path.join(dir, 'f'), 'w+');
});
afterEach(() => {
  fs.closeSync(fd);
  fs.rmSync(dir, { recursive: true, force: true });
});

it('answers callers during a sync with one follow-up sync, started after the first one ended', async () => {
  const g = new GroupSync(fd);
  const order: string[] = [];
  const first = g.sync().then(() => order.push('first'));
  const during = [1, 2, 3, 4].map((i) => g.sync().then(() => order.push(`during${i}`)));
  expect(g.syncs).toBe(1); // the follow-up has not begun: the first still runs
  await Promise.all([first, ...during]);
  expect(g.syncs).toBe(2);
  expect(order[0]).toBe('first');
  await g.sync();
  expect(g.syncs).toBe(3);
});

it('passes a failed sync to every caller that shares it', async () => {
  const g = new GroupSync(1_000_000); // no such descriptor: fdatasync fails with EBADF
  const results = await Promise.allSettled([g.sync(), g.sync(), g.sync()]);
  expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected', 'rejected']);
  expect(results.map((r) => (r as PromiseRejectedResult).reason.code)).toEqual(['EBADF', 'EBADF', 'EBADF']);
  expect(g.syncs).toBe(2);
});

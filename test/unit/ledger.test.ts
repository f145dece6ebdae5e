// The ledger repository on a real SQLite file: recording, matching by size + sampled
// hash per account, the queue's own matches, and rows that outlive their jobs.

import fs from 'fs';
import os from 'os';
import path from 'path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openQueueStore, type QueueStore } from '../../main/engine/store';

let dir: string;
let dbPath: string;
let store: QueueStore;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-ledger-'));
  dbPath = path.join(dir, 'queue.db');
  store = openQueueStore(dbPath);
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const entry = (over: Partial<Parameters<QueueStore['ledger']['record']>[0]> = {}) => ({
  account: 'AK1@cn-shanghai', size: 1000, sampleHash: 'aa', mtimeMs: 5, crc64: '123', videoId: 'v1',
  title: 'One', path: '/m/one.mp4', jobId: 1, ...over,
});

describe('ledger repository', () => {
  it('finds an upload by size and sampled hash, for its account only', () => {
    store.ledger.record(entry({ uploadedAt: 100 }));
    expect(store.ledger.find('AK1@cn-shanghai', 1000, 'aa')).toMatchObject([{ videoId: 'v1', title: 'One', crc64: '123', jobId: 1, uploadedAt: 100 }]);
    expect(store.ledger.find('AK2@cn-shanghai', 1000, 'aa')).toEqual([]);
    expect(store.ledger.find('AK1@cn-shanghai', 1001, 'aa')).toEqual([]);
    expect(store.ledger.find('AK1@cn-shanghai', 1000, 'ab')).toEqual([]);
  });

  it('lists the newest upload of a file first, and the same VideoId once', () => {
    store.ledger.record(entry({ videoId: 'v1', uploadedAt: 100 }));
    store.ledger.record(entry({ videoId: 'v2', uploadedAt: 200 }));
    // v1 again (a changed file restarted under its VideoId): replaced, not doubled.
    store.ledger.record(entry({ videoId: 'v1', uploadedAt: 50, path: '/m/moved.mp4' }));
    expect(store.ledger.find('AK1@cn-shanghai', 1000, 'aa').map((e) => e.videoId)).toEqual(['v2', 'v1']);
    expect(store.ledger.list().map((e) => [e.videoId, e.path])).toEqual([['v1', '/m/moved.mp4'], ['v2', '/m/one.mp4']]);
    expect(store.ledger.list('AK2@cn-shanghai')).toEqual([]);
  });

  it('keeps its rows when the jobs are removed from the queue', () => {
    const [id] = store.insertJobs([{ path: '/m/one.mp4', fileName: 'one.mp4', size: 1000, mtimeMs: 5, sampleHash: 'aa', meta: { title: 'One', tags: [] } }]);
    store.ledger.record(entry({ jobId: id }));
    store.close();
    const db = new Database(dbPath);
    db.prepare('DELETE FROM jobs WHERE id = ?').run(id);
    db.close();
    store = openQueueStore(dbPath);
    expect(store.getJob(id)).toBeUndefined();
    expect(store.ledger.find('AK1@cn-shanghai', 1000, 'aa')).toMatchObject([{ videoId: 'v1', jobId: id }]);
  });

  it('matches jobs of the queue by sampled hash, size and profile; not failed or canceled ones', () => {
    const job = (p: string, profileId?: string) => ({ path: p, fileName: path.basename(p), size: 1000, mtimeMs: 5, sampleHash: 'aa', meta: { title: 'T', tags: [] }, profileId });
    const [a, b, c] = store.insertJobs([job('/m/a.mp4'), job('/m/b.mp4'), job('/m/c.mp4', 'p2')]);
    store.transition(b, 'canceled', {});
    expect(store.ledger.queued(undefined, 1000, 'aa')).toEqual([{ jobId: a, state: 'queued', path: '/m/a.mp4' }]);
    expect(store.ledger.queued('p2', 1000, 'aa')).toEqual([{ jobId: c, state: 'queued', path: '/m/c.mp4' }]);
    expect(store.ledger.queued(undefined, 999, 'aa')).toEqual([]);
  });
});

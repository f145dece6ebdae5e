// The second direction in the queue store (migration 7): a v6 queue of uploads migrates
// with every job, part and event as it was (each an upload), and download jobs keep their
// item, remote identity and range checkpoint beside the same jobs table.

import fs from 'fs';
import os from 'os';
import path from 'path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../main/engine/store/migrations';
import { openQueueStore, type QueueStore } from '../../main/engine/store';
import { IllegalTransitionError } from '../../main/engine/job-state';

let dir: string;
let store: QueueStore | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-store-dl-'));
});

afterEach(() => {
  store?.close();
  store = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A queue as version 6 of the app left it: migrations 1–6 only, with an upload mid-way. */
function v6Queue(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS.filter((x) => x.version <= 6)) {
    db.exec(m.sql);
    db.pragma(`user_version = ${m.version}`);
  }
  db.prepare(`INSERT INTO jobs (path, file_name, size, mtime_ms, title, state, video_id, upload_id, part_size, bytes_done, created_at, updated_at)
    VALUES ('/in/a.mp4', 'a.mp4', 300, 5, 'A', 'uploading', 'VID-A', 'UP-1', 100, 100, 1, 2)`).run();
  db.prepare(`INSERT INTO jobs (path, file_name, size, mtime_ms, title, state, video_id, crc64, created_at, updated_at)
    VALUES ('/in/b.mp4', 'b.mp4', 10, 5, 'B', 'ready', 'VID-B', '123', 1, 2)`).run();
  db.prepare(`INSERT INTO parts (job_id, part_number, etag, size, crc64) VALUES (1, 1, '"E1"', 100, '42')`).run();
  db.prepare(`INSERT INTO events (job_id, at, type) VALUES (1, 3, 'initiated')`).run();
  db.close();
}

describe('migration 7 from a v6 queue', () => {
  it('keeps every job, part and event, each an upload, and adds the download tables', () => {
    const file = path.join(dir, 'q.db');
    v6Queue(file);
    store = openQueueStore(file);
    const a = store.getJob(1)!;
    expect(a).toMatchObject({ kind: 'upload', state: 'uploading', videoId: 'VID-A', uploadId: 'UP-1', bytesDone: 100, partSize: 100 });
    expect(store.listParts(1)).toEqual([{ partNumber: 1, etag: '"E1"', size: 100, crc64: '42' }]);
    expect(store.listEvents(1).map((e) => e.type)).toEqual(['initiated']);
    expect(store.getJob(2)).toMatchObject({ kind: 'upload', state: 'ready', crc64: '123' });
    expect(store.toView(store.getJob(2)!)).toMatchObject({ kind: 'upload' });
    expect(store.toView(store.getJob(2)!).download).toBeUndefined();
    // The migrated upload goes on as an upload: it may complete, never download.
    expect(() => store!.transition(1, 'downloading')).toThrow(IllegalTransitionError);
    store.transition(1, 'completing');
    // The new tables are there and empty.
    expect(store.downloads.get(1)).toBeUndefined();
    expect(store.downloads.listRanges(1)).toEqual([]);
    expect(store.hasVideoId('VID-A')).toBe(true);
  });
});

describe('download jobs', () => {
  function addDownload(s: QueueStore, videoId = 'VID-X', itemKey = 'stream:HD:mp4'): number {
    return s.downloads.transaction(() => {
      const [id] = s.insertJobs([{
        kind: 'download', videoId, path: path.join(dir, 'out', 'X-HD.mp4'), fileName: 'X-HD.mp4', size: 0, mtimeMs: 0,
        meta: { title: 'X', tags: [] },
      }]);
      s.downloads.insert({
        jobId: id, videoId, itemKey, what: { streams: { definitions: ['HD'] } }, outDir: path.join(dir, 'out'),
        tempPath: path.join(dir, 'out', 'X-HD.mp4.vodpart'), sidecar: true, definition: 'HD', format: 'mp4', info: { title: 'X' },
      });
      return id;
    });
  }

  it('keeps the item, the remote identity and the range checkpoint, with bytes_done in step', () => {
    store = openQueueStore(path.join(dir, 'q.db'));
    const id = addDownload(store);
    expect(store.getJob(id)).toMatchObject({ kind: 'download', videoId: 'VID-X', state: 'queued', bytesDone: 0 });
    expect(store.toView(store.getJob(id)!)).toMatchObject({
      kind: 'download', download: { videoId: 'VID-X', itemKey: 'stream:HD:mp4', outDir: path.join(dir, 'out'), definition: 'HD', format: 'mp4' },
    });
    // A download only reads its video: the adoption of lost creates must not skip it.
    expect(store.hasVideoId('VID-X')).toBe(false);
    expect(store.downloads.findItem('VID-X', 'stream:HD:mp4', path.join(dir, 'out'))).toBe(id);
    expect(store.downloads.findItem('VID-X', 'stream:SD:mp4', path.join(dir, 'out'))).toBeUndefined();
    expect(store.downloads.pathTaken(path.join(dir, 'out', 'X-HD.mp4'))).toBe(true);
    expect(store.downloads.pathTaken(path.join(dir, 'out', 'X-HD.mp4'), id)).toBe(false);

    store.downloads.setRemote(id, { size: 300, etag: '"E"', crc64: '99', lastModified: 'Tue, 01 Dec 2026 00:00:00 GMT' }, 128);
    store.downloads.recordRange(id, { index: 1, size: 128, crc64: '7' });
    store.downloads.recordRange(id, { index: 0, size: 128, crc64: '8' });
    store.downloads.recordRange(id, { index: 1, size: 128, crc64: '7' }); // written twice, counted once
    expect(store.getJob(id)!.bytesDone).toBe(256);
    expect(store.downloads.listRanges(id)).toEqual([{ index: 0, size: 128, crc64: '8' }, { index: 1, size: 128, crc64: '7' }]);
    expect(store.downloads.get(id)).toMatchObject({ rangeSize: 128, remote: { size: 300, etag: '"E"', crc64: '99' } });

    store.transition(id, 'downloading');
    expect(() => store!.transition(id, 'completing')).toThrow(IllegalTransitionError);
    store.transition(id, 'verifying');
    store.transition(id, 'downloaded');
    expect(store.getJob(id)!.finishedAt).toBeDefined();

    store.downloads.clearRanges(id, { forgetRemote: true });
    expect(store.getJob(id)!.bytesDone).toBe(0);
    expect(store.downloads.get(id)!.remote).toBeUndefined();
  });

  it('refuses a second job for the same item of a video in the same folder, and removes rows with the job', () => {
    store = openQueueStore(path.join(dir, 'q.db'));
    const id = addDownload(store);
    expect(() => addDownload(store!)).toThrow(/UNIQUE/);
    expect(store.queryJobs({ offset: 0, limit: 10 }).total).toBe(1); // the failed insert left nothing behind
    store.downloads.recordRange(id, { index: 0, size: 1, crc64: '1' });
    store.deleteJobs([id]);
    expect(store.downloads.get(id)).toBeUndefined();
    expect(store.downloads.listRanges(id)).toEqual([]);
  });

  it('a download names its VideoId; an upload does not', () => {
    store = openQueueStore(path.join(dir, 'q.db'));
    expect(() => store!.insertJobs([{ kind: 'download', path: '/o/x', fileName: 'x', size: 0, mtimeMs: 0, meta: { title: 'x', tags: [] } }]))
      .toThrow(/a download names its VideoId/);
    expect(() => store!.insertJobs([{ videoId: 'V', path: '/o/x', fileName: 'x', size: 0, mtimeMs: 0, meta: { title: 'x', tags: [] } }]))
      .toThrow(/a download names its VideoId/);
  });
});

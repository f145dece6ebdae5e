// The HLS package checkpoint (store/hls-files.ts) on a real SQLite file.
import fs from 'fs';
import os from 'os';
import path from 'path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openQueueStore, type QueueStore } from '../../main/engine/store';

let dir: string;
let store: QueueStore;
let jobId: number;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-store-hls-'));
  store = openQueueStore(path.join(dir, 'queue.db'));
  [jobId] = store.insertJobs([{ path: '/m/show.m3u8', fileName: 'show.m3u8', size: 50, mtimeMs: 1, meta: { title: 'Show', tags: [] } }]);
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const FILES = [
  { relPath: 'seg0.ts', kind: 'segment' as const, size: 100, mtimeMs: 10.7 },
  { relPath: 'v/seg1.ts', kind: 'segment' as const, size: 200, mtimeMs: 11 },
  { relPath: 'show.m3u8', kind: 'index' as const, size: 50, mtimeMs: 12 },
];

describe('hls_files', () => {
  it('replaces the package: rows in order, job size = the package, nothing done', () => {
    store.hlsFiles.replace(jobId, FILES);
    expect(store.hlsFiles.list(jobId)).toEqual([
      { index: 0, relPath: 'seg0.ts', kind: 'segment', size: 100, mtimeMs: 10, done: false },
      { index: 1, relPath: 'v/seg1.ts', kind: 'segment', size: 200, mtimeMs: 11, done: false },
      { index: 2, relPath: 'show.m3u8', kind: 'index', size: 50, mtimeMs: 12, done: false },
    ]);
    expect(store.getJob(jobId)).toMatchObject({ size: 350, bytesDone: 0 });
  });

  it('marks a file done once: bytes_done moves by its size, a repeat does not move it again', () => {
    store.hlsFiles.replace(jobId, FILES);
    store.hlsFiles.setUploadId(jobId, 1, 'UP1');
    expect(store.hlsFiles.list(jobId)[1].uploadId).toBe('UP1');
    store.hlsFiles.markDone(jobId, 1, { etag: '"E1"', crc64: '123' });
    store.hlsFiles.markDone(jobId, 1, { etag: '"E1"', crc64: '123' });
    expect(store.hlsFiles.list(jobId)[1]).toEqual({ index: 1, relPath: 'v/seg1.ts', kind: 'segment', size: 200, mtimeMs: 11, etag: '"E1"', crc64: '123', done: true });
    expect(store.getJob(jobId)!.bytesDone).toBe(200);
    expect(() => store.hlsFiles.markDone(jobId, 1, { etag: 'x', crc64: 'abc' })).toThrow(/decimal/);
    expect(() => store.hlsFiles.markDone(jobId, 9, { etag: 'x', crc64: '1' })).toThrow(/no HLS file 9/);

    // A new video starts the package over.
    store.hlsFiles.replace(jobId, FILES.slice(1));
    expect(store.hlsFiles.list(jobId).map((f) => f.done)).toEqual([false, false]);
    expect(store.getJob(jobId)).toMatchObject({ size: 250, bytesDone: 0 });
  });

  it('knows a playlist\'s job by path and mtime, whatever the package weighs (a drop folder\'s question)', () => {
    store.hlsFiles.replace(jobId, FILES);
    expect(store.hasJobForFile('/m/show.m3u8', 50, 1)).toBe(true);
    expect(store.hasJobForFile('/m/show.m3u8', 50, 2)).toBe(false);
    const [mp4] = store.insertJobs([{ path: '/m/a.mp4', fileName: 'a.mp4', size: 10, mtimeMs: 1, meta: { title: 'A', tags: [] } }]);
    expect(store.getJob(mp4)).toBeDefined();
    expect(store.hasJobForFile('/m/a.mp4', 10, 1)).toBe(true);
    expect(store.hasJobForFile('/m/a.mp4', 11, 1)).toBe(false);
  });

  it('survives a reopen and goes with its job', () => {
    store.hlsFiles.replace(jobId, FILES);
    store.hlsFiles.markDone(jobId, 0, { etag: '"E0"', crc64: '7' });
    store.close();
    store = openQueueStore(path.join(dir, 'queue.db'));
    expect(store.hlsFiles.list(jobId).map((f) => f.done)).toEqual([true, false, false]);
    store.deleteJobs([jobId]);
    expect(store.hlsFiles.list(jobId)).toEqual([]);
  });
});

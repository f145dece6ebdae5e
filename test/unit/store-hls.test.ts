// The HLS package checkpoint (store/hls-files.ts) on a real SQLite file.
import fs from 'fs';
import os from 'os';
import path from 'path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { versionVerdict } from '../../main/engine/drop-folder';
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
    const known = (p: string, size: number, mtimeMs: number): boolean => versionVerdict(store.jobsForPath(p), { path: p, size, mtimeMs }) === 'known';
    expect(store.getJob(jobId)!.size).toBe(350);
    expect(known('/m/show.m3u8', 50, 1)).toBe(true);
    // Its job is finished (an object), so another version of the playlist is a new video.
    store.updateJob(jobId, { crc64: '5' });
    expect(known('/m/show.m3u8', 50, 2)).toBe(false);
    const [mp4] = store.insertJobs([{ path: '/m/a.mp4', fileName: 'a.mp4', size: 10, mtimeMs: 1, meta: { title: 'A', tags: [] } }]);
    store.updateJob(mp4, { crc64: '6' });
    expect(known('/m/a.mp4', 10, 1)).toBe(true);
    expect(known('/m/a.mp4', 11, 1)).toBe(false);
  });

  it('plans a package again for the same video: unchanged files keep their checkpoint, changed and new ones are to send', () => {
    store.hlsFiles.replace(jobId, FILES);
    store.hlsFiles.markDone(jobId, 0, { etag: '"E0"', crc64: '7' });
    store.hlsFiles.markDone(jobId, 1, { crc64: '8' });
    store.hlsFiles.setUploadId(jobId, 2, 'UP2');
    const toSend = store.hlsFiles.replan(jobId, [
      FILES[0], // unchanged: stays done
      { ...FILES[1], mtimeMs: 99 }, // re-exported
      { relPath: 'v/seg2.ts', kind: 'segment', size: 30, mtimeMs: 5 },
      FILES[2],
    ]);
    expect(toSend).toEqual(['v/seg1.ts', 'v/seg2.ts', 'show.m3u8']);
    const rows = store.hlsFiles.list(jobId);
    expect(rows.map((f) => [f.relPath, f.done])).toEqual([['seg0.ts', true], ['v/seg1.ts', false], ['v/seg2.ts', false], ['show.m3u8', false]]);
    expect(rows[0]).toMatchObject({ etag: '"E0"', crc64: '7' });
    expect(rows[1].crc64).toBeUndefined();
    expect(rows[3].uploadId).toBe('UP2'); // unchanged: its multipart upload goes on
    expect(store.getJob(jobId)).toMatchObject({ size: 380, bytesDone: 100 });
  });

  it('forgets the package when its VideoId is deleted: no rows, bytes_done 0', () => {
    store.hlsFiles.replace(jobId, FILES);
    store.hlsFiles.setUploadId(jobId, 1, 'UP1');
    store.hlsFiles.markDone(jobId, 0, { crc64: '7' });
    expect(store.getJob(jobId)!.bytesDone).toBe(100);
    store.hlsFiles.clear(jobId);
    expect(store.hlsFiles.list(jobId)).toEqual([]);
    expect(store.getJob(jobId)!.bytesDone).toBe(0);
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

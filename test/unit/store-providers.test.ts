// The provider seam in the queue store (migration 8): a v7 queue migrates with every job,
// part, event and profile as it was (each job Alibaba's, known by its VideoId), profiles
// admit 'tencent', and a job keeps its provider's own identity beside its media id.

import fs from 'fs';
import os from 'os';
import path from 'path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { MIGRATIONS } from '../../main/engine/store/migrations';
import { openQueueStore, type QueueStore } from '../../main/engine/store';
import { identityOf } from '../../main/engine/upload-session';

let dir: string;
let store: QueueStore | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-store-prov-'));
});

afterEach(() => {
  store?.close();
  store = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A queue as version 7 of the app left it: an upload mid-way, a finished one, two profiles. */
function v7Queue(file: string): void {
  const db = new Database(file);
  db.pragma('journal_mode = WAL');
  for (const m of MIGRATIONS.filter((x) => x.version <= 7)) {
    db.exec(m.sql);
    db.pragma(`user_version = ${m.version}`);
  }
  db.prepare(`INSERT INTO jobs (path, file_name, size, mtime_ms, title, state, video_id, upload_address_json, upload_id, part_size, bytes_done, created_at, updated_at, profile_id)
    VALUES ('/in/a.mp4', 'a.mp4', 300, 5, 'A', 'uploading', 'VID-A', '{"endpoint":"https://oss","bucket":"b","objectKey":"sv/a.mp4"}', 'UP-1', 100, 100, 1, 2, 'p1')`).run();
  db.prepare(`INSERT INTO jobs (path, file_name, size, mtime_ms, title, state, video_id, crc64, created_at, updated_at)
    VALUES ('/in/b.mp4', 'b.mp4', 10, 5, 'B', 'ready', 'VID-B', '123', 1, 2)`).run();
  db.prepare(`INSERT INTO parts (job_id, part_number, etag, size, crc64) VALUES (1, 1, '"E1"', 100, '42')`).run();
  db.prepare(`INSERT INTO events (job_id, at, type) VALUES (1, 3, 'initiated')`).run();
  db.prepare(`INSERT INTO profiles (id, name, kind, access_key_id, region, endpoint, secret_blob, token_blob, active, created_at, updated_at)
    VALUES ('p1', 'Studio', 'aliyun', 'LTAI1', 'cn-shanghai', NULL, X'0102', NULL, 1, 1, 2)`).run();
  db.prepare(`INSERT INTO profiles (id, name, kind, access_key_id, region, endpoint, secret_blob, token_blob, active, created_at, updated_at)
    VALUES ('sandbox', 'Sandbox', 'sandbox', 'sandbox', 'cn-shanghai', NULL, NULL, NULL, 0, 1, 2)`).run();
  db.close();
}

describe('migration 8 from a v7 queue', () => {
  it('keeps every job, part, event and profile; each job is Alibaba\'s, known by its VideoId', () => {
    const file = path.join(dir, 'q.db');
    v7Queue(file);
    store = openQueueStore(file);
    const a = store.getJob(1)!;
    expect(a).toMatchObject({
      kind: 'upload', provider: 'aliyun', state: 'uploading', videoId: 'VID-A', uploadId: 'UP-1', bytesDone: 100, partSize: 100,
      uploadAddress: { endpoint: 'https://oss', bucket: 'b', objectKey: 'sv/a.mp4' }, profileId: 'p1',
    });
    expect(a.uploadSession).toBeUndefined();
    expect(identityOf(a)).toEqual({ mediaId: 'VID-A' });
    expect(store.listParts(1)).toEqual([{ partNumber: 1, etag: '"E1"', size: 100, crc64: '42' }]);
    expect(store.listEvents(1).map((e) => e.type)).toEqual(['initiated']);
    expect(store.toView(store.getJob(2)!)).toMatchObject({ provider: 'aliyun', state: 'ready', videoId: 'VID-B' });
    // The migrated upload goes on.
    store.transition(1, 'completing');

    // Profiles: the same rows, secret blob and active flag; at most one active still holds.
    expect(store.getProfile('p1')).toMatchObject({ name: 'Studio', kind: 'aliyun', accessKeyId: 'LTAI1', region: 'cn-shanghai' });
    expect(store.getProfile('p1')!.secretBlob).toEqual(Buffer.from([1, 2]));
    expect(store.getProfile('p1')!.active).toBe(true);
    expect(store.getActiveProfileId()).toBe('p1');
    store.setActiveProfileId('sandbox');
    expect(store.listProfiles().filter((p) => p.active).map((p) => p.id)).toEqual(['sandbox']);
    expect(store.getProfile('sandbox')).toMatchObject({ kind: 'sandbox' });
  });

  it('admits a tencent profile and still refuses an unknown kind', () => {
    const file = path.join(dir, 'q.db');
    v7Queue(file);
    store = openQueueStore(file);
    store.saveProfile({ id: 'tc', name: 'Tencent', kind: 'tencent', accessKeyId: 'AKID1', region: 'ap-guangzhou', secretBlob: Buffer.from([9]) });
    expect(store.getProfile('tc')).toMatchObject({ kind: 'tencent', region: 'ap-guangzhou' });
    expect(() => store!.saveProfile({ id: 'x', name: 'X', kind: 'other' as never, accessKeyId: 'k', region: 'r' })).toThrow(/CHECK/);
  });
});

describe('a job\'s provider identity', () => {
  it('keeps a session beside the media id, and refuses metadata changes once a session is open', async () => {
    store = openQueueStore(path.join(dir, 'q.db'));
    const [id, other] = store.insertJobs([
      { path: '/in/t.mp4', fileName: 't.mp4', size: 5, mtimeMs: 1, meta: { title: 'T', tags: [] }, provider: 'tencent' },
      { path: '/in/u.mp4', fileName: 'u.mp4', size: 5, mtimeMs: 1, meta: { title: 'U', tags: [] } },
    ]);
    expect(store.getJob(id)).toMatchObject({ provider: 'tencent' });
    expect(store.getJob(other)).toMatchObject({ provider: 'aliyun' });
    expect(identityOf(store.getJob(id)!)).toBeUndefined();

    store.updateJob(id, {
      uploadSession: { vodSessionKey: 'KEY', storagePath: '/a/b.mp4' },
      uploadAddress: { endpoint: '', bucket: 'vod-125', region: 'ap-guangzhou', objectKey: '/a/b.mp4', coverObjectKey: '/a/c.jpg' },
    });
    const open = store.getJob(id)!;
    expect(identityOf(open)).toEqual({ session: { vodSessionKey: 'KEY', storagePath: '/a/b.mp4' } });
    expect(open.uploadAddress).toEqual({ endpoint: '', bucket: 'vod-125', region: 'ap-guangzhou', objectKey: '/a/b.mp4', coverObjectKey: '/a/c.jpg' });
    // The metadata went with the open session: it is not edited behind its back.
    expect(store.updateMeta([id, other], { title: 'new' })).toMatchObject({ updated: [other], refused: [id] });

    store.updateJob(id, { videoId: 'FILE-1' });
    expect(identityOf(store.getJob(id)!)).toEqual({ mediaId: 'FILE-1', session: { vodSessionKey: 'KEY', storagePath: '/a/b.mp4' } });
    expect(store.toView(store.getJob(id)!)).toMatchObject({ provider: 'tencent', videoId: 'FILE-1' });
  });
});

describe('migration 9 from a v8 queue', () => {
  it('adds profiles.sub_app_id: every profile keeps its row (no SubAppId), a Tencent profile can be given one, and only a positive one', () => {
    const file = path.join(dir, 'q.db');
    const db = new Database(file);
    db.pragma('journal_mode = WAL');
    for (const m of MIGRATIONS.filter((x) => x.version <= 8)) {
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
    }
    db.prepare(`INSERT INTO profiles (id, name, kind, access_key_id, region, endpoint, secret_blob, token_blob, active, created_at, updated_at)
      VALUES ('tc', 'Tencent', 'tencent', 'AKID1', 'ap-guangzhou', NULL, X'09', NULL, 1, 1, 2)`).run();
    db.prepare(`INSERT INTO jobs (path, file_name, size, mtime_ms, title, state, created_at, updated_at, profile_id, provider)
      VALUES ('/in/c.mp4', 'c.mp4', 3, 5, 'C', 'queued', 1, 2, 'tc', 'tencent')`).run();
    db.close();
    store = openQueueStore(file);
    expect(store.getProfile('tc')).toMatchObject({ name: 'Tencent', kind: 'tencent', accessKeyId: 'AKID1', active: true });
    expect(store.getProfile('tc')!.subAppId).toBeUndefined();
    expect(store.getProfile('tc')!.secretBlob).toEqual(Buffer.from([9]));
    expect(store.getJob(1)).toMatchObject({ provider: 'tencent', profileId: 'tc', state: 'queued' });
    store.saveProfile({ id: 'tc', name: 'Tencent', kind: 'tencent', accessKeyId: 'AKID1', region: 'ap-guangzhou', subAppId: 1500000001 });
    expect(store.getProfile('tc')!.subAppId).toBe(1500000001);
    expect(store.getProfile('tc')!.secretBlob).toEqual(Buffer.from([9]));
    expect(() => store!.saveProfile({ id: 'tc', name: 'Tencent', kind: 'tencent', accessKeyId: 'AKID1', region: 'ap-guangzhou', subAppId: 0 })).toThrow(/positive integer/);
    store.saveProfile({ id: 'tc', name: 'Tencent', kind: 'tencent', accessKeyId: 'AKID1', region: 'ap-guangzhou' });
    expect(store.getProfile('tc')!.subAppId).toBeUndefined();
  });
});


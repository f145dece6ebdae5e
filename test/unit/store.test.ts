import fs from 'fs';
import os from 'os';
import path from 'path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { DEFAULT_SETTINGS } from '../../shared/types';
import { IllegalTransitionError } from '../../main/engine/job-state';
import {
  DatabaseTooNewError, JobNotFoundError, QueueStoreError, SCHEMA_VERSION, openQueueStore,
  type NewJobRecord, type QueueStore,
} from '../../main/engine/store';
import { migrate } from '../../main/engine/store/migrations';

let dir: string;
let dbPath: string;
let store: QueueStore | undefined;

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-store-'));
  dbPath = path.join(dir, 'nested', 'folder', 'queue.db');
});

afterEach(() => {
  store?.close();
  store = undefined;
  fs.rmSync(dir, { recursive: true, force: true });
});

// The schema without the statistics tables that PRAGMA optimize may add.
const SCHEMA_SQL = "SELECT type, name, sql FROM sqlite_master WHERE name NOT LIKE 'sqlite_stat%' ORDER BY name";

function open(): QueueStore {
  store?.close();
  store = openQueueStore(dbPath);
  return store;
}

function newJob(i: number, extra: Partial<NewJobRecord> = {}): NewJobRecord {
  return {
    path: `/media/in/clip-${i}.mp4`,
    fileName: `clip-${i}.mp4`,
    size: 1000 + i,
    mtimeMs: 1_700_000_000_000 + i,
    meta: { title: `Clip ${i}`, tags: ['a', 'b'] },
    ...extra,
  };
}

describe('opening and migrations', () => {
  it('creates the folder and file, uses WAL, and stamps the schema version', () => {
    const s = open();
    expect(fs.existsSync(dbPath)).toBe(true);
    s.close();
    const raw = new Database(dbPath, { readonly: true });
    expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    expect(raw.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    const tables = raw.prepare("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name").pluck().all();
    expect(tables).toEqual(expect.arrayContaining(['events', 'jobs', 'parts', 'profiles', 'settings']));
    raw.close();
  });

  it('runs each migration once; reopening applies nothing and keeps the data', () => {
    fs.mkdirSync(path.dirname(dbPath), { recursive: true });
    const raw = new Database(dbPath);
    expect(migrate(raw, dbPath)).toEqual(Array.from({ length: SCHEMA_VERSION }, (_, i) => i + 1));
    expect(migrate(raw, dbPath)).toEqual([]);
    const schema = raw.prepare(SCHEMA_SQL).all();
    raw.close();

    const [id] = open().insertJobs([newJob(1)]);
    open(); // reopen: must not re-run migrations over existing tables
    expect(store!.getJob(id)?.meta.title).toBe('Clip 1');
    store!.close();
    const again = new Database(dbPath, { readonly: true });
    expect(again.prepare(SCHEMA_SQL).all()).toEqual(schema);
    again.close();
  });

  it('refuses a database from a newer version, clearly, without touching it', () => {
    fs.mkdirSync(path.dirname(dbPath), { recursive: true });
    const raw = new Database(dbPath);
    raw.exec('CREATE TABLE jobs (id INTEGER PRIMARY KEY, future_column TEXT)');
    raw.pragma(`user_version = ${SCHEMA_VERSION + 3}`);
    raw.close();

    let err: unknown;
    try {
      openQueueStore(dbPath);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(DatabaseTooNewError);
    expect((err as Error).message).toContain(`schema version ${SCHEMA_VERSION + 3}`);
    expect((err as Error).message).toMatch(/newer version.*Update the application/s);

    const after = new Database(dbPath, { readonly: true });
    expect(after.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION + 3);
    expect(after.prepare("SELECT sql FROM sqlite_master WHERE name = 'jobs'").pluck().get()).toContain('future_column');
    after.close();
  });

  it('says so when the file is not a database', () => {
    fs.mkdirSync(path.dirname(dbPath), { recursive: true });
    fs.writeFileSync(dbPath, 'this is a text file, not SQLite; '.repeat(200));
    expect(() => openQueueStore(dbPath)).toThrow(QueueStoreError);
    expect(() => openQueueStore(dbPath)).toThrow(/is not a queue database.*Move it aside/s);
  });
});

describe('jobs', () => {
  it('round-trips every field and survives close and reopen', () => {
    const s = open();
    const [id] = s.insertJobs([newJob(7, {
      sampleHash: 'abc123',
      priority: 5,
      meta: {
        title: '标题 7', description: 'desc', cateId: 1001, tags: ['x'], templateGroupId: 'tg', workflowId: 'wf',
        storageLocation: 'outin-1.oss-cn-shanghai.aliyuncs.com', appId: 'app-1000000', userData: '{"k":1}',
        coverPath: '/media/cover.png',
      },
    })]);
    const t0 = s.getJob(id)!;
    expect(t0).toMatchObject({
      id, path: '/media/in/clip-7.mp4', fileName: 'clip-7.mp4', size: 1007, mtimeMs: 1_700_000_000_007,
      sampleHash: 'abc123', priority: 5, state: 'queued', bytesDone: 0, attempts: 0,
    });
    expect(t0.videoId).toBeUndefined();
    s.transition(id, 'creating');
    s.transition(id, 'uploading', {
      videoId: 'vid-7',
      uploadAddress: { endpoint: 'http://127.0.0.1:9', bucket: 'b', objectKey: 'sv/1/a.mp4' },
      uploadId: 'UP-7',
      partSize: 1024 * 1024,
    });
    s.recordPart(id, { partNumber: 1, etag: '"E1"', size: 600, crc64: '18446744073709551615' });
    s.recordPart(id, { partNumber: 2, etag: '"E2"', size: 407, crc64: '1' });
    s.updateJob(id, { crc64: '11051210869376104954', vodStatus: 'Uploading', coverImageId: 'img-1' });

    open();
    const r = store!.getJob(id)!;
    expect(r.meta).toEqual({
      title: '标题 7', description: 'desc', cateId: 1001, tags: ['x'], templateGroupId: 'tg', workflowId: 'wf',
      storageLocation: 'outin-1.oss-cn-shanghai.aliyuncs.com', appId: 'app-1000000', userData: '{"k":1}',
      coverPath: '/media/cover.png',
    });
    expect(r).toMatchObject({
      state: 'uploading', videoId: 'vid-7', uploadId: 'UP-7', partSize: 1048576, bytesDone: 1007,
      uploadAddress: { endpoint: 'http://127.0.0.1:9', bucket: 'b', objectKey: 'sv/1/a.mp4' },
      crc64: '11051210869376104954', vodStatus: 'Uploading', coverImageId: 'img-1',
    });
    expect(typeof r.startedAt).toBe('number');
    expect(store!.listParts(id)).toEqual([
      { partNumber: 1, etag: '"E1"', size: 600, crc64: '18446744073709551615' },
      { partNumber: 2, etag: '"E2"', size: 407, crc64: '1' },
    ]);

    const v = store!.toView(r);
    expect(v).toMatchObject({ id, state: 'uploading', bytesDone: 1007, videoId: 'vid-7', size: 1007, priority: 5 });
    expect(v.crc64).toBe('995dc9bbdf1939fa'); // 11051210869376104954 in hex
    expect(v).not.toHaveProperty('uploadId');
  });

  it('never persists a credential passed along with the upload address', () => {
    const s = open();
    const [id] = s.insertJobs([newJob(1)]);
    const leaky = {
      endpoint: 'http://127.0.0.1:9', bucket: 'b', objectKey: 'k',
      accessKeySecret: 'SECRET-DO-NOT-STORE', securityToken: 'TOKEN-DO-NOT-STORE',
    };
    s.updateJob(id, { uploadAddress: leaky });
    expect(s.getJob(id)!.uploadAddress).toEqual({ endpoint: 'http://127.0.0.1:9', bucket: 'b', objectKey: 'k' });
    s.close();
    const bytes = fs.readFileSync(dbPath).toString('latin1');
    expect(bytes).not.toContain('SECRET-DO-NOT-STORE');
    expect(bytes).not.toContain('TOKEN-DO-NOT-STORE');
  });

  it('updateJob sets and clears columns, and refuses state and bytesDone', () => {
    const s = open();
    const [id] = s.insertJobs([newJob(1)]);
    s.updateJob(id, { sampleHash: 'h', attempts: 3, nextAttemptAt: 99 });
    expect(s.getJob(id)).toMatchObject({ sampleHash: 'h', attempts: 3, nextAttemptAt: 99 });
    s.updateJob(id, { sampleHash: null, nextAttemptAt: undefined });
    const r = s.getJob(id)!;
    expect(r.sampleHash).toBeUndefined();
    expect(r.nextAttemptAt).toBeUndefined();
    expect(r.attempts).toBe(3);
    expect(() => s.updateJob(id, { state: 'ready' } as never)).toThrow(/use transition/);
    expect(() => s.updateJob(id, { bytesDone: 5 } as never)).toThrow(/follows the parts/);
    expect(() => s.updateJob(id, { path: null })).toThrow(/cannot be cleared/);
    expect(() => s.updateJob(9999, { attempts: 1 })).toThrow(JobNotFoundError);
    expect(() => s.updateJob(id, { crc64: '0x12' })).toThrow(/decimal text/);
  });

  it('transition checks the state machine and the expected state, with bookkeeping and an event', () => {
    let clock = 1000;
    store = openQueueStore(dbPath, { now: () => clock });
    const s = store;
    const [id] = s.insertJobs([newJob(1)]);

    clock = 2000;
    expect(s.transition(id, 'creating').startedAt).toBe(2000);
    clock = 3000;
    const waiting = s.transition(id, 'waiting', {
      error: { code: 'Throttling.User', message: 'slow down', retryable: true, requestId: 'R1' },
      nextAttemptAt: 5000,
      attempts: 1,
    });
    expect(waiting).toMatchObject({ state: 'waiting', nextAttemptAt: 5000, attempts: 1, startedAt: 2000 });
    expect(waiting.error).toEqual({ code: 'Throttling.User', message: 'slow down', retryable: true, requestId: 'R1' });

    // Entering work again clears the error and the retry time.
    clock = 5000;
    const creating = s.transition(id, 'creating', {}, { from: ['waiting'] });
    expect(creating.error).toBeUndefined();
    expect(creating.nextAttemptAt).toBeUndefined();
    expect(creating.updatedAt).toBe(5000);

    // A refused move changes nothing.
    expect(() => s.transition(id, 'ready')).toThrow(IllegalTransitionError);
    expect(() => s.transition(id, 'paused', {}, { from: ['uploading'] }))
      .toThrow(/Job \d+ is "creating", not "uploading" as expected/);
    expect(s.getJob(id)!.state).toBe('creating');

    clock = 6000;
    const failed = s.transition(id, 'failed', { error: { code: 'Forbidden.RAM', message: 'no', retryable: false, hint: 'grant it' } });
    expect(failed.finishedAt).toBe(6000);
    expect(failed.error).toMatchObject({ code: 'Forbidden.RAM', retryable: false, hint: 'grant it' });
    clock = 7000;
    const retried = s.transition(id, 'queued');
    expect(retried.finishedAt).toBeUndefined();
    expect(retried.error).toBeUndefined();

    expect(() => s.transition(424242, 'creating')).toThrow(JobNotFoundError);
    expect(() => s.transition(id, 'bogus' as never)).toThrow(/not a job state/);

    const events = s.listEvents(id);
    expect(events.map((e) => [e.type, (e.data as { from: string; to: string }).to])).toEqual([
      ['state', 'creating'], ['state', 'waiting'], ['state', 'creating'], ['state', 'failed'], ['state', 'queued'],
    ]);
    expect(events[1].data).toMatchObject({ from: 'creating', to: 'waiting', error: { code: 'Throttling.User' } });
    expect(events[3].at).toBe(6000);
  });

  it('records a VideoId with the move to uploading and keeps it through pause and resume', () => {
    const s = open();
    const [id] = s.insertJobs([newJob(1)]);
    s.transition(id, 'creating');
    s.transition(id, 'uploading', { videoId: 'v-1', uploadId: 'u-1' });
    s.transition(id, 'paused');
    s.transition(id, 'queued');
    open();
    expect(store!.getJob(id)).toMatchObject({ state: 'queued', videoId: 'v-1', uploadId: 'u-1' });
    // Never a second VideoId for one job: replacing is refused, the same one or clearing is not.
    expect(() => store!.updateJob(id, { videoId: 'v-2' })).toThrow(/already has VideoId v-1; it will not be replaced by v-2/);
    expect(() => store!.transition(id, 'uploading', { videoId: 'v-2' })).toThrow(QueueStoreError);
    expect(store!.getJob(id)).toMatchObject({ state: 'queued', videoId: 'v-1' });
    store!.transition(id, 'uploading', { videoId: 'v-1' });
    expect(store!.updateJob(id, { videoId: null }).videoId).toBeUndefined();
    expect(store!.updateJob(id, { videoId: 'v-3' }).videoId).toBe('v-3');
  });

  it('appendEvent and listEvents keep the latest events in order', () => {
    const s = open();
    const [a, b] = s.insertJobs([newJob(1), newJob(2)]);
    for (let i = 0; i < 10; i++) s.appendEvent(a, 'part', { n: i });
    s.appendEvent(b, 'note');
    const last3 = s.listEvents(a, 3);
    expect(last3.map((e) => (e.data as { n: number }).n)).toEqual([7, 8, 9]);
    expect(last3.every((e) => e.jobId === a && e.type === 'part')).toBe(true);
    expect(s.listEvents(b)).toEqual([expect.objectContaining({ jobId: b, type: 'note' })]);
    expect(s.listEvents(b)[0]).not.toHaveProperty('data');
    expect(() => s.appendEvent(777, 'x')).toThrow(JobNotFoundError);
  });

  it('together: writes that belong together commit as one, all or nothing; a VideoId only in a batch declared durable', () => {
    const s = open();
    const [a] = s.insertJobs([newJob(1)]);
    // A second connection sees only committed data: nothing until the batch ends.
    const reader = new Database(dbPath, { readonly: true });
    try {
      const seen = (): number => (reader.prepare('SELECT COUNT(*) FROM events WHERE job_id = ?').pluck().get(a) as number);
      const base = seen();
      s.together(() => {
        s.appendEvent(a, 'one');
        s.appendEvent(a, 'two');
        expect(seen()).toBe(base);
      });
      expect(seen()).toBe(base + 2);
      // A failure inside undoes the whole batch.
      expect(() => s.together(() => {
        s.appendEvent(a, 'three');
        throw new Error('stop');
      })).toThrow('stop');
      expect(seen()).toBe(base + 2);
      // An identity from the cloud must be fsynced: refused in a batch not declared durable
      // (with what came before it in the batch), taken in one that is.
      expect(() => s.together(() => {
        s.appendEvent(a, 'created');
        s.updateJob(a, { videoId: 'vid-1' });
      })).toThrow(/fsynced/);
      expect([s.getJob(a)!.videoId, seen()]).toEqual([undefined, base + 2]);
      s.together(() => {
        s.updateJob(a, { videoId: 'vid-1' });
        s.appendEvent(a, 'created');
      }, { durable: true });
      expect([s.getJob(a)!.videoId, seen()]).toEqual(['vid-1', base + 3]);
    } finally {
      reader.close();
    }
  });

  it('togetherSynced: commits at once, resolves only after an fsync of the WAL that began after the commit; commits meanwhile share one', async () => {
    const s = open();
    const ids = s.insertJobs(Array.from({ length: 8 }, (_, i) => newJob(i)));
    const wal = fs.openSync(`${dbPath}-wal`, 'r');
    const walIno = fs.fstatSync(wal).ino;
    fs.closeSync(wal);
    const synced: number[] = [];
    const real = fs.fsync;
    const spy = vi.spyOn(fs, 'fsync').mockImplementation(((fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
      // Which file, and how many commits it covered.
      expect(fs.fstatSync(fd).ino).toBe(walIno);
      synced.push(s.listEvents(ids[0]).filter((e) => e.type === 'created').length + ids.slice(1).filter((id) => s.getJob(id)!.videoId).length);
      real(fd, cb);
    }) as typeof fs.fsync);
    try {
      const reader = new Database(dbPath, { readonly: true });
      try {
        const first = s.togetherSynced(() => {
          s.updateJob(ids[0], { videoId: 'vid-0' });
          s.appendEvent(ids[0], 'created');
        });
        // Committed before the fsync: another connection sees it.
        expect(reader.prepare('SELECT video_id FROM jobs WHERE id = ?').pluck().get(ids[0])).toBe('vid-0');
        // Seven more while the first fsync runs: they wait for one that begins after them.
        const rest = ids.slice(1).map((id, i) => s.togetherSynced(() => s.updateJob(id, { videoId: `vid-${i + 1}` })));
        await Promise.all([first, ...rest]);
      } finally {
        reader.close();
      }
      // One fsync for the first commit, one shared by the seven that came during it.
      expect(synced).toEqual([1, 8]);
      // A failed fsync rejects: the caller must not go on (the commit itself stands).
      spy.mockImplementation(((_fd: number, cb: (err: NodeJS.ErrnoException | null) => void) => {
        cb(Object.assign(new Error('EIO: i/o error, fsync'), { code: 'EIO' }));
      }) as typeof fs.fsync);
      const [extra] = s.insertJobs([newJob(99)]);
      await expect(s.togetherSynced(() => s.updateJob(extra, { videoId: 'vid-99' }))).rejects.toThrow(QueueStoreError);
      expect(s.getJob(extra)!.videoId).toBe('vid-99');
    } finally {
      spy.mockRestore();
    }
  });

  it('updateMeta changes jobs without a VideoId and refuses the others', () => {
    const s = open();
    const [free, withVideo, beingCreated, paused] = s.insertJobs([newJob(1), newJob(2), newJob(3), newJob(4, { state: 'paused' })]);
    s.transition(withVideo, 'creating');
    s.transition(withVideo, 'uploading', { videoId: 'v-2' });
    s.transition(beingCreated, 'creating');

    const res = s.updateMeta([free, withVideo, beingCreated, paused, 999], { title: 'New', tags: ['n'], cateId: 7 });
    expect(res).toEqual({ updated: [free, paused], refused: [withVideo, beingCreated], missing: [999] });
    expect(s.getJob(free)!.meta).toEqual({ title: 'New', tags: ['n'], cateId: 7 });
    expect(s.getJob(paused)!.meta.title).toBe('New');
    expect(s.getJob(withVideo)!.meta.title).toBe('Clip 2');
    expect(s.getJob(beingCreated)!.meta.title).toBe('Clip 3');

    // Clearing an optional field.
    s.updateMeta([free], { cateId: undefined });
    expect(s.getJob(free)!.meta).toEqual({ title: 'New', tags: ['n'] });
  });

  it('setPriority and deleteJobs (with parts and events)', () => {
    const s = open();
    const [a, b] = s.insertJobs([newJob(1), newJob(2)]);
    expect(s.setPriority([a, b, 12345], 9)).toBe(2);
    expect(s.getJob(b)!.priority).toBe(9);
    expect(() => s.setPriority([a], 1.5)).toThrow(/whole number/);
    s.recordPart(a, { partNumber: 1, etag: 'e', size: 5, crc64: '5' });
    s.appendEvent(a, 'x');
    expect(s.deleteJobs([a])).toBe(1);
    expect(s.getJob(a)).toBeUndefined();
    expect(s.listParts(a)).toEqual([]);
    expect(s.listEvents(a)).toEqual([]);
  });

  it('refuses bad new jobs with a message naming the job', () => {
    const s = open();
    expect(() => s.insertJobs([newJob(1), newJob(2, { size: -1 })])).toThrow(/Job 2 of 2 .*size/);
    expect(() => s.insertJobs([newJob(1, { state: 'uploading' })])).toThrow(/starts queued or paused/);
    expect(s.totals().jobs).toBe(0); // nothing from a refused batch entered the queue
  });

  it('inserts 100,000 jobs in one call', () => {
    const s = open();
    const items = Array.from({ length: 100_000 }, (_, i) => newJob(i));
    const ids = s.insertJobs(items);
    expect(ids).toHaveLength(100_000);
    expect(new Set(ids).size).toBe(100_000);
    expect(s.totals()).toMatchObject({ jobs: 100_000, byState: { queued: 100_000 } });
    expect(s.getJob(ids[99_999])!.fileName).toBe('clip-99999.mp4');
  });
});

describe('parts', () => {
  it('recordPart keeps bytes_done equal to the sum of parts, overwrite included', () => {
    const s = open();
    const [id, other] = s.insertJobs([newJob(1), newJob(2)]);
    s.recordPart(id, { partNumber: 1, etag: 'a', size: 100, crc64: '1' });
    s.recordPart(id, { partNumber: 2, etag: 'b', size: 200, crc64: '2' });
    s.recordPart(other, { partNumber: 1, etag: 'z', size: 7, crc64: '9' });
    expect(s.getJob(id)!.bytesDone).toBe(300);
    // Uploading part 1 again replaces it.
    s.recordPart(id, { partNumber: 1, etag: 'a2', size: 150, crc64: '3' });
    expect(s.getJob(id)!.bytesDone).toBe(350);
    expect(s.listParts(id)).toEqual([
      { partNumber: 1, etag: 'a2', size: 150, crc64: '3' },
      { partNumber: 2, etag: 'b', size: 200, crc64: '2' },
    ]);
    expect(s.getJob(other)!.bytesDone).toBe(7);

    expect(() => s.recordPart(id, { partNumber: 0, etag: 'x', size: 1, crc64: '1' })).toThrow(/part number/);
    expect(() => s.recordPart(id, { partNumber: 10_001, etag: 'x', size: 1, crc64: '1' })).toThrow(/part number/);
    expect(() => s.recordPart(id, { partNumber: 3, etag: 'x', size: 1, crc64: '18446744073709551616' })).toThrow(/64-bit/);
    expect(() => s.recordPart(id, { partNumber: 3, etag: '', size: 1, crc64: '1' })).toThrow(/ETag/);
    expect(() => s.recordPart(4242, { partNumber: 1, etag: 'x', size: 1, crc64: '1' })).toThrow(JobNotFoundError);
    expect(s.getJob(id)!.bytesDone).toBe(350);
  });

  it('replaceParts reconciles with the server list; clearParts empties', () => {
    const s = open();
    const [id] = s.insertJobs([newJob(1)]);
    for (let n = 1; n <= 5; n++) s.recordPart(id, { partNumber: n, etag: `e${n}`, size: 10, crc64: String(n) });
    s.replaceParts(id, [
      { partNumber: 4, etag: 'srv4', size: 11, crc64: '44' },
      { partNumber: 1, etag: 'srv1', size: 10, crc64: '11' },
    ]);
    expect(s.listParts(id).map((p) => [p.partNumber, p.etag])).toEqual([[1, 'srv1'], [4, 'srv4']]);
    expect(s.getJob(id)!.bytesDone).toBe(21);
    expect(() => s.replaceParts(id, [
      { partNumber: 2, etag: 'x', size: 1, crc64: '1' }, { partNumber: 2, etag: 'y', size: 1, crc64: '1' },
    ])).toThrow(/listed twice/);
    expect(s.getJob(id)!.bytesDone).toBe(21);
    s.clearParts(id);
    expect(s.listParts(id)).toEqual([]);
    expect(s.getJob(id)!.bytesDone).toBe(0);
  });
});

describe('settings and profiles', () => {
  it('merges stored settings over the defaults and validates them', () => {
    const s = open();
    expect(s.getSettings()).toEqual(DEFAULT_SETTINGS);
    expect(s.saveSettings({ filesInFlight: 5, autoResume: false })).toEqual({ ...DEFAULT_SETTINGS, filesInFlight: 5, autoResume: false });
    expect(() => s.saveSettings({ partsInFlight: -1 })).toThrow(/"partsInFlight" must be a number ≥ 0/);
    expect(() => s.saveSettings({ autoResume: 'yes' as never })).toThrow(/must be a boolean/);
    expect(() => s.saveSettings({ colour: 'red' } as never)).toThrow(/not a setting/);
    open();
    expect(store!.getSettings()).toEqual({ ...DEFAULT_SETTINGS, filesInFlight: 5, autoResume: false });
  });

  it('stores profiles with encrypted blobs, keeps a secret on edit, and one active profile', () => {
    const s = open();
    const blob = Buffer.from([1, 2, 3, 250]);
    s.saveProfile({ id: 'p1', name: 'Prod', kind: 'aliyun', accessKeyId: 'LTAI1', region: 'cn-shanghai', secretBlob: blob });
    s.saveProfile({ id: 'p2', name: 'Sandbox', kind: 'sandbox', accessKeyId: 'sb', region: 'cn-shanghai', endpoint: 'http://127.0.0.1:1' });
    // Edit without a secret: the stored one stays.
    s.saveProfile({ id: 'p1', name: 'Production', kind: 'aliyun', accessKeyId: 'LTAI1', region: 'cn-beijing' });
    expect(s.getProfile('p1')).toMatchObject({ name: 'Production', region: 'cn-beijing', secretBlob: blob, active: false });
    expect(s.getProfile('p1')!.tokenBlob).toBeUndefined();

    expect(s.getActiveProfileId()).toBeUndefined();
    s.setActiveProfileId('p1');
    s.setActiveProfileId('p2');
    expect(s.getActiveProfileId()).toBe('p2');
    expect(s.listProfiles().map((p) => [p.id, p.active])).toEqual([['p1', false], ['p2', true]]);
    expect(() => s.setActiveProfileId('nope')).toThrow(/no profile "nope"/);
    expect(s.getActiveProfileId()).toBe('p2'); // the failed change rolled back

    expect(() => s.saveProfile({ id: 'p3', name: 'x', kind: 'aliyun', accessKeyId: 'a', region: 'r', secretBlob: 'plain' as never }))
      .toThrow(/encrypted Buffer/);
    s.saveProfile({ id: 'p1', name: 'Production', kind: 'aliyun', accessKeyId: 'LTAI1', region: 'cn-beijing', secretBlob: null });
    expect(s.getProfile('p1')!.secretBlob).toBeUndefined();

    expect(s.deleteProfile('p2')).toBe(true);
    expect(s.getActiveProfileId()).toBeUndefined();
    open();
    expect(store!.listProfiles().map((p) => p.id)).toEqual(['p1']);
  });
});

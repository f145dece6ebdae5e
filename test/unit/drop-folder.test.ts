// The settling rules of a drop folder, on a real temp folder with an injected clock.
import fs from 'fs';
import os from 'os';
import path from 'path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DropFolder, versionVerdict, type DropFile } from '../../main/engine/drop-folder';
import { openQueueStore, type QueueStore } from '../../main/engine/store';

let root: string;
let clock: number;
const known = new Set<string>();
const keyOf = (f: DropFile): string => `${f.path}|${f.size}|${f.mtimeMs}`;

function folder(settleMs = 30_000, roots = [root]): DropFolder {
  return new DropFolder({ roots, settleMs, now: () => clock, isKnown: (f) => known.has(keyOf(f)) });
}

function setMtime(p: string, ms: number): void {
  fs.utimesSync(p, ms / 1000, ms / 1000);
}

beforeEach(() => {
  root = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-drop-'));
  clock = 1_000_000;
  known.clear();
});

afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

describe('DropFolder', () => {
  it('hands a file over once, only after its size and mtime stayed the same for settleMs', async () => {
    const f = path.join(root, 'a', 'clip.mp4');
    fs.mkdirSync(path.dirname(f));
    fs.writeFileSync(f, 'x'.repeat(10));
    const d = folder();
    expect((await d.scan()).ready).toEqual([]);
    clock += 29_999;
    expect((await d.scan()).ready).toEqual([]);

    // Still being written: the wait starts again from this scan.
    fs.appendFileSync(f, 'more');
    setMtime(f, 5_000_000);
    expect((await d.scan()).ready).toEqual([]);
    clock += 20_000;
    expect((await d.scan()).ready).toEqual([]);
    clock += 10_000;
    const ready = (await d.scan()).ready;
    expect(ready).toEqual([{ path: f, size: 14, mtimeMs: fs.statSync(f).mtimeMs }]);

    clock += 60_000;
    expect((await d.scan()).ready).toEqual([]);
  });

  it('hands over a new version of a file again, but not one the queue already knows', async () => {
    const f = path.join(root, 'clip.mov');
    fs.writeFileSync(f, 'v1');
    known.add(keyOf({ path: f, size: 2, mtimeMs: fs.statSync(f).mtimeMs }));
    const d = folder(0);
    expect((await d.scan()).ready).toEqual([]);

    fs.writeFileSync(f, 'version 2');
    setMtime(f, 7_000_000);
    expect((await d.scan()).ready.map((r) => r.size)).toEqual([9]);
  });

  it('reports an unsupported file once and never hands it over; hidden temp names are passed over', async () => {
    fs.writeFileSync(path.join(root, 'notes.txt'), 'hi');
    fs.writeFileSync(path.join(root, '.clip.mp4.Xy12ab'), 'partial');
    const d = folder(0);
    const first = await d.scan();
    expect(first.ignored).toHaveLength(1);
    expect(first.ignored[0].path).toBe(path.join(root, 'notes.txt'));
    expect(first.ignored[0].message).toMatch(/\.txt/);
    expect(first.ready).toEqual([]);
    const second = await d.scan();
    expect(second.ignored).toEqual([]);
    expect(second.ready).toEqual([]);
  });

  it('reports a watched folder that disappears once, and settles its files anew when it is back', async () => {
    const sub = path.join(root, 'mount');
    fs.mkdirSync(sub);
    const f = path.join(sub, 'a.mp4');
    fs.writeFileSync(f, 'abc');
    const d = folder(1_000, [sub]);
    await d.scan();
    fs.rmSync(sub, { recursive: true });

    const lost = await d.scan();
    expect(lost.lost).toEqual([{ path: sub, message: expect.stringMatching(/No such folder/) }]);
    expect((await d.scan()).lost).toEqual([]);

    fs.mkdirSync(sub);
    fs.writeFileSync(f, 'abc');
    clock += 5_000;
    const back = await d.scan();
    expect(back.back).toEqual([sub]);
    expect(back.ready).toEqual([]); // first seen again just now
    clock += 1_000;
    expect((await d.scan()).ready.map((r) => r.path)).toEqual([f]);
  });
});

describe('DropFolder.forget', () => {
  it('settles a handed-over file again from the next scan, then asks isKnown again', async () => {
    const f = path.join(root, 'clip.mp4');
    fs.writeFileSync(f, 'v1');
    const d = folder(1_000);
    await d.scan();
    clock += 1_000;
    expect((await d.scan()).ready.map((r) => r.path)).toEqual([f]);
    clock += 1_000;
    expect((await d.scan()).ready).toEqual([]);

    d.forget(f);
    expect((await d.scan()).ready).toEqual([]); // first seen again just now
    clock += 1_000;
    expect((await d.scan()).ready.map((r) => r.path)).toEqual([f]);

    known.add(keyOf({ path: f, size: 2, mtimeMs: fs.statSync(f).mtimeMs }));
    d.forget(f);
    await d.scan();
    clock += 1_000;
    expect((await d.scan()).ready).toEqual([]); // the queue has it now
  });
});

describe('versionVerdict and QueueStore.jobsForPath', () => {
  let store: QueueStore;
  beforeEach(() => (store = openQueueStore(path.join(root, 'q.db'))));
  afterEach(() => store.close());

  const v1: DropFile = { path: '/in/a.mp4', size: 10, mtimeMs: 1234.7 };
  const v2: DropFile = { path: '/in/a.mp4', size: 12, mtimeMs: 5678.1 };
  const add = (f: DropFile): number => store.insertJobs([{ path: f.path, fileName: 'a.mp4', size: f.size, mtimeMs: f.mtimeMs, meta: { title: 'a', tags: [] } }])[0];
  const verdict = (f: DropFile) => versionVerdict(store.jobsForPath(f.path), f);
  const fail = (id: number, code: string): void => {
    store.transition(id, 'creating', {});
    store.transition(id, 'failed', { error: { code, message: code, retryable: false } });
  };

  it('knows a version a job has (path, size, whole ms), and a file no job has is new', () => {
    expect(verdict(v1)).toBe('new');
    add(v1);
    expect(store.jobsForPath('/in/a.mp4').map((j) => j.size)).toEqual([10]);
    expect(store.jobsForPath('/in/b.mp4')).toEqual([]);
    expect(verdict(v1)).toBe('known');
    expect(verdict({ ...v1, mtimeMs: 1234.2 })).toBe('known');
  });

  it('leaves a new version to an unfinished job, which takes it or fails with FileChanged', () => {
    const id = add(v1);
    expect(verdict(v2)).toBe('known');
    store.transition(id, 'creating', {});
    store.transition(id, 'uploading', {});
    expect(verdict(v2)).toBe('known');
  });

  it('restarts the job that failed with FileChanged, under its VideoId', () => {
    const id = add(v1);
    fail(id, 'FileChanged');
    expect(verdict(v2)).toEqual({ restart: id });
    // The version it failed with is not handed over again.
    expect(verdict(v1)).toBe('known');
  });

  it('enqueues a new version once the object is complete, or when the job failed for another reason', () => {
    const done = add(v1);
    store.updateJob(done, { crc64: '123' });
    expect(verdict(v2)).toBe('new');

    const other: DropFile = { path: '/in/b.mp4', size: 10, mtimeMs: 1 };
    const id = add(other);
    fail(id, 'Forbidden.RAMUserNoPermission');
    expect(verdict({ ...other, size: 11 })).toBe('new');
  });

  it('looks at the latest job only, canceled ones aside', () => {
    const old = add(v1);
    fail(old, 'FileChanged');
    const later = add(v2);
    store.updateJob(later, { crc64: '5' });
    expect(verdict({ ...v1, size: 99 })).toBe('new');
    store.transition(later, 'canceled', {});
    expect(verdict({ ...v1, size: 99 })).toEqual({ restart: old });
  });
});

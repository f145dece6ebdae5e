// The settling rules of a drop folder, on a real temp folder with an injected clock.
import fs from 'fs';
import os from 'os';
import path from 'path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { DropFolder, type DropFile } from '../../main/engine/drop-folder';
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

describe('QueueStore.hasJobForFile', () => {
  let store: QueueStore;
  beforeEach(() => (store = openQueueStore(path.join(root, 'q.db'))));
  afterEach(() => store.close());

  it('matches path, size and mtime (whole ms) of any job', () => {
    store.insertJobs([{ path: '/in/a.mp4', fileName: 'a.mp4', size: 10, mtimeMs: 1234.7, meta: { title: 'a', tags: [] } }]);
    expect(store.hasJobForFile('/in/a.mp4', 10, 1234.7)).toBe(true);
    expect(store.hasJobForFile('/in/a.mp4', 11, 1234.7)).toBe(false);
    expect(store.hasJobForFile('/in/a.mp4', 10, 1300)).toBe(false);
    expect(store.hasJobForFile('/in/b.mp4', 10, 1234.7)).toBe(false);
  });
});

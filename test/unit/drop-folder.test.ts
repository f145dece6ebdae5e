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

describe('DropFolder with HLS packages', () => {
  const write = (rel: string, text: string | Buffer): string => {
    const p = path.join(root, ...rel.split('/'));
    fs.mkdirSync(path.dirname(p), { recursive: true });
    fs.writeFileSync(p, text);
    return p;
  };
  const LIST = '#EXTM3U\n#EXT-X-MAP:URI="init.m4s"\n#EXTINF:2,\nseg0.ts\n#EXTINF:2,\nseg1.ts\n#EXT-X-ENDLIST\n';

  it('never hands over the files a playlist lists, reports each once, and hands the playlist over once they all settled', async () => {
    const list = write('show/out.m3u8', LIST);
    const seg0 = write('show/seg0.ts', 'zero');
    const init = write('show/init.m4s', 'init'); // not a format VOD takes: part of the package, not "ignored"
    const stray = write('show/extra.ts', 'not listed');
    const d = folder(1_000);
    const first = await d.scan();
    expect(first.segments.map((s) => [s.path, s.playlist])).toEqual([[init, list], [seg0, list]]);
    expect(first.segments[0].message).toMatch(/^Segment of out\.m3u8/);
    expect(first.ignored).toEqual([]);
    expect(first.ready).toEqual([]);

    // seg1 arrives while the others have settled: the playlist waits for it to settle.
    clock += 1_000;
    const seg1 = write('show/seg1.ts', 'one');
    const second = await d.scan();
    expect(second.ready.map((r) => r.path)).toEqual([stray]);
    expect(second.segments.map((s) => s.path)).toEqual([seg1]);
    clock += 999;
    expect((await d.scan()).ready).toEqual([]);
    clock += 1;
    const third = await d.scan();
    expect(third.ready.map((r) => r.path)).toEqual([list]);
    expect(third.segments).toEqual([]);

    // Nothing again, and a segment left behind after its playlist is gone stays part of it.
    clock += 5_000;
    expect((await d.scan()).ready).toEqual([]);
    fs.rmSync(list);
    clock += 5_000;
    await d.scan();
    clock += 5_000;
    expect((await d.scan()).ready).toEqual([]);
    expect([seg0, seg1].every((p) => fs.existsSync(p))).toBe(true);
  });

  it('hands a playlist the queue refused over again once its files changed and settled, not before', async () => {
    const list = write('out.m3u8', LIST);
    write('init.m4s', 'i');
    const d = folder(1_000);
    await d.scan();
    clock += 1_000;
    // Settled with seg0 and seg1 missing: handed over (addJobs then refuses it, naming the file).
    expect((await d.scan()).ready.map((r) => r.path)).toEqual([list]);
    clock += 5_000;
    expect((await d.scan()).ready).toEqual([]); // unchanged: not again

    write('seg0.ts', '0');
    expect((await d.scan()).ready).toEqual([]);
    clock += 1_000;
    expect((await d.scan()).ready.map((r) => r.path)).toEqual([list]); // still refused: seg1 missing
    write('seg1.ts', '1');
    await d.scan();
    clock += 1_000;
    expect((await d.scan()).ready.map((r) => r.path)).toEqual([list]);

    // The queue has it now: a change to a file of it does not hand it over again.
    known.add(keyOf({ path: list, size: fs.statSync(list).size, mtimeMs: fs.statSync(list).mtimeMs }));
    fs.appendFileSync(path.join(root, 'seg1.ts'), 'more');
    setMtime(path.join(root, 'seg1.ts'), 9_000_000);
    await d.scan();
    clock += 1_000;
    expect((await d.scan()).ready).toEqual([]);
  });

  it('reads a playlist again when it or a variant playlist it lists changes', async () => {
    const master = write('main.m3u8', '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=1\nhi/index.m3u8\n');
    const d = folder(0);
    const first = await d.scan();
    expect(first.ready.map((r) => r.path)).toEqual([master]); // the variant is not there yet
    const variant = write('hi/index.m3u8', '#EXTM3U\n#EXTINF:2,\na.ts\n');
    const a = write('hi/a.ts', 'a');
    const second = await d.scan();
    expect(second.segments.map((s) => [s.path, s.playlist])).toEqual([[a, master], [variant, master]]);
    expect(second.ready.map((r) => r.path)).toEqual([master]);

    write('hi/index.m3u8', '#EXTM3U\n#EXTINF:2,\na.ts\n#EXTINF:2,\nb.ts\n');
    setMtime(variant, 8_000_000);
    const b = write('hi/b.ts', 'b');
    const third = await d.scan();
    expect(third.segments.map((s) => s.path)).toEqual([b]);
    expect(third.ready.map((r) => r.path)).toEqual([master]);
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

  it('restarts a playlist\'s job that failed with FileChanged even when the playlist itself is the same (a segment changed)', () => {
    const list: DropFile = { path: '/in/show.m3u8', size: 80, mtimeMs: 42 };
    const [id] = store.insertJobs([{ path: list.path, fileName: 'show.m3u8', size: 5_000, mtimeMs: 42, meta: { title: 's', tags: [] } }]);
    expect(verdict(list)).toBe('known');
    fail(id, 'HlsFileMissing');
    expect(verdict(list)).toBe('known');
    store.transition(id, 'queued', {});
    fail(id, 'FileChanged');
    expect(verdict(list)).toEqual({ restart: id });
    store.updateJob(id, { crc64: '9' });
    expect(verdict(list)).toBe('known');
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

// Watch folders in the app (main/app/watch-folders.ts) through createApp: real SQLite,
// the real engine, the embedded sandbox reached by the unmodified official clients,
// real files. Scans run on demand (scanNow) with the timer set far away, so every
// step waits for a condition, never for time.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app';
import { createFileSecretBox } from '../../main/app/file-secret-box';
import type { WatchFolderView } from '../../shared/ipc';
import type { JobView } from '../../shared/types';
import { randomFile, tempDir } from '../helpers/files';

const cleanups: (() => Promise<unknown>)[] = [];
afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

const HOUR = 3_600_000;

async function openApp(dir: string): Promise<App> {
  const app = await createApp({
    dataDir: path.join(dir, 'app'), secretBox: createFileSecretBox(path.join(dir, 'app')), shell: 'web',
    version: '0.0.0-test', locale: 'en', sandbox: true, watchIntervalMs: HOUR,
  });
  return app;
}

async function setUp(): Promise<{ app: App; dir: string; drop: string }> {
  const dir = await tempDir('vodup-app-watch-');
  const drop = path.join(dir, 'drop');
  fs.mkdirSync(drop);
  const app = await openApp(dir);
  cleanups.push(() => fsp.rm(dir, { recursive: true, force: true }), () => app.dispose());
  return { app, dir, drop };
}

async function allJobs(app: App): Promise<JobView[]> {
  return (await app.controller.queryJobs({ offset: 0, limit: 1000 })).rows;
}

/** Resolves once `pred` holds for the watch folders, checked now and on every change. */
function waitForFolders(app: App, pred: (f: WatchFolderView[]) => boolean): Promise<WatchFolderView[]> {
  return new Promise((resolve) => {
    const check = (folders: WatchFolderView[]): void => {
      if (!pred(folders)) return;
      off();
      resolve(folders);
    };
    const off = app.events.onWatchFoldersChanged(check);
    void app.controller.listWatchFolders().then(check);
  });
}

describe('watch folders in the app', () => {
  it('takes a dropped file once with the folder\'s rules, and nothing after the folder is removed', async () => {
    const { app, drop } = await setUp();
    const added = await app.controller.addWatchFolder({
      path: drop, settleSeconds: 0, title: 'Show', tags: ['news', ' '], cateId: 1000001, description: 'From the drop folder',
    });
    expect(added).toMatchObject({ path: drop, paused: false, tags: ['news'], title: 'Show', taken: [] });
    await app.watchFolders.scanNow();
    expect(await allJobs(app)).toHaveLength(0);

    await randomFile(drop, 'clip one.mp4', 300_000);
    await app.watchFolders.scanNow();
    const [folder] = await waitForFolders(app, (f) => f[0]?.taken[0]?.state === 'ready');
    expect(folder.taken).toHaveLength(1);
    expect(folder.taken[0]).toMatchObject({ path: path.join(drop, 'clip one.mp4'), state: 'ready' });
    expect(folder.taken[0].videoId).toMatch(/\S/);

    // More scans (and the job's own changes) take nothing else.
    await app.watchFolders.scanNow();
    await app.watchFolders.scanNow();
    const jobs = await allJobs(app);
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: folder.taken[0].jobId, state: 'ready' });
    expect(jobs[0].meta).toMatchObject({ title: 'Show clip one', tags: ['news'], cateId: 1000001, description: 'From the drop folder' });

    await app.controller.removeWatchFolder(folder.id);
    expect(await app.controller.listWatchFolders()).toEqual([]);
    await randomFile(drop, 'clip two.mp4', 1000);
    await app.watchFolders.scanNow();
    expect(await allJobs(app)).toHaveLength(1);
    await expect(app.controller.removeWatchFolder(folder.id)).rejects.toMatchObject({ code: 'WatchFolderNotFound' });
  });

  it('keeps its folders across a restart: what it took is not taken again, what arrived meanwhile is', async () => {
    const { app, dir, drop } = await setUp();
    const added = await app.controller.addWatchFolder({ path: drop, settleSeconds: 0, tags: [] });
    await randomFile(drop, 'first.mp4', 2000);
    await app.watchFolders.scanNow();
    await waitForFolders(app, (f) => f[0]?.taken[0]?.state === 'ready');
    await app.dispose();

    await randomFile(drop, 'second.mp4', 3000);
    const again = await openApp(dir);
    cleanups.push(() => again.dispose());
    await again.watchFolders.scanNow();
    const [folder] = await waitForFolders(again, (f) => f[0]?.taken.length === 2 && f[0].taken.every((t) => t.state === 'ready'));
    expect(folder.id).toBe(added.id);
    expect(folder.taken.map((t) => path.basename(t.path))).toEqual(['second.mp4', 'first.mp4']);
    const jobs = await allJobs(again);
    expect(jobs.map((j) => j.fileName).sort()).toEqual(['first.mp4', 'second.mp4']);
  });

  it('takes nothing while paused, and what arrived once resumed', async () => {
    const { app, drop } = await setUp();
    const { id } = await app.controller.addWatchFolder({ path: drop, settleSeconds: 0, tags: [] });
    expect((await app.controller.setWatchFolderPaused(id, true)).paused).toBe(true);
    await randomFile(drop, 'later.mp4', 1000);
    await app.watchFolders.scanNow();
    expect(await allJobs(app)).toHaveLength(0);
    await app.controller.setWatchFolderPaused(id, false);
    await app.watchFolders.scanNow();
    const [folder] = await waitForFolders(app, (f) => f[0]?.taken.length === 1);
    expect(path.basename(folder.taken[0].path)).toBe('later.mp4');
  });

  it('waits until a file has settled, notes a file VOD does not take once, and says when the folder is gone', async () => {
    const { app, drop } = await setUp();
    // An hour to settle: back-to-back scans see the file, never settled.
    await app.controller.addWatchFolder({ path: drop, settleSeconds: 3600, tags: [] });
    await randomFile(drop, 'copying.mp4', 1000);
    fs.writeFileSync(path.join(drop, 'notes.txt'), 'not a video');
    await app.watchFolders.scanNow();
    await app.watchFolders.scanNow();
    expect(await allJobs(app)).toHaveLength(0);
    let [folder] = await app.controller.listWatchFolders();
    expect(folder.notices.map((n) => [n.kind, path.basename(n.path)])).toEqual([['ignored', 'notes.txt']]);
    expect(folder.lost).toBeUndefined();

    fs.rmSync(drop, { recursive: true });
    await app.watchFolders.scanNow();
    [folder] = await app.controller.listWatchFolders();
    expect(folder.lost).toMatch(/No such folder/);
    expect(folder.notices[0]).toMatchObject({ kind: 'lost', path: drop, message: expect.stringMatching(/Still watching/) });
    fs.mkdirSync(drop);
    await app.watchFolders.scanNow();
    [folder] = await app.controller.listWatchFolders();
    expect(folder.lost).toBeUndefined();
  });

  it('refuses a missing folder, a file, invalid rules and an overlapping folder', async () => {
    const { app, dir, drop } = await setUp();
    await expect(app.controller.addWatchFolder({ path: path.join(dir, 'nope'), settleSeconds: 0, tags: [] }))
      .rejects.toMatchObject({ code: 'InvalidWatchFolder', message: expect.stringContaining('No such folder') });
    const file = await randomFile(dir, 'a.mp4', 10);
    await expect(app.controller.addWatchFolder({ path: file, settleSeconds: 0, tags: [] }))
      .rejects.toMatchObject({ code: 'InvalidWatchFolder', message: expect.stringContaining('Not a folder') });
    await expect(app.controller.addWatchFolder({ path: drop, settleSeconds: 0, tags: ['x'.repeat(40)] }))
      .rejects.toMatchObject({ code: 'InvalidWatchFolder', message: expect.stringContaining('not valid') });
    await app.controller.addWatchFolder({ path: drop, settleSeconds: 0, tags: [] });
    fs.mkdirSync(path.join(drop, 'sub'));
    await expect(app.controller.addWatchFolder({ path: path.join(drop, 'sub'), settleSeconds: 0, tags: [] }))
      .rejects.toMatchObject({ code: 'InvalidWatchFolder', message: expect.stringContaining('overlaps') });
    await expect(app.controller.addWatchFolder({ path: dir, settleSeconds: 0, tags: [] }))
      .rejects.toMatchObject({ code: 'InvalidWatchFolder', message: expect.stringContaining('overlaps') });
    expect(await app.controller.listWatchFolders()).toHaveLength(1);
  });
});

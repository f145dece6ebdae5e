// A least-privilege RAM user (allowed to upload, refused the catalog calls) through the
// app's controller, as the desktop app and web mode use it: the catalog degrades to what
// it may read plus the refusals, a manifest's category names need ids, and files go up
// with ids typed by hand. Real parts: createApp, SQLite, the engine, the sandbox's
// upload-only key pair, the unmodified pop-core and ali-oss clients.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app';
import { createFileSecretBox } from '../../main/app/file-secret-box';
import { NO_TRANSCODE_GROUP_ID, startSandbox, type Sandbox } from '../../main/sandbox/index';
import type { JobView } from '../../shared/types';
import { randomFile, tempDir } from '../helpers/files';

let dir: string;
let cloud: Sandbox;
let app: App;

beforeAll(async () => {
  dir = await tempDir('vodup-upload-only-');
  cloud = await startSandbox({ dataDir: path.join(dir, 'cloud') });
  app = await createApp({ dataDir: path.join(dir, 'app'), secretBox: createFileSecretBox(path.join(dir, 'app')), shell: 'web', version: '0.0.0-test', locale: 'en' });
  const profile = await app.controller.saveProfile({
    name: 'Uploader', kind: 'aliyun', accessKeyId: cloud.uploadOnly.accessKeyId, accessKeySecret: cloud.uploadOnly.accessKeySecret,
    region: cloud.region, endpoint: cloud.url,
  });
  await app.controller.setActiveProfile(profile.id);
});

afterAll(async () => {
  await app?.dispose();
  await cloud?.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

function settledJobs(): Promise<JobView[]> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = (): void => {
      void app.controller.queryJobs({ offset: 0, limit: 100 }).then(({ rows }) => {
        if (done || rows.length === 0 || !rows.every((j) => j.state === 'ready' || j.state === 'failed')) return;
        done = true;
        off();
        resolve(rows);
      }, reject);
    };
    const off = app.events.onJobsChanged(check);
    check();
  });
}

describe('an upload-only RAM user in the app', () => {
  it('gets a degraded catalog instead of an error', async () => {
    const catalog = await app.controller.getCatalog();
    expect(catalog.refused.map((r) => r.part)).toEqual(['categories', 'templateGroups', 'workflows', 'apps']);
    expect(new Set(catalog.refused.map((r) => r.code))).toEqual(new Set(['Forbidden.RAM']));
    expect(catalog.apps).toEqual([{ appId: 'app-1000000', name: 'Default' }]);
  });

  it('reads a manifest with category ids, and says a category name needs the tree it may not read', async () => {
    const media = path.join(dir, 'media');
    fs.mkdirSync(media, { recursive: true });
    await randomFile(media, 'a.mp4', 1000);
    await randomFile(media, 'b.mp4', 1000);
    const list = path.join(media, 'list.csv');
    fs.writeFileSync(list, ['path,title,category', `${path.join(media, 'a.mp4')},A,1000003`, `${path.join(media, 'b.mp4')},B,Classics`].join('\n'));
    const reply = await app.controller.readManifest(list);
    expect(reply.items.map((i) => [i.meta.title, i.meta.cateId])).toEqual([['A', 1000003]]);
    expect(reply.problems).toEqual([expect.objectContaining({ row: 2, message: 'Category "Classics" is not a category id (a number).' })]);
  });

  it('uploads with a category and template group typed by id', async () => {
    const files = await Promise.all([0, 1].map((i) => randomFile(dir, `typed-${i}.mp4`, 300_000 + i)));
    const added = await app.controller.addJobs(files.map((p, i) => ({
      path: p, meta: { title: `typed ${i}`, tags: [], cateId: 1000003, templateGroupId: NO_TRANSCODE_GROUP_ID },
    })));
    expect(added).toMatchObject({ added: 2, rejected: [] });
    const jobs = await settledJobs();
    expect(jobs.map((j) => [j.state, j.error?.message])).toEqual([['ready', undefined], ['ready', undefined]]);
    for (const j of jobs) {
      expect(cloud.video(j.videoId!)).toMatchObject({ cateId: 1000003, templateGroupId: NO_TRANSCODE_GROUP_ID, status: 'Normal' });
    }
    // Refused along the way, and uploaded anyway: the catalog calls answered Forbidden.RAM.
    expect(cloud.stats().errors['Forbidden.RAM']).toBeGreaterThanOrEqual(4);
  });
});

// A Tencent profile in the app (web shell, real SQLite, file secret box) against the
// sandbox's Tencent personality: the connection test, the catalog in Tencent's terms
// (classes, task flows, the SubAppId), and uploads of a folder's files to FileIds.
import fsp from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app';
import { createFileSecretBox } from '../../main/app/file-secret-box';
import { startSandbox, type Sandbox } from '../../main/sandbox/index';
import type { JobView } from '../../shared/types';
import { randomFile, tempDir } from '../helpers/files';

const MiB = 1024 * 1024;
let app: App;
let cloud: Sandbox;
let dir: string;
/** The uploads of the second test, for the Library's. */
let uploaded: { fileId: string; jobId: number; path: string }[] = [];

beforeAll(async () => {
  dir = await tempDir('vodup-app-tencent-');
  cloud = await startSandbox({ dataDir: `${dir}/cloud`, transcodeMs: 200 });
  app = await createApp({ dataDir: `${dir}/app`, secretBox: createFileSecretBox(`${dir}/app`), shell: 'web', version: '0.0.0-test', locale: 'en' });
});
afterAll(async () => {
  await app?.dispose();
  await cloud?.close();
  await fsp.rm(dir, { recursive: true, force: true });
});

async function allJobs(): Promise<JobView[]> {
  return (await app.controller.queryJobs({ offset: 0, limit: 1000 })).rows;
}

function waitForJobs(pred: (jobs: JobView[]) => boolean): Promise<JobView[]> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = (): void => {
      void allJobs().then((jobs) => {
        if (done || !pred(jobs)) return;
        done = true;
        off();
        resolve(jobs);
      }, reject);
    };
    const off = app.events.onJobsChanged(check);
    check();
  });
}

describe('a Tencent Cloud VOD account in the app', () => {
  it('refuses a wrong SecretKey with Tencent\'s code, and accepts the right one', async () => {
    const input = { name: 'Tencent', kind: 'tencent' as const, accessKeyId: cloud.tencent.secretId, region: cloud.tencent.region, endpoint: cloud.tencent.endpoint };
    expect(await app.controller.testProfileInput({ ...input, accessKeySecret: 'wrong' })).toMatchObject({ ok: false, code: 'AuthFailure.SignatureFailure' });
    expect(await app.controller.testProfileInput({ ...input, accessKeySecret: cloud.tencent.secretKey })).toMatchObject({ ok: true });
    const profile = await app.controller.saveProfile({ ...input, accessKeySecret: cloud.tencent.secretKey });
    await app.controller.setActiveProfile(profile.id);
    expect(await app.controller.testProfile(profile.id)).toMatchObject({ ok: true });
  });

  it('reads classes as categories and task flows as template groups, and uploads files to FileIds with them', async () => {
    const catalog = await app.controller.getCatalog();
    const classes = catalog.categories.flatMap(function walk(c): typeof catalog.categories { return [c, ...c.children.flatMap(walk)]; });
    const features = classes.find((c) => c.name === 'Features')!;
    expect(features).toBeDefined();
    expect(catalog.templateGroups.map((g) => g.id)).toContain('HD-H264');

    await app.controller.updateSettings({ partSizeMiB: 1, filesInFlight: 2 });
    const files = await Promise.all([0, 1, 2].map((i) => randomFile(dir, `clip${i}.mp4`, 2 * MiB + i * 1000)));
    const added = await app.controller.addJobs(files.map((p, i) => ({ path: p, meta: { title: `clip ${i}`, tags: [], cateId: features.cateId, templateGroupId: 'HD-H264' } })));
    expect(added).toMatchObject({ added: 3, rejected: [] });
    const jobs = await waitForJobs((js) => js.length === 3 && js.every((j) => j.state === 'ready' || j.state === 'failed'));
    expect(jobs.map((j) => [j.state, j.error?.code])).toEqual([['ready', undefined], ['ready', undefined], ['ready', undefined]]);
    expect(new Set(jobs.map((j) => j.videoId)).size).toBe(3);
    for (const j of jobs) {
      expect(j.videoId).toMatch(/^\d{19}$/);
      const media = cloud.tencent.media(j.videoId!)!;
      expect(media.name).toBe(j.meta.title);
      expect(media.classId).toBe(features.cateId);
      expect(media.procedure).toBe('HD-H264');
    }
    expect(cloud.stats().requests['tc:CommitUpload']).toBe(3);
    uploaded = jobs.map((j) => ({ fileId: j.videoId!, jobId: j.id, path: j.path }));
  });

  it('opens the Library on the Tencent account: its media linked to their jobs, edited, and a source downloaded byte-exact', async () => {
    const page = await app.controller.searchLibrary({ cateId: 2, pageSize: 50 });
    const byId = new Map(page.videos.map((v) => [v.videoId, v]));
    for (const u of uploaded) expect(byId.get(u.fileId)).toMatchObject({ jobId: u.jobId, cateId: 2 });
    const [edited] = await app.controller.editVideos([{ videoId: uploaded[0].fileId, title: 'renamed in the Library', tags: ['app'] }]);
    expect(edited).toMatchObject({ ok: true });
    expect(cloud.tencent.media(uploaded[0].fileId)).toMatchObject({ name: 'renamed in the Library', tags: ['app'] });
    const [details] = await app.controller.getVideoDetails([uploaded[0].fileId]);
    expect(details).toMatchObject({ title: 'renamed in the Library', jobId: uploaded[0].jobId, source: { size: (await fsp.stat(uploaded[0].path)).size } });

    const out = `${dir}/library-out`;
    const reply = await app.controller.addDownloads({ videoIds: [uploaded[1].fileId], what: { source: true }, outDir: out });
    expect(reply).toMatchObject({ added: 1, existing: 0, rejected: [] });
    const jobs = await waitForJobs((js) => js.some((j) => j.kind === 'download' && (j.state === 'downloaded' || j.state === 'failed')));
    const download = jobs.find((j) => j.kind === 'download')!;
    expect([download.state, download.error?.code]).toEqual(['downloaded', undefined]);
    expect(Buffer.compare(await fsp.readFile(download.path), await fsp.readFile(uploaded[1].path))).toBe(0);

    const urls = await app.controller.exportVideoUrls([uploaded[2].fileId], { source: true }, 'json');
    expect(urls.count).toBe(1);
    expect(urls.content).toContain('&sign=');
  });
});

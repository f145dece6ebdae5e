// The app's media library calls (shared/ipc.ts, "the media library"), as the renderer
// makes them through the dispatcher: search paged by cursor past the first page with job
// links, details, one result per video for edits and deletes, the URL list of a selection
// as a file's text, and downloads into the one queue ending with the object's bytes.
// Real parts: createApp with SQLite and the engine, a sandbox reached through an Alibaba
// Cloud profile by the unmodified pop-core, and its signed expiring media URLs.

import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app';
import { createDispatcher } from '../../main/app/dispatch';
import { createFileSecretBox } from '../../main/app/file-secret-box';
import { DEFAULT_TEMPLATE_GROUP_ID } from '../../main/sandbox/catalog';
import { startSandbox, type Sandbox } from '../../main/sandbox/index';
import type { AddDownloadsReply, ExportedUrls } from '../../shared/ipc';
import type { LibraryPage, LibraryVideoDetails, VideoOpResult } from '../../shared/library';
import type { JobView } from '../../shared/types';
import { randomFile, tempDir } from '../helpers/files';

describe('the app\'s library calls', () => {
  let dir: string;
  let cloud: Sandbox;
  let app: App;
  let call: <T>(method: string, ...args: unknown[]) => Promise<T>;

  beforeAll(async () => {
    dir = await tempDir('vodup-app-library-');
    cloud = await startSandbox({ dataDir: `${dir}/cloud`, transcodeMs: 50 });
    app = await createApp({ dataDir: `${dir}/app`, secretBox: createFileSecretBox(`${dir}/app`), shell: 'web', version: '0.0.0-test', locale: 'en' });
    const dispatch = createDispatcher(app.controller);
    call = <T>(method: string, ...args: unknown[]) => dispatch(method, args) as Promise<T>;
    const profile = await app.controller.saveProfile({
      name: 'Cloud', kind: 'aliyun', accessKeyId: cloud.accessKeyId, accessKeySecret: cloud.accessKeySecret, region: cloud.region, endpoint: cloud.url,
    });
    await app.controller.setActiveProfile(profile.id);
  });

  /** The first job for which `pred` holds, checked now and on every job change. */
  function jobWhere(pred: (j: JobView) => boolean): Promise<JobView> {
    return new Promise((resolve, reject) => {
      let done = false;
      const check = (): void => {
        void app.controller.queryJobs({ offset: 0, limit: 100 }).then((p) => {
          const hit = p.rows.find(pred);
          if (!hit || done) return;
          done = true;
          off();
          resolve(hit);
        }, reject);
      };
      const off = app.events.onJobsChanged(check);
      check();
    });
  }

  afterAll(async () => {
    await app?.dispose();
    await cloud?.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('pages a search by cursor, edits and deletes with one result per video', async () => {
    cloud.seedVideos({ count: 150, titlePrefix: 'Ep', tags: ['show'] });
    const first = await call<LibraryPage>('searchLibrary', { tags: ['show'], pageSize: 100 });
    expect(first.total).toBe(150);
    expect(first.videos).toHaveLength(100);
    expect(first.next).toBeTruthy();
    const second = await call<LibraryPage>('searchLibrary', { tags: ['show'], pageSize: 100, cursor: first.next });
    expect(second.videos).toHaveLength(50);
    expect(second.next).toBeUndefined();
    const ids = [...first.videos, ...second.videos].map((v) => v.videoId);
    expect(new Set(ids).size).toBe(150);

    const details = await call<LibraryVideoDetails[]>('getVideoDetails', [ids[0], 'f'.repeat(32)]);
    expect(details.map((d) => d.videoId)).toEqual([ids[0]]);

    const edits = await call<VideoOpResult[]>('editVideos', [
      { videoId: ids[0], title: 'Renamed' }, { videoId: 'f'.repeat(32), title: 'Nobody' }, { videoId: ids[1], title: ' ' },
    ]);
    expect(edits.map((r) => [r.videoId, r.ok, r.code])).toEqual([
      [ids[0], true, undefined], ['f'.repeat(32), false, 'InvalidVideo.NotFound'], [ids[1], false, 'TitleEmpty'],
    ]);
    expect(cloud.video(ids[0])?.title).toBe('Renamed');

    const deleted = await call<VideoOpResult[]>('deleteVideos', ids.slice(0, 3));
    expect(deleted.map((r) => r.ok)).toEqual([true, true, true]);
    expect((await call<LibraryPage>('searchLibrary', { tags: ['show'] })).total).toBe(147);
  });

  it('links a video this app uploaded to its job', async () => {
    const file = await randomFile(dir, 'linked.mp4', 64 * 1024);
    await call('addJobs', [{ path: file, meta: { title: 'Linked upload', tags: [] } }]);
    const job = await jobWhere((j) => j.kind === 'upload' && (j.state === 'ready' || j.state === 'failed'));
    expect(job.state).toBe('ready');
    const found = await call<LibraryPage>('searchLibrary', { title: 'Linked upload' });
    expect(found.videos.map((v) => [v.videoId, v.jobId])).toEqual([[job.videoId, job.id]]);
    const [details] = await call<LibraryVideoDetails[]>('getVideoDetails', [job.videoId]);
    expect(details.jobId).toBe(job.id);
  });

  it('exports the URLs of a selection and downloads it into the queue', async () => {
    const video = await cloud.createSyntheticVideo({ size: 3 * 1024 * 1024 + 17, title: 'Master', fileName: 'master.mp4' });
    // Until it is Normal the streams are not there; the source is from the start.
    const urls = await call<ExportedUrls>('exportVideoUrls', [video.videoId], { source: true }, 'csv');
    expect(urls.count).toBe(1);
    expect(urls.fileName).toMatch(/^vod-urls-\d{8}-\d{6}\.csv$/);
    const lines = urls.content.replace(/^\uFEFF/, '').trim().split('\r\n');
    expect(lines[0].split(',').slice(0, 3)).toEqual(['video_id', 'title', 'key']);
    expect(lines).toHaveLength(2);
    const url = lines[1].split(',').find((f) => f.startsWith('http'))!;
    const res = await fetch(url);
    expect(res.status).toBe(200);
    expect(Number((await res.arrayBuffer()).byteLength)).toBe(video.size);

    const json = await call<ExportedUrls>('exportVideoUrls', [video.videoId, 'f'.repeat(32)], { source: true }, 'json');
    const rows = JSON.parse(json.content) as { video_id: string; error_code: string | null }[];
    expect(rows.map((r) => [r.video_id, r.error_code !== null])).toEqual([[video.videoId, false], ['f'.repeat(32), true]]);

    const out = path.join(dir, 'downloads');
    fs.mkdirSync(out);
    const reply = await call<AddDownloadsReply>('addDownloads', { videoIds: [video.videoId, 'f'.repeat(32)], what: { source: true }, outDir: out });
    expect(reply.added).toBe(1);
    expect(reply.existing).toBe(0);
    expect(reply.rejected.map((r) => r.path)).toEqual(['f'.repeat(32)]);
    const job = await jobWhere((j) => j.kind === 'download' && (j.state === 'downloaded' || j.state === 'failed'));
    expect(job.state).toBe('downloaded');
    expect(fs.statSync(job.path).size).toBe(video.size);
    expect(fs.readFileSync(job.path).equals((await cloud.readObject(video.bucket, video.key))!)).toBe(true);

    // The same request again adds nothing: the file is in the queue for that folder.
    const again = await call<AddDownloadsReply>('addDownloads', { videoIds: [video.videoId], what: { source: true }, outDir: out });
    expect([again.added, again.existing]).toEqual([0, 1]);

    // Transcoding again: one result per video, the unknown one refused.
    const transcoded = await call<VideoOpResult[]>('transcodeVideos', [video.videoId, 'f'.repeat(32)], DEFAULT_TEMPLATE_GROUP_ID);
    expect(transcoded.map((r) => [r.videoId, r.ok])).toEqual([[video.videoId, true], ['f'.repeat(32), false]]);
  });
});

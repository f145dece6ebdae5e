// The desktop app and web mode upload through createApp, whose per-profile provider
// stand-in must offer the engine everything the CLI's provider does: adoption of the
// video a lost CreateUploadVideo made (findUnfinishedUploads) and batched status polls
// (getVideoStatuses). Real parts: createApp with SQLite, the engine, and a sandbox
// reached through an Alibaba Cloud profile by the unmodified pop-core and ali-oss.

import fsp from 'node:fs/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app';
import { createFileSecretBox } from '../../main/app/file-secret-box';
import { providerMethodNames, ProviderRegistry } from '../../main/app/providers';
import type { ProfileService } from '../../main/app/profiles';
import type { ProviderCredentials, VideoProvider } from '../../main/engine/provider';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../main/sandbox/index';
import type { JobView } from '../../shared/types';
import { randomFile, tempDir } from '../helpers/files';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<unknown>)[] = [];

afterEach(async () => {
  while (cleanups.length) await cleanups.pop()!().catch(() => undefined);
});

/** A sandbox standing in for an Alibaba Cloud account, and the app with a profile on it, active. */
async function appOnCloud(sbOpts: SandboxOptions): Promise<{ app: App; cloud: Sandbox; dir: string }> {
  const dir = await tempDir('vodup-app-provider-');
  const cloud = await startSandbox({ dataDir: `${dir}/cloud`, ...sbOpts });
  const app = await createApp({ dataDir: `${dir}/app`, secretBox: createFileSecretBox(`${dir}/app`), shell: 'web', version: '0.0.0-test', locale: 'en' });
  cleanups.push(() => fsp.rm(dir, { recursive: true, force: true }), () => cloud.close(), () => app.dispose());
  const profile = await app.controller.saveProfile({
    name: 'Cloud', kind: 'aliyun', accessKeyId: cloud.accessKeyId, accessKeySecret: cloud.accessKeySecret, region: cloud.region, endpoint: cloud.url,
  });
  await app.controller.setActiveProfile(profile.id);
  await app.controller.updateSettings({ partSizeMiB: 1, filesInFlight: 3 });
  return { app, cloud, dir };
}

async function allJobs(app: App): Promise<JobView[]> {
  return (await app.controller.queryJobs({ offset: 0, limit: 1000 })).rows;
}

/** Resolves with the jobs once `pred` holds for them, checked now and on every job change. */
function waitForJobs(app: App, pred: (jobs: JobView[]) => boolean): Promise<JobView[]> {
  return new Promise((resolve, reject) => {
    let done = false;
    const check = (): void => {
      void allJobs(app).then((jobs) => {
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

describe('the app path uses the whole provider', () => {
  it('forwards every method of the provider class, the optional ones included', async () => {
    // Exhaustive by type: a method added to VideoProvider must be added here to compile.
    // `name` is a property, and reconcileFinalize a hook Alibaba does not need (its
    // finalize is idempotent): neither is an Alibaba method to forward.
    const declared: Record<Exclude<keyof VideoProvider, 'name' | 'reconcileFinalize'>, true> = {
      open: true, findUnfinishedUploads: true, renewCredential: true, finalize: true, chunkWriter: true,
      getVideoStatus: true, getVideoStatuses: true,
      createImageUpload: true, setCover: true, deleteVideo: true, getCatalog: true, testConnection: true,
    };
    const registry = new ProviderRegistry({ activeId: () => undefined } as unknown as ProfileService, AliyunVodProvider);
    const standIn = registry.providerFor(undefined) as unknown as Record<string, unknown>;
    for (const name of Object.keys(declared)) expect(typeof standIn[name], name).toBe('function');
    expect(Object.keys(standIn).sort()).toEqual(providerMethodNames(AliyunVodProvider).sort());
    // A call goes to the profile's real provider (here: none is selected, so it says so).
    await expect((standIn.getVideoStatuses as VideoProvider['getVideoStatuses'])!(['x'])).rejects.toMatchObject({ code: 'NoActiveProfile' });
  });

  it('offers an optional method only when the provider class has it', () => {
    class StatusOneByOne extends AliyunVodProvider {}
    // Hiding a method on the subclass's prototype chain is what a provider without it looks like.
    Object.defineProperty(StatusOneByOne.prototype, 'getVideoStatuses', { value: undefined });
    const names = providerMethodNames(StatusOneByOne);
    expect(names).not.toContain('getVideoStatuses');
    expect(names).toContain('getVideoStatus');
  });

  it('refuses a provider whose methods its class does not show, instead of losing them', async () => {
    class ArrowMethod extends AliyunVodProvider {
      extraLookup = async (): Promise<string[]> => [];
      constructor(c: ProviderCredentials) {
        super(c);
      }
    }
    const { app, dir } = await appOnCloud({});
    await app.dispose();
    const again = await createApp({ dataDir: `${dir}/app`, secretBox: createFileSecretBox(`${dir}/app`), shell: 'web', providerClass: ArrowMethod });
    cleanups.push(() => again.dispose());
    const result = await again.controller.testProfile((await again.controller.getActiveProfile())!.id);
    expect(result).toMatchObject({ ok: false, message: expect.stringMatching(/extraLookup.*declare them as class methods/) });
  });

  it('adopts the video of a lost CreateUploadVideo answer: one VideoId per job', async () => {
    const { app, cloud, dir } = await appOnCloud({ faults: { lostAnswerRate: 1 } });
    // Titles that do not contain one another: adoption looks videos up by title.
    const titles = ['alpha take', 'bravo reel', 'charlie cut'];
    const files = await Promise.all(titles.map((_title, i) => randomFile(dir, `f${i}.mp4`, 2 * MiB + i)));
    const added = await app.controller.addJobs(files.map((p, i) => ({ path: p, meta: { title: titles[i], tags: [] } })));
    expect(added).toMatchObject({ added: 3, rejected: [] });

    // Every create was carried out and its answer lost: the jobs wait, not knowing their video.
    await waitForJobs(app, (jobs) => jobs.length === 3 && jobs.every((j) => j.state === 'waiting'));
    expect(cloud.stats().createUploadVideo).toBe(3);
    expect(cloud.stats().injected.lostAnswers).toBeGreaterThanOrEqual(3);
    expect((await allJobs(app)).every((j) => j.videoId === undefined)).toBe(true);

    cloud.faults.set({ lostAnswerRate: 0 });
    await app.controller.retry('all');
    const jobs = await waitForJobs(app, (js) => js.every((j) => j.state === 'ready' || j.state === 'failed'));

    expect(jobs.map((j) => [j.meta.title, j.state, j.error?.message])).toEqual(titles.map((t) => [t, 'ready', undefined]));
    expect(cloud.stats().createUploadVideo).toBe(3);
    expect(cloud.videos()).toHaveLength(3);
    expect(new Set(jobs.map((j) => j.videoId)).size).toBe(3);
    for (const j of jobs) {
      expect(cloud.video(j.videoId!)?.title).toBe(j.meta.title);
      expect((await app.controller.getJobEvents(j.id)).map((e) => e.type)).toContain('adopted');
    }
  });

  it('polls status with GetVideoInfos, and a video deleted behind its back fails only its own job', async () => {
    // Long enough for both jobs to sit in `uploaded` when one video is deleted.
    const { app, cloud, dir } = await appOnCloud({ transcodeMs: 4_000 });
    const files = await Promise.all([0, 1].map((i) => randomFile(dir, `s${i}.mp4`, MiB + i)));
    await app.controller.addJobs(files.map((p, i) => ({ path: p, meta: { title: `status ${i}`, tags: [] } })));

    const uploaded = await waitForJobs(app, (js) => js.length === 2 && js.every((j) => j.state !== 'queued' && j.state !== 'creating' && j.state !== 'uploading' && j.state !== 'completing'));
    expect(uploaded.map((j) => j.state)).toEqual(['uploaded', 'uploaded']);
    const [gone, kept] = uploaded;
    // Someone deletes the first video in the console meanwhile.
    await new AliyunVodProvider({ accessKeyId: cloud.accessKeyId, accessKeySecret: cloud.accessKeySecret, region: cloud.region, endpoint: cloud.url })
      .deleteVideo(gone.videoId!);

    const settled = await waitForJobs(app, (js) => js.every((j) => j.state === 'ready' || j.state === 'failed'));
    const byId = new Map(settled.map((j) => [j.id, j]));
    expect(byId.get(gone.id)).toMatchObject({ state: 'failed', error: { message: expect.stringContaining(gone.videoId!) } });
    expect(byId.get(kept.id)).toMatchObject({ state: 'ready', vodStatus: 'Normal' });
    expect(cloud.stats().requests['vod:GetVideoInfos']).toBeGreaterThan(0);
    expect(cloud.stats().requests['vod:GetVideoInfo'] ?? 0).toBe(0);
  });
});

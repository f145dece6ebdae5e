// The composition root with its real parts: SQLite on disk, the file secret box, the
// engine, and the embedded sandbox (plus a second sandbox standing in for an Aliyun
// account, reached through a profile's endpoint).

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp, type App } from '../../main/app/create-app';
import { createFileSecretBox } from '../../main/app/file-secret-box';
import { openQueueStore, type ProfileRecord } from '../../main/engine/store/index';
import { startSandbox, type Sandbox } from '../../main/sandbox/index';
import { tempDir } from '../helpers/files';

let app: App;
let dataDir: string;
let cloud: Sandbox;
let profileEvents = 0;

beforeAll(async () => {
  dataDir = await tempDir('vodup-app-');
  cloud = await startSandbox({ dataDir: await tempDir('vodup-cloud-') });
  app = await createApp({ dataDir, secretBox: createFileSecretBox(dataDir), shell: 'electron', version: '9.9.9', locale: 'zh-CN' });
  app.events.onProfilesChanged(() => (profileEvents += 1));
});

afterAll(async () => {
  await app?.dispose();
  await cloud?.close();
});

function storedProfile(id: string): ProfileRecord | undefined {
  const store = openQueueStore(path.join(dataDir, 'queue.db'));
  try {
    return store.getProfile(id);
  } finally {
    store.close();
  }
}

describe('app profiles', () => {
  it('reports the shell it runs in', async () => {
    expect(await app.controller.getAppInfo()).toEqual({ shell: 'electron', version: '9.9.9', platform: process.platform, locale: 'zh-CN' });
  });

  it('gives a fresh install the Sandbox profile, active and working', async () => {
    const [sandbox] = await app.controller.listProfiles();
    expect(sandbox.kind).toBe('sandbox');
    expect((await app.controller.getActiveProfile())?.id).toBe(sandbox.id);
    expect(await app.controller.testProfile(sandbox.id)).toMatchObject({ ok: true });
    const catalog = await app.controller.getCatalog();
    expect(catalog.templateGroups.length).toBeGreaterThan(0);
    expect(fs.existsSync(path.join(dataDir, 'sandbox'))).toBe(true);
  });

  it('tests an account before it is saved: typed keys, or the stored secret on an edit', async () => {
    const before = (await app.controller.listProfiles()).length;
    const input = { name: 'Trial', kind: 'aliyun' as const, accessKeyId: cloud.accessKeyId, region: 'cn-shanghai', endpoint: cloud.url };
    expect(await app.controller.testProfileInput({ ...input, accessKeySecret: cloud.accessKeySecret })).toMatchObject({ ok: true });
    expect(await app.controller.testProfileInput({ ...input, accessKeySecret: `${cloud.accessKeySecret}x` }))
      .toMatchObject({ ok: false, code: 'SignatureDoesNotMatch' });
    // What save() refuses is refused here too, and nothing was stored by testing.
    await expect(app.controller.testProfileInput(input)).rejects.toMatchObject({ code: 'InvalidProfile' });
    expect(await app.controller.listProfiles()).toHaveLength(before);

    // An edit without a secret is tested with the stored one; a new wrong secret is not kept.
    const saved = await app.controller.saveProfile({ ...input, accessKeySecret: cloud.accessKeySecret });
    expect(await app.controller.testProfileInput({ ...input, id: saved.id, name: 'Trial 2' })).toMatchObject({ ok: true });
    expect(await app.controller.testProfileInput({ ...input, id: saved.id, accessKeySecret: 'wrong' })).toMatchObject({ ok: false });
    expect(await app.controller.testProfile(saved.id)).toMatchObject({ ok: true });
    await app.controller.deleteProfile(saved.id);
  });

  it('seals the secret and token in the store and never returns them', async () => {
    const before = profileEvents;
    const view = await app.controller.saveProfile({
      name: 'Cloud', kind: 'aliyun', accessKeyId: cloud.accessKeyId, accessKeySecret: cloud.accessKeySecret,
      securityToken: 'tok-123', region: 'cn-shanghai', endpoint: cloud.url,
    });
    expect(profileEvents).toBe(before + 1);
    expect(view).toEqual({ id: view.id, name: 'Cloud', kind: 'aliyun', accessKeyId: cloud.accessKeyId, region: 'cn-shanghai', endpoint: cloud.url, hasSecret: true, hasSecurityToken: true });
    const row = storedProfile(view.id)!;
    expect(row.secretBlob!.toString('latin1')).not.toContain(cloud.accessKeySecret);
    expect(createFileSecretBox(dataDir).decrypt(row.secretBlob!)).toBe(cloud.accessKeySecret);
    expect(createFileSecretBox(dataDir).decrypt(row.tokenBlob!)).toBe('tok-123');
    expect(JSON.stringify(await app.controller.listProfiles())).not.toContain(cloud.accessKeySecret);
  });

  it('keeps the stored secret on an edit without one; removes the token when given empty', async () => {
    const cloudView = (await app.controller.listProfiles()).find((p) => p.name === 'Cloud')!;
    const sealed = storedProfile(cloudView.id)!.secretBlob!;
    const edited = await app.controller.saveProfile({ id: cloudView.id, name: 'Cloud 2', kind: 'aliyun', accessKeyId: cloud.accessKeyId, securityToken: '', region: 'cn-shanghai', endpoint: cloud.url });
    expect(edited).toMatchObject({ name: 'Cloud 2', hasSecret: true, hasSecurityToken: false });
    expect(storedProfile(cloudView.id)!.secretBlob!.equals(sealed)).toBe(true);
  });

  it('asks for the secret again when the AccessKey ID changes', async () => {
    const cloudView = (await app.controller.listProfiles()).find((p) => p.name === 'Cloud 2')!;
    await expect(app.controller.saveProfile({ id: cloudView.id, name: 'Cloud 2', kind: 'aliyun', accessKeyId: 'LTAIother', region: 'cn-shanghai' }))
      .rejects.toMatchObject({ code: 'InvalidProfile', message: expect.stringMatching(/secret/) });
    await expect(app.controller.saveProfile({ name: 'New', kind: 'aliyun', accessKeyId: 'LTAIx', region: 'cn-shanghai' }))
      .rejects.toMatchObject({ code: 'InvalidProfile' });
    await expect(app.controller.saveProfile({ name: 'Bad region', kind: 'aliyun', accessKeyId: 'LTAIx', accessKeySecret: 's', region: 'Shanghai!' }))
      .rejects.toMatchObject({ code: 'InvalidProfile' });
  });

  it('refuses a region VOD does not serve, unless the profile gives its own endpoint', async () => {
    await expect(app.controller.saveProfile({ name: 'Hangzhou', kind: 'aliyun', accessKeyId: 'LTAIx', accessKeySecret: 's', region: 'cn-hangzhou' }))
      .rejects.toMatchObject({ code: 'InvalidProfile', message: expect.stringMatching(/VOD does not serve the region "cn-hangzhou".*cn-shanghai/) });
    expect((await app.controller.listProfiles()).some((p) => p.name === 'Hangzhou')).toBe(false);
    const gateway = await app.controller.saveProfile({ name: 'Gateway', kind: 'aliyun', accessKeyId: 'LTAIx', accessKeySecret: 's', region: 'cn-hangzhou', endpoint: 'http://127.0.0.1:9' });
    expect(gateway.region).toBe('cn-hangzhou');
    await app.controller.deleteProfile(gateway.id);
  });

  it('tests a profile against its service and passes on the service\'s own error code', async () => {
    const good = (await app.controller.listProfiles()).find((p) => p.name === 'Cloud 2')!;
    expect(await app.controller.testProfile(good.id)).toMatchObject({ ok: true });
    const bad = await app.controller.saveProfile({ name: 'Wrong secret', kind: 'aliyun', accessKeyId: cloud.accessKeyId, accessKeySecret: 'not-the-secret', region: 'cn-shanghai', endpoint: cloud.url });
    const result = await app.controller.testProfile(bad.id);
    expect(result.ok).toBe(false);
    expect(result.code).toBe('SignatureDoesNotMatch');
    expect(result.message).toBeTruthy();
  });

  it('Test connection passes a RAM user that may upload but not read the catalog, and says so', async () => {
    const limited = await app.controller.saveProfile({
      name: 'Upload only', kind: 'aliyun', accessKeyId: cloud.uploadOnly.accessKeyId, accessKeySecret: cloud.uploadOnly.accessKeySecret,
      region: 'cn-shanghai', endpoint: cloud.url,
    });
    expect(await app.controller.testProfile(limited.id)).toMatchObject({ ok: true, catalogDenied: true, code: 'Forbidden.RAM' });
    await app.controller.deleteProfile(limited.id);
  });

  it('switches the active profile, caches the catalog per profile, and falls back when the active one is deleted', async () => {
    const profiles = await app.controller.listProfiles();
    const cloudView = profiles.find((p) => p.name === 'Cloud 2')!;
    await app.controller.setActiveProfile(cloudView.id);
    expect((await app.controller.getActiveProfile())?.id).toBe(cloudView.id);
    const requests = (): number => Object.values(cloud.stats().requests).reduce((a, b) => a + b, 0);
    await app.controller.getCatalog();
    const afterFirst = requests();
    await app.controller.getCatalog();
    expect(requests()).toBe(afterFirst);
    await app.controller.getCatalog({ refresh: true });
    expect(requests()).toBeGreaterThan(afterFirst);
    await app.controller.deleteProfile(cloudView.id);
    expect((await app.controller.getActiveProfile())?.kind).toBe('sandbox');
    await expect(app.controller.setActiveProfile(cloudView.id)).rejects.toMatchObject({ code: 'ProfileNotFound' });
  });

  it('refuses to delete a profile that unfinished uploads still need', async () => {
    const p = await app.controller.saveProfile({ name: 'Busy', kind: 'aliyun', accessKeyId: cloud.accessKeyId, accessKeySecret: cloud.accessKeySecret, region: 'cn-shanghai', endpoint: cloud.url });
    await app.controller.setActiveProfile(p.id);
    const file = path.join(await tempDir(), 'held.mp4');
    fs.writeFileSync(file, Buffer.alloc(1000, 7));
    expect((await app.controller.addJobs([{ path: file, meta: { title: 'held', tags: [] } }], { hold: true })).added).toBe(1);
    await expect(app.controller.deleteProfile(p.id)).rejects.toMatchObject({ code: 'ProfileInUse', message: expect.stringMatching(/1 upload\(s\) in the queue belong to this account/) });
    expect((await app.controller.listProfiles()).some((v) => v.id === p.id)).toBe(true);
    await app.controller.cancel('all');
    await app.controller.deleteProfile(p.id);
    expect((await app.controller.listProfiles()).some((v) => v.id === p.id)).toBe(false);
  });

  it('reports a secret sealed by another key instead of crashing', async () => {
    const p = await app.controller.saveProfile({ name: 'Foreign', kind: 'aliyun', accessKeyId: cloud.accessKeyId, accessKeySecret: 'x', region: 'cn-shanghai', endpoint: cloud.url });
    const store = openQueueStore(path.join(dataDir, 'queue.db'));
    try {
      const rec = store.getProfile(p.id)!;
      store.saveProfile({ ...rec, secretBlob: createFileSecretBox(await tempDir()).encrypt('other key') });
    } finally {
      store.close();
    }
    expect(await app.controller.testProfile(p.id)).toMatchObject({ ok: false, code: 'SecretUnreadable' });
  });
});

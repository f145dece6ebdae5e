// A Tencent profile in the app's ProfileService: SecretId/SecretKey with the secret sealed
// by the SecretBox like an Alibaba secret, no Alibaba region check, and credentials that
// name the provider. Real SQLite and the file secret box.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createFileSecretBox } from '../../main/app/file-secret-box';
import { ProfileService } from '../../main/app/profiles';
import type { SandboxHost } from '../../main/app/sandbox-host';
import { openQueueStore, type QueueStore } from '../../main/engine/store/index';
import { tempDir } from '../helpers/files';

let dir: string;
let store: QueueStore;
let profiles: ProfileService;

beforeAll(async () => {
  dir = await tempDir('vodup-tc-profiles-');
  store = openQueueStore(path.join(dir, 'queue.db'));
  // A Tencent profile never starts the embedded sandbox (Electron's stand-in is not needed here).
  const noSandbox = { ensure: () => Promise.reject(new Error('not used')) } as unknown as SandboxHost;
  profiles = new ProfileService(store, createFileSecretBox(dir), noSandbox);
});
afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('Tencent profiles', () => {
  it('stores the SecretKey sealed and opens credentials that name the provider', async () => {
    const view = profiles.save({ name: 'Tencent', kind: 'tencent', accessKeyId: 'AKIDabc', accessKeySecret: 'plain-secret-key', region: 'ap-guangzhou', endpoint: 'http://127.0.0.1:1' });
    expect(view).toMatchObject({ kind: 'tencent', accessKeyId: 'AKIDabc', region: 'ap-guangzhou', hasSecret: true });
    const rec = store.getProfile(view.id)!;
    expect(rec.kind).toBe('tencent');
    expect(rec.secretBlob?.includes(Buffer.from('plain-secret-key'))).toBe(false);
    expect(await profiles.credentials(view.id)).toEqual({ provider: 'tencent', accessKeyId: 'AKIDabc', accessKeySecret: 'plain-secret-key', region: 'ap-guangzhou', endpoint: 'http://127.0.0.1:1' });
    // Editing without retyping the key keeps the stored one.
    profiles.save({ id: view.id, name: 'Tencent 2', kind: 'tencent', accessKeyId: 'AKIDabc', region: 'ap-shanghai' });
    expect((await profiles.credentials(view.id)).accessKeySecret).toBe('plain-secret-key');
  });

  it('asks for the SecretKey in Tencent\'s words', () => {
    expect(() => profiles.save({ name: 'T', kind: 'tencent', accessKeyId: 'AKIDnew', region: 'ap-guangzhou' })).toThrow('Enter the SecretKey.');
    expect(() => profiles.save({ name: 'T', kind: 'tencent', accessKeyId: '', region: 'ap-guangzhou' })).toThrow(/SecretId of a CAM user/);
  });

  it('keeps a SubAppId (the VOD application), hands it to the provider, shows it, and refuses one that is not a positive integer', async () => {
    const view = profiles.save({ name: 'App', kind: 'tencent', accessKeyId: 'AKIDsub', accessKeySecret: 'k', region: 'ap-guangzhou', subAppId: ' 1500012345 ' });
    expect(view.subAppId).toBe(1500012345);
    expect(profiles.list().find((p) => p.id === view.id)?.subAppId).toBe(1500012345);
    expect((await profiles.credentials(view.id)).subAppId).toBe(1500012345);
    // Emptied: the account's default application again.
    const cleared = profiles.save({ id: view.id, name: 'App', kind: 'tencent', accessKeyId: 'AKIDsub', region: 'ap-guangzhou', subAppId: '' });
    expect(cleared.subAppId).toBeUndefined();
    expect((await profiles.credentials(view.id)).subAppId).toBeUndefined();
    for (const bad of ['0', '-3', '12a', '1.5', '99999999999999999999']) {
      expect(() => profiles.save({ id: view.id, name: 'App', kind: 'tencent', accessKeyId: 'AKIDsub', region: 'ap-guangzhou', subAppId: bad }), bad).toThrow(/not a VOD application id/);
    }
    // An Alibaba profile has no SubAppId, whatever the input says.
    const ali = profiles.save({ name: 'Ali', kind: 'aliyun', accessKeyId: 'LTAIx', accessKeySecret: 's', region: 'cn-shanghai', subAppId: '7' });
    expect(ali.subAppId).toBeUndefined();
  });
});


// resolveCredentials: explicit profile > VOD_* environment > the aliyun CLI's config file.

import fs from 'fs';
import os from 'os';
import path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { resolveCredentials } from '../../main/engine/vod/credentials';
import { thrownEngineError } from '../helpers/errors';

let dir: string;
let configPath: string;
const missingPath = (): string => path.join(dir, 'nope', 'config.json');

function writeConfig(config: unknown, name = 'config.json'): string {
  const p = path.join(dir, name);
  fs.writeFileSync(p, typeof config === 'string' ? config : JSON.stringify(config));
  return p;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-cred-'));
  configPath = writeConfig({
    current: 'work',
    profiles: [
      { name: 'default', mode: 'AK', access_key_id: 'LTAIdefault', access_key_secret: 'default-secret', region_id: 'cn-beijing' },
      { name: 'work', mode: 'StsToken', access_key_id: 'STS.work', access_key_secret: 'work-secret', sts_token: 'work-token', region_id: 'ap-southeast-1' },
    ],
    meta_path: '',
  });
});

afterAll(() => {
  fs.rmSync(dir, { recursive: true, force: true });
});

const ENV = { VOD_ACCESS_KEY_ID: 'LTAIenv', VOD_ACCESS_KEY_SECRET: 'env-secret' };

const error = thrownEngineError;

describe('resolveCredentials', () => {
  it('an explicit profile wins over the environment and the config file', () => {
    const profile = { accessKeyId: 'LTAIprofile', accessKeySecret: 'p', region: 'cn-shenzhen' };
    expect(resolveCredentials({ profile, env: ENV, aliyunConfigPath: configPath })).toEqual(profile);
  });

  it('the environment wins over the config file, with cn-shanghai as the default region', () => {
    expect(resolveCredentials({ env: ENV, aliyunConfigPath: configPath })).toEqual({
      accessKeyId: 'LTAIenv', accessKeySecret: 'env-secret', region: 'cn-shanghai',
    });
  });

  it('reads token, region and endpoint from the environment', () => {
    expect(resolveCredentials({
      env: { ...ENV, VOD_SECURITY_TOKEN: 'tok', VOD_REGION: 'eu-central-1', VOD_ENDPOINT: 'http://127.0.0.1:9' },
      aliyunConfigPath: missingPath(),
    })).toEqual({
      accessKeyId: 'LTAIenv', accessKeySecret: 'env-secret', securityToken: 'tok', region: 'eu-central-1', endpoint: 'http://127.0.0.1:9',
    });
  });

  it('refuses half a key pair in the environment', () => {
    const e = error(() => resolveCredentials({ env: { VOD_ACCESS_KEY_ID: 'LTAIenv' }, aliyunConfigPath: configPath }));
    expect(e.message).toMatch(/Only VOD_ACCESS_KEY_ID/);
    expect(e.hint).toMatch(/VOD_ACCESS_KEY_SECRET/);
  });

  it('falls back to the aliyun CLI config\'s current profile (StsToken mode)', () => {
    expect(resolveCredentials({ env: {}, aliyunConfigPath: configPath })).toEqual({
      accessKeyId: 'STS.work', accessKeySecret: 'work-secret', securityToken: 'work-token', region: 'ap-southeast-1',
    });
  });

  it('reads an AK-mode profile without a token', () => {
    const p = writeConfig({ current: 'default', profiles: [{ name: 'default', mode: 'AK', access_key_id: 'LTAIa', access_key_secret: 's', region_id: '' }] }, 'ak.json');
    expect(resolveCredentials({ env: {}, aliyunConfigPath: p })).toEqual({ accessKeyId: 'LTAIa', accessKeySecret: 's', region: 'cn-shanghai' });
  });

  it('names all three sources when none has credentials', () => {
    const e = error(() => resolveCredentials({ env: {}, aliyunConfigPath: missingPath() }));
    expect(e.kind).toBe('auth');
    expect(e.message).toMatch(/no profile/);
    expect(e.message).toMatch(/VOD_ACCESS_KEY_ID/);
    expect(e.message).toContain(missingPath());
    expect(e.hint).toMatch(/aliyun configure/);
  });

  it('explains unsupported modes, missing profiles and broken files', () => {
    const ram = writeConfig({ current: 'r', profiles: [{ name: 'r', mode: 'RamRoleArn', access_key_id: 'a', access_key_secret: 'b' }] }, 'ram.json');
    expect(error(() => resolveCredentials({ env: {}, aliyunConfigPath: ram })).message).toMatch(/mode RamRoleArn/);
    const gone = writeConfig({ current: 'x', profiles: [{ name: 'y', mode: 'AK', access_key_id: 'a', access_key_secret: 'b' }] }, 'gone.json');
    expect(error(() => resolveCredentials({ env: {}, aliyunConfigPath: gone })).message).toMatch(/no profile named "x"/);
    const broken = writeConfig('{ not json', 'broken.json');
    expect(error(() => resolveCredentials({ env: {}, aliyunConfigPath: broken })).message).toMatch(/not valid JSON/);
    const noToken = writeConfig({ current: 's', profiles: [{ name: 's', mode: 'StsToken', access_key_id: 'a', access_key_secret: 'b' }] }, 'notoken.json');
    expect(error(() => resolveCredentials({ env: {}, aliyunConfigPath: noToken })).message).toMatch(/no sts_token/);
  });

  it('never puts a secret into an error', () => {
    const half = writeConfig({ current: 'h', profiles: [{ name: 'h', mode: 'AK', access_key_id: '', access_key_secret: 'very-secret-value' }] }, 'half.json');
    const e = error(() => resolveCredentials({ env: {}, aliyunConfigPath: half }));
    expect(`${e.message} ${e.hint}`).not.toContain('very-secret-value');
  });
});

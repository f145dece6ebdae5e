// resolveCredentials: explicit profile > VOD_* environment > ALIBABA_CLOUD_* environment >
// the aliyun CLI's config file > ~/.alibabacloud/credentials; the region check. Every call
// names its own home folder, so the real ~/.aliyun and ~/.alibabacloud are never read.

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

/** An empty home folder: no aliyun CLI config, no credentials file. */
let emptyHome: string;
beforeAll(() => {
  emptyHome = fs.mkdtempSync(path.join(dir, 'home-'));
});

/** A temp home with ~/.alibabacloud/credentials holding `ini`. */
function homeWithCredentialsFile(ini: string): string {
  const home = fs.mkdtempSync(path.join(dir, 'home-'));
  fs.mkdirSync(path.join(home, '.alibabacloud'));
  fs.writeFileSync(path.join(home, '.alibabacloud', 'credentials'), ini);
  return home;
}

const resolve = (opts: Parameters<typeof resolveCredentials>[0]) => resolveCredentials({ homeDir: emptyHome, ...opts });

describe('resolveCredentials', () => {
  it('an explicit profile wins over the environment and the config file', () => {
    const profile = { accessKeyId: 'LTAIprofile', accessKeySecret: 'p', region: 'cn-shenzhen' };
    expect(resolve({ profile, env: ENV, aliyunConfigPath: configPath })).toEqual(profile);
  });

  it('the environment wins over the config file, with cn-shanghai as the default region', () => {
    expect(resolve({ env: ENV, aliyunConfigPath: configPath })).toEqual({
      accessKeyId: 'LTAIenv', accessKeySecret: 'env-secret', region: 'cn-shanghai',
    });
  });

  it('reads token, region and endpoint from the environment', () => {
    expect(resolve({
      env: { ...ENV, VOD_SECURITY_TOKEN: 'tok', VOD_REGION: 'eu-central-1', VOD_ENDPOINT: 'http://127.0.0.1:9' },
      aliyunConfigPath: missingPath(),
    })).toEqual({
      accessKeyId: 'LTAIenv', accessKeySecret: 'env-secret', securityToken: 'tok', region: 'eu-central-1', endpoint: 'http://127.0.0.1:9',
    });
  });

  it('refuses half a key pair in the environment', () => {
    const e = error(() => resolve({ env: { VOD_ACCESS_KEY_ID: 'LTAIenv' }, aliyunConfigPath: configPath }));
    expect(e.message).toMatch(/Only VOD_ACCESS_KEY_ID/);
    expect(e.hint).toMatch(/VOD_ACCESS_KEY_SECRET/);
  });

  it('falls back to the aliyun CLI config\'s current profile (StsToken mode)', () => {
    expect(resolve({ env: {}, aliyunConfigPath: configPath })).toEqual({
      accessKeyId: 'STS.work', accessKeySecret: 'work-secret', securityToken: 'work-token', region: 'ap-southeast-1',
    });
  });

  it('reads an AK-mode profile without a token', () => {
    const p = writeConfig({ current: 'default', profiles: [{ name: 'default', mode: 'AK', access_key_id: 'LTAIa', access_key_secret: 's', region_id: '' }] }, 'ak.json');
    expect(resolve({ env: {}, aliyunConfigPath: p })).toEqual({ accessKeyId: 'LTAIa', accessKeySecret: 's', region: 'cn-shanghai' });
  });

  it('names every source when none has credentials', () => {
    const e = error(() => resolve({ env: {}, aliyunConfigPath: missingPath() }));
    expect(e.kind).toBe('auth');
    expect(e.message).toMatch(/VOD_ACCESS_KEY_ID/);
    expect(e.message).toMatch(/ALIBABA_CLOUD_ACCESS_KEY_ID/);
    expect(e.message).toContain(missingPath());
    expect(e.message).toContain(path.join(emptyHome, '.alibabacloud', 'credentials'));
    expect(e.hint).toMatch(/aliyun configure/);
  });

  it('explains unsupported modes, missing profiles and broken files', () => {
    const ram = writeConfig({ current: 'r', profiles: [{ name: 'r', mode: 'RamRoleArn', access_key_id: 'a', access_key_secret: 'b' }] }, 'ram.json');
    expect(error(() => resolve({ env: {}, aliyunConfigPath: ram })).message).toMatch(/mode RamRoleArn/);
    const gone = writeConfig({ current: 'x', profiles: [{ name: 'y', mode: 'AK', access_key_id: 'a', access_key_secret: 'b' }] }, 'gone.json');
    expect(error(() => resolve({ env: {}, aliyunConfigPath: gone })).message).toMatch(/no profile named "x"/);
    const broken = writeConfig('{ not json', 'broken.json');
    expect(error(() => resolve({ env: {}, aliyunConfigPath: broken })).message).toMatch(/not valid JSON/);
    const noToken = writeConfig({ current: 's', profiles: [{ name: 's', mode: 'StsToken', access_key_id: 'a', access_key_secret: 'b' }] }, 'notoken.json');
    expect(error(() => resolve({ env: {}, aliyunConfigPath: noToken })).message).toMatch(/no sts_token/);
  });

  it('never puts a secret into an error', () => {
    const half = writeConfig({ current: 'h', profiles: [{ name: 'h', mode: 'AK', access_key_id: '', access_key_secret: 'very-secret-value' }] }, 'half.json');
    const e = error(() => resolve({ env: {}, aliyunConfigPath: half }));
    expect(`${e.message} ${e.hint}`).not.toContain('very-secret-value');
  });

  it('reads the standard ALIBABA_CLOUD_* variables, after VOD_* and before the aliyun CLI config', () => {
    const std = { ALIBABA_CLOUD_ACCESS_KEY_ID: 'LTAIstd', ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'std-secret', ALIBABA_CLOUD_SECURITY_TOKEN: 'std-token' };
    expect(resolve({ env: std, aliyunConfigPath: configPath })).toEqual({
      accessKeyId: 'LTAIstd', accessKeySecret: 'std-secret', securityToken: 'std-token', region: 'cn-shanghai',
    });
    expect(resolve({ env: { ...std, ...ENV }, aliyunConfigPath: configPath }).accessKeyId).toBe('LTAIenv');
    const half = error(() => resolve({ env: { ALIBABA_CLOUD_ACCESS_KEY_SECRET: 'x' }, aliyunConfigPath: configPath }));
    expect(half.message).toMatch(/Only ALIBABA_CLOUD_ACCESS_KEY_SECRET/);
  });

  it('reads ~/.alibabacloud/credentials: [default] access_key or sts, or the ALIBABA_CLOUD_PROFILE section', () => {
    const home = homeWithCredentialsFile([
      '# written by hand',
      '[default]',
      'type = access_key',
      'access_key_id = LTAIini',
      'access_key_secret = "ini-secret"',
      '',
      '[temp]',
      'type = sts',
      'access_key_id = STS.ini',
      'access_key_secret = sts-secret',
      'security_token = sts-token',
    ].join('\r\n'));
    expect(resolveCredentials({ env: {}, homeDir: home })).toEqual({ accessKeyId: 'LTAIini', accessKeySecret: 'ini-secret', region: 'cn-shanghai' });
    expect(resolveCredentials({ env: { ALIBABA_CLOUD_PROFILE: 'temp', VOD_REGION: 'cn-beijing' }, homeDir: home })).toEqual({
      accessKeyId: 'STS.ini', accessKeySecret: 'sts-secret', securityToken: 'sts-token', region: 'cn-beijing',
    });
    // The aliyun CLI's config comes first, as in Alibaba's own chain.
    fs.mkdirSync(path.join(home, '.aliyun'));
    fs.copyFileSync(configPath, path.join(home, '.aliyun', 'config.json'));
    expect(resolveCredentials({ env: {}, homeDir: home }).accessKeyId).toBe('STS.work');
  });

  it('finds the credentials file named by ALIBABA_CLOUD_CREDENTIALS_FILE, and says when it is not there', () => {
    const file = path.join(dir, 'elsewhere.ini');
    fs.writeFileSync(file, '[default]\ntype = access_key\naccess_key_id = LTAIelse\naccess_key_secret = s\n');
    expect(resolve({ env: { ALIBABA_CLOUD_CREDENTIALS_FILE: file } }).accessKeyId).toBe('LTAIelse');
    const e = error(() => resolve({ env: { ALIBABA_CLOUD_CREDENTIALS_FILE: path.join(dir, 'none.ini') } }));
    expect(e.message).toMatch(/ALIBABA_CLOUD_CREDENTIALS_FILE names .*none\.ini, which does not exist/);
  });

  it('explains credentials-file types it cannot use and incomplete sections, without the secret', () => {
    const role = homeWithCredentialsFile('[default]\ntype = ecs_ram_role\nrole_name = r\n');
    expect(error(() => resolveCredentials({ env: {}, homeDir: role })).message).toMatch(/type = ecs_ram_role; only access_key and sts/);
    const noToken = homeWithCredentialsFile('[default]\ntype = sts\naccess_key_id = a\naccess_key_secret = very-secret-value\n');
    const e = error(() => resolveCredentials({ env: {}, homeDir: noToken }));
    expect(e.message).toMatch(/type = sts but no security_token/);
    expect(`${e.message} ${e.hint}`).not.toContain('very-secret-value');
    const other = homeWithCredentialsFile('[work]\ntype = access_key\naccess_key_id = a\naccess_key_secret = b\n');
    expect(error(() => resolveCredentials({ env: {}, homeDir: other })).message).toMatch(/no section \[default\]/);
  });

  it('refuses a region VOD does not serve, saying where it came from, unless an endpoint is given', () => {
    const hangzhou = writeConfig({ current: 'default', profiles: [{ name: 'default', mode: 'AK', access_key_id: 'LTAIh', access_key_secret: 's', region_id: 'cn-hangzhou' }] }, 'hangzhou.json');
    const e = error(() => resolve({ env: {}, aliyunConfigPath: hangzhou }));
    expect(e.code).toBe('UnknownRegion');
    expect(e.retryable).toBe(false);
    expect(e.message).toMatch(/VOD does not serve the region "cn-hangzhou" \(there is no vod\.cn-hangzhou\.aliyuncs\.com\)/);
    expect(e.message).toContain('the aliyun CLI profile "default"');
    expect(e.hint).toMatch(/VOD_REGION=cn-shanghai/);
    // VOD_REGION wins over the profile's region, and ALIBABA_CLOUD_REGION_ID is read too.
    expect(resolve({ env: { VOD_REGION: 'cn-shanghai' }, aliyunConfigPath: hangzhou }).region).toBe('cn-shanghai');
    expect(resolve({ env: { ALIBABA_CLOUD_REGION_ID: 'ap-southeast-1' }, aliyunConfigPath: hangzhou }).region).toBe('ap-southeast-1');
    expect(error(() => resolve({ env: { ...ENV, VOD_REGION: 'cn-qingdao' } })).message).toMatch(/came from VOD_REGION/);
    // A sandbox or private gateway: the endpoint is the operator's word.
    expect(resolve({ env: { VOD_ENDPOINT: 'http://127.0.0.1:9' }, aliyunConfigPath: hangzhou })).toMatchObject({ region: 'cn-hangzhou', endpoint: 'http://127.0.0.1:9' });
  });
});

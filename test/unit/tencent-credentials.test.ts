// VOD_PROVIDER=tencent: the CLI's Tencent chain (tencent/tc-credentials.ts, reached through resolveCredentials).
import { describe, expect, it } from 'vitest';
import { EngineError } from '../../main/engine/errors';
import { resolveTencentCredentials, tencentCredentialsOf } from '../../main/engine/tencent/tc-credentials';
import { resolveCredentials } from '../../main/engine/vod/credentials';

const base = { VOD_PROVIDER: 'tencent', TENCENTCLOUD_SECRET_ID: 'AKIDx', TENCENTCLOUD_SECRET_KEY: 'k' };

describe('Tencent credentials from the environment', () => {
  it('reads TENCENTCLOUD_* and VOD_ENDPOINT when VOD_PROVIDER=tencent, ignoring Alibaba variables', () => {
    const c = resolveCredentials({ env: { ...base, TENCENTCLOUD_SESSION_TOKEN: 't', TENCENTCLOUD_REGION: 'ap-shanghai', VOD_ENDPOINT: 'http://127.0.0.1:9', VOD_SUB_APP_ID: '1500000001', VOD_ACCESS_KEY_ID: 'ali' }, homeDir: '/nonexistent' });
    expect(c).toEqual({ provider: 'tencent', accessKeyId: 'AKIDx', accessKeySecret: 'k', securityToken: 't', region: 'ap-shanghai', endpoint: 'http://127.0.0.1:9', subAppId: 1500000001 });
    expect(tencentCredentialsOf(c)).toEqual({ secretId: 'AKIDx', secretKey: 'k', sessionToken: 't', region: 'ap-shanghai', endpoint: 'http://127.0.0.1:9', subAppId: 1500000001 });
    expect(resolveTencentCredentials(base).region).toBe('ap-guangzhou');
  });

  it('says what is missing', () => {
    const none = (() => { try { resolveTencentCredentials({ VOD_PROVIDER: 'tencent' }); } catch (e) { return e; } })() as EngineError;
    expect(none.message).toMatch(/TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not set/);
    const half = (() => { try { resolveTencentCredentials({ TENCENTCLOUD_SECRET_ID: 'x' }); } catch (e) { return e; } })() as EngineError;
    expect(half.message).toBe('Only TENCENTCLOUD_SECRET_ID is set in the environment.');
    expect(() => resolveTencentCredentials({ ...base, VOD_SUB_APP_ID: 'abc' })).toThrow(/not a number/);
    expect(() => resolveTencentCredentials({ ...base, VOD_SUB_APP_ID: '0' })).toThrow(/positive whole number/);
    expect(() => resolveCredentials({ env: { VOD_PROVIDER: 'azure' }, homeDir: '/nonexistent' })).toThrow(/names no provider/);
  });
});

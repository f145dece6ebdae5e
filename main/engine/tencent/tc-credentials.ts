// Where the CLI finds a Tencent Cloud key when VOD_PROVIDER=tencent (resolveCredentials
// in vod/credentials.ts hands over to this): Tencent's standard variables, the ones every
// tencentcloud SDK and tccli read —
//   TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY (/ TENCENTCLOUD_SESSION_TOKEN),
//   TENCENTCLOUD_REGION (default ap-guangzhou; VOD's API is one global endpoint, the region
//   only scopes the signature),
// plus VOD_SUB_APP_ID (the VOD application; required for accounts that activated VOD from
// 2023-12-25) and VOD_ENDPOINT (a sandbox: API and COS on the same host and port).

import { parseSubAppId } from '../../../shared/validation';
import { EngineError } from '../errors';
import type { ProviderCredentials } from '../provider';
import type { TencentCredentials } from './tc-vod-client';

export const TENCENT_DEFAULT_REGION = 'ap-guangzhou';

/** ProviderCredentials of a Tencent profile or environment: the SubAppId rides along. */
export interface TencentProviderCredentials extends ProviderCredentials {
  provider: 'tencent';
  subAppId?: number;
}

export const TENCENT_CREDENTIAL_HELP =
  'With VOD_PROVIDER=tencent the key is TENCENTCLOUD_SECRET_ID + TENCENTCLOUD_SECRET_KEY (+ TENCENTCLOUD_SESSION_TOKEN for a temporary key), ' +
  'the region TENCENTCLOUD_REGION (default ap-guangzhou), the VOD application VOD_SUB_APP_ID; VOD_ENDPOINT points at another endpoint (a sandbox).';

function problem(message: string, hint: string, code = 'NoCredentials'): EngineError {
  return new EngineError({ kind: code === 'NoCredentials' ? 'auth' : 'parameter', code, message, retryable: false, hint });
}

export function resolveTencentCredentials(env: NodeJS.ProcessEnv): TencentProviderCredentials {
  const id = env.TENCENTCLOUD_SECRET_ID?.trim();
  const key = env.TENCENTCLOUD_SECRET_KEY?.trim();
  if (!id || !key) {
    throw problem(
      id || key
        ? `Only ${id ? 'TENCENTCLOUD_SECRET_ID' : 'TENCENTCLOUD_SECRET_KEY'} is set in the environment.`
        : 'VOD_PROVIDER=tencent, but TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY are not set.',
      'Set both TENCENTCLOUD_SECRET_ID and TENCENTCLOUD_SECRET_KEY (a CAM key with VOD permissions).',
    );
  }
  const c: TencentProviderCredentials = {
    provider: 'tencent', accessKeyId: id, accessKeySecret: key, region: env.TENCENTCLOUD_REGION?.trim() || TENCENT_DEFAULT_REGION,
  };
  const token = env.TENCENTCLOUD_SESSION_TOKEN?.trim();
  if (token) c.securityToken = token;
  const endpoint = env.VOD_ENDPOINT?.trim();
  if (endpoint) c.endpoint = endpoint;
  // The same rule as a profile's SubAppId (shared/validation.ts): empty, or a positive integer.
  const sub = parseSubAppId(env.VOD_SUB_APP_ID);
  if (sub.problem) {
    throw problem(`VOD_SUB_APP_ID is "${env.VOD_SUB_APP_ID?.trim() ?? ''}", not a number the VOD console shows (a positive whole number).`, 'Set VOD_SUB_APP_ID to the VOD application\'s id (a number, shown in the VOD console), or unset it.', 'InvalidSubAppId');
  }
  if (sub.value !== undefined) c.subAppId = sub.value;
  return c;
}

/** The VOD client's view of provider credentials. */
export function tencentCredentialsOf(c: ProviderCredentials & { subAppId?: number }): TencentCredentials {
  return {
    secretId: c.accessKeyId, secretKey: c.accessKeySecret, region: c.region,
    ...(c.securityToken ? { sessionToken: c.securityToken } : {}),
    ...(c.endpoint ? { endpoint: c.endpoint } : {}),
    ...(c.subAppId !== undefined ? { subAppId: c.subAppId } : {}),
  };
}

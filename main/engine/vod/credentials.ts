// Where the CLI and web mode find an Alibaba Cloud AccessKey when no profile is given:
// an explicit profile, then VOD_* environment variables, then the aliyun CLI's own
// config file (~/.aliyun/config.json), the way the aliyun CLI itself would.

import fs from 'fs';
import os from 'os';
import path from 'path';
import { EngineError } from '../errors';
import type { ProviderCredentials } from '../provider';

export const DEFAULT_REGION = 'cn-shanghai';

export interface ResolveCredentialsOptions {
  profile?: ProviderCredentials;
  env?: NodeJS.ProcessEnv;
  /** Defaults to ~/.aliyun/config.json. */
  aliyunConfigPath?: string;
}

export function defaultAliyunConfigPath(): string {
  return path.join(os.homedir(), '.aliyun', 'config.json');
}

function credentialError(message: string, hint: string): EngineError {
  return new EngineError({ kind: 'auth', code: 'NoCredentials', message, retryable: false, hint });
}

function fromEnv(env: NodeJS.ProcessEnv): ProviderCredentials | undefined {
  const id = env.VOD_ACCESS_KEY_ID?.trim();
  const secret = env.VOD_ACCESS_KEY_SECRET?.trim();
  if (!id && !secret) return undefined;
  if (!id || !secret) {
    throw credentialError(
      `Only ${id ? 'VOD_ACCESS_KEY_ID' : 'VOD_ACCESS_KEY_SECRET'} is set in the environment.`,
      'Set both VOD_ACCESS_KEY_ID and VOD_ACCESS_KEY_SECRET, or neither.',
    );
  }
  const c: ProviderCredentials = { accessKeyId: id, accessKeySecret: secret, region: env.VOD_REGION?.trim() || DEFAULT_REGION };
  const token = env.VOD_SECURITY_TOKEN?.trim();
  if (token) c.securityToken = token;
  const endpoint = env.VOD_ENDPOINT?.trim();
  if (endpoint) c.endpoint = endpoint;
  return c;
}

interface AliyunCliProfile {
  name?: string;
  mode?: string;
  access_key_id?: string;
  access_key_secret?: string;
  sts_token?: string;
  region_id?: string;
}

interface AliyunCliConfig {
  current?: string;
  profiles?: AliyunCliProfile[];
}

function fromAliyunConfig(file: string): ProviderCredentials | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw credentialError(`The aliyun CLI config ${file} cannot be read: ${(err as Error).message}.`, 'Check the file\'s permissions.');
  }
  let config: AliyunCliConfig;
  try {
    config = JSON.parse(text) as AliyunCliConfig;
  } catch {
    throw credentialError(`The aliyun CLI config ${file} is not valid JSON.`, 'Repair it with `aliyun configure`, or set VOD_ACCESS_KEY_ID and VOD_ACCESS_KEY_SECRET.');
  }
  const profiles = Array.isArray(config.profiles) ? config.profiles : [];
  const name = config.current || 'default';
  const p = profiles.find((x) => x.name === name);
  if (!p) {
    if (profiles.length === 0) return undefined;
    throw credentialError(
      `The aliyun CLI config ${file} has no profile named "${name}" (its current profile).`,
      'Run `aliyun configure` or switch profiles with `aliyun configure switch`.',
    );
  }
  const mode = p.mode || 'AK';
  if (mode !== 'AK' && mode !== 'StsToken') {
    throw credentialError(
      `The aliyun CLI profile "${name}" uses mode ${mode}; only AK and StsToken are supported.`,
      'Configure an AK or StsToken profile with `aliyun configure`, or set VOD_ACCESS_KEY_ID and VOD_ACCESS_KEY_SECRET.',
    );
  }
  if (!p.access_key_id || !p.access_key_secret) {
    throw credentialError(
      `The aliyun CLI profile "${name}" has no AccessKey ID or secret.`,
      'Complete it with `aliyun configure`.',
    );
  }
  const c: ProviderCredentials = { accessKeyId: p.access_key_id, accessKeySecret: p.access_key_secret, region: p.region_id || DEFAULT_REGION };
  if (mode === 'StsToken') {
    if (!p.sts_token) {
      throw credentialError(`The aliyun CLI profile "${name}" is in StsToken mode but has no sts_token.`, 'Complete it with `aliyun configure --mode StsToken`.');
    }
    c.securityToken = p.sts_token;
  }
  return c;
}

/** Precedence: explicit profile > environment > aliyun CLI config. */
export function resolveCredentials(opts: ResolveCredentialsOptions = {}): ProviderCredentials {
  if (opts.profile) {
    if (!opts.profile.accessKeyId || !opts.profile.accessKeySecret) {
      throw credentialError('The profile has no AccessKey ID or secret.', 'Enter the AccessKey ID and secret in the profile.');
    }
    return opts.profile;
  }
  const env = fromEnv(opts.env ?? process.env);
  if (env) return env;
  const file = opts.aliyunConfigPath ?? defaultAliyunConfigPath();
  const cli = fromAliyunConfig(file);
  if (cli) return cli;
  throw credentialError(
    `No Alibaba Cloud credentials found: no profile was given, VOD_ACCESS_KEY_ID/VOD_ACCESS_KEY_SECRET are not set, and ${file} has none.`,
    'Choose a profile, set VOD_ACCESS_KEY_ID and VOD_ACCESS_KEY_SECRET (and VOD_REGION), or run `aliyun configure`.',
  );
}

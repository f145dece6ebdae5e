// Where the CLI finds an Alibaba Cloud AccessKey when no profile is given. The one rule,
// first found wins:
//   1. an explicit profile (the app's);
//   2. VOD_ACCESS_KEY_ID / VOD_ACCESS_KEY_SECRET (/ VOD_SECURITY_TOKEN): this tool's own;
//   3. ALIBABA_CLOUD_ACCESS_KEY_ID / ALIBABA_CLOUD_ACCESS_KEY_SECRET (/ ALIBABA_CLOUD_SECURITY_TOKEN):
//      the variables every Alibaba Cloud SDK and the aliyun CLI read;
//   4. the aliyun CLI's ~/.aliyun/config.json: its current profile, or ALIBABA_CLOUD_PROFILE;
//   5. the SDKs' shared file ~/.alibabacloud/credentials (or ALIBABA_CLOUD_CREDENTIALS_FILE):
//      the section ALIBABA_CLOUD_PROFILE or [default].
// 3–5 follow the order of Alibaba's own default credential chain (environment, then the
// CLI's config, then the credentials file). The region is VOD_REGION, else
// ALIBABA_CLOUD_REGION_ID, else the aliyun CLI profile's region_id, else cn-shanghai;
// VOD_ENDPOINT replaces the endpoint (a sandbox). A region VOD does not serve is refused
// here, before anything is sent (shared/validation.ts vodRegionProblem).
//
// The credentials file is read here rather than with @alicloud/credentials: that library
// is asynchronous only (the CLI resolves its account synchronously, before anything
// else), its default chain also queries ECS metadata and OIDC endpoints over the network
// (nothing a desktop or ingest box should wait on), it brings its own HTTP stack and INI
// parser, and its 2.x default chain no longer reads this file at all. The two types an
// uploader needs (access_key and sts) are a few lines of INI.

import fs from 'fs';
import os from 'os';
import path from 'path';
import { vodRegionProblem } from '../../../shared/validation';
import { EngineError } from '../errors';
import type { ProviderCredentials } from '../provider';
import { resolveTencentCredentials } from '../tencent/tc-credentials';

export const DEFAULT_REGION = 'cn-shanghai';

export interface ResolveCredentialsOptions {
  profile?: ProviderCredentials;
  env?: NodeJS.ProcessEnv;
  /** Defaults to <home>/.aliyun/config.json. */
  aliyunConfigPath?: string;
  /** Defaults to ALIBABA_CLOUD_CREDENTIALS_FILE, else <home>/.alibabacloud/credentials. */
  credentialsFilePath?: string;
  /** Defaults to the user's home folder. */
  homeDir?: string;
}

export function defaultAliyunConfigPath(homeDir = os.homedir()): string {
  return path.join(homeDir, '.aliyun', 'config.json');
}

export function defaultCredentialsFilePath(homeDir = os.homedir()): string {
  return path.join(homeDir, '.alibabacloud', 'credentials');
}

function credentialError(message: string, hint: string): EngineError {
  return new EngineError({ kind: 'auth', code: 'NoCredentials', message, retryable: false, hint });
}

/** A key pair found in one source, and what the operator would call that source. */
interface Found {
  accessKeyId: string;
  accessKeySecret: string;
  securityToken?: string;
  /** The source's own region, if it has one (the aliyun CLI profile's region_id). */
  region?: string;
  source: string;
}

function fromEnvPair(env: NodeJS.ProcessEnv, prefix: 'VOD' | 'ALIBABA_CLOUD'): Found | undefined {
  const idVar = `${prefix}_ACCESS_KEY_ID`;
  const secretVar = `${prefix}_ACCESS_KEY_SECRET`;
  const id = env[idVar]?.trim();
  const secret = env[secretVar]?.trim();
  if (!id && !secret) return undefined;
  if (!id || !secret) {
    throw credentialError(
      `Only ${id ? idVar : secretVar} is set in the environment.`,
      `Set both ${idVar} and ${secretVar}, or neither.`,
    );
  }
  const token = env[`${prefix}_SECURITY_TOKEN`]?.trim();
  return { accessKeyId: id, accessKeySecret: secret, ...(token ? { securityToken: token } : {}), source: `${idVar}/${secretVar}` };
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

function fromAliyunConfig(file: string, env: NodeJS.ProcessEnv): Found | undefined {
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
  // ALIBABA_CLOUD_PROFILE picks a profile without switching the CLI's current one, as the aliyun CLI does.
  const chosen = env.ALIBABA_CLOUD_PROFILE?.trim();
  const name = chosen || config.current || 'default';
  const p = profiles.find((x) => x.name === name);
  if (!p) {
    if (profiles.length === 0) return undefined;
    throw credentialError(
      `The aliyun CLI config ${file} has no profile named "${name}" (${chosen ? 'ALIBABA_CLOUD_PROFILE' : 'its current profile'}).`,
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
  const found: Found = {
    accessKeyId: p.access_key_id, accessKeySecret: p.access_key_secret, source: `the aliyun CLI profile "${name}" in ${file}`,
  };
  if (p.region_id) found.region = p.region_id;
  if (mode === 'StsToken') {
    if (!p.sts_token) {
      throw credentialError(`The aliyun CLI profile "${name}" is in StsToken mode but has no sts_token.`, 'Complete it with `aliyun configure --mode StsToken`.');
    }
    found.securityToken = p.sts_token;
  }
  return found;
}

/**
 * INI as the SDKs' `ini` parser reads it: `[section]` headers, `key = value` lines,
 * whole-line comments starting with ; or #, values optionally quoted.
 */
export function parseIni(text: string): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  let section: Record<string, string> | undefined;
  for (const raw of text.replace(/^\uFEFF/, '').split(/\r?\n/)) {
    const line = raw.trim();
    if (!line || line.startsWith(';') || line.startsWith('#')) continue;
    const header = /^\[([^\]]*)\]$/.exec(line);
    if (header) {
      section = out[header[1].trim()] ??= {};
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0 || !section) continue;
    let value = line.slice(eq + 1).trim();
    if (value.length >= 2 && (value[0] === '"' || value[0] === '\'') && value.endsWith(value[0])) value = value.slice(1, -1);
    section[line.slice(0, eq).trim()] = value;
  }
  return out;
}

function fromCredentialsFile(file: string, explicit: boolean, env: NodeJS.ProcessEnv): Found | undefined {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') {
      if (!explicit) return undefined;
      throw credentialError(
        `ALIBABA_CLOUD_CREDENTIALS_FILE names ${file}, which does not exist.`,
        'Point it at your credentials file, or unset it.',
      );
    }
    throw credentialError(`The credentials file ${file} cannot be read: ${(err as Error).message}.`, 'Check the file\'s permissions.');
  }
  const sections = parseIni(text);
  const chosen = env.ALIBABA_CLOUD_PROFILE?.trim();
  const name = chosen || 'default';
  const s = sections[name];
  if (!s) {
    if (Object.keys(sections).length === 0) return undefined;
    throw credentialError(
      `The credentials file ${file} has no section [${name}]${chosen ? ' (ALIBABA_CLOUD_PROFILE)' : ''}.`,
      `Add a [${name}] section with type = access_key, access_key_id and access_key_secret.`,
    );
  }
  const where = `the section [${name}] of ${file}`;
  const type = s.type?.trim();
  if (type !== 'access_key' && type !== 'sts') {
    throw credentialError(
      type ? `${where} has type = ${type}; only access_key and sts are supported.` : `${where} has no type.`,
      'Use type = access_key (access_key_id, access_key_secret) or type = sts (plus security_token), or set VOD_ACCESS_KEY_ID and VOD_ACCESS_KEY_SECRET.',
    );
  }
  if (!s.access_key_id || !s.access_key_secret) {
    throw credentialError(`${where} has no access_key_id or access_key_secret.`, 'Add both lines to that section.');
  }
  const found: Found = { accessKeyId: s.access_key_id, accessKeySecret: s.access_key_secret, source: where };
  if (type === 'sts') {
    if (!s.security_token) throw credentialError(`${where} has type = sts but no security_token.`, 'Add the STS token as security_token.');
    found.securityToken = s.security_token;
  }
  return found;
}

/** The credentials to use; precedence in the header of this file. */
export function resolveCredentials(opts: ResolveCredentialsOptions = {}): ProviderCredentials {
  if (opts.profile) {
    if (!opts.profile.accessKeyId || !opts.profile.accessKeySecret) {
      throw credentialError('The profile has no AccessKey ID or secret.', 'Enter the AccessKey ID and secret in the profile.');
    }
    return opts.profile;
  }
  const env = opts.env ?? process.env;
  // VOD_PROVIDER chooses the service; Tencent's chain is its own (tencent/tc-credentials.ts).
  const provider = env.VOD_PROVIDER?.trim().toLowerCase();
  if (provider === 'tencent') return resolveTencentCredentials(env);
  if (provider && provider !== 'aliyun' && provider !== 'alibaba') {
    throw new EngineError({
      kind: 'parameter', code: 'UnknownProvider', retryable: false,
      message: `VOD_PROVIDER is "${env.VOD_PROVIDER}", which names no provider.`,
      hint: 'Set VOD_PROVIDER to aliyun (the default) or tencent, or unset it.',
    });
  }
  const home = opts.homeDir ?? os.homedir();
  const cliFile = opts.aliyunConfigPath ?? defaultAliyunConfigPath(home);
  const iniFromEnv = env.ALIBABA_CLOUD_CREDENTIALS_FILE?.trim();
  const iniFile = opts.credentialsFilePath ?? (iniFromEnv || defaultCredentialsFilePath(home));
  const found = fromEnvPair(env, 'VOD')
    ?? fromEnvPair(env, 'ALIBABA_CLOUD')
    ?? fromAliyunConfig(cliFile, env)
    ?? fromCredentialsFile(iniFile, !opts.credentialsFilePath && !!iniFromEnv, env);
  if (!found) {
    throw credentialError(
      'No Alibaba Cloud credentials found: VOD_ACCESS_KEY_ID/VOD_ACCESS_KEY_SECRET and ALIBABA_CLOUD_ACCESS_KEY_ID/ALIBABA_CLOUD_ACCESS_KEY_SECRET ' +
        `are not set, and neither ${cliFile} nor ${iniFile} has a key.`,
      'Set VOD_ACCESS_KEY_ID and VOD_ACCESS_KEY_SECRET (and VOD_REGION), or run `aliyun configure`.',
    );
  }

  const regionVar = env.VOD_REGION?.trim() ? 'VOD_REGION' : env.ALIBABA_CLOUD_REGION_ID?.trim() ? 'ALIBABA_CLOUD_REGION_ID' : undefined;
  const region = (regionVar ? env[regionVar]!.trim() : found.region) || DEFAULT_REGION;
  const endpoint = env.VOD_ENDPOINT?.trim() || undefined;
  const problem = vodRegionProblem(region, endpoint);
  if (problem) {
    const from = regionVar ?? found.source;
    throw new EngineError({
      kind: 'parameter', code: 'UnknownRegion', retryable: false,
      message: `${problem} The region came from ${from}.`,
      hint: regionVar
        ? `Set ${regionVar} to the region of your VOD service (e.g. cn-shanghai).`
        : 'Set VOD_REGION to the region of your VOD service (e.g. VOD_REGION=cn-shanghai); it wins over the profile\'s region.',
    });
  }
  const c: ProviderCredentials = { accessKeyId: found.accessKeyId, accessKeySecret: found.accessKeySecret, region };
  if (found.securityToken) c.securityToken = found.securityToken;
  if (endpoint) c.endpoint = endpoint;
  return c;
}

// The account the CLI uploads with: environment variables or the aliyun CLI's config
// (resolveCredentials owns that rule), turned into one provider, made lazily so that
// commands that never talk to VOD (status, pause…) need no credentials at all.

import type { ProviderCredentials, VideoProvider } from '../engine/provider';
import { classifyError } from '../engine/errors';
import { resolveCredentials } from '../engine/vod/credentials';
import { AliyunVodProvider } from '../engine/vod/aliyun-provider';
import { CliError, EXIT } from './errors';

export const CREDENTIAL_HELP =
  'Set VOD_ACCESS_KEY_ID and VOD_ACCESS_KEY_SECRET (plus VOD_SECURITY_TOKEN for an STS token, VOD_REGION, ' +
  'and VOD_ENDPOINT for a sandbox), or configure the aliyun CLI (`aliyun configure`; its current profile is used).';

/** The environment (or the aliyun CLI config); a clear CliError naming the variables when missing. */
export function loadCredentials(env: NodeJS.ProcessEnv = process.env): ProviderCredentials {
  try {
    return resolveCredentials({ env });
  } catch (err) {
    const e = classifyError(err);
    throw new CliError(`${e.message} ${CREDENTIAL_HELP}`);
  }
}

export function createProvider(creds: ProviderCredentials): VideoProvider {
  return new AliyunVodProvider(creds);
}

/**
 * Asks VOD once, before anything is enqueued, whether it accepts the AccessKey. Only a
 * definite refusal (auth/permission) stops the command; an unreachable network does
 * not, because the engine waits for the network by itself.
 */
export async function preflight(provider: VideoProvider, creds: ProviderCredentials): Promise<void> {
  const result = await provider.testConnection();
  if (result.ok || !result.code) return;
  const classified = classifyError({ code: result.code, message: result.message ?? result.code, requestId: result.requestId });
  if (classified.kind !== 'auth' && classified.kind !== 'permission') return;
  throw new CliError(
    `VOD refused the AccessKey ${creds.accessKeyId} (${result.code}: ${result.message ?? ''}). ${classified.hint} ${CREDENTIAL_HELP}`,
    EXIT.usage,
  );
}

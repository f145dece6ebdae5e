// The account the CLI uploads with (resolveCredentials owns the rule of where it comes
// from), turned into one provider, made lazily so that commands that never talk to VOD
// (status, pause…) need no credentials at all.

import type { CategoryNode } from '../../shared/types';
import type { ProviderCredentials, VideoProvider } from '../engine/provider';
import { classifyError } from '../engine/errors';
import { ledgerAccount } from '../engine/store/ledger';
import { resolveCredentials } from '../engine/vod/credentials';
import { TENCENT_CREDENTIAL_HELP } from '../engine/tencent/tc-credentials';
import { tencentApiError } from '../engine/tencent/tc-errors';
import { AliyunVodProvider } from '../engine/vod/aliyun-provider';
import { TencentProvider } from '../engine/tencent/tencent-provider';
import { VodClient } from '../engine/vod/vod-client';
import { CliError, EXIT } from './errors';

/** Where the AccessKey comes from, first found wins (resolveCredentials). */
export const CREDENTIAL_HELP =
  'Credentials are taken from, in this order: VOD_ACCESS_KEY_ID + VOD_ACCESS_KEY_SECRET (+ VOD_SECURITY_TOKEN); ' +
  'ALIBABA_CLOUD_ACCESS_KEY_ID + ALIBABA_CLOUD_ACCESS_KEY_SECRET (+ ALIBABA_CLOUD_SECURITY_TOKEN); ' +
  'the aliyun CLI\'s ~/.aliyun/config.json (its current profile, or ALIBABA_CLOUD_PROFILE); ' +
  '~/.alibabacloud/credentials (ALIBABA_CLOUD_CREDENTIALS_FILE; section [default] or ALIBABA_CLOUD_PROFILE; type access_key or sts). ' +
  'The region is VOD_REGION, else ALIBABA_CLOUD_REGION_ID, else the aliyun CLI profile\'s, else cn-shanghai; ' +
  'VOD_ENDPOINT points at another endpoint (a sandbox). ' + TENCENT_CREDENTIAL_HELP;

/** The credentials, or a CliError saying what is missing or wrong and where credentials come from. */
export function loadCredentials(env: NodeJS.ProcessEnv = process.env): ProviderCredentials {
  try {
    return resolveCredentials({ env });
  } catch (err) {
    const e = classifyError(err);
    throw new CliError(`${e.message} ${e.hint}\n${CREDENTIAL_HELP}`);
  }
}

/**
 * The account these credentials upload to, as the ledger names it: the AccessKeyId and
 * the endpoint (or region) it talks to. Never the secret or the token.
 */
export function accountOfCredentials(creds: ProviderCredentials): string {
  return ledgerAccount(creds);
}

/**
 * The CLI's account for the ledger, from the environment's credentials; '' when there
 * are none (a queue only read, or jobs held): such jobs match and record nothing under
 * an account the next upload would use.
 */
export function cliAccount(env: NodeJS.ProcessEnv = process.env): string {
  try {
    return accountOfCredentials(resolveCredentials({ env }));
  } catch {
    return '';
  }
}

/** The provider the credentials name: Tencent's with VOD_PROVIDER=tencent, else Alibaba's. */
export function createProvider(creds: ProviderCredentials): VideoProvider {
  return creds.provider === 'tencent' ? new TencentProvider(creds) : new AliyunVodProvider(creds);
}

/** The account's whole category tree (for category names in a manifest). */
export function readCategoryTree(creds: ProviderCredentials): Promise<CategoryNode[]> {
  if (creds.provider === 'tencent') return new TencentProvider(creds).getCatalog().then((c) => c.categories);
  return new VodClient({ credentials: creds }).getCategoryTree();
}

/**
 * Asks VOD once, before anything is enqueued, whether it accepts the AccessKey. Only a
 * refused key or signature stops the command. A RAM user that may upload but not read
 * the catalog passes (its refusal proves the key; `note` tells it to give ids), and an
 * unreachable network does not stop it either: the engine waits for the network.
 */
export async function preflight(
  provider: VideoProvider,
  creds: ProviderCredentials,
  note: (message: string) => void = () => undefined,
): Promise<void> {
  const result = await provider.testConnection();
  if (result.ok) {
    if (result.catalogDenied) {
      note(`The AccessKey ${creds.accessKeyId} works, but may not read the account's catalog (${result.code}): ` +
        'give categories, template groups and workflows by id.');
    }
    return;
  }
  if (!result.code) return;
  const classified = creds.provider === 'tencent'
    ? tencentApiError(result.code, result.message ?? result.code, result.requestId)
    : classifyError({ code: result.code, message: result.message ?? result.code, requestId: result.requestId });
  if (classified.kind !== 'auth' && classified.kind !== 'permission') return;
  const who = creds.provider === 'tencent' ? `Tencent Cloud VOD refused the SecretId ${creds.accessKeyId}` : `VOD refused the AccessKey ${creds.accessKeyId}`;
  throw new CliError(
    `${who} (${result.code}: ${result.message ?? ''}). ${classified.hint}\n${CREDENTIAL_HELP}`,
    EXIT.usage,
  );
}

/**
 * The account a transferring command works with: credentials from the environment, their
 * provider, and the preflight (a refused key stops the command here, before anything moves).
 */
export async function connectedProvider(note: (message: string) => void): Promise<{ creds: ProviderCredentials; provider: VideoProvider }> {
  const creds = loadCredentials();
  const provider = createProvider(creds);
  await preflight(provider, creds, note);
  return { creds, provider };
}

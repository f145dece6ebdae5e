// Translated text for validation problems from shared/validation (which speaks English).

import { useCallback } from 'react';
import { useTranslation } from 'react-i18next';
import type { TFunction } from 'i18next';
import { MAX_DESCRIPTION_CHARS, MAX_TAG_CHARS, MAX_TAGS, MAX_TITLE_CHARS } from '../../../shared/limits';
import type { Problem } from '../../../shared/validation';

export function useProblemText(): (p: Problem) => string {
  const { t } = useTranslation();
  return useCallback(
    (p: Problem) => {
      const tag = /"(.*)"/.exec(p.message)?.[1] ?? '';
      return t(`problem.${p.code}`, {
        defaultValue: p.message,
        maxTitle: MAX_TITLE_CHARS,
        maxDescription: MAX_DESCRIPTION_CHARS,
        maxTags: MAX_TAGS,
        maxTag: MAX_TAG_CHARS,
        tag,
        ...p.params,
      });
    },
    [t],
  );
}

/**
 * Engine error codes (JobError.code, ConnectionResult.code; compared in lower case) →
 * the key of their text under `jobError`. A code not listed here is said by its kind
 * (`jobError.kind.<kind>`, from JobError.params.kind), so every job error has a text in
 * both languages; the engine's own English words stay behind "details".
 */
export const ERROR_CODE_KEYS: Readonly<Record<string, string>> = {
  filechanged: 'FileChanged',
  diskfull: 'DiskFull',
  enospc: 'DiskFull',
  enoent: 'FileMissing',
  eacces: 'FileNoPermission',
  eperm: 'FileNoPermission',
  requesttimeout: 'RequestTimeout',
  signaturedoesnotmatch: 'Signature',
  incompletesignature: 'Signature',
  'invalidaccesskeyid.notfound': 'AccessKeyNotFound',
  'invalidaccesskeyid.inactive': 'AccessKeyInactive',
  'invalidtimestamp.expired': 'Clock',
  'invalidtimestamp.format': 'Clock',
  requesttimetooskewed: 'Clock',
  'invalidsecuritytoken.expired': 'Token',
  'invalidsecuritytoken.mismatchwithaccesskey': 'Token',
  'invalidsecuritytoken.malformed': 'Token',
  missingsecuritytoken: 'Token',
  'forbidden.ram': 'ForbiddenRam',
  'forbidden.illegalstatus': 'AccountNotActive',
  adoptionunchecked: 'AdoptionUnchecked',
  vodendpointnotfound: 'VodEndpointNotFound',
  unknownregion: 'Region',
  uploadfail: 'UploadFail',
  transcodefail: 'TranscodeFail',
  preparefail: 'PrepareFail',
  producefail: 'ProduceFail',
  blocked: 'Blocked',
  nosuchupload: 'UploadExpired',
  medianotfound: 'VideoGone',
  'invalidvideo.notfound': 'VideoGone',
  canceled: 'Canceled',
  proxyauthrequired: 'ProxyAuth',
  proxyunreachable: 'ProxyUnreachable',
  proxyrefused: 'ProxyRefused',
  proxytargetunreachable: 'ProxyTargetUnreachable',
};

/** Codes that say "the network failed" when a result carries no kind (a connection test). */
const NETWORK_CODES = new Set([
  'econnreset', 'econnrefused', 'etimedout', 'epipe', 'enotfound', 'eai_again', 'enetunreach', 'ehostunreach',
  'requesterror', 'responseerror', 'connectiontimeouterror', 'responsetimeouterror', 'socketassigntimeouterror',
  'requesttimeouterror', 'remotesocketclosederror', 'networkerror',
]);

/** The error classes of main/engine/errors.ts (ErrorKind), each with a text under `jobError.kind`. */
export const ERROR_KINDS = [
  'network', 'throttled', 'server', 'credentialExpired', 'auth', 'permission',
  'parameter', 'notFound', 'quota', 'file', 'integrity', 'canceled', 'unknown',
] as const;

type ErrorLike = { code?: string; params?: Record<string, string | number> };

/** The i18n key of an error's text (without the `jobError.` prefix), or undefined when neither code nor kind is known. */
export function jobErrorKey(e: ErrorLike): string | undefined {
  const code = (e.code ?? '').toLowerCase();
  const kind = typeof e.params?.kind === 'string' ? e.params.kind : undefined;
  // A transport failure with its host: "Could not reach OSS (host): the connection was cut."
  if (kind === 'network' && e.params?.host !== undefined && e.params?.service !== undefined && code !== 'requesttimeout') return 'Network';
  const byCode = ERROR_CODE_KEYS[code];
  if (byCode === 'AdoptionUnchecked' && kind === 'permission') return 'AdoptionUncheckedRefused';
  if (byCode) return byCode;
  if (kind && (ERROR_KINDS as readonly string[]).includes(kind)) return `kind.${kind}`;
  if (NETWORK_CODES.has(code)) return 'kind.network';
  if (/^throttling/.test(code)) return 'kind.throttled';
  if (/^forbidden|^accessdenied|^nopermission/.test(code)) return 'kind.permission';
  return undefined;
}

/** An error's text in the operator's language: what happened and what to do; undefined when unknown. */
export function useJobErrorText(): (e: ErrorLike) => string | undefined {
  const { t } = useTranslation();
  return useCallback(
    (e: ErrorLike) => {
      const key = jobErrorKey(e);
      if (!key) return undefined;
      const params = { ...e.params };
      if (key === 'Network') params.reason = t(`jobError.reason.${String(params.reason ?? 'failed')}`, { defaultValue: t('jobError.reason.failed') });
      return t(`jobError.${key}`, params);
    },
    [t],
  );
}

/**
 * Why a file (or an imported list's row) was skipped when added, in the operator's
 * language (the scan's English reason when the code is unknown). A row whose values
 * failed the checks says each problem.
 */
export function useSkipText(): (r: { reason: string; code?: string; params?: Record<string, string | number>; problems?: Problem[] }) => string {
  const { t } = useTranslation();
  const problemText = useProblemText();
  return useCallback(
    (r) => {
      if (r.problems && r.problems.length > 0) {
        return r.problems.map((p) => (p.field === 'extension' || p.field === 'size'
          // The media file's own format and size: the scan's wording, not the cover's.
          ? skipKeyText(t, { reason: p.message, code: p.code, params: p.params })
          : problemText(p))).join(' ');
      }
      return skipKeyText(t, r);
    },
    [t, problemText],
  );
}

function skipKeyText(t: TFunction, r: { reason: string; code?: string; params?: Record<string, string | number> }): string {
  if (!r.code) return r.reason;
  const key = r.code === 'UnsupportedExtension' && !r.params?.ext ? 'UnsupportedExtensionNone' : r.code;
  return t(`skip.${key}`, { defaultValue: r.reason, ...r.params });
}

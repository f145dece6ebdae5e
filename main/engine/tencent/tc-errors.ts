// Tencent's error shapes, classified (docs/ARCHITECTURE.md §3 "Tencent provider"): the
// adapter's own classifier, consulted by errors.ts before its generic rules. Two clients
// throw differently:
//
// - tencentcloud-sdk-nodejs (API 3.0): every service error comes as HTTP 200 with
//   {"Response":{"Error":{"Code","Message"},"RequestId"}} and is thrown as
//   TencentCloudSDKHttpException with `code` = Error.Code and `requestId`; a non-200
//   status as the same class with `httpCode` and no code; a network failure (reset,
//   timeout, refused) as the same class with neither, the transport's words in `message`
//   (abstract_client.js parseResponse / doRequestWithSign3). The class carries `traceId`.
// - cos-nodejs-sdk-v5: a service error has `statusCode`, `code` (= the XML Code) and
//   `error: {Code, Message, RequestId}`; a network failure is Node's error (code ECONN…),
//   which the generic rules already handle.
//
// Codes: API 3.0 common error codes (e.g. https://tencentcloud.com/document/api/1252/68119),
// COS error codes (https://intl.cloud.tencent.com/document/api/436/7730); see
// docs/tencent-vod-notes.md "Errors".

import { EngineError, type ErrorKind } from '../errors';

type Bag = Record<string, unknown>;

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** The code CommitUpload gets when its request may have been carried out but no answer came. */
export const COMMIT_OUTCOME_UNKNOWN = 'CommitOutcomeUnknown';
/** COS refused ApplyUpload's TempCertificate as expired: the lease renews it (ApplyUploadUGC) or the engine applies again. */
export const TENCENT_CREDENTIAL_EXPIRED = 'TempCertificateExpired';

const API_HINTS: Record<string, string> = {
  'authfailure.signaturefailure': 'The SecretKey does not match the SecretId. Check the SecretId and SecretKey in the profile (or TENCENTCLOUD_SECRET_ID / TENCENTCLOUD_SECRET_KEY).',
  'authfailure.secretidnotfound': 'The SecretId does not exist (or was deleted). Check the SecretId in the profile (or TENCENTCLOUD_SECRET_ID).',
  'authfailure.signatureexpire': 'The computer\'s clock differs from Tencent Cloud\'s by more than five minutes. Fix the system clock (enable network time sync) and retry.',
  'authfailure.tokenfailure': 'The session token is invalid or expired. Put a fresh TENCENTCLOUD_SESSION_TOKEN (or none, with a permanent key) in the profile.',
  'authfailure.invalidsecretid': 'The SecretId is not valid. Check the SecretId in the profile (or TENCENTCLOUD_SECRET_ID).',
  'authfailure.unauthorizedoperation': 'The CAM user behind this SecretId is not allowed this action. Grant it the VOD permissions (e.g. QcloudVODFullAccess) in the CAM console.',
  unauthorizedoperation: 'The CAM user behind this SecretId is not allowed this action. Grant it the VOD permissions (e.g. QcloudVODFullAccess) in the CAM console.',
  'invalidparametervalue.subappid': 'The VOD application (SubAppId) does not exist or is not this account\'s. Check the application in the profile.',
  'invalidparametervalue.vodsessionkey': 'The upload session (VodSessionKey) is unknown or expired; the file is uploaded again under a new session.',
  'invalidparametervalue.mediatype': 'Tencent VOD does not accept this file type for upload.',
  unsupportedregion: 'Tencent VOD does not serve this region. Check the region in the profile (or TENCENTCLOUD_REGION).',
  resourcenotfound: 'Tencent VOD does not know this resource (or the uploaded object is not complete yet).',
};

const COS_HINTS: Record<string, string> = {
  signaturedoesnotmatch: 'COS did not accept the request\'s signature; the temporary key is used as given. Report it with the request id if it persists.',
  requesttimetooskewed: 'The computer\'s clock differs from COS\'s. Fix the system clock (enable network time sync) and retry.',
  nosuchupload: 'The multipart upload no longer exists on COS; it is started again.',
  invalidpart: 'COS does not have a part the app thinks it uploaded; the parts are reconciled and sent again.',
  invalidpartorder: 'The parts were listed out of order; this is a bug, please report it.',
  entitytoosmall: 'A part was smaller than COS\'s 1 MB minimum; this is a bug in the part plan, please report it.',
};

/** API 3.0 codes → kind (lower case, first match wins); the third value overrides retryability. */
const API_RULES: ReadonlyArray<[RegExp, ErrorKind, boolean?]> = [
  [/^authfailure\.unauthorizedoperation$|^unauthorizedoperation/, 'permission'],
  [/^authfailure/, 'auth'],
  [/^requestlimitexceeded/, 'throttled'],
  [/^internalerror|^resourceunavailable|^failedoperation\.(?:internal|busy)/, 'server'],
  [/^limitexceeded/, 'quota'],
  [/^resourcenotfound/, 'notFound'],
  [/^invalidparametervalue\.vodsessionkey$/, 'notFound'],
  [/^invalid|^missing|^unsupported|^nosuchversion$|^unknownparameter/, 'parameter'],
  // Any other FailedOperation.* (ClassNoFound, MediaForbidedBySystem, …) is a refusal of this request, not a hiccup.
  [/^failedoperation/, 'parameter'],
];

/** COS codes → kind. A temporary key past its ExpiredTime: credentialExpired (docs/tencent-vod-notes.md). */
const COS_RULES: ReadonlyArray<[RegExp, ErrorKind, boolean?]> = [
  [/^expiredtoken$|^invalidaccesskeyid$|^tokenexpired$/, 'credentialExpired'],
  [/^requesttimetooskewed$|^signaturedoesnotmatch$/, 'auth'],
  [/^slowdown$|^toomanyrequests$|^requestlimitexceeded/, 'throttled'],
  [/^internalerror$|^serviceunavailable$/, 'server'],
  [/^requesttimeout$/, 'network'],
  [/^accessdenied$/, 'permission'],
  [/^nosuch/, 'notFound'],
  [/^invalid|^entitytoo|^malformed|^missing/, 'parameter'],
];

function ruleFor(rules: ReadonlyArray<[RegExp, ErrorKind, boolean?]>, code: string): [ErrorKind, boolean?] | undefined {
  const c = code.toLowerCase();
  for (const [re, kind, retryable] of rules) if (re.test(c)) return [kind, retryable];
  return undefined;
}

function kindOfStatus(status: number): ErrorKind {
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server';
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  if (status === 404) return 'notFound';
  return 'parameter';
}

/** tencentcloud-sdk-nodejs's exception: an Error with its own `traceId` (and `requestId`). */
function isTcSdkError(e: Bag): boolean {
  return e instanceof Error && 'traceId' in e && 'requestId' in e;
}

/** cos-nodejs-sdk-v5's service error: `statusCode` and `error: {Code, Message}` (or a parsed code). */
function isCosServiceError(e: Bag): boolean {
  return typeof e.statusCode === 'number' && (typeof e.error === 'object' || typeof e.code === 'string');
}

/** An API 3.0 error code (Response.Error.Code) as an EngineError. */
export function tencentApiError(code: string, message: string, requestId?: string, cause?: unknown): EngineError {
  const rule = ruleFor(API_RULES, code);
  return new EngineError({
    kind: rule?.[0] ?? 'unknown', code, message, requestId, cause,
    ...(rule?.[1] !== undefined ? { retryable: rule[1] } : {}),
    ...(API_HINTS[code.toLowerCase()] ? { hint: API_HINTS[code.toLowerCase()] } : {}),
  });
}

/**
 * A Tencent error as an EngineError, or undefined when the error is not one of the two
 * clients' shapes (Node's own errors fall through to the generic rules).
 */
export function classifyTencentError(err: unknown): EngineError | undefined {
  if (err instanceof EngineError || typeof err !== 'object' || err === null) return undefined;
  const e = err as Bag;
  if (isTcSdkError(e)) {
    const code = str(e.code);
    const message = str(e.message) ?? 'Tencent Cloud API error';
    const requestId = str(e.requestId);
    if (code) return tencentApiError(code, message, requestId, err);
    const httpCode = typeof e.httpCode === 'number' ? e.httpCode : undefined;
    if (httpCode !== undefined) {
      return new EngineError({ kind: kindOfStatus(httpCode), code: `Http${httpCode}`, status: httpCode, message: `Tencent Cloud API answered HTTP ${httpCode}: ${message}`, cause: err });
    }
    // No code, no status: the request did not get an answer (reset, timeout, refused).
    return new EngineError({ kind: 'network', code: /timeout/i.test(message) ? 'ETIMEDOUT' : 'ECONNRESET', message, cause: err });
  }
  if (isCosServiceError(e)) {
    const body = (typeof e.error === 'object' && e.error !== null ? e.error : {}) as Bag;
    const status = e.statusCode as number;
    const code = str(body.Code) ?? str(e.code) ?? `Http${status}`;
    const message = str(body.Message) ?? str(e.message) ?? `COS answered HTTP ${status}`;
    const requestId = str(body.RequestId) ?? str(e.RequestId) ?? str((e.headers as Bag | undefined)?.['x-cos-request-id']);
    // "Request has expired": the signature's window, which for a temporary key is its life.
    const expired = code === 'AccessDenied' && /request has expired/i.test(message);
    const rule = expired ? (['credentialExpired'] as [ErrorKind]) : ruleFor(COS_RULES, code);
    const kind = rule?.[0] ?? kindOfStatus(status);
    if (kind === 'credentialExpired') {
      return new EngineError({
        kind, code: TENCENT_CREDENTIAL_EXPIRED, status, requestId, cause: err,
        message: `COS refused the upload's temporary key (${code}: ${message}).`,
        detail: `${code}: ${message}`,
        hint: 'The temporary key is renewed for the same upload session; if Tencent VOD refuses that, the file is applied for again and uploaded under a new session.',
      });
    }
    return new EngineError({
      kind, code, message, status, requestId, cause: err,
      ...(rule?.[1] !== undefined ? { retryable: rule[1] } : {}),
      ...(COS_HINTS[code.toLowerCase()] ? { hint: COS_HINTS[code.toLowerCase()] } : {}),
    });
  }
  return undefined;
}

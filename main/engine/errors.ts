// The one place where failures are classified (docs/ARCHITECTURE.md §3, habit 7). Everything the
// engine talks to — VOD OpenAPI via @alicloud/pop-core, OSS via ali-oss, Node's network
// stack and the file system — throws differently shaped errors; classifyError turns each
// into an EngineError with a kind, retryability, the service's request id and a hint the
// operator can act on. Retry decisions (retry.ts) and job errors read only EngineError.

import type { JobError } from '../../shared/types';

export type ErrorKind =
  | 'network' | 'throttled' | 'server' | 'credentialExpired' | 'auth' | 'permission'
  | 'parameter' | 'notFound' | 'quota' | 'file' | 'integrity' | 'canceled' | 'unknown';

/** Kinds that succeed when the same request is sent again later. */
const RETRYABLE_KINDS: ReadonlySet<ErrorKind> = new Set(['network', 'throttled', 'server', 'credentialExpired', 'integrity']);

const KIND_HINTS: Record<ErrorKind, string> = {
  network: 'The upload continues by itself when the network is back; check the network or proxy if it stays offline.',
  throttled: 'The service is limiting the request rate. The app slows down and retries by itself; lower the number of files and parts in flight if this persists.',
  server: 'The service had a temporary problem. The app retries by itself; if it persists, check the Alibaba Cloud status page.',
  credentialExpired: 'The temporary upload credential expired; the app fetches a new one and continues.',
  auth: 'The service rejected the credentials. Check the AccessKey ID and secret in the profile.',
  permission: 'The AccessKey is not allowed to do this. Grant the RAM user the VOD permissions it needs (e.g. AliyunVODFullAccess).',
  parameter: 'The service rejected a value in the request. Check the video\'s metadata and settings.',
  notFound: 'The service does not know this resource; it may have been deleted or expired.',
  quota: 'A service quota is exhausted. Raise the quota or free space in the VOD console, then retry.',
  file: 'The local file could not be read.',
  integrity: 'The data received by the service did not match what was sent; the part is sent again.',
  canceled: 'The operation was canceled.',
  unknown: 'An unexpected error occurred. Retry; if it happens again, report it with the request id.',
};

/** Every kind, for the renderer's coverage test (each needs its text in every language). */
export const ERROR_KINDS = Object.keys(KIND_HINTS) as ErrorKind[];

export interface EngineErrorInit {
  kind: ErrorKind;
  code: string;
  message: string;
  retryable?: boolean;
  requestId?: string;
  status?: number;
  hint?: string;
  /** The library's own words (URL, headers, socket state): for the job's event log, not for the operator. */
  detail?: string;
  /** Values the renderer puts into its translated text for this code (the host, the reason …). */
  params?: Record<string, string | number>;
  cause?: unknown;
}

export class EngineError extends Error {
  readonly kind: ErrorKind;
  readonly code: string;
  readonly retryable: boolean;
  readonly requestId?: string;
  readonly status?: number;
  readonly hint: string;
  readonly detail?: string;
  readonly params?: Record<string, string | number>;
  override readonly cause?: unknown;

  constructor(init: EngineErrorInit) {
    super(redact(init.message));
    this.name = 'EngineError';
    this.kind = init.kind;
    this.code = init.code;
    this.retryable = init.retryable ?? RETRYABLE_KINDS.has(init.kind);
    this.requestId = init.requestId;
    this.status = init.status;
    this.hint = init.hint ?? KIND_HINTS[init.kind];
    if (init.detail !== undefined) this.detail = redact(init.detail);
    if (init.params !== undefined) this.params = init.params;
    this.cause = init.cause;
  }

  /** A copy with some fields changed (e.g. retryable=false when a retry could duplicate work). */
  with(patch: Partial<EngineErrorInit>): EngineError {
    return new EngineError({
      kind: this.kind, code: this.code, message: this.message, retryable: this.retryable,
      requestId: this.requestId, status: this.status, hint: this.hint, detail: this.detail, params: this.params, cause: this.cause, ...patch,
    });
  }
}

/** Hints for codes whose remedy is more specific than their kind's. Keys are lower case. */
const CODE_HINTS: Record<string, string> = {
  'invalidaccesskeyid.notfound': 'The AccessKey ID does not exist. Check the AccessKey ID and secret in the profile.',
  'invalidaccesskeyid.inactive': 'The AccessKey is disabled. Enable it in the RAM console or use another one in the profile.',
  'signaturedoesnotmatch': 'The AccessKey secret does not match the AccessKey ID. Check the AccessKey ID and secret in the profile.',
  'incompletesignature': 'The AccessKey secret does not match the AccessKey ID. Check the AccessKey ID and secret in the profile.',
  'invalidtimestamp.expired': 'The computer\'s clock is wrong. Fix the system clock (enable network time sync) and retry.',
  'invalidtimestamp.format': 'The computer\'s clock is wrong. Fix the system clock (enable network time sync) and retry.',
  'requesttimetooskewed': 'The computer\'s clock differs from the service\'s by more than 15 minutes. Fix the system clock (enable network time sync) and retry.',
  'invalidsecuritytoken.expired': 'The profile\'s STS security token has expired. Put a fresh token in the profile.',
  'forbidden.illegalstatus': 'The VOD service is not active for this account or the account is overdue. Check the account in the Alibaba Cloud console.',
  'nosuchupload': 'The multipart upload no longer exists on OSS (incomplete uploads are purged after about 7 days); it is started again.',
  'entitytoosmall': 'A part was smaller than OSS\'s 100 KiB minimum; this is a bug in the part plan, please report it.',
  'invalidpart': 'OSS does not have a part the app thinks it uploaded; the parts are reconciled and sent again.',
  'invalidpartorder': 'The parts were listed out of order; this is a bug, please report it.',
  'enospc': 'The disk is full. Free some disk space, then retry.',
  'enoent': 'The file was moved or deleted. Put it back at the same path or remove the job.',
  'eacces': 'The app is not allowed to read the file or folder. Check its permissions.',
  'eperm': 'The operating system refused the operation. Check the file\'s permissions and that no other program locks it.',
  'eisdir': 'The path is a folder, not a file.',
  'emfile': 'Too many files are open. Lower the number of files in flight.',
  'erofs': 'The disk is read-only.',
  'enotfound': 'The service\'s host name could not be resolved. Check the DNS and network settings, and the endpoint in the profile.',
  'eai_again': 'The DNS lookup failed for now. Check the network; the app retries by itself.',
  'econnrefused': 'The service refused the connection. Check the endpoint in the profile and any proxy or firewall.',
  'requesttimeout': 'OSS closed a connection on which no data moved for a while; the part is sent again. If it keeps happening the link is too slow for the part size: lower the parts in flight or the part size.',
  'forbidden.ram': 'The RAM user behind this AccessKey is not allowed this action. Grant it in the RAM console (e.g. the AliyunVODFullAccess policy, or the single action named in the message).',
  'medianotfound': 'The video no longer exists in VOD (it may have been deleted in the console).',
  'invalidvideo.nonestream': 'The video has no transcoded stream of that definition or format. Check its template group, or ask for other definitions or the source file.',
  'invalidfile.notfound': 'The video\'s source file is no longer in VOD (deleted, or the video was uploaded without keeping it).',
  'forbidden.aliyunvodencryption': 'The video has only streams in Alibaba Cloud\'s proprietary encryption; they are fetched encrypted.',
  'invalidvideo.notfound': 'The video no longer exists in VOD (it may have been deleted in the console).',
};

const NODE_NETWORK_CODES = new Set([
  'econnreset', 'econnrefused', 'etimedout', 'epipe', 'enotfound', 'eai_again', 'enetunreach',
  'ehostunreach', 'econnaborted', 'enetdown', 'ehostdown', 'esockettimedout', 'eproto',
  'und_err_socket', 'und_err_connect_timeout', 'und_err_headers_timeout', 'und_err_body_timeout',
  'err_stream_premature_close', 'err_socket_connection_timeout',
]);

/** A plain sentence for the common file errors ("ENOENT: no such file…" means little to an operator). */
function fileMessage(lcode: string, path: string | undefined): string | undefined {
  const what = path ? `"${path}"` : 'The file';
  switch (lcode) {
    case 'enoent': return `${what} is not there any more (moved, renamed or deleted).`;
    case 'eacces':
    case 'eperm': return `No permission to read ${path ? what : 'the file'}.`;
    case 'eisdir': return `${what} is a folder, not a file.`;
    case 'enospc': return 'The disk is full.';
    case 'ebusy': return `${what} is locked by another program.`;
    default: return undefined;
  }
}

const NODE_FILE_CODES = new Set([
  'enoent', 'eacces', 'eperm', 'enospc', 'eisdir', 'enotdir', 'emfile', 'enfile', 'erofs', 'ebusy',
  'eio', 'edquot', 'efbig', 'eloop', 'enametoolong', 'exdev',
]);

/** Error names that urllib (under ali-oss) and httpx (under pop-core) give transport failures. */
const TRANSPORT_ERROR_NAMES = new Set([
  'requesterror', 'responseerror', 'connectiontimeouterror', 'responsetimeouterror',
  'socketassigntimeouterror', 'requesttimeouterror', 'remotesocketclosederror',
]);

/** The ali-oss codes after which the lease refreshes the STS credential and retries. */
const CREDENTIAL_REFRESH_CODES = new Set(['invalidaccesskeyid', 'securitytokenexpired', 'invalidsecuritytoken']);

/** Service codes → kind, first match wins. Codes are compared in lower case. */
const SERVICE_CODE_RULES: ReadonlyArray<[RegExp, ErrorKind, boolean?]> = [
  [/^(invalidaccesskeyid|securitytokenexpired|invalidsecuritytoken)$/, 'credentialExpired'],
  // OSS's 503 family (OSS error reference, "503 error"): upload/download traffic, QPS and
  // concurrency limits; "reduce your request rate" means back off and send again.
  [/^throttling|^toomanyrequests$|^requestlimitexceeded|^flowlimit|ratelimitexceeded$|qpslimitexceeded$|^activerequestlimitexceeded$|^cpulimitexceeded$|^slowdown$/, 'throttled'],
  [/^serviceunavailable|^internalerror|^internalfailure|^servicebusy|^servicetimeout|^backenderror/, 'server'],
  // OSS 400 RequestTimeout (EC 0017-00000504, "reading the request body timed out"): the
  // socket sat idle too long; the same request sent again succeeds. Transient, not a bad parameter.
  [/^requesttimeout$/, 'network'],
  // A fresh nonce is made for every attempt, so a replayed nonce is fixed by retrying.
  [/^signaturenonceused$/, 'auth', true],
  [/^invalidaccesskeyid\.|^signaturedoesnotmatch$|^incompletesignature$|^invalidsecuritytoken\.|^invalidtimestamp|^requesttimetooskewed$|^missingsecuritytoken$|^unauthorized/, 'auth'],
  [/^forbidden|^accessdenied|^nopermission|^userdisabled|^insufficientpermission/, 'permission'],
  [/^quotaexceeded|quotaexceeded$|^exceededquota|^storagequota/, 'quota'],
  [/^invaliddigest$|^baddigest$|crc64|^contentmd5/, 'integrity'],
  [/^nosuch|notfound$|^notfound|^medianotfound$|^invalidvideo\.nonestream$/, 'notFound'],
  [/^invalid|^missing|^malformed|^entitytoo|^illegal|^unsupported|^inconsistent|^filealreadyexists|^objectalreadyexists/, 'parameter'],
];

function kindOfServiceCode(code: string): [ErrorKind, boolean?] | undefined {
  const c = code.toLowerCase();
  for (const [re, kind, retryable] of SERVICE_CODE_RULES) {
    if (re.test(c)) return [kind, retryable];
  }
  return undefined;
}

function kindOfStatus(status: number): ErrorKind | undefined {
  if (status === 429) return 'throttled';
  if (status >= 500) return 'server';
  if (status === 401) return 'auth';
  if (status === 403) return 'permission';
  if (status === 404) return 'notFound';
  if (status >= 400) return 'parameter';
  return undefined;
}

/** Removes query strings (which hold AccessKeyId, Signature, SecurityToken in GET requests) from URLs. */
export function redact(message: string): string {
  return message
    .replace(/(https?:\/\/[^\s?,"']+)\?[^\s,"']*/g, '$1?…')
    .replace(/\b(AccessKeySecret|SecurityToken|Signature|AccessKeyId|x-oss-security-token|Authorization)(["']?\s*[:=]\s*["']?)[^\s&,"']+/gi, '$1$2…');
}

type Bag = Record<string, unknown>;

const PROXY_SETTING_HINT = 'Check the proxy (the app\'s Settings → Network, --proxy, or HTTPS_PROXY / ALL_PROXY / NO_PROXY).';

/** A proxy's refusal or absence, in the operator's terms: whose fault, and what to change. */
function proxyError(code: string, message: string, status: number | undefined, params: { proxy: string; target: string }, cause: unknown): EngineError {
  switch (code) {
    case 'ProxyAuthRequired':
      return new EngineError({
        kind: 'auth', code, message, status, params, retryable: false, cause,
        hint: 'Put the proxy\'s user name and password in its URL (http://user:password@host:port) in Settings → Network, --proxy or HTTPS_PROXY, then retry.',
      });
    case 'ProxyRefused':
      return new EngineError({
        kind: 'permission', code, message, status, params, retryable: false, cause,
        hint: `The proxy does not allow this destination: ask its administrator to allow *.aliyuncs.com on port 443, or list the host in NO_PROXY. ${PROXY_SETTING_HINT}`,
      });
    case 'ProxyTargetUnreachable':
      return new EngineError({
        kind: 'network', code, message, status, params, retryable: true, cause,
        hint: `The proxy is up but cannot reach the service; the upload continues when it can. ${PROXY_SETTING_HINT}`,
      });
    default:
      return new EngineError({
        kind: 'network', code, message, status, params, retryable: true, cause,
        hint: `The upload continues when the proxy answers. ${PROXY_SETTING_HINT}`,
      });
  }
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * An adapter's own classifier (docs/ARCHITECTURE.md §3 "Providers"): turns what its
 * clients throw into an EngineError, or answers undefined for what it does not know (the
 * shared rules below then apply). Registered by adapter name from the adapter's module
 * (e.g. the Tencent provider registers 'tencent' for tencentcloud-sdk-nodejs and
 * cos-nodejs-sdk-v5 errors); this file stays the one place that decides.
 */
export type AdapterClassifier = (err: unknown) => EngineError | undefined;

const adapterClassifiers = new Map<string, AdapterClassifier>();

export function registerErrorClassifier(adapter: string, classify: AdapterClassifier): void {
  adapterClassifiers.set(adapter, classify);
}

/**
 * Thrown by a provider, its chunk writer or its lease when an upload session can no
 * longer be used (a credential that cannot be renewed ran out; Tencent's VodSessionKey
 * expired): the engine re-opens the upload (job-runner.ts) instead of retrying the call.
 */
export const UPLOAD_SESSION_EXPIRED = 'UploadSessionExpired';

/**
 * Classifies `err`; with `adapter`, that adapter's classifier is asked first. Without
 * it, the shared rules (Alibaba's clients, Node's network and file errors) apply.
 */
export function classifyError(err: unknown, adapter?: string): EngineError {
  if (err instanceof EngineError) return err;
  const own = adapter === undefined ? undefined : adapterClassifiers.get(adapter)?.(err);
  if (own) return own;
  if (typeof err !== 'object' || err === null) {
    return new EngineError({ kind: 'unknown', code: 'Unknown', message: String(err), cause: err });
  }
  const e = err as Bag;
  const name = str(e.name) ?? '';
  const lname = name.toLowerCase();
  const rawMessage = str(e.message) ?? name ?? 'Unknown error';
  const code = str(e.code);
  const lcode = code?.toLowerCase() ?? '';

  // The queue database (better-sqlite3). A full disk is waited out: nothing is lost,
  // the last committed part is the checkpoint, and the job continues once there is room.
  if (lname === 'sqliteerror') {
    if (lcode === 'sqlite_full') {
      return new EngineError({
        kind: 'file', code: 'DiskFull', retryable: true, cause: err,
        message: 'The disk that holds the upload queue is full.',
        hint: 'Free some space on that disk; the uploads continue by themselves from where they stopped.',
      });
    }
    return new EngineError({
      kind: 'file', code: code ?? 'QueueDatabaseError', retryable: false, cause: err,
      message: `The upload queue database failed: ${rawMessage}`,
      hint: 'Check that the disk holding the queue is healthy and writable, then retry.',
    });
  }

  // Cancellation: AbortController, and ali-oss's cancel()/abort objects.
  if (lname === 'aborterror' || lcode === 'abort_err' || lname === 'cancel' || lname === 'abort') {
    return new EngineError({ kind: 'canceled', code: 'Canceled', message: 'The operation was canceled.', cause: err });
  }

  // A proxy that would not carry the request (main/engine/net/tunnel.ts ProxyError).
  if (lname === 'proxyerror' && code?.startsWith('Proxy')) {
    return proxyError(code, str(e.summary) ?? rawMessage, num(e.status), { proxy: str(e.proxy) ?? '', target: str(e.target) ?? '' }, err);
  }

  // pop-core: err.data is the response body {RequestId, HostId, Code, Message}; the HTTP
  // status is only in err.entry.response.statusCode. Its message appends the request URL.
  const data = e.data as Bag | undefined;
  if (data && typeof data === 'object' && str(data.Code)) {
    const serviceCode = str(data.Code)!;
    const entry = e.entry as { response?: { statusCode?: number } } | undefined;
    const status = num(entry?.response?.statusCode);
    return fromServiceCode(serviceCode, str(data.Message) ?? rawMessage, status, str(data.RequestId), err);
  }

  // ali-oss service errors: name `${Code}Error`, code, status (HTTP), requestId.
  const status = num(e.status);
  const requestId = str(e.requestId);
  if (status !== undefined && status >= 100 && code && !TRANSPORT_ERROR_NAMES.has(lcode)) {
    return fromServiceCode(code, rawMessage, status, requestId, err);
  }

  // Node system errors (errno codes). A path means the file system; connect/DNS syscalls the network.
  if (code && NODE_FILE_CODES.has(lcode) && !isNetworkSyscall(e)) {
    return new EngineError({
      kind: 'file', code, message: fileMessage(lcode, str(e.path)) ?? rawMessage, retryable: false, hint: CODE_HINTS[lcode] ?? KIND_HINTS.file, cause: err,
    });
  }
  if ((code && (NODE_NETWORK_CODES.has(lcode) || (NODE_FILE_CODES.has(lcode) && isNetworkSyscall(e))))
    || /socket hang up|econnreset|network socket disconnected/i.test(rawMessage)) {
    return new EngineError({
      kind: 'network', code: code ?? 'ECONNRESET', message: rawMessage,
      hint: (NODE_NETWORK_CODES.has(lcode) ? CODE_HINTS[lcode] : undefined) ?? KIND_HINTS.network, cause: err,
    });
  }

  // Transport failures as urllib (ali-oss; status -1 network, -2 timeout) and httpx (pop-core) name them.
  if (TRANSPORT_ERROR_NAMES.has(lname) || TRANSPORT_ERROR_NAMES.has(lcode) || status === -1 || status === -2) {
    return new EngineError({
      kind: 'network', code: name || code || 'NetworkError', message: rawMessage, requestId, cause: err,
    });
  }

  // An HTTP error whose body could not be parsed (ali-oss keeps the status, not a code).
  if (status !== undefined && status >= 100 && kindOfStatus(status)) {
    return new EngineError({
      kind: kindOfStatus(status)!, code: code ?? `Http${status}`, message: rawMessage, requestId, status, cause: err,
    });
  }

  // pop-core parses every body as JSON; a proxy's or gateway's HTML page ends up here.
  if (lname === 'syntaxerror' && (typeof e.text === 'string' || /JSON|Unexpected/.test(rawMessage))) {
    return new EngineError({
      kind: 'server', code: 'InvalidResponse', message: `The service sent a response that is not JSON: ${rawMessage}`,
      hint: 'The answer did not come from VOD (a proxy or gateway in between?). The app retries; check the endpoint and proxy settings if it persists.',
      cause: err,
    });
  }

  // Service-shaped but without a status we recognise.
  if (code) {
    const rule = kindOfServiceCode(code);
    if (rule) return fromServiceCode(code, rawMessage, status, requestId, err);
  }

  return new EngineError({ kind: 'unknown', code: code ?? (name || 'Unknown'), message: rawMessage, requestId, cause: err });
}

function isNetworkSyscall(e: Bag): boolean {
  const syscall = str(e.syscall);
  return syscall === 'connect' || syscall === 'getaddrinfo';
}

/** Codes whose service message goes on with the whole string-to-sign (pop-core: "…server string to sign is:POST&%2F&…"). */
const SIGNATURE_CODES = new Set(['signaturedoesnotmatch', 'incompletesignature']);

/**
 * The first sentence of a service message: "Specified signature is not matched with our
 * calculation." out of a text that goes on with the canonical request, hundreds of
 * characters that help nobody but a debugger (they stay in the event log as `detail`).
 */
export function firstSentence(message: string): string {
  const m = /^(.+?[.!?。])(\s|$)/s.exec(message.trim());
  const s = (m ? m[1] : message.trim()).replace(/\s*server string to sign is:.*$/is, '');
  return s.length > 240 ? `${s.slice(0, 239)}…` : s;
}

/**
 * VOD refusing an action for the video's status, not the account's: GetPlayInfo (only a
 * Normal video has streams) and ListSnapshots answer Forbidden.IllegalStatus with "Status
 * of the video is illegal. Current Status is Transcoding." (api-getplayinfo). A video on
 * its way to Normal gets there by itself: retryable; one blocked or failed does not.
 */
const VIDEO_STATUS_REFUSAL = /status of the video is illegal(?:\.\s*current status is\s*(\w+))?/i;
const VIDEO_ON_ITS_WAY = new Set(['uploading', 'uploadsucc', 'transcoding', 'preparing']);

function videoStatusRefusal(code: string, message: string, status: number | undefined, requestId: string | undefined, cause: unknown): EngineError | undefined {
  const m = code.toLowerCase() === 'forbidden.illegalstatus' ? VIDEO_STATUS_REFUSAL.exec(message) : null;
  if (!m) return undefined;
  const videoStatus = m[1];
  const onItsWay = videoStatus !== undefined && VIDEO_ON_ITS_WAY.has(videoStatus.toLowerCase());
  return new EngineError({
    kind: 'parameter', code, message, retryable: onItsWay, requestId, status, cause,
    ...(videoStatus ? { params: { videoStatus } } : {}),
    hint: onItsWay
      ? `The video is ${videoStatus}; its streams and snapshots exist once it is Normal. It is asked again later.`
      : `The video is ${videoStatus ?? 'not in a state that allows this'}: only Normal videos have streams (snapshots also UploadSucc, Checking, Blocked). Fix it in the VOD console or leave it out.`,
  });
}

function fromServiceCode(code: string, message: string, status: number | undefined, requestId: string | undefined, cause: unknown): EngineError {
  const refusal = videoStatusRefusal(code, message, status, requestId, cause);
  if (refusal) return refusal;
  const rule = kindOfServiceCode(code);
  const kind = rule?.[0] ?? (status !== undefined ? kindOfStatus(status) : undefined) ?? 'unknown';
  const trimmed = SIGNATURE_CODES.has(code.toLowerCase()) ? firstSentence(message) : message;
  return new EngineError({
    kind,
    code,
    message: trimmed,
    ...(trimmed !== message ? { detail: message } : {}),
    retryable: rule?.[1],
    requestId,
    status,
    hint: CODE_HINTS[code.toLowerCase()],
    cause,
  });
}

/** The queue database (better-sqlite3) refused a read or write: a disk problem, not a bug. */
export function isQueueStoreError(err: unknown): boolean {
  return typeof err === 'object' && err !== null && (err as { name?: unknown }).name === 'SqliteError';
}

/** OSS said the STS credential is expired or invalid: refresh the lease, then retry. */
export function isCredentialRefreshError(e: EngineError): boolean {
  return CREDENTIAL_REFRESH_CODES.has(e.code.toLowerCase());
}

/**
 * The code VodClient gives a create call (CreateUploadVideo…) whose request was sent but
 * whose answer never came: VOD may have carried it out. Only this outcome makes a job
 * look for the video the lost request may have made before creating again; an answer
 * (throttling, a 5xx, a refusal) proves the request was not carried out.
 */
export const CREATE_OUTCOME_UNKNOWN = 'CreateOutcomeUnknown';

export function isOutcomeUnknown(e: EngineError): boolean {
  return e.code === CREATE_OUTCOME_UNKNOWN;
}

/**
 * What broke, as a reason code (the renderer translates it: `network.reason.<code>`) and
 * in a few English words, from a transport error's code or the library's message.
 */
const TRANSPORT_REASONS: ReadonlyArray<[RegExp, string, string]> = [
  [/enotfound/, 'dns', 'its host name could not be resolved (DNS)'],
  [/eai_again/, 'dnsLookup', 'the DNS lookup failed'],
  [/econnrefused/, 'refused', 'the connection was refused'],
  [/enetunreach|ehostunreach|enetdown|ehostdown/, 'unreachable', 'the network is unreachable'],
  [/connectiontimeout|connect_timeout|connecttimeout|connection_timeout|etimedout/, 'connectTimeout', 'no connection could be made in time'],
  [/responsetimeout|requesttimeout|headers_timeout|body_timeout|esockettimedout|timeout/, 'timeout', 'it did not answer in time'],
  [/econnreset|socket hang up|epipe|premature|und_err_socket|econnaborted|remotesocketclosed|socket disconnected/, 'cut', 'the connection was cut'],
];

export function transportReason(code: string, raw: string): { reason: string; text: string } {
  const text = `${code.toLowerCase()} ${raw.toLowerCase()}`;
  for (const [re, reason, words] of TRANSPORT_REASONS) {
    if (re.test(text)) return { reason, text: words };
  }
  return { reason: 'failed', text: 'the network request failed' };
}

/**
 * A transport failure said the way an operator reads it: "Could not reach OSS
 * (oss-cn-shanghai.aliyuncs.com): the connection was cut." The library's text (URL,
 * headers, socket counters) moves to `detail`, which goes to the job's event log.
 * Errors that are not transport failures, or already ours, pass unchanged.
 */
export function describeTransport(err: unknown, service: string, host: string): EngineError {
  if (err instanceof EngineError) return err;
  const e = classifyError(err);
  // A proxy's own failure already says which hop failed.
  if (e.kind !== 'network' || e.status !== undefined || e.code.startsWith('Proxy')) return e;
  const { reason, text } = transportReason(e.code, e.message);
  return e.with({
    message: `Could not reach ${service} (${host}): ${text}.`,
    detail: e.message,
    params: { service, host, reason },
  });
}

/**
 * What a job keeps of an error. `params` always holds the kind (the renderer's fallback
 * text for a code it does not know) plus the error's own values; the renderer turns
 * code + params into the operator's language and shows `message` (the service's or
 * library's words) behind "details".
 */
export function toJobError(e: EngineError): JobError {
  const job: JobError = {
    code: e.code, message: e.message, retryable: e.retryable, hint: e.hint,
    params: { ...e.params, kind: e.kind },
  };
  if (e.requestId) job.requestId = e.requestId;
  return job;
}

// --- downloads (download/download-driver.ts) ---------------------------------------

/**
 * A ranged GET answered with an HTTP error. 403 from a presigned OSS URL or a CDN
 * auth-key URL is what an expired (or revoked) signature gets ("Request has expired",
 * AccessDenied): the driver resolves the item's URL again and retries, so it is
 * `credentialExpired`. 404: the item is gone from VOD's storage.
 */
export function downloadHttpError(status: number, code: string | undefined, message: string | undefined, host: string): EngineError {
  const said = message ? `: ${message}` : '';
  if (status === 403) {
    return new EngineError({
      kind: 'credentialExpired', code: 'UrlExpired', status, retryable: true,
      message: `${host} refused the media URL (HTTP 403${code ? ` ${code}` : ''}${said}); it expired or was revoked.`,
      hint: 'The URL is resolved again and the download continues.',
    });
  }
  if (status === 404) {
    return new EngineError({
      kind: 'notFound', code: 'ItemGone', status, retryable: false,
      message: `${host} no longer has this file (HTTP 404${code ? ` ${code}` : ''}${said}).`,
      hint: 'The video or this stream was deleted from VOD. Cancel the job, or check the video in the library.',
    });
  }
  const kind = status === 429 ? 'throttled' : status >= 500 ? 'server' : 'parameter';
  return new EngineError({ kind, code: code ?? `Http${status}`, status, message: `${host} answered HTTP ${status}${said}.` });
}

/**
 * The object in VOD is not the one the checkpointed ranges came from (its ETag, CRC-64 or
 * size changed: a new source was uploaded, a stream transcoded again). Mixing ranges of two
 * versions would make a file that is neither, so the job stops; `retry --restart` starts
 * it again from byte 0 on the object as it is now.
 */
export function remoteChanged(jobId: number, fileName: string, why: string): EngineError {
  return new EngineError({
    kind: 'integrity', code: 'RemoteChanged', retryable: false,
    message: `${fileName}: the file in VOD changed since its download began (${why}).`,
    hint: `Nothing was mixed: the ranges already written are of the old version. To download the file as it is now, restart the job (\`vodup retry --restart ${jobId}\`).`,
  });
}

/** The whole file did not match the object: it is not kept. */
export function downloadMismatch(fileName: string, why: string): EngineError {
  return new EngineError({
    kind: 'integrity', code: 'DownloadMismatch', retryable: false,
    message: `${fileName}: the downloaded bytes do not match the file in VOD (${why}); the temporary file was removed.`,
    hint: 'Retry the job to download it again from the start.',
  });
}

/**
 * Not enough room for a download (found before it starts, or ENOSPC while writing): the
 * job waits, as an upload does when the queue's disk is full, and goes on from its last
 * checkpointed range once there is space.
 */
export function downloadDiskFull(dir: string, need?: number, free?: number, cause?: unknown): EngineError {
  const sizes = need !== undefined && free !== undefined
    ? ` it needs ${need} more bytes and ${free} are free`
    : '';
  return new EngineError({
    kind: 'file', code: 'DiskFull', retryable: true, cause,
    message: `The disk holding ${dir} is full${sizes ? `:${sizes}` : ''}.`,
    hint: 'Free some space on that disk (or choose another folder); the download continues by itself from where it stopped.',
  });
}

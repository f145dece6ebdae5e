// The client-upload endpoint of Tencent Cloud VOD, `POST /v3/index.php?Action=ApplyUploadUGC`
// (vod2.qcloud.com in the real service; here on the sandbox's own host and port), as
// vod-js-sdk-v6 (`src/uploader.ts`) and the Android TXUGCPublish client (`TVCClient`
// parseInitRsp) talk to it:
//
//   request  JSON {signature, vodSessionKey}                       — "resume from break point":
//            the same session, its same storage path, a fresh tempCertificate
//            JSON {signature, videoName, videoType, videoSize[, coverName, coverType, coverSize]}
//                                                                  — a new session
//   answer   HTTP 200 {code, message, data: {video: {storageSignature, storagePath}, cover?,
//            storageAppId, storageBucket (without "-<appid>"), storageRegion, storageRegionV5,
//            domain, vodSessionKey, tempCertificate: {secretId, secretKey, token, expiredTime},
//            appId, timestamp}}; code 0 is success, anything else a refusal the clients give up
//            on (they check `code != 0` only; the numbers are not published in text — the
//            SDK links an image — so the sandbox's codes below are its own).
//
// The "client upload signature" (https://cloud.tencent.com/document/product/266/9221):
// signature = Base64(HMAC-SHA1(SecretKey, Original) ‖ Original), Original a query string
// with secretId, currentTimeStamp, expireTime, random (required) and optional procedure,
// classId, sourceContext, sessionContext, storageRegion, vodSubAppId, oneTimeValid… It has
// no field for a session token, so the sandbox verifies it with the account's permanent
// SecretKey only.
//
// Whether the real endpoint accepts a VodSessionKey made by API 3.0's ApplyUpload is not
// documented (docs/tencent-vod-notes.md): `mode: 'refuse'` plays the answer "no", so the
// provider's fall-back (re-open) is testable.
import crypto from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { SandboxCore } from '../core';
import { hexId } from '../ids';
import { readSmallBody } from '../read-body';
import { tencentSecretId, tencentSecretKey, type TencentData } from './state';
import { TcError } from './tc3-signature';
import { TENCENT_ACTIONS, type TencentContext } from './vod-api';

/** The sandbox's refusal codes (its own numbering; clients only test for 0). */
export const UGC_CODES = {
  badRequest: 10002,
  signatureInvalid: 10003,
  signatureExpired: 10004,
  sessionKeyInvalid: 10005,
  subAppIdInvalid: 10006,
  sessionKeyNotAccepted: 10007,
  internal: 10009,
} as const;

/** Whether ApplyUploadUGC renews an API 3.0 session's key ('renew', default) or refuses every vodSessionKey ('refuse'). */
export type UgcMode = 'renew' | 'refuse';

class UgcError extends Error {
  constructor(readonly code: number, message: string) {
    super(message);
  }
}

const MAX_BODY = 64 * 1024;
/** How far in the future a signature's currentTimeStamp may lie (the clock check of API 3.0). */
const MAX_SKEW_SECONDS = 300;

/** The short region names of the client endpoint's `storageRegion` (vod-js-sdk-v6's test: "cq" for ap-chongqing). */
function shortRegion(region: string): string {
  const known: Record<string, string> = { 'ap-guangzhou': 'gz', 'ap-shanghai': 'sh', 'ap-beijing': 'bj', 'ap-chongqing': 'cq', 'ap-chengdu': 'cd' };
  return known[region] ?? region.replace(/^ap-/, '');
}

/**
 * Checks a client upload signature against the account's permanent key and answers its
 * Original's parameters. Throws UgcError: unknown SecretId or bad HMAC → signatureInvalid;
 * expireTime passed → signatureExpired.
 */
export function verifyUgcSignature(signature: unknown, data: Pick<TencentData, 'secretId' | 'secretKey'>, nowSec: number): URLSearchParams {
  if (typeof signature !== 'string' || signature === '') throw new UgcError(UGC_CODES.badRequest, 'signature is missing.');
  const raw = Buffer.from(signature, 'base64');
  if (raw.length <= 20) throw new UgcError(UGC_CODES.signatureInvalid, 'signature is not a client upload signature (Base64 of HMAC-SHA1 ‖ Original).');
  const mac = raw.subarray(0, 20);
  const original = raw.subarray(20);
  const params = new URLSearchParams(original.toString('utf8'));
  for (const k of ['secretId', 'currentTimeStamp', 'expireTime', 'random']) {
    if (!params.get(k)) throw new UgcError(UGC_CODES.signatureInvalid, `signature's Original lacks the required parameter ${k}.`);
  }
  if (params.get('secretId') !== data.secretId) throw new UgcError(UGC_CODES.signatureInvalid, 'signature\'s secretId is not a key of this account.');
  const expected = crypto.createHmac('sha1', data.secretKey).update(original).digest();
  if (!crypto.timingSafeEqual(expected, mac)) throw new UgcError(UGC_CODES.signatureInvalid, 'signature does not match its Original (HMAC-SHA1 with the SecretKey).');
  const current = Number(params.get('currentTimeStamp'));
  const expire = Number(params.get('expireTime'));
  if (!Number.isInteger(current) || !Number.isInteger(expire)) throw new UgcError(UGC_CODES.signatureInvalid, 'currentTimeStamp and expireTime must be Unix seconds.');
  if (current > nowSec + MAX_SKEW_SECONDS) throw new UgcError(UGC_CODES.signatureInvalid, 'signature\'s currentTimeStamp lies in the future (check the clock).');
  if (expire <= nowSec) throw new UgcError(UGC_CODES.signatureExpired, `signature expired at ${expire}.`);
  return params;
}

export class UgcHandler {
  private mode: UgcMode;
  /** Signatures made with oneTimeValid=1 that were used once. */
  private readonly used = new Set<string>();

  constructor(
    private readonly core: SandboxCore,
    private readonly data: () => TencentData,
    private readonly context: () => TencentContext,
    mode: UgcMode = 'renew',
  ) {
    this.mode = mode;
  }

  setMode(mode: UgcMode): void {
    this.mode = mode;
  }

  /** `/v3/index.php?Action=ApplyUploadUGC`? */
  static matches(path: string, query: URLSearchParams): boolean {
    return path === '/v3/index.php' && query.get('Action') === 'ApplyUploadUGC';
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    this.core.count('tc:ApplyUploadUGC');
    const send = (body: unknown, status = 200) => {
      const text = JSON.stringify(body);
      res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
    };
    try {
      const body = await readSmallBody(req, MAX_BODY, () => new UgcError(UGC_CODES.badRequest, 'The request body is too large.'));
      if (this.core.roll(this.core.faults.errorRate)) {
        // The clients treat a failed HTTP exchange as code 500 (vod-js-sdk-v6's axios interceptor).
        this.core.counters.injected.errors++;
        send({ code: 500, message: 'Internal Server Error (injected by the errorRate fault)' }, 500);
        return;
      }
      let p: Record<string, unknown>;
      try {
        const parsed: unknown = JSON.parse(body.toString('utf8') || '{}');
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('not an object');
        p = parsed as Record<string, unknown>;
      } catch {
        throw new UgcError(UGC_CODES.badRequest, 'The request body must be a JSON object.');
      }
      const ctx = this.context();
      const data = this.data();
      const nowSec = Math.floor(ctx.now / 1000);
      const signed = verifyUgcSignature(p.signature, data, nowSec);
      if (signed.get('oneTimeValid') === '1') {
        const sig = String(p.signature);
        if (this.used.has(sig)) throw new UgcError(UGC_CODES.signatureInvalid, 'This signature was made with oneTimeValid=1 and was already used.');
        this.used.add(sig);
      }
      const sub = signed.get('vodSubAppId');
      if (sub && Number(sub) !== 0 && Number(sub) !== data.subAppId) {
        throw new UgcError(UGC_CODES.subAppIdInvalid, `vodSubAppId ${sub} is not an application of this account.`);
      }
      const answer = typeof p.vodSessionKey === 'string' && p.vodSessionKey !== ''
        ? this.resume(ctx, p.vodSessionKey)
        : this.apply(ctx, p, signed);
      if (this.core.roll(this.core.faults.lostAnswerRate)) {
        this.core.counters.injected.lostAnswers++;
        req.socket.destroy();
        return;
      }
      send({ code: 0, message: '成功', data: { ...answer, domain: req.headers.host ?? '', timestamp: nowSec } });
    } catch (err) {
      if (err instanceof UgcError || err instanceof TcError) {
        const code = err instanceof UgcError ? err.code : err.code === 'InvalidParameterValue.SubAppId' ? UGC_CODES.subAppIdInvalid : UGC_CODES.badRequest;
        this.core.countError(`tc:ugc:${code}`);
        send({ code, message: err.message });
        return;
      }
      console.error('sandbox: ApplyUploadUGC failed', err);
      this.core.countError(`tc:ugc:${UGC_CODES.internal}`);
      send({ code: UGC_CODES.internal, message: `The sandbox failed: ${(err as Error).message}` });
    }
  }

  /** "Resume from break point": the session's same storage path, a fresh key for its folder. */
  private resume(ctx: TencentContext, key: string): Record<string, unknown> {
    if (this.mode === 'refuse') {
      throw new UgcError(UGC_CODES.sessionKeyNotAccepted, 'vodSessionKey is not a client-upload session (the sandbox plays an endpoint that does not renew API 3.0 sessions).');
    }
    const session = ctx.data.sessions[key];
    if (!session) throw new UgcError(UGC_CODES.sessionKeyInvalid, 'vodSessionKey is not a session of this application.');
    if (session.fileId) throw new UgcError(UGC_CODES.sessionKeyInvalid, `vodSessionKey was already committed (FileId ${session.fileId}).`);
    if (ctx.now >= session.expiresAt) throw new UgcError(UGC_CODES.sessionKeyInvalid, 'vodSessionKey expired; apply for a new upload.');
    const old = ctx.data.credentials[session.credentialId];
    const folder = old?.prefix ?? session.mediaStoragePath.slice(0, session.mediaStoragePath.lastIndexOf('/') + 1);
    const cred = {
      secretId: tencentSecretId(), secretKey: tencentSecretKey(), token: hexId(40),
      expiresAt: ctx.now + ctx.credentialTtlSeconds * 1000, bucket: ctx.data.bucket, prefix: folder,
    };
    ctx.data.credentials[cred.secretId] = cred;
    session.credentialId = cred.secretId;
    ctx.changed();
    this.core.count('tc:ApplyUploadUGC:renewed');
    return this.answer(ctx, key);
  }

  /** A new session through the client endpoint: ApplyUpload's rules, parameters from the body and the signature. */
  private apply(ctx: TencentContext, p: Record<string, unknown>, signed: URLSearchParams): Record<string, unknown> {
    const type = typeof p.videoType === 'string' ? p.videoType : undefined;
    if (!type) throw new UgcError(UGC_CODES.badRequest, 'videoType is missing (or vodSessionKey, to resume a session).');
    const sub = signed.get('vodSubAppId');
    const applied = TENCENT_ACTIONS.ApplyUpload(ctx, {
      MediaType: type,
      ...(typeof p.videoName === 'string' ? { MediaName: p.videoName } : {}),
      ...(typeof p.coverType === 'string' ? { CoverType: p.coverType } : {}),
      ...(signed.get('procedure') ? { Procedure: signed.get('procedure') } : {}),
      ...(signed.get('classId') ? { ClassId: Number(signed.get('classId')) } : {}),
      ...(signed.get('sourceContext') ? { SourceContext: signed.get('sourceContext') } : {}),
      ...(signed.get('sessionContext') ? { SessionContext: signed.get('sessionContext') } : {}),
      ...(signed.get('storageRegion') ? { StorageRegion: signed.get('storageRegion') } : {}),
      ...(sub && Number(sub) !== 0 ? { SubAppId: Number(sub) } : {}),
    });
    return this.answer(ctx, String(applied.VodSessionKey));
  }

  private answer(ctx: TencentContext, key: string): Record<string, unknown> {
    const session = ctx.data.sessions[key];
    const cred = ctx.data.credentials[session.credentialId];
    const storageSignature = (path: string) => crypto.createHmac('sha1', ctx.data.secretKey).update(`${ctx.data.bucket}${path}`).digest('base64');
    const bucketName = ctx.data.bucket.replace(new RegExp(`-${ctx.data.appId}$`), '');
    return {
      video: { storageSignature: storageSignature(session.mediaStoragePath), storagePath: session.mediaStoragePath },
      ...(session.coverStoragePath ? { cover: { storageSignature: storageSignature(session.coverStoragePath), storagePath: session.coverStoragePath } } : {}),
      storageAppId: ctx.data.appId,
      storageBucket: bucketName,
      storageRegion: shortRegion(session.storageRegion),
      storageRegionV5: session.storageRegion,
      StorageRegionV5: session.storageRegion,
      vodSessionKey: key,
      tempCertificate: { secretId: cred.secretId, secretKey: cred.secretKey, token: cred.token, expiredTime: Math.floor(cred.expiresAt / 1000) },
      appId: session.subAppId,
    };
  }
}

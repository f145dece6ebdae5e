// Renewal of a Tencent upload session's temporary key through VOD's client-upload endpoint
// (docs/ARCHITECTURE.md §3 "Tencent provider"; facts in docs/tencent-vod-notes.md
// "Refreshing it"). API 3.0 has no call that renews ApplyUpload's TempCertificate; Tencent's
// own web upload SDK, vod-js-sdk-v6 (`src/uploader.ts`), renews its session's key by
// POSTing `{signature, vodSessionKey}` to `https://vod2.qcloud.com/v3/index.php?Action=ApplyUploadUGC`
// ("resume from break point") and reading `data.tempCertificate` and `data.video.storagePath`.
//
// The signature is the "client upload signature" (https://cloud.tencent.com/document/product/266/9221):
// Original = secretId, currentTimeStamp, expireTime, random (+ vodSubAppId) as a query
// string; signature = Base64(HMAC-SHA1(SecretKey, Original) ‖ Original). It has no field for a
// session token, so it is made only with a permanent SecretId/SecretKey.
//
// Whether the endpoint accepts a VodSessionKey that API 3.0's ApplyUpload made is not
// documented: any refusal (`code != 0`, or an answer for another storage path) is thrown as
// UGC_REFUSED and the provider falls back to re-opening.

import http from 'node:http';
import https from 'node:https';
import crypto from 'node:crypto';
import { classifyError, describeTransport, EngineError } from '../errors';
import { agentFor } from '../net/proxy';
import { DEFAULT_CALL_POLICY, retrying, type RetryPolicy, type Sleep } from '../retry';
import type { TencentCredentials } from './tc-vod-client';

/** vod-js-sdk-v6's HOST.MAIN (src/util.ts). */
export const TENCENT_UGC_HOST = 'vod2.qcloud.com';
/** The code a refused renewal is thrown with: the provider falls back to re-opening. */
export const UGC_REFUSED = 'UgcRenewalRefused';
/** A signature lives this long: one renewal request, with its retries. */
const SIGNATURE_LIFETIME_S = 600;
const DEFAULT_UGC_TIMEOUT_MS = 15_000;
const MAX_ANSWER = 256 * 1024;

/** The client upload signature over `params` (plus the four required fields), made with the account's permanent key. */
export function ugcSignature(
  c: Pick<TencentCredentials, 'secretId' | 'secretKey'>,
  opts: { nowSec: number; lifetimeSec?: number; subAppId?: number; random?: number; extra?: Record<string, string | number> },
): string {
  const original = new URLSearchParams({
    secretId: c.secretId,
    currentTimeStamp: String(opts.nowSec),
    expireTime: String(opts.nowSec + (opts.lifetimeSec ?? SIGNATURE_LIFETIME_S)),
    random: String(opts.random ?? crypto.randomInt(1, 2 ** 31)),
    ...(opts.subAppId !== undefined ? { vodSubAppId: String(opts.subAppId) } : {}),
    ...Object.fromEntries(Object.entries(opts.extra ?? {}).map(([k, v]) => [k, String(v)])),
  }).toString();
  const bytes = Buffer.from(original, 'utf8');
  const mac = crypto.createHmac('sha1', c.secretKey).update(bytes).digest();
  return Buffer.concat([mac, bytes]).toString('base64');
}

/** What a renewal answers: the session's storage and a fresh key. */
export interface UgcRenewal {
  vodSessionKey: string;
  storagePath: string;
  /** "<storageBucket>-<storageAppId>", as cos-nodejs-sdk-v5 wants Bucket. */
  bucket: string;
  /** storageRegionV5, e.g. ap-guangzhou. */
  region: string;
  cert: { secretId: string; secretKey: string; token: string; expiresAt: number };
}

export interface TcUgcClientOptions {
  credentials: TencentCredentials;
  timeoutMs?: number;
  policy?: RetryPolicy;
  sleep?: Sleep;
  now?: () => number;
}

function refused(message: string, detail?: string): EngineError {
  return new EngineError({
    kind: 'parameter', code: UGC_REFUSED, retryable: false, message,
    ...(detail ? { detail } : {}),
    hint: 'The upload\'s temporary key could not be renewed; the file is applied for again and uploaded under a new session.',
  });
}

export class TcUgcClient {
  readonly url: string;
  private readonly host: string;

  constructor(private readonly opts: TcUgcClientOptions) {
    const base = opts.credentials.endpoint ? opts.credentials.endpoint.replace(/\/+$/, '') : `https://${TENCENT_UGC_HOST}`;
    this.url = `${base}/v3/index.php?Action=ApplyUploadUGC`;
    this.host = new URL(this.url).host;
  }

  /** Whether a signature can be made: a session token (a CAM temporary key) cannot ride in one. */
  get usable(): boolean {
    return !this.opts.credentials.sessionToken;
  }

  /**
   * A fresh key for the session `vodSessionKey`. Network failures and 5xx are retried
   * (renewal has no side effect but a new key); a refusal throws UGC_REFUSED.
   */
  async renew(vodSessionKey: string, o: { subAppId?: number; signal?: AbortSignal } = {}): Promise<UgcRenewal> {
    const c = this.opts.credentials;
    const now = this.opts.now ?? Date.now;
    const signal = o.signal;
    const answer = await retrying(
      () => this.post({
        // vodSubAppId: the session's application (the signature's parameter, docs 266/9221).
        signature: ugcSignature(c, { nowSec: Math.floor(now() / 1000), ...(o.subAppId !== undefined ? { subAppId: o.subAppId } : {}) }),
        vodSessionKey,
      }, signal),
      {
        policy: this.opts.policy ?? DEFAULT_CALL_POLICY,
        classify: (err) => describeTransport(classifyError(err), 'Tencent Cloud VOD (client upload)', this.host),
        signal, sleep: this.opts.sleep,
      },
    );
    const code = Number(answer.code);
    if (code !== 0) {
      throw refused(`Tencent VOD did not renew the upload's temporary key (ApplyUploadUGC answered ${String(answer.code)}: ${String(answer.message ?? '')}).`, `code ${String(answer.code)}`);
    }
    const d = (answer.data ?? {}) as Record<string, unknown>;
    const video = (d.video ?? {}) as Record<string, unknown>;
    const t = (d.tempCertificate ?? {}) as Record<string, unknown>;
    const bucketName = String(d.storageBucket ?? '');
    const appId = d.storageAppId === undefined ? '' : String(d.storageAppId);
    const bucket = appId && !bucketName.endsWith(`-${appId}`) ? `${bucketName}-${appId}` : bucketName;
    const expiredTime = Number(t.expiredTime);
    if (!video.storagePath || !bucketName || !t.secretId || !t.secretKey || !t.token || !Number.isFinite(expiredTime)) {
      throw refused('ApplyUploadUGC answered without a storage path or a complete temporary key.');
    }
    return {
      vodSessionKey: String(d.vodSessionKey ?? vodSessionKey),
      storagePath: String(video.storagePath),
      bucket,
      region: String(d.storageRegionV5 ?? d.StorageRegionV5 ?? ''),
      cert: { secretId: String(t.secretId), secretKey: String(t.secretKey), token: String(t.token), expiresAt: expiredTime * 1000 },
    };
  }

  /** One POST of a JSON body through the engine's agent (proxy routing); a non-2xx answer is an HTTP error. */
  private post(body: Record<string, unknown>, signal?: AbortSignal): Promise<Record<string, unknown>> {
    const url = this.url;
    const lib = url.startsWith('https:') ? https : http;
    const text = JSON.stringify(body);
    const timeoutMs = this.opts.timeoutMs ?? DEFAULT_UGC_TIMEOUT_MS;
    return new Promise((resolve, reject) => {
      const req = lib.request(url, {
        method: 'POST', agent: agentFor(url), timeout: timeoutMs, signal,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) },
      }, (res) => {
        const chunks: Buffer[] = [];
        let n = 0;
        res.on('data', (chunk: Buffer) => {
          n += chunk.length;
          if (n > MAX_ANSWER) res.destroy(new Error('ApplyUploadUGC answered more than 256 KiB'));
          else chunks.push(chunk);
        });
        res.on('error', reject);
        res.on('end', () => {
          const status = res.statusCode ?? 0;
          const raw = Buffer.concat(chunks).toString('utf8');
          if (status < 200 || status >= 300) {
            reject(new EngineError({
              kind: status >= 500 ? 'server' : status === 429 ? 'throttled' : 'parameter', code: `Http${status}`, status,
              message: `Tencent VOD's client-upload endpoint answered HTTP ${status}.`,
            }));
            return;
          }
          try {
            const parsed: unknown = JSON.parse(raw);
            if (typeof parsed !== 'object' || parsed === null) throw new Error('not an object');
            resolve(parsed as Record<string, unknown>);
          } catch {
            reject(refused('ApplyUploadUGC answered something that is not its JSON answer.'));
          }
        });
      });
      req.on('timeout', () => req.destroy(Object.assign(new Error(`No answer from ${this.host} in time`), { code: 'ETIMEDOUT' })));
      req.on('error', reject);
      req.end(text);
    });
  }
}

// The sandbox's Tencent personality: Tencent Cloud VOD's API 3.0 and COS's XML API on the
// sandbox's own port, for the unmodified tencentcloud-sdk-nodejs-vod and
// cos-nodejs-sdk-v5. SandboxServer asks `match()` first; a request that is Tencent's
// (X-TC-Action or a TC3 Authorization; COS's q-sign Authorization, its bucket host or its
// bucket as the first path segment) is answered here, everything else goes on to the
// Alibaba personality. Faults and counters are the sandbox's own (core.ts / faults.ts).
import crypto from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { SandboxCore } from '../core';
import { readSmallBody } from '../read-body';
import { CosHandler, type CosRequestTarget } from './cos-api';
import type { TencentData, TencentMedia } from './state';
import { TcError, verifyTc3 } from './tc3-signature';
import { UgcHandler, type UgcMode } from './ugc-api';
import { TC_VOD_VERSION, TENCENT_ACTIONS, type TencentContext } from './vod-api';
import { MEDIA_ACTIONS, seedMedia, type SeedMediaOptions } from './media-api';
import { distributionUrl, serveDistribution, tencentDerivedObject, urlSignatureKey } from './media-objects';

/** Every API 3.0 action the personality answers: the upload's (vod-api.ts) and the media library's (media-api.ts). */
const ACTIONS: Record<string, (typeof TENCENT_ACTIONS)[string]> = { ...TENCENT_ACTIONS, ...MEDIA_ACTIONS };

export interface TencentOptions {
  /**
   * Lifetime of ApplyUpload's TempCertificate. VOD does not document it; 1800 s is the
   * default lifetime of a CAM temporary key (COS FAQ, https://tencentcloud.com/document/product/436/40947).
   * The sandbox's credentialTtlSeconds fault caps it when lower.
   */
  credentialTtlSeconds?: number;
  /** How long a VodSessionKey may be committed. Not documented; default 3 days. */
  sessionTtlSeconds?: number;
  /** The one region the account stores in and answers for (default ap-guangzhou). */
  region?: string;
  /** A second CommitUpload of a committed session: 'same' answers the same FileId (default), 'error' InvalidParameterValue.VodSessionKey. */
  commitRepeat?: 'same' | 'error';
  /**
   * The client-upload endpoint ApplyUploadUGC (ugc-api.ts): 'renew' (default) gives an
   * API 3.0 session's VodSessionKey a fresh key for the same path; 'refuse' refuses every
   * vodSessionKey, as the real endpoint may (not documented).
   */
  ugcMode?: UgcMode;
}

const MAX_BODY = 1024 * 1024;
/** `<bucket>-<appid>.cos.<region>.myqcloud.com`: the virtual-host form COS is normally reached by. */
const COS_HOST = /^([a-z0-9-]+-\d+)\.cos\.[a-z0-9-]+\.myqcloud\.com(?::\d+)?$/i;

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

function sendJson(res: ServerResponse, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** GET parameters as the SDK flattens them (`FileIds.0=…&Sort.Field=…`) back into arrays and objects. */
function unflatten(q: URLSearchParams): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of q) {
    const parts = key.split('.');
    // Keys are the client's: never let one reach Object.prototype.
    if (parts.some((part) => part === '__proto__' || part === 'constructor' || part === 'prototype')) continue;
    let node: Record<string, unknown> = out;
    parts.forEach((part, i) => {
      if (i === parts.length - 1) {
        node[part] = value;
        return;
      }
      const nextIsIndex = /^\d+$/.test(parts[i + 1]);
      node[part] ??= nextIsIndex ? [] : {};
      node = node[part] as Record<string, unknown>;
    });
  }
  return out;
}

export class TencentPersonality {
  private readonly cos: CosHandler;
  private readonly ugc: UgcHandler;
  readonly region: string;

  constructor(private readonly core: SandboxCore, private readonly opts: TencentOptions = {}) {
    this.cos = new CosHandler(core, () => this.data, () => this.region);
    this.ugc = new UgcHandler(core, () => this.data, () => this.context(), opts.ugcMode);
    this.region = opts.region ?? 'ap-guangzhou';
    // Transcodes, snapshots and seeded sources are derived from the media records, never stored.
    core.derivers.push((bucket, key) => (core.data.tencent ? tencentDerivedObject(core.data.tencent, core.transcodeMs, bucket, key) : undefined));
  }

  /** Whether ApplyUploadUGC renews API 3.0 sessions (ugc-api.ts); for tests of the provider's fall-back. */
  setUgcMode(mode: UgcMode): void {
    this.ugc.setMode(mode);
  }

  get data(): TencentData {
    const data = this.core.data.tencent;
    if (!data) throw new Error('the sandbox state has no Tencent account (startSandbox seeds one)');
    return data;
  }

  /** The TempCertificate lifetime now: the option (default 1800 s), capped by the credentialTtlSeconds fault. */
  credentialTtlSeconds(): number {
    return Math.min(this.opts.credentialTtlSeconds ?? 1800, this.core.faults.credentialTtlSeconds);
  }

  /** A handler when the request is Tencent's, else undefined (the Alibaba personality answers it). */
  match(req: IncomingMessage): ((res: ServerResponse) => Promise<void>) | undefined {
    const raw = req.url ?? '/';
    const qAt = raw.indexOf('?');
    const rawPath = qAt < 0 ? raw : raw.slice(0, qAt);
    const query = new URLSearchParams(qAt < 0 ? '' : raw.slice(qAt + 1));
    const auth = header(req, 'authorization') ?? '';
    if (UgcHandler.matches(rawPath, query)) return (res) => this.ugc.handle(req, res);
    if (header(req, 'x-tc-action') !== undefined || auth.startsWith('TC3-HMAC-SHA256')) {
      return (res) => this.api(req, res, rawPath, qAt < 0 ? '' : raw.slice(qAt + 1));
    }
    const hostBucket = COS_HOST.exec(header(req, 'host') ?? '');
    const path = safeDecode(rawPath);
    if (hostBucket) {
      const key = path.slice(1);
      return this.cosCall(req, { bucket: hostBucket[1].toLowerCase(), key, signedPaths: [path] }, query);
    }
    const slash = path.indexOf('/', 1);
    const first = slash < 0 ? path.slice(1) : path.slice(1, slash);
    if (first && (first === this.core.data.tencent?.bucket || (auth.startsWith('q-sign-algorithm=') && /^[a-z0-9-]+-\d+$/.test(first)))) {
      const key = slash < 0 ? '' : path.slice(slash + 1);
      // No COS signature: a media URL on the distribution domain (Key hotlink protection, media-objects.ts).
      if (auth === '' && key !== '' && first === this.core.data.tencent?.bucket) {
        return (res) => serveDistribution(this.core, this.data, req, res, rawPath, first, key, query);
      }
      return this.cosCall(req, { bucket: first, key, signedPaths: [`/${key}`, path] }, query);
    }
    return undefined;
  }

  private cosCall(req: IncomingMessage, target: CosRequestTarget, query: URLSearchParams): (res: ServerResponse) => Promise<void> {
    return (res) => this.cos.handle(req, res, target, query);
  }

  private async api(req: IncomingMessage, res: ServerResponse, path: string, rawQuery: string): Promise<void> {
    const requestId = crypto.randomUUID();
    const action = header(req, 'x-tc-action') ?? '(none)';
    this.core.count(`tc:${action}`);
    const fail = (code: string, message: string) => {
      this.core.countError(`tc:${code}`);
      sendJson(res, { Response: { Error: { Code: code, Message: message }, RequestId: requestId } });
    };
    try {
      const body = await readSmallBody(req, MAX_BODY, () => new TcError('InvalidParameter', `The request body is larger than ${MAX_BODY} bytes.`));
      if (this.core.roll(this.core.faults.errorRate)) {
        this.core.counters.injected.errors++;
        throw new TcError('InternalError', 'Internal error. (injected by the errorRate fault)');
      }
      const data = this.data;
      const signed = verifyTc3({ method: req.method ?? 'POST', path, query: rawQuery, headers: req.headers, body },
        (id) => (id === data.secretId ? data.secretKey : undefined), Date.now());
      if (signed.version !== TC_VOD_VERSION) throw new TcError('NoSuchVersion', `The API version "${signed.version ?? ''}" does not exist; VOD's is ${TC_VOD_VERSION}.`);
      if (signed.region !== undefined && signed.region !== '' && signed.region !== this.region) {
        throw new TcError('UnsupportedRegion', `The sandbox serves region ${this.region}, not ${signed.region}.`);
      }
      if (this.core.roll(this.core.faults.throttleRate)) {
        this.core.counters.injected.throttles++;
        throw new TcError('RequestLimitExceeded', 'The number of requests exceeds the frequency limit. (injected by the throttleRate fault)');
      }
      const handler = Object.prototype.hasOwnProperty.call(ACTIONS, signed.action) ? ACTIONS[signed.action] : undefined;
      if (!handler) throw new TcError('InvalidAction', `The API ${signed.action} does not exist in VOD ${TC_VOD_VERSION} (or is not imitated by the sandbox).`);
      let params: Record<string, unknown>;
      if ((req.method ?? 'POST').toUpperCase() === 'GET') {
        params = unflatten(new URLSearchParams(rawQuery));
      } else {
        const parsed: unknown = body.length === 0 ? {} : JSON.parse(body.toString('utf8'));
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new TcError('InvalidParameter', 'The request body must be a JSON object.');
        params = parsed as Record<string, unknown>;
      }
      const answer = handler(this.context(), params);
      if (this.core.roll(this.core.faults.lostAnswerRate)) {
        // Carried out, but the caller never hears of it: what makes CommitUpload ambiguous.
        this.core.counters.injected.lostAnswers++;
        req.socket.destroy();
        return;
      }
      sendJson(res, { Response: { ...answer, RequestId: requestId } });
    } catch (err) {
      if (err instanceof TcError) fail(err.code, err.message);
      else if (err instanceof SyntaxError) fail('InvalidParameter', `The request body is not valid JSON: ${err.message}`);
      else {
        console.error(`sandbox: Tencent ${action} failed`, err);
        fail('InternalError', `The sandbox failed: ${(err as Error).message}`);
      }
    }
  }

  private context(): TencentContext {
    return {
      data: this.data,
      region: this.region,
      now: Date.now(),
      credentialTtlSeconds: this.credentialTtlSeconds(),
      sessionTtlSeconds: this.opts.sessionTtlSeconds ?? 3 * 86_400,
      commitRepeat: this.opts.commitRepeat ?? 'same',
      transcodeMs: this.core.transcodeMs,
      // Storage paths begin with "/", the object keys COS stores do not (the client drops it).
      objectExists: (bucket, key) => {
        const o = this.core.getObject(bucket, key.replace(/^\/+/, ''));
        return o ? { size: o.size, crc64: o.crc64 } : undefined;
      },
      fileUrl: (bucket, key) => this.core.fileUrl(bucket, key.replace(/^\/+/, '')),
      distributionUrl: (key) => distributionUrl(this.core, this.data.bucket, key),
      urlSignatureKey: () => urlSignatureKey(this.core, this.data),
      deleteObject: (key) => {
        void this.core.deleteObject(this.data.bucket, key);
      },
      changed: () => this.core.state.changed(),
    };
  }

  /** Every upload session not yet committed runs out now, as after a long pause (tests of expiry without waiting). */
  expireSessions(): void {
    for (const s of Object.values(this.data.sessions)) if (!s.fileId) s.expiresAt = Math.min(s.expiresAt, Date.now() - 1);
    this.core.state.changed();
  }

  /** Many media at once, metadata only (media-api.ts seedMedia); the FileIds, oldest first. */
  seedMedia(o: SeedMediaOptions): string[] {
    const ids = seedMedia(this.data, this.region, o);
    this.core.state.changed();
    return ids;
  }

  /** The domain's Key hotlink protection key (what DescribeVodDomains answers). */
  urlSignatureKey(): string {
    return urlSignatureKey(this.core, this.data);
  }

  /** For tests and the admin hook: a media record, or undefined. */
  media(fileId: string): (TencentMedia & { status: string }) | undefined {
    const m = this.data.media[fileId];
    return m ? { ...m, status: m.statusOverride ?? 'Normal' } : undefined;
  }

  /** Pins a media status (Forbidden, SystemForbidden, …) or clears it; false if no such FileId. */
  setMediaStatus(fileId: string, status: string | undefined): boolean {
    const m = this.data.media[fileId];
    if (!m) return false;
    if (status === undefined) delete m.statusOverride;
    else m.statusOverride = status;
    this.core.state.changed();
    return true;
  }
}

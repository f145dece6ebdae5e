// The sandbox's one HTTP server. Requests are told apart the way the real services
// are reached: OSS by its virtual-host name (`<bucket>.oss-<region>.aliyuncs.com`,
// which ali-oss sends in Host when its endpoint is an IP), the admin API under
// /__admin, unsigned object URLs under /__files, and everything else is VOD RPC.
import http, { type IncomingMessage, type ServerResponse } from 'http';
import type { Socket } from 'net';
import type { SandboxCore } from './core';
import { normalizeFaults } from './faults';
import { ossRequestId, vodRequestId } from './ids';
import { CDN_URL_PREFIX, OSS_URL_PREFIX, cdnRefusal, verifyOssUrl } from './url-signing';
import { OssHandler, sendObject, sendOssError } from './oss-api';
import { OssError } from './oss-signature';
import { ACTIONS, UPLOAD_ONLY_ACTIONS } from './vod-api';
import { RpcError, verifyRpcRequest } from './vod-signature';
import { readSmallBody } from './read-body';
import type { TencentPersonality } from './tencent';

const FORBIDDEN_RAM_MESSAGE = 'User not authorized to operate on the specified resource, or this API doesn\'t support RAM.';
/** A status the admin API may set: a word like VOD's (letters, digits, dots), not free text. */
const STATUS_WORD = /^[A-Za-z][A-Za-z0-9._]{0,63}$/;

const OSS_HOST = /^([a-z0-9][a-z0-9-]{1,62})\.(?:[a-z0-9-]+\.)*aliyuncs\.com(?::\d+)?$/i;
const API_VERSION = '2017-03-21';
const MAX_FORM_BYTES = 1024 * 1024;
/** The largest body the admin API takes to replace an object (it is buffered). */
const MAX_ADMIN_OBJECT_BYTES = 256 * 1024 * 1024;

function isLoopback(addr: string | undefined): boolean {
  return !!addr && (addr === '::1' || addr.startsWith('127.') || addr.startsWith('::ffff:127.'));
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json;charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

async function readForm(req: IncomingMessage): Promise<string> {
  const body = await readSmallBody(req, MAX_FORM_BYTES, () => new RpcError(400, 'InvalidParameter', `The request body is larger than ${MAX_FORM_BYTES} bytes.`));
  return body.toString('utf8');
}

export class SandboxServer {
  readonly http: http.Server;
  private readonly oss: OssHandler;
  private readonly sockets = new Set<Socket>();

  /** `tencent`: the Tencent personality (tencent/index.ts), asked first whether a request is its own. */
  constructor(private readonly core: SandboxCore, private readonly tencent?: TencentPersonality) {
    this.oss = new OssHandler(core);
    this.http = http.createServer((req, res) => {
      this.route(req, res).catch((err: unknown) => {
        if (!res.headersSent) sendJson(res, 500, { Code: 'InternalError', Message: `The sandbox failed: ${(err as Error).message}` });
        else res.destroy();
      });
    });
    this.http.on('connection', (s: Socket) => {
      this.sockets.add(s);
      s.once('close', () => this.sockets.delete(s));
    });
    // Part bodies can take minutes on a capped link; never cut them on the server side.
    this.http.requestTimeout = 0;
    this.http.headersTimeout = 60_000;
    this.http.keepAliveTimeout = 5_000;
  }

  /** Destroys open connections so close() does not wait for keep-alive clients. */
  destroySockets(): void {
    for (const s of this.sockets) s.destroy();
  }

  private async route(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://sandbox');
    if (url.pathname.startsWith('/__admin/') || url.pathname === '/__admin') {
      return this.admin(req, res, url);
    }
    if (Date.now() < this.core.faults.outageUntil) {
      this.core.counters.injected.outageDrops++;
      req.socket.destroy();
      return;
    }
    if (this.core.faults.latencyMs > 0) await new Promise((r) => setTimeout(r, this.core.faults.latencyMs));
    const tencent = this.tencent?.match(req);
    if (tencent) return tencent(res);
    const host = req.headers.host ?? '';
    const oss = OSS_HOST.exec(host);
    if (oss && !/^vod\./i.test(host)) return this.oss.handle(req, res, oss[1].toLowerCase());
    if (url.pathname.startsWith(OSS_URL_PREFIX)) return this.signedGet(req, res, url, 'oss');
    if (url.pathname.startsWith(CDN_URL_PREFIX)) return this.signedGet(req, res, url, 'cdn');
    if (url.pathname.startsWith('/__files/')) return this.files(req, res, url);
    return this.vod(req, res, url);
  }

  private async vod(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const requestId = vodRequestId();
    const hostId = `vod.${this.core.region}.aliyuncs.com`;
    const method = (req.method ?? 'GET').toUpperCase();
    let action = '(none)';
    try {
      const params: Record<string, string> = {};
      for (const [k, v] of url.searchParams) params[k] = v;
      if (method === 'POST') {
        const body = await readForm(req);
        for (const [k, v] of new URLSearchParams(body)) params[k] = v;
      } else {
        req.resume();
      }
      action = params.Action ?? '(none)';
      this.core.count(`vod:${action}`);
      if (this.core.roll(this.core.faults.errorRate)) {
        this.core.counters.injected.errors++;
        throw Math.random() < 0.5
          ? new RpcError(503, 'ServiceUnavailable', 'The request has failed due to a temporary failure of the server. (injected by the errorRate fault)')
          : new RpcError(500, 'InternalError', 'The request processing has failed due to some unknown error, exception or failure. (injected by the errorRate fault)');
      }
      if (!params.Action) throw new RpcError(400, 'MissingAction', 'Action is mandatory for this request.');
      const data = this.core.data;
      verifyRpcRequest(method, params, (id) => {
        if (id === data.accessKeyId) return data.accessKeySecret;
        return id === data.uploadOnly?.accessKeyId ? data.uploadOnly.accessKeySecret : undefined;
      }, this.core.nonces, Date.now());
      if (params.Version !== API_VERSION) {
        throw new RpcError(400, 'InvalidVersion', `Specified parameter Version "${params.Version ?? ''}" is not valid; VOD uses ${API_VERSION}.`);
      }
      if (params.AccessKeyId === data.uploadOnly?.accessKeyId && !UPLOAD_ONLY_ACTIONS.has(params.Action)) {
        // The body real VOD sends for a RAM user whose policy lacks the action (403 Forbidden.RAM).
        throw new RpcError(403, 'Forbidden.RAM', FORBIDDEN_RAM_MESSAGE);
      }
      if (this.core.roll(this.core.faults.throttleRate)) {
        this.core.counters.injected.throttles++;
        throw new RpcError(400, 'Throttling.User', 'Request was denied due to user flow control. (injected by the throttleRate fault)');
      }
      const handler = Object.prototype.hasOwnProperty.call(ACTIONS, params.Action) ? ACTIONS[params.Action] : undefined;
      if (!handler) throw new RpcError(404, 'InvalidAction.NotFound', `Specified api "${params.Action}" is not found in VOD ${API_VERSION} (or not imitated by the sandbox).`);
      const body = await handler(this.core, params);
      if (this.core.roll(this.core.faults.lostAnswerRate)) {
        // Done, but the caller never hears of it: the case that makes create calls ambiguous.
        this.core.counters.injected.lostAnswers++;
        req.socket.destroy();
        return;
      }
      sendJson(res, 200, { RequestId: requestId, ...body });
    } catch (err) {
      const e = err instanceof RpcError ? err : new RpcError(500, 'InternalError', `The sandbox failed: ${(err as Error).message}`);
      this.core.countError(e.code);
      if (!(err instanceof RpcError)) console.error(`sandbox: ${action} failed`, err);
      sendJson(res, e.status, { RequestId: requestId, HostId: hostId, Code: e.code, Message: e.message, Recommend: `https://api.aliyun.com/troubleshoot?q=${encodeURIComponent(e.code)}` });
    }
  }

  /** Unsigned reads of stored objects: stands in for the CDN URLs in ImageURL, FileURL and PlayURL. */
  private async files(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    this.core.count('files:Get');
    req.resume();
    const parts = url.pathname.slice('/__files/'.length).split('/').map((s) => decodeURIComponent(s));
    const [bucket, ...rest] = parts;
    const obj = this.core.getObject(bucket ?? '', rest.join('/'));
    try {
      if (!obj || (req.method !== 'GET' && req.method !== 'HEAD')) throw new OssError(404, 'NoSuchKey', 'The specified key does not exist.');
      await sendObject(this.core, req, res, obj, req.method === 'GET');
    } catch (err) {
      const e = err instanceof OssError ? err : new OssError(500, 'InternalError', (err as Error).message);
      if (!res.headersSent) sendJson(res, e.status, { Code: e.code, Message: e.message });
      else res.destroy();
    }
  }

  /**
   * The signed, expiring media URLs VOD hands out (url-signing.ts): an OSS URL signed in
   * the query (/__oss/<bucket>/<key>) or a CDN URL with type-A auth_key (/__cdn/<key>).
   * The fault settings apply: errorRate, latency (in route), bandwidth and resetRate.
   */
  private async signedGet(req: IncomingMessage, res: ServerResponse, url: URL, kind: 'oss' | 'cdn'): Promise<void> {
    const method = (req.method ?? 'GET').toUpperCase();
    this.core.count(`${kind}-url:${method}`);
    req.resume();
    const requestId = ossRequestId();
    res.setHeader('x-oss-request-id', requestId);
    const prefix = kind === 'oss' ? OSS_URL_PREFIX : CDN_URL_PREFIX;
    let parts: string[];
    try {
      parts = url.pathname.slice(prefix.length).split('/').map((p) => decodeURIComponent(p));
    } catch {
      parts = [];
    }
    const bucket = kind === 'oss' ? parts.shift() ?? '' : this.core.data.bucket;
    const key = parts.join('/');
    try {
      if (method !== 'GET' && method !== 'HEAD') throw new OssError(405, 'MethodNotAllowed', `The specified method ${method} is not allowed against this resource.`);
      if (this.core.roll(this.core.faults.errorRate)) {
        this.core.counters.injected.errors++;
        throw new OssError(500, 'InternalError', 'We encountered an internal error. Please try again. (injected by the errorRate fault)');
      }
      let now = Date.now();
      if (this.core.faults.expiredUrlGets > 0) {
        // The expiredUrlGets fault: this URL is judged 31 days on (past any AuthTimeout VOD
        // grants), so it has run out whatever its Expires.
        this.core.faults.expiredUrlGets--;
        this.core.counters.injected.expiredUrls++;
        now += 86_400_000 * 31;
      }
      if (kind === 'oss') {
        verifyOssUrl(method, bucket, key, url.searchParams, this.core.urlSigner, now);
      } else {
        const why = cdnRefusal(key, url.searchParams, this.core.cdnAuthKey, now);
        if (why) {
          // The CDN's own refusal: a bare 403, not OSS's XML.
          this.core.countError('CdnAuthFailed');
          const text = `403 Forbidden: ${why}.`;
          res.writeHead(403, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
          res.end(method === 'HEAD' ? undefined : text);
          return;
        }
      }
      if (bucket !== this.core.data.bucket) throw new OssError(404, 'NoSuchBucket', `The specified bucket ${bucket} does not exist.`, { BucketName: bucket });
      const obj = this.core.getObject(bucket, key);
      if (!obj) throw new OssError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
      await sendObject(this.core, req, res, obj, method === 'GET', { faults: true });
    } catch (err) {
      await sendOssError(this.core, req, res, err, requestId, bucket);
    }
  }

  private async admin(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    if (!isLoopback(req.socket.remoteAddress)) {
      req.resume();
      sendJson(res, 403, { Code: 'Forbidden', Message: 'The sandbox admin API answers loopback clients only.' });
      return;
    }
    const path = url.pathname.replace(/\/+$/, '');
    if (path === '/__admin/state' && req.method === 'GET') {
      req.resume();
      sendJson(res, 200, { ...this.core.stats(), faults: this.core.faults, now: Date.now() });
      return;
    }
    if (path === '/__admin/faults' && (req.method === 'POST' || req.method === 'PUT')) {
      let patch: Record<string, unknown>;
      try {
        const text = await readForm(req);
        const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
        if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error('the body must be a JSON object');
        patch = parsed as Record<string, unknown>;
        this.core.faults = { ...this.core.faults, ...normalizeFaults(patch) };
      } catch (err) {
        sendJson(res, 400, { Code: 'InvalidFaults', Message: `Faults not changed: ${(err as Error).message}` });
        return;
      }
      sendJson(res, 200, { faults: this.core.faults });
      return;
    }
    if (path === '/__admin/faults' && req.method === 'GET') {
      req.resume();
      sendJson(res, 200, { faults: this.core.faults });
      return;
    }
    const replace = /^\/__admin\/objects\/([^/]+)\/(.+)$/.exec(path);
    if (replace && (req.method === 'POST' || req.method === 'PUT')) {
      return this.adminReplaceObject(req, res, decodeURIComponent(replace[1]), replace[2].split('/').map(decodeURIComponent).join('/'));
    }
    if (path === '/__admin/videos/seed' && req.method === 'POST') return this.adminSeed(req, res);
    if (path === '/__admin/videos/synthetic' && req.method === 'POST') return this.adminSynthetic(req, res);
    const videoStatus = /^\/__admin\/videos\/([^/]+)\/status$/.exec(path);
    if (videoStatus && (req.method === 'POST' || req.method === 'PUT')) {
      return this.adminSetStatus(req, res, decodeURIComponent(videoStatus[1]));
    }
    req.resume();
    sendJson(res, 404, { Code: 'NotFound', Message: 'Admin endpoints: GET /__admin/state, GET|POST /__admin/faults, POST /__admin/videos/seed, POST /__admin/videos/synthetic, POST /__admin/videos/<VideoId>/status, POST /__admin/objects/<bucket>/<key>.' });
  }

  /** `{"size": 68719476736, "templateGroupId"?, "title"?, "fileName"?}`: a complete video with a synthetic source (core.createSyntheticVideo). */
  private async adminSynthetic(req: IncomingMessage, res: ServerResponse): Promise<void> {
    try {
      const text = await readForm(req);
      const b = JSON.parse(text.trim() === '' ? '{}' : text) as Record<string, unknown>;
      if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new Error('the body must be a JSON object');
      const str = (k: string): string | undefined => (typeof b[k] === 'string' ? b[k] as string : undefined);
      const v = await this.core.createSyntheticVideo({ size: Number(b.size), templateGroupId: str('templateGroupId'), title: str('title'), fileName: str('fileName') });
      sendJson(res, 200, { VideoId: v.videoId, Bucket: v.bucket, Key: v.key, Size: v.size, CRC64: v.crc64, ETag: v.etag });
    } catch (err) {
      sendJson(res, 400, { Code: 'InvalidSynthetic', Message: `No video made: ${(err as Error).message}` });
    }
  }

  /** The raw body becomes the object's new bytes (a changed remote object: new ETag and CRC-64). */
  private async adminReplaceObject(req: IncomingMessage, res: ServerResponse, bucket: string, key: string): Promise<void> {
    let body: Buffer;
    try {
      body = await readSmallBody(req, MAX_ADMIN_OBJECT_BYTES, () => new Error(`the body is larger than ${MAX_ADMIN_OBJECT_BYTES} bytes`));
    } catch (err) {
      sendJson(res, 400, { Code: 'InvalidObject', Message: `Object not replaced: ${(err as Error).message}` });
      return;
    }
    if (bucket !== this.core.data.bucket) {
      sendJson(res, 404, { Code: 'NoSuchBucket', Message: `The sandbox has one bucket, ${this.core.data.bucket}.` });
      return;
    }
    const obj = await this.core.replaceObject(bucket, key, body);
    sendJson(res, 200, { Bucket: bucket, Key: key, Size: obj.size, ETag: obj.etag, CRC64: obj.crc64 });

  }


  /**
   * `{"count": 100000, "titlePrefix": "ep", "cateId": 1000001, "tags": ["a"], "status": "Normal",
   * "createdFrom": "2024-01-01T00:00:00Z" | epoch ms, "stepMs": 1000}`: that many videos at
   * once, metadata only (media-library.ts seed). Answers {count, first, last} VideoIds.
   */
  private async adminSeed(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let ids: string[];
    try {
      const text = await readForm(req);
      const b = JSON.parse(text.trim() === '' ? '{}' : text) as Record<string, unknown>;
      if (typeof b !== 'object' || b === null || Array.isArray(b)) throw new Error('the body must be a JSON object');
      const num = (k: string): number | undefined => (b[k] === undefined ? undefined : Number(b[k]));
      const created = typeof b.createdFrom === 'string' ? Date.parse(b.createdFrom) : num('createdFrom');
      if (created !== undefined && !Number.isFinite(created)) throw new Error('createdFrom must be an ISO time or epoch milliseconds');
      if (b.tags !== undefined && (!Array.isArray(b.tags) || b.tags.some((t) => typeof t !== 'string'))) throw new Error('tags must be an array of strings');
      if (b.status !== undefined && (typeof b.status !== 'string' || !STATUS_WORD.test(b.status))) throw new Error('status must be a VOD status word');
      ids = this.core.library.seed({
        count: Number(b.count),
        titlePrefix: typeof b.titlePrefix === 'string' ? b.titlePrefix : undefined,
        cateId: num('cateId'),
        tags: b.tags as string[] | undefined,
        status: b.status as string | undefined,
        createdFrom: created,
        stepMs: num('stepMs'),
        appId: typeof b.appId === 'string' ? b.appId : undefined,
      });
    } catch (err) {
      sendJson(res, 400, { Code: 'InvalidSeed', Message: `Nothing seeded: ${(err as Error).message}` });
      return;
    }
    sendJson(res, 200, { count: ids.length, first: ids[0], last: ids[ids.length - 1] });
  }

  /** `{"status": "Normal"}` pins a video's status (any VOD status word); `{"status": null}` unpins it. */
  private async adminSetStatus(req: IncomingMessage, res: ServerResponse, videoId: string): Promise<void> {
    let status: string | undefined;
    try {
      const text = await readForm(req);
      const parsed: unknown = text.trim() === '' ? {} : JSON.parse(text);
      const raw = typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as { status?: unknown }).status : undefined;
      if (raw === null) status = undefined;
      else if (typeof raw === 'string' && STATUS_WORD.test(raw)) status = raw;
      else throw new Error('the body must be {"status": "<VOD status>"} (letters, digits and dots) or {"status": null}');
    } catch (err) {
      sendJson(res, 400, { Code: 'InvalidStatus', Message: `Status not changed: ${(err as Error).message}` });
      return;
    }
    const v = this.core.setVideoStatus(videoId, status);
    if (!v) {
      sendJson(res, 404, { Code: 'InvalidVideo.NotFound', Message: `The video ${videoId} does not exist.` });
      return;
    }
    sendJson(res, 200, { VideoId: videoId, Status: this.core.videoStatus(v) });
  }
}

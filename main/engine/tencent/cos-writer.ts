// The COS chunk writer of one Tencent upload (docs/ARCHITECTURE.md §3 "Tencent provider"):
// cos-nodejs-sdk-v5's low-level multipart calls (multipartInit, multipartUpload,
// multipartListPart, multipartComplete, multipartAbort, putObject, headObject) with our
// own byte streams, the job's UploadLease, and CRC-64/ECMA verification of every part
// (`x-cos-hash-crc64ecma`) and of the completed object (the parts' CRCs combined).
//
// Credentials: ApplyUpload's TempCertificate, signed by the SDK with its
// `x-cos-security-token` (static SecretId/SecretKey/SecurityToken options; a new client
// per lease version). The lease renews it before it runs out and when COS refuses it as
// expired (the provider asks ApplyUploadUGC, tc-ugc-client.ts); when it cannot, the
// lease's refresh throws UploadSessionExpired and the engine re-opens the upload.
//
// Retries: cos-nodejs-sdk-v5 re-sends a failed request by itself, up to four tries on 5xx
// and network errors — except when the body is a stream (sdk/base.js submitRequest,
// `tryTimes < 4 && !params.body.pipe`); the count is hard-coded, there is no option to
// turn it off. Every byte-carrying request here (parts, PutObject) sends a stream, so the
// SDK never re-sends bytes: retry.ts is the one policy for them, and progress and the
// bandwidth limiter count each byte once. The body-less control calls (initiate, list,
// complete, abort, head) may get up to four SDK tries inside one of our attempts; they
// are idempotent, and a CompleteMultipartUpload whose first answer was lost answers
// NoSuchUpload on the SDK's re-send, which the engine reconciles with HEAD
// (verifyObject: size and CRC-64), as for OSS.

import { createReadStream } from 'node:fs';
import { pipeline, Transform, type Readable, type TransformCallback } from 'node:stream';
import { pipeline as pipe } from 'node:stream/promises';
import COS from 'cos-nodejs-sdk-v5';
import type { AckedPart, ChunkWriter, ChunkWriterOptions, ObjectHead, PartRange, SendHooks } from '../chunk-writer';
import { rangeSource } from '../chunk-writer';
import type { UploadLease } from '../credential-lease';
import { describeTransport, EngineError } from '../errors';
import { agentFor } from '../net/proxy';
import { combinedCrc } from '../oss/oss-session';
import { crc64FromDecimal, crc64ToDecimal } from '../oss/crc64';
import { fileCrc64, PartHashStream } from '../oss/hash-stream';
import type { UploadCredential, UploadTarget } from '../provider';
import { DEFAULT_CALL_POLICY, retrying } from '../retry';
import { classifyTc } from './tc-vod-client';

const DEFAULT_STALL_MS = 60_000;
/** Control calls (no body): an answer later than this is lost. */
const CONTROL_TIMEOUT_MS = 60_000;

type CosHeaders = Record<string, string | undefined>;

/**
 * The `Domain` option for a target: the sandbox's "http://host:port/{Bucket}" (bucket in
 * the path; a scheme in Domain overrides Protocol, docs/tencent-vod-notes.md) when the
 * target names an endpoint, else undefined: COS's own `<bucket>.cos.<region>.myqcloud.com`.
 */
export function cosDomainFor(endpoint: string | undefined): string | undefined {
  if (!endpoint) return undefined;
  if (endpoint.includes('{Bucket}')) return endpoint;
  return `${endpoint.replace(/\/+$/, '')}/{Bucket}`;
}

function stalledError(ms: number): EngineError {
  return new EngineError({ kind: 'network', code: 'PartStalled', message: `No bytes moved for ${Math.round(ms / 1000)} s; the part is sent again.` });
}

/**
 * Holds back the range's last chunk until `beforeLastChunk` resolves (the engine checks
 * the file unchanged there: a PutObject makes its object with its last byte).
 */
class LastChunkGate extends Transform {
  private seen = 0;
  constructor(private readonly size: number, private readonly gate: () => Promise<void>) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.length;
    if (this.seen < this.size) {
      callback(null, chunk);
      return;
    }
    this.gate().then(() => callback(null, chunk), (err: unknown) => callback(err as Error));
  }
}

export class CosChunkWriter implements ChunkWriter {
  private client: COS | undefined;
  private clientVersion = -1;
  private controlClient: COS | undefined;
  private controlVersion = -1;

  constructor(
    private readonly target: UploadTarget,
    private readonly lease: UploadLease,
    private readonly opts: ChunkWriterOptions = {},
  ) {}

  private get objectKey(): string {
    return this.opts.objectKey ?? this.target.objectKey;
  }

  private get host(): string {
    const domain = cosDomainFor(this.target.endpoint);
    if (domain) {
      try {
        return new URL(domain.replace('{Bucket}', this.target.bucket)).host;
      } catch {
        return domain;
      }
    }
    return `${this.target.bucket}.cos.${this.target.region ?? ''}.myqcloud.com`;
  }

  private loc(): { Bucket: string; Region: string; Key: string } {
    return { Bucket: this.target.bucket, Region: this.target.region ?? '', Key: this.objectKey };
  }

  private build(cred: UploadCredential, timeoutMs: number): COS {
    const domain = cosDomainFor(this.target.endpoint);
    const cos = new COS({
      SecretId: cred.accessKeyId,
      SecretKey: cred.accessKeySecret,
      SecurityToken: cred.securityToken,
      ...(domain ? { Domain: domain } : { Protocol: 'https:' }),
      // An idle-socket timeout (the `request` library's): no byte moving for this long.
      Timeout: timeoutMs,
      // sliceUploadFile's own per-part retries: not used (we never call it), and off.
      ChunkRetryTimes: 0,
      // The backup tencentcos.cn domain would move a request away from the host the
      // operator configured (and a proxy's allow-list).
      AutoSwitchHost: false,
    });
    // The SDK has no agent option; its 'before-send' event hands over the `request`
    // library's options, where the app's agent (keep-alive, the proxy route of
    // main/engine/net/proxy.ts) goes.
    (cos as unknown as { on(ev: string, fn: (opt: { url: string; agent?: unknown }) => void): void })
      .on('before-send', (opt) => { opt.agent = agentFor(opt.url); });
    return cos;
  }

  /** The client for byte-carrying requests (idle timeout = the stall limit) and for the rest. */
  private clientFor(cred: UploadCredential, control: boolean): COS {
    if (control) {
      if (!this.controlClient || this.controlVersion !== this.lease.version) {
        this.controlClient = this.build(cred, CONTROL_TIMEOUT_MS);
        this.controlVersion = this.lease.version;
      }
      return this.controlClient;
    }
    if (!this.client || this.clientVersion !== this.lease.version) {
      this.client = this.build(cred, this.opts.stallMs ?? DEFAULT_STALL_MS);
      this.clientVersion = this.lease.version;
    }
    return this.client;
  }

  /**
   * One COS request on the lease's current credential, retried per policy. A refused
   * (expired) temporary key asks the lease for a new one — renewed, or UploadSessionExpired
   * when it cannot be, so the engine re-opens; other errors retry or propagate classified.
   */
  private call<T>(what: (client: COS) => Promise<T>, o: { signal?: AbortSignal; control?: boolean; onRetry?: (e: EngineError) => void } = {}): Promise<T> {
    let used: UploadCredential | undefined;
    return retrying(
      async () => {
        used = await this.lease.current();
        return what(this.clientFor(used, o.control ?? true));
      },
      {
        policy: this.opts.policy ?? DEFAULT_CALL_POLICY,
        classify: (err) => describeTransport(classifyTc(err), 'COS', this.host),
        signal: o.signal,
        onRetry: async ({ error }) => {
          o.onRetry?.(error);
          if (error.kind === 'credentialExpired') await this.lease.refresh(used);
        },
      },
    );
  }

  async initiate(signal?: AbortSignal): Promise<string> {
    const res = await this.call((c) => c.multipartInit(this.loc()), { signal });
    return String(res.UploadId);
  }

  async listParts(uploadId: string, signal?: AbortSignal): Promise<AckedPart[]> {
    const out: AckedPart[] = [];
    let marker: string | undefined;
    for (;;) {
      const page = await this.call((c) => c.multipartListPart({
        ...this.loc(), UploadId: uploadId, MaxParts: 1000, ...(marker ? { PartNumberMarker: marker } : {}),
      }), { signal });
      // COS's ListParts has no CRC per part (crc64 stays ''): a recorded part is known by
      // its ETag, one never recorded is checked against the file by adoptListedPart.
      const parts = (Array.isArray(page.Part) ? page.Part : page.Part ? [page.Part] : []) as Array<Record<string, unknown>>;
      for (const p of parts) {
        out.push({ partNumber: Number(p.PartNumber), etag: String(p.ETag), size: Number(p.Size), crc64: String(p.HashCrc64ecma ?? '') });
      }
      const truncated = String(page.IsTruncated) === 'true';
      if (!truncated) break;
      marker = String(page.NextPartNumberMarker);
    }
    return out.sort((a, b) => a.partNumber - b.partNumber);
  }

  async uploadPart(uploadId: string, path: string, range: PartRange, hooks: SendHooks = {}): Promise<AckedPart> {
    const { etag, crc64 } = await this.sendRange(path, range, { what: `part ${range.partNumber}`, What: `Part ${range.partNumber}`, code: 'PartCrcMismatch' }, hooks,
      (c, body, size) => c.multipartUpload({ ...this.loc(), UploadId: uploadId, PartNumber: range.partNumber, Body: body, ContentLength: size } as never));
    return { partNumber: range.partNumber, etag, size: range.end - range.start, crc64: crc64ToDecimal(crc64) };
  }

  async putRange(path: string, range: { start: number; end: number }, hooks: SendHooks = {}): Promise<{ etag: string; crc64: string }> {
    const named = { what: path, What: `Object ${this.objectKey}`, code: 'ObjectCrcMismatch' };
    const { etag, crc64 } = await this.sendRange(path, range, named, hooks, (c, body, size) =>
      c.putObject({ ...this.loc(), Body: size === 0 ? Buffer.alloc(0) : body, ContentLength: size } as never));
    return { etag, crc64: crc64ToDecimal(crc64) };
  }

  /** One request carrying bytes [start, end) of a file as a stream, retried, its CRC-64 checked. */
  private sendRange(
    path: string, range: { start: number; end: number },
    named: { what: string; What: string; code: string }, hooks: SendHooks,
    send: (client: COS, body: Readable, size: number) => Promise<{ ETag?: string; headers?: unknown }>,
  ): Promise<{ etag: string; crc64: bigint }> {
    const size = range.end - range.start;
    const stallMs = this.opts.stallMs ?? DEFAULT_STALL_MS;
    return this.call(async (client) => {
      hooks.onAttempt?.();
      const source = rangeSource(path, range, hooks, this.opts);
      let lastMove = Date.now();
      let ended: EngineError | undefined;
      const hash = new PartHashStream({
        expectBytes: size,
        onBytes: (n) => {
          lastMove = Date.now();
          hooks.onBytes?.(n);
        },
      });
      // The SDK pipes the body into its request (the `request` library), which does not
      // end when its source fails: a stalled, cancelled or short body would wait for the
      // idle timeout. So the reason is handed to the request as its error, then it is aborted.
      const end = (reason: EngineError): void => {
        ended ??= reason;
        const pipes = (hash as unknown as { _readableState?: { pipes?: unknown } })._readableState?.pipes;
        for (const dest of (Array.isArray(pipes) ? pipes : pipes ? [pipes] : []) as Array<{ emit?: (e: string, v: unknown) => void; abort?: () => void }>) {
          dest.emit?.('error', reason);
          dest.abort?.();
        }
        hash.destroy(reason);
      };
      hash.once('error', (err) => {
        if (err instanceof EngineError && err.code === 'FileChanged') {
          end(err.with({ message: `${named.what} (bytes ${range.start}–${range.end - 1}): ${err.message}` }));
        }
      });
      const stages: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [];
      if (source) stages.push(source);
      const throttle = this.opts.bandwidth?.throttle();
      if (throttle) stages.push(throttle);
      if (hooks.beforeLastChunk && size > 0) stages.push(new LastChunkGate(size, hooks.beforeLastChunk));
      stages.push(hash);
      if (stages.length > 1) {
        pipeline(stages as unknown as [Readable, ...NodeJS.WritableStream[]], (err) => {
          if (err && !ended) end(err instanceof EngineError ? err : classifyTc(err));
        });
      } else {
        hash.end();
      }
      const watchdog = setInterval(() => {
        if (Date.now() - lastMove > stallMs) end(stalledError(stallMs));
      }, Math.min(stallMs, 5_000));
      const onAbort = (): void => end(new EngineError({ kind: 'canceled', code: 'Canceled', message: `The upload of ${named.what} was canceled.` }));
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        let res: { ETag?: string; headers?: unknown };
        try {
          res = await send(client, hash, size);
        } catch (err) {
          throw ended ?? err;
        }
        if (ended) throw ended;
        const { bytes, crc64 } = hash.result();
        if (bytes !== size) {
          throw new EngineError({ kind: 'file', code: 'FileChanged', retryable: false, message: `${named.what}: read ${bytes} bytes where ${size} were expected` });
        }
        const headers = (res.headers ?? {}) as CosHeaders;
        const serverCrc = headers['x-cos-hash-crc64ecma'];
        if (!serverCrc || crc64FromDecimal(serverCrc) !== crc64) {
          throw new EngineError({ kind: 'integrity', code: named.code, message: `${named.What}: COS reports CRC-64 ${serverCrc ?? '(none)'}, the bytes sent have ${crc64ToDecimal(crc64)}.` });
        }
        return { etag: res.ETag ?? String(headers.etag ?? ''), crc64 };
      } finally {
        clearInterval(watchdog);
        hooks.signal?.removeEventListener('abort', onAbort);
      }
    }, { signal: hooks.signal, control: false, onRetry: hooks.onRetry });
  }

  async complete(uploadId: string, parts: AckedPart[], signal?: AbortSignal): Promise<string> {
    const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    const expected = combinedCrc(sorted);
    const res = await this.call((c) => c.multipartComplete({
      ...this.loc(), UploadId: uploadId, Parts: sorted.map((p) => ({ PartNumber: p.partNumber, ETag: p.etag })),
    }), { signal });
    // COS sends the object's CRC on CompleteMultipartUpload; when an answer lacks it, HEAD tells.
    const said = (res.headers as CosHeaders | undefined)?.['x-cos-hash-crc64ecma'] ?? (await this.head(signal)).crc64;
    if (!said || crc64FromDecimal(said) !== expected) {
      throw new EngineError({
        kind: 'integrity', code: 'ObjectCrcMismatch', retryable: false,
        message: `The completed object has CRC-64 ${said ?? '(none)'}; the parts sent combine to ${crc64ToDecimal(expected)}.`,
        hint: 'The object in COS does not match the file. Retry the job; if it happens again, report it with the request id.',
      });
    }
    return crc64ToDecimal(expected);
  }

  async abort(uploadId: string): Promise<void> {
    try {
      await this.call((c) => c.multipartAbort({ ...this.loc(), UploadId: uploadId }));
    } catch (err) {
      if ((err as EngineError).code?.toLowerCase() !== 'nosuchupload') throw err;
    }
  }

  async putFile(path: string, signal?: AbortSignal): Promise<void> {
    const expected = await fileCrc64(path);
    const res = await this.call((c) => c.putObject({ ...this.loc(), Body: createReadStream(path) }), { signal, control: false });
    const serverCrc = (res.headers as CosHeaders | undefined)?.['x-cos-hash-crc64ecma'];
    if (!serverCrc || crc64FromDecimal(serverCrc) !== expected) {
      throw new EngineError({ kind: 'integrity', code: 'ObjectCrcMismatch', message: `The cover arrived with CRC-64 ${serverCrc ?? '(none)'}, expected ${crc64ToDecimal(expected)}.` });
    }
  }

  async putEmpty(signal?: AbortSignal): Promise<string> {
    const res = await this.call((c) => c.putObject({ ...this.loc(), Body: Buffer.alloc(0) }), { signal });
    const serverCrc = (res.headers as CosHeaders | undefined)?.['x-cos-hash-crc64ecma'];
    if (serverCrc && crc64FromDecimal(serverCrc) !== 0n) {
      throw new EngineError({ kind: 'integrity', code: 'ObjectCrcMismatch', message: `An empty object came back with CRC-64 ${serverCrc}.` });
    }
    return '0';
  }

  async head(signal?: AbortSignal): Promise<ObjectHead> {
    const res = await this.call((c) => c.headObject(this.loc()), { signal });
    const headers = (res.headers ?? {}) as CosHeaders;
    return { size: Number(headers['content-length']), crc64: headers['x-cos-hash-crc64ecma'] };
  }

  adoptListedPart(path: string, range: PartRange, listed: AckedPart): Promise<AckedPart | undefined> {
    return adoptListedPart(path, range, listed);
  }

  async verifyObject(size: number, parts: AckedPart[], signal?: AbortSignal): Promise<string> {
    const expected = combinedCrc([...parts].sort((a, b) => a.partNumber - b.partNumber));
    let head: ObjectHead;
    try {
      head = await this.head(signal);
    } catch (err) {
      const e = err as EngineError;
      if (e.kind === 'permission') {
        throw new EngineError({ kind: 'permission', code: 'ObjectUnverifiable', retryable: true, requestId: e.requestId, cause: err, message: `The object could not be checked (COS refused HeadObject: ${e.code}); it is uploaded again.` });
      }
      if (e.kind !== 'notFound' && e.status !== 404) throw e;
      throw new EngineError({ kind: 'notFound', code: 'UploadVanished', retryable: true, message: 'The multipart upload disappeared before it was completed; it is started again.' });
    }
    if (head.size !== size || !head.crc64 || crc64FromDecimal(head.crc64) !== expected) {
      throw new EngineError({ kind: 'notFound', code: 'UploadVanished', retryable: true, message: 'The multipart upload disappeared and the object does not match the file; it is started again.' });
    }
    return crc64ToDecimal(expected);
  }
}

/**
 * A part COS lists but the job never recorded (a crash between COS's answer and the
 * queue's commit), checked against the file: COS's ListParts has no CRC-64, only the
 * part's ETag, the quoted lower-case MD5 of its bytes (docs/tencent-vod-notes.md
 * "Limits"). The part is adopted, with the CRC-64 of the file's bytes, when the MD5 of
 * those bytes equals the ETag; undefined otherwise (it is sent again).
 */
export async function adoptListedPart(path: string, range: PartRange, listed: AckedPart): Promise<AckedPart | undefined> {
  const hash = new PartHashStream({ md5: true });
  hash.resume();
  await pipe(createReadStream(path, { start: range.start, end: range.end - 1, highWaterMark: 1024 * 1024 }), hash);
  const { crc64, md5Base64 } = hash.result();
  const md5Hex = Buffer.from(md5Base64 ?? '', 'base64').toString('hex');
  if (listed.etag.replace(/"/g, '').toLowerCase() !== md5Hex) return undefined;
  return { ...listed, crc64: crc64ToDecimal(crc64) };
}

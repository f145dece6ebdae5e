// The part writer for one upload (docs/ARCHITECTURE.md §3 "Parts", habit 6): Alibaba's
// ChunkWriter (chunk-writer.ts) — ali-oss's low-level multipart calls with our own
// streams, the credential lease, CRC-64 verification of every part and of the completed
// object. It knows nothing of jobs or the queue.
//
// A new ali-oss client is made per credential version: its credentials are fixed at
// construction and its cancel() is client-wide, so clients are never shared between
// uploads. Requests are not retried by ali-oss (retryMax 0; streams can't be replayed):
// every retry goes through retry.ts.

import { pipeline, Transform, type Readable } from 'node:stream';
import OSS from 'ali-oss';
import type { AckedPart, ChunkWriter, ChunkWriterOptions, ObjectHead, PartRange, SendHooks } from '../chunk-writer';
import { combinedCrc, rangeSource, verifyAgainstParts } from '../chunk-writer';
import type { UploadLease } from '../credential-lease';
import { classifyError, describeTransport, EngineError, isCredentialRefreshError } from '../errors';
import { DEFAULT_CALL_POLICY, retrying } from '../retry';
import type { UploadCredential } from '../provider';
import { ossEndpointFor } from '../net/oss-endpoint';
import { networkAgent } from '../net/proxy';
import { crc64FromDecimal, crc64ToDecimal } from './crc64';
import { fileCrc64, PartHashStream } from './hash-stream';
import { pipeReleasing, readBuffers } from '../read-buffers';
import './quiet-urllib';

// The writer's types are the neutral ones (chunk-writer.ts); kept importable from here.
export type { AckedPart, PartRange, SendHooks } from '../chunk-writer';
export { combinedCrc } from '../chunk-writer';
export type OssSessionOptions = ChunkWriterOptions;

/** Holds back the last chunk of a stream until `gate` resolves (SendHooks.beforeLastChunk). */
function holdLastChunk(gate: () => Promise<void>): Transform {
  let held: Buffer | undefined;
  return new Transform({
    transform(chunk: Buffer, _enc, done) {
      const prev = held;
      held = chunk;
      done(null, prev);
    },
    flush(done) {
      gate().then(() => done(null, held), (err: unknown) => done(err as Error));
    },
  });
}

const DEFAULT_STALL_MS = 60_000;
/** Slowest rate we accept before a part's own timeout fires (the stall watchdog is the fast path). */
const MIN_BYTES_PER_SECOND = 64 * 1024;

function stalledError(ms: number): EngineError {
  return new EngineError({
    kind: 'network', code: 'PartStalled',
    message: `No bytes moved for ${Math.round(ms / 1000)} s; the part is sent again.`,
  });
}

export class OssSession implements ChunkWriter {
  private client: OSS | undefined;
  private clientVersion = -1;

  constructor(
    private readonly lease: UploadLease,
    private readonly opts: OssSessionOptions = {},
  ) {}

  private get objectKey(): string {
    return this.opts.objectKey ?? this.lease.target.objectKey;
  }

  /** The OSS endpoint's host, named in messages about transport failures. */
  private get host(): string {
    const endpoint = ossEndpointFor(this.lease.target.endpoint);
    try {
      return new URL(endpoint).host;
    } catch {
      return endpoint;
    }
  }

  private clientFor(cred: UploadCredential): OSS {
    if (!this.client || this.clientVersion !== this.lease.version) {
      const { bucket } = this.lease.target;
      // The accelerate/internal option and the proxy (main/engine/net/).
      const endpoint = ossEndpointFor(this.lease.target.endpoint);
      this.client = new OSS({
        accessKeyId: cred.accessKeyId,
        accessKeySecret: cred.accessKeySecret,
        stsToken: cred.securityToken,
        bucket,
        endpoint,
        region: cred.region ? `oss-${cred.region}` : undefined,
        secure: endpoint.startsWith('https:'),
        retryMax: 0,
        timeout: 60_000,
        agent: networkAgent(),
        httpsAgent: networkAgent(),
        // We own credential refresh (credential-lease.ts); an interval without a refresher
        // function changes nothing in ali-oss but silences its advice to set one.
        refreshSTSTokenInterval: 0x7fffffff,
      } as OSS.Options);
      this.clientVersion = this.lease.version;
    }
    return this.client;
  }

  /**
   * Runs one OSS request with the current credential. A refused credential is
   * refreshed (single-flight through the lease) and the request sent again; other
   * retryable errors retry with the call policy; the rest propagate classified.
   */
  private async call<T>(what: (client: OSS) => Promise<T>, signal?: AbortSignal, onRetried?: (error: EngineError) => void): Promise<T> {
    let used: UploadCredential | undefined;
    return retrying(
      async () => {
        used = await this.lease.current();
        return what(this.clientFor(used));
      },
      {
        policy: this.opts.policy ?? DEFAULT_CALL_POLICY,
        // "Could not reach OSS (host): …" for the operator; urllib's dump goes to `detail`.
        classify: (err) => describeTransport(err, 'OSS', this.host),
        signal,
        // errors.ts classifies OSS's credential refusals as retryable (credentialExpired):
        // refresh (single-flight through the lease) before the next attempt.
        onRetry: async ({ error }) => {
          onRetried?.(error);
          if (isCredentialRefreshError(error)) await this.lease.refresh(used);
        },
      },
    );
  }

  async initiate(signal?: AbortSignal): Promise<string> {
    const res = await this.call((c) => c.initMultipartUpload(this.objectKey, { timeout: 60_000 }), signal);
    return res.uploadId;
  }

  /** All parts OSS holds for the upload, paging past 1,000 and normalising ali-oss's quirks. */
  async listParts(uploadId: string, signal?: AbortSignal): Promise<AckedPart[]> {
    const out: AckedPart[] = [];
    let marker: string | undefined;
    for (;;) {
      const query: Record<string, string | number> = { 'max-parts': 1000 };
      if (marker) query['part-number-marker'] = marker;
      const page = await this.call(
        (c) => c.listParts(this.objectKey, uploadId, query as never, { timeout: 60_000 }) as Promise<{
          parts: unknown; isTruncated: unknown; nextPartNumberMarker: unknown;
        }>,
        signal,
      );
      // One part comes back as an object, not an array.
      const parts = (Array.isArray(page.parts) ? page.parts : page.parts ? [page.parts] : []) as Record<string, string>[];
      for (const p of parts) {
        out.push({
          partNumber: Number(p.PartNumber),
          etag: String(p.ETag),
          size: Number(p.Size),
          crc64: String(p.HashCrc64ecma ?? ''),
        });
      }
      // isTruncated is the string "false"/"true".
      const truncated = page.isTruncated === true || page.isTruncated === 'true';
      if (!truncated) break;
      marker = String(page.nextPartNumberMarker);
    }
    return out.sort((a, b) => a.partNumber - b.partNumber);
  }

  /**
   * Streams bytes [start, end) of `path` as one part, hashing on the way, and checks
   * OSS's CRC-64 against ours. `onBytes` reports bytes handed to the socket; on a
   * failure the caller discards what this attempt reported. A file that ends inside
   * the range (truncated under us) fails the part at once with FileChanged, which is
   * not retried: ali-oss announced the range's length, so the request would otherwise
   * wait for bytes that never come.
   */
  async uploadPart(uploadId: string, path: string, range: PartRange, hooks: SendHooks = {}): Promise<AckedPart> {
    // ali-oss hands a part's body straight to urllib, which pipes it into the request:
    // its read buffers can be given back (read-buffers.ts).
    const { etag, crc64 } = await this.sendRange(path, range, { what: `part ${range.partNumber}`, What: `Part ${range.partNumber}`, code: 'PartCrcMismatch', pooled: true }, hooks,
      (client, body, timeout) => client.uploadPart(this.objectKey, uploadId, range.partNumber, body as never, range.start, range.end, { timeout } as never));
    return { partNumber: range.partNumber, etag, size: range.end - range.start, crc64: crc64ToDecimal(crc64) };
  }

  /**
   * Bytes [start, end) of `path` as the whole object, in one PutObject, streamed and
   * hashed like a part; OSS's CRC-64 of the object must equal ours.
   */
  async putRange(path: string, range: { start: number; end: number }, hooks: SendHooks = {}): Promise<{ etag: string; crc64: string }> {
    // Not pooled: putStream pipes the body into a Transform of ali-oss's own, so nothing
    // would be given back, and a pooled read is a whole read-size buffer where a
    // ReadStream shrinks a short one to fit (small files held 134-151 MB instead of 118).
    const named = { what: path, What: `Object ${this.objectKey}`, code: 'ObjectCrcMismatch', pooled: false };
    const { etag, crc64 } = await this.sendRange(path, range, named, hooks, (client, body, timeout, size) =>
      size === 0
        ? client.put(this.objectKey, Buffer.alloc(0), { timeout } as never)
        : client.putStream(this.objectKey, body, { contentLength: size, timeout } as never));
    return { etag, crc64: crc64ToDecimal(crc64) };
  }

  /** One request carrying bytes of a file (a part, or a whole object), retried, with its CRC-64 checked. */
  private sendRange(
    path: string, range: { start: number; end: number },
    named: { what: string; What: string; code: string; pooled: boolean }, hooks: SendHooks,
    send: (client: OSS, body: Readable, timeout: number, size: number) => Promise<{ res: { headers: unknown }; etag?: string }>,
  ): Promise<{ etag: string; crc64: bigint }> {
    const size = range.end - range.start;
    const stallMs = this.opts.stallMs ?? DEFAULT_STALL_MS;
    return this.call(async (client) => {
      hooks.onAttempt?.();
      const throttle = this.opts.bandwidth?.throttle();
      // Read buffers are lent and given back after the socket wrote them, unless a
      // throttle cuts chunks into slices (read-buffers.ts: one chunk per buffer).
      const pool = named.pooled && !throttle ? readBuffers : undefined;
      const source = rangeSource(path, range, hooks, this.opts, pool);
      let lastMove = Date.now();
      // Why we ended the body, if we did: urllib reports the request as failed with
      // whatever it makes of the stream error, so the reason is kept here and wins.
      let ended: EngineError | undefined;
      const end = (reason: EngineError): void => {
        ended ??= reason;
        body.destroy(reason);
      };
      const hash = new PartHashStream({
        expectBytes: size,
        onBytes: (n) => {
          lastMove = Date.now();
          hooks.onBytes?.(n);
        },
      });
      const body: Readable = hash;
      hash.once('error', (err) => {
        if (err instanceof EngineError && err.code === 'FileChanged') {
          ended ??= err.with({ message: `${named.what} (bytes ${range.start}–${range.end - 1}): ${err.message}` });
        }
      });
      const stages: (NodeJS.ReadableStream | NodeJS.WritableStream)[] = [];
      if (source) stages.push(source);
      const { beforeLastChunk } = hooks;
      if (source && beforeLastChunk) {
        stages.push(holdLastChunk(async () => {
          try {
            await beforeLastChunk();
          } catch (err) {
            // The request is ended unfinished for this reason, which wins over urllib's.
            ended ??= classifyError(err);
            throw err;
          }
        }));
      }
      if (throttle) stages.push(throttle);
      stages.push(hash);
      if (pool) pipeReleasing(hash, pool);
      if (stages.length > 1) {
        // pipeline destroys every stage on error, so a read error or an abort reaches
        // the request that is pumping `hash` and ends it.
        pipeline(stages as unknown as [Readable, ...NodeJS.WritableStream[]], () => undefined);
      } else {
        hash.end();
      }
      const watchdog = setInterval(() => {
        if (Date.now() - lastMove > stallMs) end(stalledError(stallMs));
      }, Math.min(stallMs, 5_000));
      const onAbort = (): void => {
        end(new EngineError({ kind: 'canceled', code: 'Canceled', message: `The upload of ${named.what} was canceled.` }));
      };
      hooks.signal?.addEventListener('abort', onAbort, { once: true });
      try {
        const timeout = 120_000 + Math.ceil((size / MIN_BYTES_PER_SECOND) * 1000);
        let res: Awaited<ReturnType<typeof send>>;
        try {
          res = await send(client, body, timeout, size);
        } catch (err) {
          throw ended ?? err;
        }
        const { bytes, crc64 } = hash.result();
        if (bytes !== size) {
          throw new EngineError({ kind: 'file', code: 'FileChanged', retryable: false, message: `${named.what}: read ${bytes} bytes where ${size} were expected` });
        }
        const headers = res.res.headers as Record<string, string | undefined>;
        const serverCrc = headers['x-oss-hash-crc64ecma'];
        if (!serverCrc || crc64FromDecimal(serverCrc) !== crc64) {
          throw new EngineError({
            kind: 'integrity', code: named.code,
            message: `${named.What}: OSS reports CRC-64 ${serverCrc ?? '(none)'}, the bytes sent have ${crc64ToDecimal(crc64)}.`,
          });
        }
        return { etag: res.etag ?? String(headers.etag ?? ''), crc64 };
      } finally {
        clearInterval(watchdog);
        hooks.signal?.removeEventListener('abort', onAbort);
      }
    }, hooks.signal, hooks.onRetry);
  }

  /**
   * Completes the upload and checks the object's CRC-64 against the parts' combined
   * CRC (computed from the part CRCs, without reading the file again).
   */
  async complete(uploadId: string, parts: AckedPart[], signal?: AbortSignal): Promise<string> {
    const sorted = [...parts].sort((a, b) => a.partNumber - b.partNumber);
    const expected = combinedCrc(sorted);
    const res = await this.call(
      (c) => c.completeMultipartUpload(this.objectKey, uploadId, sorted.map((p) => ({ number: p.partNumber, etag: p.etag })), { timeout: 120_000 } as never),
      signal,
    );
    const serverCrc = (res.res.headers as Record<string, string | undefined>)['x-oss-hash-crc64ecma'];
    if (!serverCrc || crc64FromDecimal(serverCrc) !== expected) {
      throw new EngineError({
        kind: 'integrity', code: 'ObjectCrcMismatch', retryable: false,
        message: `The completed object has CRC-64 ${serverCrc ?? '(none)'}; the parts sent combine to ${crc64ToDecimal(expected)}.`,
        hint: 'The object in OSS does not match the file. Retry the job; if it happens again, report it with the request id.',
      });
    }
    return crc64ToDecimal(expected);
  }

  /**
   * For an upload that vanished at completion time: the object is whole when its size
   * and CRC-64 match the parts (we completed it and crashed before recording that).
   */
  async verifyObject(size: number, parts: AckedPart[], signal?: AbortSignal): Promise<string> {
    return verifyAgainstParts(() => this.head(signal), size, parts, 'OSS');
  }

  /** HeadObject: the object's size and CRC-64. */
  async head(signal?: AbortSignal): Promise<ObjectHead> {
    const res = await this.call((c) => c.head(this.objectKey, { timeout: 60_000 } as never), signal);
    const headers = res.res.headers as Record<string, string | undefined>;
    return { size: Number(headers['content-length']), crc64: headers['x-oss-hash-crc64ecma'] };
  }

  /** A small whole file in one PutObject (covers), its CRC-64 checked. */
  async putFile(path: string, signal?: AbortSignal): Promise<void> {
    const expected = await fileCrc64(path);
    const res = await this.call((c) => c.put(this.objectKey, path, { timeout: 120_000 } as never), signal);
    const serverCrc = (res.res.headers as Record<string, string | undefined>)['x-oss-hash-crc64ecma'];
    if (!serverCrc || crc64FromDecimal(serverCrc) !== expected) {
      throw new EngineError({ kind: 'integrity', code: 'ObjectCrcMismatch', message: `The cover arrived with CRC-64 ${serverCrc ?? '(none)'}, expected ${crc64ToDecimal(expected)}.` });
    }
  }

  /** A zero-byte file: multipart needs at least one part, so a plain PutObject. */
  async putEmpty(signal?: AbortSignal): Promise<string> {
    const res = await this.call((c) => c.put(this.objectKey, Buffer.alloc(0), { timeout: 60_000 } as never), signal);
    const serverCrc = (res.res.headers as Record<string, string | undefined>)['x-oss-hash-crc64ecma'];
    if (serverCrc && crc64FromDecimal(serverCrc) !== 0n) {
      throw new EngineError({ kind: 'integrity', code: 'ObjectCrcMismatch', message: `An empty object came back with CRC-64 ${serverCrc}.` });
    }
    return '0';
  }

  async abort(uploadId: string): Promise<void> {
    try {
      await this.call((c) => c.abortMultipartUpload(this.objectKey, uploadId, { timeout: 30_000 } as never));
    } catch (err) {
      // Already gone is what we wanted.
      if (classifyError(err).code.toLowerCase() !== 'nosuchupload') throw err;
    }
  }
}

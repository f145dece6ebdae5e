// The byte mover of one upload, behind one interface (docs/ARCHITECTURE.md §3 "Providers"),
// as rclone's ChunkWriter: multipart initiate / list parts / upload part / complete /
// abort, a whole object in one request, and a HEAD to verify. Every call that carries
// bytes checks the service's CRC-64/ECMA against the bytes sent; every call goes through
// retry.ts and the job's UploadLease. It knows nothing of jobs or the queue.
// Implementations: oss/oss-session.ts (Alibaba OSS); the Tencent COS writer (tcprov).

import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import type { StreamThrottle } from './bandwidth';
import { classifyError, EngineError } from './errors';
import { crc64Combine, crc64FromDecimal, crc64ToDecimal } from './oss/crc64';
import { PooledFileRange, type ReadBufferPool } from './read-buffers';
import type { RetryPolicy } from './retry';

/** A part the service acknowledged with the CRC-64 we computed. */
export interface AckedPart {
  partNumber: number;
  etag: string;
  size: number;
  /** Unsigned decimal CRC-64/ECMA, as OSS and COS send it. */
  crc64: string;
}

export interface PartRange {
  partNumber: number;
  start: number;
  /** Exclusive. */
  end: number;
}

export interface SendHooks {
  /** Bytes handed to the socket; on a failed attempt the caller discards what it reported. */
  onBytes?: (n: number) => void;
  /** Called at the start of each attempt. */
  onAttempt?: () => void;
  signal?: AbortSignal;
  /**
   * Runs after the whole range was read and before its last chunk is sent; a rejection
   * ends the request unfinished. A PutObject makes its object with its last byte, so
   * this is where the file is checked unchanged (job-runner.ts, the single-request path).
   */
  beforeLastChunk?: () => Promise<void>;
  /** Called for each failed attempt that is retried (adaptive concurrency counts them). */
  onRetry?: (error: EngineError) => void;
  /**
   * The range's bytes, read already (a small file read whole with its fingerprint): sent
   * from memory, hashed and checked like bytes read from `path`, which is not read again.
   */
  data?: Buffer;
}

/** Chunks of an in-memory body: small, so the last one (held for beforeLastChunk) is small. */
const MEMORY_CHUNK_BYTES = 64 * 1024;

/** A stream of `data`, in chunks of at most MEMORY_CHUNK_BYTES (a fresh one per attempt). */
export function bufferSource(data: Buffer): Readable {
  let offset = 0;
  return new Readable({
    read() {
      if (offset >= data.length) {
        this.push(null);
        return;
      }
      const end = Math.min(data.length, offset + MEMORY_CHUNK_BYTES);
      this.push(data.subarray(offset, end));
      offset = end;
    },
  });
}

/** What HEAD says of the object. */
export interface ObjectHead {
  size: number;
  /** Unsigned decimal CRC-64/ECMA; undefined when the service sent none. */
  crc64?: string;
}

export interface ChunkWriterOptions {
  bandwidth?: StreamThrottle;
  /** A request with no byte moving for this long is aborted and retried. */
  stallMs?: number;
  policy?: RetryPolicy;
  /**
   * Read size from disk; also the unit of progress and hashing. A function is asked at
   * each request (adaptive.ts: smaller reads once more requests are in flight).
   */
  readChunkBytes?: number | (() => number);
  /**
   * The object to write in the target's bucket instead of the target's objectKey: a
   * file of an HLS package goes under the target's objectPrefix (hls-upload.ts); a
   * cover under the target's coverObjectKey.
   */
  objectKey?: string;
}

/**
 * One object's writer. Errors are thrown classified (errors.ts, the adapter's classifier);
 * `NoSuchUpload` keeps that code (case-insensitive) whatever the service's spelling, a
 * refused/expired credential is kind `credentialExpired` (the lease renews or the engine
 * re-opens), a refused call is kind `permission`.
 */
export interface ChunkWriter {
  /** InitiateMultipartUpload → uploadId. */
  initiate(signal?: AbortSignal): Promise<string>;
  /** Every part the service holds for the upload, all pages, sorted by part number. */
  listParts(uploadId: string, signal?: AbortSignal): Promise<AckedPart[]>;
  /**
   * Streams bytes [start, end) of `path` as one part; the service's CRC-64 of the part
   * must equal ours (else `PartCrcMismatch`, kind integrity). A file that ends inside the
   * range fails at once with `FileChanged` (not retryable).
   */
  uploadPart(uploadId: string, path: string, range: PartRange, hooks?: SendHooks): Promise<AckedPart>;
  /**
   * CompleteMultipartUpload; the object's CRC-64 must equal the parts' combined CRC
   * (combinedCrc), else `ObjectCrcMismatch`. Returns that CRC (unsigned decimal).
   */
  complete(uploadId: string, parts: AckedPart[], signal?: AbortSignal): Promise<string>;
  /** AbortMultipartUpload; an upload already gone is success. */
  abort(uploadId: string): Promise<void>;
  /** Bytes [start, end) of `path` as the whole object in one request, CRC-64 checked. */
  putRange(path: string, range: { start: number; end: number }, hooks?: SendHooks): Promise<{ etag: string; crc64: string }>;
  /** A small whole file (a cover) in one request, CRC-64 checked. */
  putFile(path: string, signal?: AbortSignal): Promise<void>;
  /** A zero-byte object; answers its CRC-64 ('0'). */
  putEmpty(signal?: AbortSignal): Promise<string>;
  /** HEAD of the object: size and CRC-64. A missing object throws kind notFound (status 404). */
  head(signal?: AbortSignal): Promise<ObjectHead>;
  /**
   * For an upload that vanished at completion time: the object is whole when its size and
   * CRC-64 equal the parts'. Answers the CRC; else throws `UploadVanished` (retryable) or,
   * when HEAD is refused, `ObjectUnverifiable` (retryable): either way the engine starts
   * the object again. verifyAgainstParts (below) implements it on `head`.
   */
  verifyObject(size: number, parts: AckedPart[], signal?: AbortSignal): Promise<string>;
  /**
   * For a store whose ListParts carries no CRC-64 (COS: ETag and Size only): a listed part
   * the job never recorded, checked against the file's bytes by the store's own ETag; the
   * part with the CRC-64 of those bytes, or undefined when they differ (it is sent again).
   */
  adoptListedPart?(path: string, range: PartRange, listed: AckedPart): Promise<AckedPart | undefined>;
}

/** The object's CRC-64 from its parts' CRCs (in part order), without reading bytes. */
export function combinedCrc(sortedParts: readonly AckedPart[]): bigint {
  let crc = 0n;
  for (const p of sortedParts) crc = crc64Combine(crc, crc64FromDecimal(p.crc64), p.size);
  return crc;
}

/**
 * ChunkWriter.verifyObject on top of its `head`: the object is whole when its size and
 * CRC-64 equal the parts'. `service` names the store in messages ("OSS", "COS").
 */
export async function verifyAgainstParts(
  head: () => Promise<ObjectHead>, size: number, parts: readonly AckedPart[], service: string,
): Promise<string> {
  const expected = combinedCrc([...parts].sort((a, b) => a.partNumber - b.partNumber));
  let found: ObjectHead;
  try {
    found = await head();
  } catch (err) {
    const e = classifyError(err);
    if (e.kind === 'permission') {
      // The upload credential may not allow HeadObject: the object cannot be checked,
      // so it is uploaded again rather than trusted or failed.
      throw new EngineError({
        kind: 'permission', code: 'ObjectUnverifiable', retryable: true, requestId: e.requestId, cause: err,
        message: `The object could not be checked (${service} refused HeadObject: ${e.code}); it is uploaded again.`,
      });
    }
    if (e.kind !== 'notFound' && e.status !== 404) throw e;
    throw new EngineError({ kind: 'notFound', code: 'UploadVanished', retryable: true, message: 'The multipart upload disappeared before it was completed; it is started again.' });
  }
  if (found.size !== size || !found.crc64 || crc64FromDecimal(found.crc64) !== expected) {
    throw new EngineError({ kind: 'notFound', code: 'UploadVanished', retryable: true, message: 'The multipart upload disappeared and the object does not match the file; it is started again.' });
  }
  return crc64ToDecimal(expected);
}

/** The read size for a request now (ChunkWriterOptions.readChunkBytes; 1 MiB by default). */
export function readSize(opts: Pick<ChunkWriterOptions, 'readChunkBytes'>): number {
  const r = opts.readChunkBytes;
  return (typeof r === 'function' ? r() : r) ?? 1024 * 1024;
}

/**
 * The body of one request carrying bytes [start, end) of a file: none for an empty range,
 * the bytes already in memory when the caller holds them (a small file read once), else
 * a read stream of the destination's read size. Every writer builds its bodies here.
 */
export function rangeSource(
  path: string, range: { start: number; end: number }, hooks: Pick<SendHooks, 'data'>,
  opts: Pick<ChunkWriterOptions, 'readChunkBytes'>, pool?: ReadBufferPool,
): Readable | undefined {
  const size = range.end - range.start;
  if (size === 0) return undefined;
  if (hooks.data?.length === size) return bufferSource(hooks.data);
  // With a pool, reads go into buffers the request gives back (read-buffers.ts).
  if (pool) return new PooledFileRange(path, range, readSize(opts), pool);
  return createReadStream(path, { start: range.start, end: range.end - 1, highWaterMark: readSize(opts) });
}

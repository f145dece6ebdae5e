// The transform each part's bytes flow through on their way from disk to OSS:
// passes every chunk on unchanged (the same Buffer, no copy), counts the bytes,
// and hashes them (CRC-64 always, MD5 on request), so the part is verified
// against OSS's answer without reading the file twice. Memory is one chunk in
// flight, whatever the part's size.

import { createHash, type Hash } from 'crypto';
import { createReadStream } from 'fs';
import { Transform, type TransformCallback } from 'stream';
import { pipeline } from 'stream/promises';
import { EngineError } from '../errors';
import { crc64 } from './crc64';

export interface PartHashOptions {
  /** Also compute MD5 (for Content-MD5 / ETag checks; costs ~1.7 CPU-s/GiB). */
  md5?: boolean;
  /** Called with each chunk's length as it passes (live progress). */
  onBytes?: (n: number) => void;
  /**
   * The bytes the source must deliver. A source that ends short (the file was truncated
   * under it) makes the stream fail with FileChanged at once: the consumer, an HTTP
   * request that announced this many bytes in Content-Length, would otherwise wait for
   * the rest until a timeout.
   */
  expectBytes?: number;
}

/** The source ended before `expected` bytes: not retryable, the file is not what it was. */
export function shortSourceError(got: number, expected: number): EngineError {
  return new EngineError({
    kind: 'file', code: 'FileChanged', retryable: false,
    message: `the file ended after ${got} of the ${expected} bytes expected: it shrank while uploading`,
  });
}

export interface PartHashResult {
  bytes: number;
  /** CRC-64/XZ of the bytes, as OSS's x-oss-hash-crc64ecma (decimal there). */
  crc64: bigint;
  /** Base64 MD5, as Content-MD5; only with `{ md5: true }`. */
  md5Base64?: string;
}

export class PartHashStream extends Transform {
  private bytes = 0;
  private crc = 0n;
  private readonly md5?: Hash;
  private md5Final?: string;
  private readonly onBytes?: (n: number) => void;
  private readonly expectBytes?: number;

  constructor(opts: PartHashOptions = {}) {
    super();
    if (opts.md5) this.md5 = createHash('md5');
    this.onBytes = opts.onBytes;
    this.expectBytes = opts.expectBytes;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.crc = crc64(chunk, this.crc);
      this.md5?.update(chunk);
      this.bytes += chunk.length;
      this.onBytes?.(chunk.length);
    } catch (err) {
      callback(err as Error);
      return;
    }
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    if (this.expectBytes !== undefined && this.bytes < this.expectBytes) {
      callback(shortSourceError(this.bytes, this.expectBytes));
      return;
    }
    if (this.md5) this.md5Final = this.md5.digest('base64');
    callback();
  }

  /**
   * Hashes of every byte that has passed through. Meant for after the stream
   * ended; it is also exact as soon as the consumer has received every byte
   * (an HTTP response can arrive before our 'finish'), hence no "not ended" error.
   */
  result(): PartHashResult {
    const out: PartHashResult = { bytes: this.bytes, crc64: this.crc };
    if (this.md5) out.md5Base64 = this.md5Final ?? this.md5.copy().digest('base64');
    return out;
  }
}

/**
 * CRC-64 of bytes [start, end) of a file (the whole file without a range), read the
 * way parts are: to trust a part OSS holds but we never recorded, or to check a cover.
 */
export async function fileCrc64(path: string, range?: { start: number; end: number }): Promise<bigint> {
  if (range && range.end <= range.start) return 0n;
  const hash = new PartHashStream({});
  hash.resume();
  const source = createReadStream(path, { highWaterMark: 1024 * 1024, ...(range ? { start: range.start, end: range.end - 1 } : {}) });
  await pipeline(source, hash);
  return hash.result().crc64;
}

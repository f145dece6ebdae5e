// Ranged GETs of a presigned media URL with plain Node http/https (no SDK: the URL
// carries its own signature). A range's body streams from the socket through the
// bandwidth throttle (under a cap) and a CRC-64 hasher to its offset in the temporary
// file, gathered into large writes with a bounded buffer per range (range-writer.ts),
// whatever the range's size.
//
// OSS answers a valid ranged GET with 206 and `Content-Range: bytes a-b/total`, and
// ignores an invalid one (200, the whole object) unless `x-oss-range-behavior: standard`
// is sent ("How to obtain OSS resources by segmenting HTTP Range requests",
// help.aliyun.com/knowledge_detail/39571.html; GetObject,
// alibabacloud.com/help/doc-detail/31980.htm). That header cannot be added here: x-oss-*
// headers are part of a V1 signature, and the URL was signed without it. So a 200 is
// checked for being the whole range, and the object's size comes from Content-Range.
// The object's ETag and CRC-64 (OSS's or COS's header, CRC64_HEADERS) come with the answer; when a server does
// not send the CRC-64, verification falls back to MD5 or the size (download-driver.ts).

import http from 'node:http';
import https from 'node:https';
import stream, { type Readable, type Transform } from 'node:stream';
import { classifyError, downloadHttpError, EngineError } from '../errors';
import { agentFor } from '../net/proxy';
import { drainToFile, type Drained } from './range-writer';


/**
 * The whole object's CRC-64/ECMA (unsigned decimal) in each cloud's storage: OSS
 * (Alibaba) sends `x-oss-hash-crc64ecma`, COS (Tencent) `x-cos-hash-crc64ecma`
 * (https://cloud.tencent.com/document/product/436/40334). The one place a download reads
 * it; a server sends only its own.
 */
export const CRC64_HEADERS: Readonly<Record<'aliyun' | 'tencent', string>> = {
  aliyun: 'x-oss-hash-crc64ecma',
  tencent: 'x-cos-hash-crc64ecma',
};

/** The object's CRC-64 from a response's headers, whichever cloud answered; undefined without a well-formed one. */
export function objectCrc64(headers: http.IncomingHttpHeaders): string | undefined {
  for (const name of Object.values(CRC64_HEADERS)) {
    const v = headers[name];
    if (typeof v === 'string' && /^\d{1,20}$/.test(v)) return v;
  }
  return undefined;
}

/** What a response says of the whole object. */
export interface ObjectHead {
  size: number;
  etag?: string;
  /** The object's CRC-64 (decimal): x-oss-hash-crc64ecma or x-cos-hash-crc64ecma (CRC64_HEADERS). */
  crc64?: string;
  lastModified?: string;
}

export interface RangeGetOptions {
  signal: AbortSignal;
  /** No byte for this long: the connection is given up (a network error, retried). */
  stallMs: number;
  throttle?: () => Transform | undefined;
  onBytes?: (n: number) => void;
}

function request(url: string, range: string, opts: { signal: AbortSignal; stallMs: number }): Promise<http.IncomingMessage> {
  const u = new URL(url);
  const mod = u.protocol === 'https:' ? https : http;
  return new Promise((resolve, reject) => {
    const req = mod.request(u, {
      method: 'GET',
      headers: { Range: range, 'Accept-Encoding': 'identity' },
      // The process's routing agent: proxies (HTTPS_PROXY, the app's setting) and keep-alive
      // apply to downloads as to every VOD and OSS request (docs/ARCHITECTURE.md §3, Network).
      agent: agentFor(url),
      signal: opts.signal,
    }, resolve);
    req.setTimeout(opts.stallMs, () => req.destroy(Object.assign(new Error(`No data from ${u.host} for ${Math.round(opts.stallMs / 1000)} s.`), { code: 'ETIMEDOUT' })));
    req.on('error', reject);
    req.end();
  });
}

function headOf(res: http.IncomingMessage): ObjectHead {
  const h = res.headers;
  const cr = /\/(\d+)\s*$/.exec(String(h['content-range'] ?? ''));
  const size = cr ? Number(cr[1]) : Number(h['content-length'] ?? 0);
  const head: ObjectHead = { size };
  if (typeof h.etag === 'string') head.etag = h.etag;
  const crc = objectCrc64(h);
  if (crc) head.crc64 = crc;
  if (typeof h['last-modified'] === 'string') head.lastModified = h['last-modified'];
  return head;
}

async function failure(res: http.IncomingMessage, host: string): Promise<EngineError> {
  let body = '';
  try {
    for await (const chunk of res) {
      if (body.length < 4096) body += String(chunk);
    }
  } catch {
    // the body is only for the message
  }
  // OSS answers in XML (<Code>, <Message>); a CDN or the sandbox may answer in JSON.
  const code = /<Code>([^<]+)<\/Code>/.exec(body)?.[1] ?? /"Code"\s*:\s*"([^"]+)"/.exec(body)?.[1];
  const message = /<Message>([^<]+)<\/Message>/.exec(body)?.[1] ?? /"Message"\s*:\s*"([^"]+)"/.exec(body)?.[1];
  return downloadHttpError(res.statusCode ?? 0, code, message, host);
}

/**
 * What the object is: one tiny ranged GET (`bytes=0-0`) rather than a HEAD, because a
 * presigned URL's signature covers the method and HEAD would be refused. An empty object
 * answers 416 to any range; then a plain GET says it is empty.
 */
export async function probeObject(url: string, opts: { signal: AbortSignal; stallMs: number }): Promise<ObjectHead> {
  const host = new URL(url).host;
  const res = await request(url, 'bytes=0-0', opts);
  if (res.statusCode === 206 || res.statusCode === 200) {
    const head = headOf(res);
    // 206: one byte to drain. 200: the server ignored Range and sends everything; the
    // connection is cut rather than read to the end.
    if (res.statusCode === 206) res.resume();
    else res.destroy();
    return head;
  }
  if (res.statusCode === 416) {
    res.resume();
    const whole = await request(url, '', opts);
    if (whole.statusCode !== 200) throw await failure(whole, host);
    whole.resume();
    return headOf(whole);
  }
  throw await failure(res, host);
}

export interface RangeResult {
  head: ObjectHead;
  bytes: number;
  crc64: bigint;
}

/**
 * GETs bytes [start, end] (inclusive) and writes them at `start` in the open file `fd`.
 * The response must be exactly that range of an object of `expect` (its size and
 * ETag): anything else is reported in `head` for the caller to judge before any byte
 * is written.
 */
export async function getRangeToFile(
  url: string,
  fd: number,
  start: number,
  end: number,
  opts: RangeGetOptions & { check: (head: ObjectHead) => void },
): Promise<RangeResult> {
  const host = new URL(url).host;
  const res = await request(url, `bytes=${start}-${end}`, opts);
  if (res.statusCode !== 206 && !(res.statusCode === 200 && start === 0)) throw await failure(res, host);
  const head = headOf(res);
  try {
    opts.check(head);
  } catch (err) {
    res.destroy();
    throw err;
  }
  const want = end - start + 1;
  if (res.statusCode === 200 && head.size !== want) {
    res.destroy();
    throw new EngineError({
      kind: 'server', code: 'RangeUnsupported', retryable: false,
      message: `${host} ignored the byte range asked for and sent the whole file; it cannot be downloaded in ranges.`,
      hint: 'Download from the storage (OSS) URLs rather than through this server or proxy.',
    });
  }
  if (res.statusCode === 206) {
    const cr = /bytes (\d+)-(\d+)\//.exec(String(res.headers['content-range'] ?? ''));
    if (!cr || Number(cr[1]) !== start || Number(cr[2]) !== end) {
      res.destroy();
      throw new EngineError({ kind: 'server', code: 'WrongRange', message: `${host} sent ${String(res.headers['content-range'])} for bytes ${start}-${end}.` });
    }
  }
  // With a bandwidth cap the body passes through the job's throttle first; without one
  // the socket's chunks go straight to the coalescing writer (range-writer.ts).
  const throttle = opts.throttle?.();
  let source: Readable = res;
  if (throttle) {
    source = throttle;
    stream.pipeline(res, throttle, () => undefined); // an error reaches the writer through the throttle
  }
  // A stop ends the body as a cancellation (AbortError), not as a cut connection.
  const abort = (): void => {
    const err = Object.assign(new Error('The operation was aborted.'), { name: 'AbortError', code: 'ABORT_ERR' });
    res.destroy(err);
    throttle?.destroy(err);
  };
  opts.signal.addEventListener('abort', abort, { once: true });
  if (opts.signal.aborted) abort();
  let got: Drained;
  try {
    got = await drainToFile(source, fd, start, { limit: want, onBytes: opts.onBytes });
  } catch (err) {
    res.destroy();
    throw classifyError(err);
  } finally {
    opts.signal.removeEventListener('abort', abort);
  }
  if (got.bytes !== want) {
    throw new EngineError({ kind: 'network', code: 'ShortRange', message: `${host} ended the range ${start}-${end} after ${got.bytes} of ${want} bytes.` });
  }
  return { head, bytes: got.bytes, crc64: got.crc64 };
}

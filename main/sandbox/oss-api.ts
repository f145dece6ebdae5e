// The OSS half of the sandbox: object and multipart operations on the one bucket the
// sandbox's VOD hands out, authenticated with OSS signature V1 and the STS credentials
// from UploadAuth. Bodies are streamed through hashing into the store, never buffered
// (except CompleteMultipartUpload's small XML).
import crypto from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { Socket } from 'net';
import { Transform, type TransformCallback } from 'stream';
import { pipeline } from 'stream/promises';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { Crc64, crc64Combine } from '../engine/oss/crc64';
import type { SandboxCore } from './core';
import { hexId, ossRequestId } from './ids';
import {
  OssError, canonicalResource, checkRequestTime, ossStringToSign, parseAuthorization, verifySignature,
} from './oss-signature';
import type { ObjectRecord, PartRecord, Segment, UploadRecord } from './state';
import { readSmallBody } from './read-body';

const MIN_PART = 100 * 1024;
const MAX_PART = 5 * 1024 ** 3;
const MAX_PART_NUMBER = 10_000;
const MAX_COMPLETE_XML = 4 * 1024 * 1024;

const xml = new XMLBuilder({});
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

export interface MeterOptions {
  /** Destroy the connection once this many bytes arrived (the resetRate fault). */
  cutAfter?: number;
  onCut: () => void;
  /** Stop storing after this many bytes and swallow the rest (the requestTimeoutRate fault). */
  timeoutAfter?: number;
  withMd5: boolean;
}

/** Counts, meters (global bandwidth cap), hashes and optionally cuts or stalls a request body. */
export class BodyMeter extends Transform {
  readonly md5: crypto.Hash | undefined;
  readonly crc = new Crc64();
  size = 0;
  /** Set when the requestTimeoutRate fault took this body: nothing after timeoutAfter was kept. */
  timedOut = false;

  constructor(private readonly core: SandboxCore, private readonly o: MeterOptions) {
    super();
    this.md5 = o.withMd5 ? crypto.createHash('md5') : undefined;
  }

  /** The part's MD5, or with etag 'crc64' a stand-in of the same length made of its CRC-64 and size. */
  digest(): Buffer {
    if (this.md5) return this.md5.digest();
    const b = Buffer.alloc(16);
    b.writeBigUInt64BE(this.crc.digest(), 0);
    b.writeBigUInt64BE(BigInt(this.size), 8);
    return b;
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    this.core.bandwidth.take(chunk.length).then(() => {
      const { cutAfter, timeoutAfter } = this.o;
      if (cutAfter !== undefined && this.size + chunk.length >= cutAfter) {
        const keep = Math.max(0, cutAfter - this.size);
        this.core.counters.bytesReceived += keep;
        this.o.onCut();
        cb(new Error('connection reset by the resetRate fault'));
        return;
      }
      if (this.timedOut || (timeoutAfter !== undefined && this.size + chunk.length >= timeoutAfter)) {
        // Read and dropped, so the client finishes writing and then reads the error
        // (a server that stopped reading would leave it with a broken pipe instead).
        this.timedOut = true;
        cb();
        return;
      }
      this.size += chunk.length;
      this.core.counters.bytesReceived += chunk.length;
      this.md5?.update(chunk);
      this.crc.update(chunk);
      cb(null, chunk);
    }, cb);
  }
}

interface Received {
  size: number;
  md5: Buffer;
  crc64: string;
  file: string | undefined;
}

type Op =
  | 'InitiateMultipartUpload' | 'UploadPart' | 'ListParts' | 'CompleteMultipartUpload' | 'AbortMultipartUpload'
  | 'PutObject' | 'GetObject' | 'HeadObject' | 'DeleteObject' | 'ListMultipartUploads' | 'Unsupported';

function operation(method: string, key: string, q: URLSearchParams): Op {
  if (key === '') return method === 'GET' && q.has('uploads') ? 'ListMultipartUploads' : 'Unsupported';
  if (q.has('uploads') && method === 'POST') return 'InitiateMultipartUpload';
  if (q.has('uploadId')) {
    if (method === 'PUT' && q.has('partNumber')) return 'UploadPart';
    if (method === 'GET') return 'ListParts';
    if (method === 'POST') return 'CompleteMultipartUpload';
    if (method === 'DELETE') return 'AbortMultipartUpload';
    return 'Unsupported';
  }
  if ([...q.keys()].some((k) => k !== 'response-cache-control' && !k.startsWith('response-'))) return 'Unsupported';
  switch (method) {
    case 'PUT': return 'PutObject';
    case 'GET': return 'GetObject';
    case 'HEAD': return 'HeadObject';
    case 'DELETE': return 'DeleteObject';
    default: return 'Unsupported';
  }
}

const quoteEtag = (md5: Buffer) => `"${md5.toString('hex').toUpperCase()}"`;
const bareEtag = (etag: string) => etag.trim().replace(/^"|"$/g, '').toUpperCase();

export class OssHandler {
  constructor(private readonly core: SandboxCore) {}

  async handle(req: IncomingMessage, res: ServerResponse, bucket: string): Promise<void> {
    const requestId = ossRequestId();
    res.setHeader('x-oss-request-id', requestId);
    res.setHeader('Server', 'AliyunOSS');
    res.setHeader('Date', new Date().toUTCString());
    const url = new URL(req.url ?? '/', 'http://sandbox');
    const method = (req.method ?? 'GET').toUpperCase();
    let key: string;
    try {
      key = decodeURIComponent(url.pathname.slice(1));
    } catch {
      key = url.pathname.slice(1);
    }
    const op = operation(method, key, url.searchParams);
    this.core.count(`oss:${op}`);
    try {
      if (this.core.roll(this.core.faults.errorRate)) {
        this.core.counters.injected.errors++;
        throw new OssError(500, 'InternalError', 'We encountered an internal error. Please try again. (injected by the errorRate fault)');
      }
      this.authenticate(req, bucket, key, url.searchParams, op);
      if (bucket !== this.core.data.bucket) throw new OssError(404, 'NoSuchBucket', `The specified bucket ${bucket} does not exist.`, { BucketName: bucket });
      await this.dispatch(op, req, res, bucket, key, url.searchParams);
    } catch (err) {
      await this.fail(req, res, err, requestId, bucket);
    }
  }

  private authenticate(req: IncomingMessage, bucket: string, key: string, q: URLSearchParams, op: Op): void {
    const auth = parseAuthorization(req.headers);
    if (!auth) throw new OssError(403, 'AccessDenied', 'AccessDenied: anonymous access is forbidden for this operation; sign the request with an Authorization header.');
    checkRequestTime(req.headers, Date.now());
    const data = this.core.data;
    const toSign = ossStringToSign(req.method ?? 'GET', req.headers, canonicalResource(bucket, key, q));
    if (auth.accessKeyId === data.accessKeyId) {
      verifySignature(data.accessKeySecret, auth, toSign);
      return;
    }
    if (auth.accessKeyId === data.uploadOnly?.accessKeyId) {
      verifySignature(data.uploadOnly.accessKeySecret, auth, toSign);
      throw new OssError(403, 'AccessDenied', 'The upload-only RAM user has no OSS permission of its own; it writes with the STS credential in UploadAuth.');
    }
    const cred = data.credentials[auth.accessKeyId];
    if (!cred) throw new OssError(403, 'InvalidAccessKeyId', 'The OSS Access Key Id you provided does not exist in our records.', { OSSAccessKeyId: auth.accessKeyId });
    if (header(req, 'x-oss-security-token') !== cred.securityToken) {
      throw new OssError(403, 'InvalidSecurityToken', 'The security token you provided is invalid.');
    }
    if (Date.now() >= cred.expiresAt) {
      throw new OssError(403, 'SecurityTokenExpired', `The security token you provided has expired at ${new Date(cred.expiresAt).toISOString()}; ask VOD for a new one (RefreshUploadVideo).`);
    }
    verifySignature(cred.accessKeySecret, auth, toSign);
    if (op === 'ListMultipartUploads' || !this.core.credentialGrants(cred, bucket, key)) {
      const scope = `${cred.bucket}/${cred.objectKey}${cred.objectPrefix ? ` and ${cred.bucket}/${cred.objectPrefix}*` : ''}`;
      throw new OssError(403, 'AccessDenied', `The temporary credential only grants access to ${scope}.`);
    }
    if (this.core.ossDenyList && (op === 'ListParts' || op === 'HeadObject')) {
      // VOD does not document whether its upload policy allows reads; ossDenyList plays the strict case.
      throw new OssError(403, 'AccessDenied', `The temporary credential does not allow ${op} (the sandbox's ossDenyList option).`);
    }
  }

  private async dispatch(op: Op, req: IncomingMessage, res: ServerResponse, bucket: string, key: string, q: URLSearchParams): Promise<void> {
    switch (op) {
      case 'InitiateMultipartUpload': return this.initiate(req, res, bucket, key);
      case 'UploadPart': return this.uploadPart(req, res, bucket, key, q);
      case 'ListParts': return this.listParts(res, bucket, key, q);
      case 'CompleteMultipartUpload': return this.complete(req, res, bucket, key, q);
      case 'AbortMultipartUpload': return this.abort(res, bucket, key, q);
      case 'PutObject': return this.putObject(req, res, bucket, key);
      case 'GetObject': return this.getObject(req, res, bucket, key, true);
      case 'HeadObject': return this.getObject(req, res, bucket, key, false);
      case 'DeleteObject':
        await this.core.deleteObject(bucket, key);
        res.writeHead(204).end();
        return;
      case 'ListMultipartUploads': return this.listUploads(res, bucket, q);
      default:
        throw new OssError(501, 'NotImplemented', `The sandbox does not implement ${req.method} ${req.url}.`);
    }
  }

  private sendXml(res: ServerResponse, root: string, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
    const text = XML_HEAD + xml.build({ [root]: body });
    res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private async fail(req: IncomingMessage, res: ServerResponse, err: unknown, requestId: string, bucket: string): Promise<void> {
    await sendOssError(this.core, req, res, err, requestId, bucket);
  }

  /** The live upload, or NoSuchUpload when it is unknown, for another key, aborted, completed or expired. */
  private upload(bucket: string, key: string, uploadId: string | null): UploadRecord {
    const up = uploadId ? this.core.data.uploads[uploadId] : undefined;
    const noSuch = () => new OssError(404, 'NoSuchUpload', 'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted, completed or expired.', { UploadId: uploadId ?? '' });
    if (!up || up.bucket !== bucket || up.key !== key) throw noSuch();
    if (Date.now() - up.initiatedAt >= this.core.uploadExpiryMs) {
      delete this.core.data.uploads[up.uploadId];
      this.core.state.changed();
      void this.core.store.removeDir(`parts/${up.uploadId}`);
      throw noSuch();
    }
    return up;
  }

  private initiate(req: IncomingMessage, res: ServerResponse, bucket: string, key: string): void {
    const up: UploadRecord = {
      uploadId: hexId(16).toUpperCase(), bucket, key, initiatedAt: Date.now(), contentType: header(req, 'content-type'), parts: {},
    };
    this.core.data.uploads[up.uploadId] = up;
    this.core.state.changed();
    this.sendXml(res, 'InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: up.uploadId });
  }

  /** Checks Content-Length and Content-MD5 before any byte is read. */
  private bodyPreconditions(req: IncomingMessage): Buffer | undefined {
    const len = header(req, 'content-length');
    if (len === undefined && header(req, 'transfer-encoding') === undefined) {
      throw new OssError(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
    }
    if (len !== undefined && Number(len) > MAX_PART) {
      throw new OssError(400, 'EntityTooLarge', `Your proposed upload of ${len} bytes exceeds the maximum allowed size of ${MAX_PART} bytes.`);
    }
    const md5 = header(req, 'content-md5');
    if (md5 === undefined) return undefined;
    const digest = Buffer.from(md5, 'base64');
    if (digest.length !== 16 || digest.toString('base64') !== md5.trim()) {
      throw new OssError(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid: it must be the base64 of a 16-byte MD5.');
    }
    return digest;
  }

  /** Streams the body through the meter into the store at `relPath`. */
  private async receive(req: IncomingMessage, relPath: string, expectedMd5: Buffer | undefined): Promise<Received> {
    const faults = this.core.faults;
    const cutAfter = this.core.roll(faults.resetRate) ? faults.resetAfterBytes : undefined;
    const timeoutAfter = cutAfter === undefined && this.core.roll(faults.requestTimeoutRate) ? faults.resetAfterBytes : undefined;
    const meter = new BodyMeter(this.core, {
      cutAfter,
      timeoutAfter,
      onCut: () => {
        this.core.counters.injected.resets++;
        req.socket.destroy();
      },
      withMd5: this.core.etag === 'md5' || expectedMd5 !== undefined,
    });
    const incoming = this.core.store.receive(relPath);
    try {
      await pipeline(req, meter, incoming.stream);
    } catch (err) {
      await incoming.discard();
      throw err;
    }
    if (meter.timedOut) {
      await incoming.discard();
      this.core.counters.injected.requestTimeouts++;
      throw new OssError(400, 'RequestTimeout', 'Your socket connection to the server was not read from or written to within the timeout period. (injected by the requestTimeoutRate fault)');
    }
    if (meter.size > MAX_PART) {
      await incoming.discard();
      throw new OssError(400, 'EntityTooLarge', `The body of ${meter.size} bytes exceeds the maximum allowed size of ${MAX_PART} bytes.`);
    }
    const md5 = meter.digest();
    if (expectedMd5 && !md5.equals(expectedMd5)) {
      await incoming.discard();
      throw new OssError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.', {
        ExpectedMD5: expectedMd5.toString('base64'), CalculatedMD5: md5.toString('base64'),
      });
    }
    return { size: meter.size, md5, crc64: meter.crc.digest().toString(10), file: await incoming.commit() };
  }

  private async uploadPart(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, q: URLSearchParams): Promise<void> {
    const partNumber = Number(q.get('partNumber'));
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > MAX_PART_NUMBER) {
      throw new OssError(400, 'InvalidArgument', `Part number must be an integer between 1 and ${MAX_PART_NUMBER}, inclusive.`, { ArgumentName: 'partNumber', ArgumentValue: String(q.get('partNumber')) });
    }
    const up = this.upload(bucket, key, q.get('uploadId'));
    const expectedMd5 = this.bodyPreconditions(req);
    const gauge = this.core.counters.uploadParts;
    gauge.openMax = Math.max(gauge.openMax, ++gauge.open);
    gauge.receivingMax = Math.max(gauge.receivingMax, ++gauge.receiving);
    let got: Received;
    try {
      try {
        got = await this.receive(req, `parts/${up.uploadId}/${partNumber}`, expectedMd5);
      } finally {
        gauge.receiving--;
      }
      const answerMs = this.core.faults.partAnswerMs;
      if (answerMs > 0) await new Promise((r) => setTimeout(r, answerMs));
    } finally {
      gauge.open--;
    }
    if (!this.core.data.uploads[up.uploadId]) {
      // Aborted or completed while the body was arriving.
      if (got.file) await this.core.store.remove([got.file]);
      throw new OssError(404, 'NoSuchUpload', 'The specified upload was aborted or completed while this part was being uploaded.', { UploadId: up.uploadId });
    }
    const part: PartRecord = { partNumber, etag: quoteEtag(got.md5), size: got.size, crc64: got.crc64, lastModified: Date.now(), file: got.file };
    up.parts[String(partNumber)] = part;
    this.core.state.changed();
    res.writeHead(200, {
      ETag: part.etag, 'x-oss-hash-crc64ecma': part.crc64, 'Content-MD5': got.md5.toString('base64'), 'Content-Length': 0,
    });
    res.end();
  }

  private listParts(res: ServerResponse, bucket: string, key: string, q: URLSearchParams): void {
    const up = this.upload(bucket, key, q.get('uploadId'));
    const intArg = (name: string, def: number, min: number, max: number) => {
      const raw = q.get(name);
      if (raw === null || raw === '') return def;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min || n > max) {
        throw new OssError(400, 'InvalidArgument', `Argument ${name} must be an integer between ${min} and ${max}.`, { ArgumentName: name, ArgumentValue: raw });
      }
      return n;
    };
    const maxParts = intArg('max-parts', 1000, 1, 1000);
    const marker = intArg('part-number-marker', 0, 0, MAX_PART_NUMBER);
    const after = Object.values(up.parts).filter((p) => p.partNumber > marker).sort((a, b) => a.partNumber - b.partNumber);
    const page = after.slice(0, maxParts);
    const truncated = after.length > maxParts;
    this.sendXml(res, 'ListPartsResult', {
      Bucket: bucket,
      Key: key,
      UploadId: up.uploadId,
      PartNumberMarker: marker,
      NextPartNumberMarker: page.length ? page[page.length - 1].partNumber : marker,
      MaxParts: maxParts,
      IsTruncated: truncated ? 'true' : 'false',
      Part: page.map((p) => ({
        PartNumber: p.partNumber, LastModified: new Date(p.lastModified).toISOString(), ETag: p.etag, HashCrc64ecma: p.crc64, Size: p.size,
      })),
    });
  }

  private async readSmallBody(req: IncomingMessage): Promise<Buffer> {
    const body = await readSmallBody(req, MAX_COMPLETE_XML, () => new OssError(400, 'InvalidArgument', `The request body is larger than ${MAX_COMPLETE_XML} bytes.`));
    this.core.counters.bytesReceived += body.length;
    return body;
  }

  private async complete(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, q: URLSearchParams): Promise<void> {
    const up = this.upload(bucket, key, q.get('uploadId'));
    const expectedMd5 = this.bodyPreconditions(req);
    const body = await this.readSmallBody(req);
    if (expectedMd5 && !crypto.createHash('md5').update(body).digest().equals(expectedMd5)) {
      throw new OssError(400, 'BadDigest', 'The Content-MD5 you specified did not match what we received.');
    }
    let listed: { PartNumber?: unknown; ETag?: unknown }[];
    try {
      const doc = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Part' }).parse(body.toString('utf8')) as {
        CompleteMultipartUpload?: { Part?: { PartNumber?: unknown; ETag?: unknown }[] };
      };
      listed = doc.CompleteMultipartUpload?.Part ?? [];
    } catch {
      listed = [];
    }
    if (listed.length === 0) {
      throw new OssError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate: it must list at least one <Part> with <PartNumber> and <ETag>.');
    }
    const parts: PartRecord[] = [];
    let previous = 0;
    for (const item of listed) {
      const n = Number(item.PartNumber);
      const etag = typeof item.ETag === 'string' ? item.ETag : '';
      if (!Number.isInteger(n) || n < 1 || n > MAX_PART_NUMBER || !etag) {
        throw new OssError(400, 'MalformedXML', 'Each <Part> needs a <PartNumber> from 1 to 10000 and an <ETag>.');
      }
      if (n <= previous) throw new OssError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.');
      previous = n;
      const part = up.parts[String(n)];
      if (!part || bareEtag(part.etag) !== bareEtag(etag)) {
        throw new OssError(400, 'InvalidPart', `One or more of the specified parts could not be found or the specified entity tag did not match the part's entity tag (part ${n}).`, { PartNumber: String(n), ETag: etag });
      }
      parts.push(part);
    }
    parts.forEach((p, i) => {
      if (i < parts.length - 1 && p.size < MIN_PART) {
        throw new OssError(400, 'EntityTooSmall', `Your proposed upload is smaller than the minimum allowed size: part ${p.partNumber} is ${p.size} bytes; every part but the last must be at least ${MIN_PART} bytes.`, { PartNumber: String(p.partNumber), ProposedSize: String(p.size), MinSizeAllowed: String(MIN_PART) });
      }
    });
    // The object's CRC from the parts' CRCs (no second read of the bytes).
    let crc = 0n;
    let size = 0;
    const md5s = crypto.createHash('md5');
    for (const p of parts) {
      crc = size === 0 ? BigInt(p.crc64) : crc64Combine(crc, BigInt(p.crc64), p.size);
      size += p.size;
      md5s.update(Buffer.from(bareEtag(p.etag), 'hex'));
    }
    const etag = `"${md5s.digest('hex').toUpperCase()}-${parts.length}"`;
    const segments: Segment[] | undefined = this.core.store.kind === 'disk' ? parts.map((p) => ({ file: p.file ?? '', size: p.size })) : undefined;
    const used = new Set(parts.map((p) => p.partNumber));
    const unused = Object.values(up.parts).filter((p) => !used.has(p.partNumber) && p.file).map((p) => p.file as string);
    delete this.core.data.uploads[up.uploadId];
    const obj: ObjectRecord = {
      bucket, key, size, etag, crc64: crc.toString(10), lastModified: Date.now(), contentType: up.contentType ?? 'application/octet-stream', segments,
    };
    await this.core.putObject(obj);
    await this.core.store.remove(unused);
    this.sendXml(res, 'CompleteMultipartUploadResult', {
      Location: `http://${bucket}.oss-${this.core.region}.aliyuncs.com/${key}`, Bucket: bucket, Key: key, ETag: etag,
    }, { ETag: etag, 'x-oss-hash-crc64ecma': obj.crc64 });
  }

  private async abort(res: ServerResponse, bucket: string, key: string, q: URLSearchParams): Promise<void> {
    const up = this.upload(bucket, key, q.get('uploadId'));
    delete this.core.data.uploads[up.uploadId];
    this.core.state.changed();
    await this.core.store.removeDir(`parts/${up.uploadId}`);
    res.writeHead(204).end();
  }

  private async putObject(req: IncomingMessage, res: ServerResponse, bucket: string, key: string): Promise<void> {
    const expectedMd5 = this.bodyPreconditions(req);
    const got = await this.receive(req, `objects/${hexId(16)}`, expectedMd5);
    const etag = quoteEtag(got.md5);
    await this.core.putObject({
      bucket, key, size: got.size, etag, crc64: got.crc64, lastModified: Date.now(),
      contentType: header(req, 'content-type') ?? 'application/octet-stream',
      segments: got.file ? [{ file: got.file, size: got.size }] : undefined,
    });
    res.writeHead(200, { ETag: etag, 'x-oss-hash-crc64ecma': got.crc64, 'Content-MD5': got.md5.toString('base64'), 'Content-Length': 0 });
    res.end();
  }

  private async getObject(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, withBody: boolean): Promise<void> {
    const obj = this.core.getObject(bucket, key);
    if (!obj) throw new OssError(404, 'NoSuchKey', 'The specified key does not exist.', { Key: key });
    await sendObject(this.core, req, res, obj, withBody);
  }

  private listUploads(res: ServerResponse, bucket: string, q: URLSearchParams): void {
    const prefix = q.get('prefix') ?? '';
    const ups = Object.values(this.core.data.uploads)
      .filter((u) => u.bucket === bucket && u.key.startsWith(prefix))
      .sort((a, b) => (a.key === b.key ? a.initiatedAt - b.initiatedAt : a.key < b.key ? -1 : 1))
      .slice(0, 1000);
    this.sendXml(res, 'ListMultipartUploadsResult', {
      Bucket: bucket, Prefix: prefix, MaxUploads: 1000, IsTruncated: 'false',
      Upload: ups.map((u) => ({ Key: u.key, UploadId: u.uploadId, Initiated: new Date(u.initiatedAt).toISOString() })),
    });
  }
}

/** Answers an error as OSS does: XML body, or for HEAD the XML base64 in x-oss-err. */
export async function sendOssError(core: SandboxCore, req: IncomingMessage, res: ServerResponse, err: unknown, requestId: string, bucket: string): Promise<void> {
  if (res.headersSent || req.socket.destroyed) {
    req.socket.destroy();
    return;
  }
  const e = err instanceof OssError ? err : new OssError(500, 'InternalError', `The sandbox failed: ${(err as Error).message}`);
  core.countError(e.code);
  // Read the rest of the body first: a client still writing a part would otherwise
  // see a broken pipe instead of the error that tells it what to do.
  if (!req.readableEnded) {
    req.resume();
    await new Promise<void>((resolve) => { req.once('end', resolve); req.once('close', resolve); });
  }
  if (req.socket.destroyed) return;
  const body = XML_HEAD + xml.build({
    Error: { Code: e.code, Message: e.message, RequestId: requestId, HostId: `${bucket}.oss-${core.region}.aliyuncs.com`, ...e.extra },
  });
  if (req.method === 'HEAD') {
    // A HEAD answer has no body; OSS puts the error XML, base64, in x-oss-err instead
    // (ali-oss's requestError reads it to give HEAD errors their code).
    res.writeHead(e.status, { 'Content-Type': 'application/xml', 'x-oss-err': Buffer.from(body).toString('base64'), 'x-oss-request-id': requestId });
    res.end();
    return;
  }
  res.writeHead(e.status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body), 'x-oss-request-id': requestId });
  res.end(body);
}

/**
 * The body of a signed-URL download, through the fault settings: the global bandwidth
 * bucket, and with resetRate the connection destroyed after resetAfterBytes.
 */
class DownloadMeter extends Transform {
  private sent = 0;
  private cut = false;

  constructor(private readonly core: SandboxCore, private readonly cutAfter: number | undefined, private readonly socket: Socket) {
    super();
  }

  override _transform(chunk: Buffer, _enc: BufferEncoding, cb: TransformCallback): void {
    if (this.cut) {
      cb();
      return;
    }
    this.core.bandwidth.take(chunk.length).then(() => {
      if (this.cutAfter !== undefined && this.sent + chunk.length >= this.cutAfter) {
        const keep = Math.max(0, this.cutAfter - this.sent);
        this.cut = true;
        this.core.counters.injected.resets++;
        this.core.counters.bytesSent += keep;
        if (keep > 0) this.push(chunk.subarray(0, keep));
        // Let what was pushed reach the socket, then cut it as a broken connection would.
        setImmediate(() => this.socket.destroy());
        cb();
        return;
      }
      this.sent += chunk.length;
      this.core.counters.bytesSent += chunk.length;
      cb(null, chunk);
    }, cb);
  }
}

/** `bytes=a-b`, `bytes=a-`, `bytes=-n`; undefined (whole object) when absent or malformed, as OSS does. */
export function parseRange(raw: string | undefined, size: number): { start: number; end: number } | 'unsatisfiable' | undefined {
  const m = raw ? /^bytes=(\d*)-(\d*)$/.exec(raw.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  let start: number;
  let end: number;
  if (m[1] === '') {
    const n = Number(m[2]);
    if (n === 0) return 'unsatisfiable';
    start = Math.max(0, size - n);
    end = size - 1;
  } else {
    start = Number(m[1]);
    end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
    if (m[2] !== '' && Number(m[2]) < start) return undefined;
  }
  if (start >= size) return 'unsatisfiable';
  return { start, end };
}

/**
 * Answers GET/HEAD for a stored object, with Range; shared by OSS, the unsigned file URLs
 * and the signed media URLs (`faults`: bandwidth and resetRate apply to the body).
 */
export async function sendObject(
  core: SandboxCore, req: IncomingMessage, res: ServerResponse, obj: ObjectRecord, withBody: boolean,
  opts: { faults?: boolean; dialect?: 'oss' | 'cos' } = {},
): Promise<void> {
  const range = parseRange(header(req, 'range'), obj.size);
  if (range === 'unsatisfiable') {
    throw new OssError(416, 'InvalidRange', `The requested range cannot be satisfied: the object has ${obj.size} bytes.`, { ActualObjectSize: String(obj.size) });
  }
  // The same object answer in both clouds' words: OSS's x-oss-* headers, or COS's
  // (x-cos-hash-crc64ecma, x-cos-storage-class) for the Tencent personality's media URLs.
  const cloud: Record<string, string> = opts.dialect === 'cos'
    ? { 'x-cos-hash-crc64ecma': obj.crc64, 'x-cos-storage-class': 'STANDARD' }
    : { 'x-oss-object-type': obj.etag.includes('-') ? 'Multipart' : 'Normal', 'x-oss-hash-crc64ecma': obj.crc64 };
  const headers: Record<string, string | number> = {
    'Content-Type': obj.contentType,
    ETag: obj.etag,
    'Last-Modified': new Date(obj.lastModified).toUTCString(),
    'Accept-Ranges': 'bytes',
    ...cloud,
  };
  const start = range ? range.start : 0;
  const end = range ? range.end : obj.size - 1;
  headers['Content-Length'] = obj.size === 0 ? 0 : end - start + 1;
  if (range) headers['Content-Range'] = `bytes ${start}-${end}/${obj.size}`;
  if (!withBody) {
    res.writeHead(range ? 206 : 200, headers).end();
    return;
  }
  const stream = obj.size === 0 ? undefined : core.openObject(obj, start, end);
  if (obj.size > 0 && !stream) {
    throw new OssError(501, 'NotImplemented', 'This sandbox runs with the null store, which keeps sizes and hashes but not bytes; start it with the disk store to read objects back.');
  }
  res.writeHead(range ? 206 : 200, headers);
  if (!stream) {
    res.end();
    return;
  }
  core.counters.gets.push({ bucket: obj.bucket, key: obj.key, start, end });
  if (opts.faults) {
    const cutAfter = core.roll(core.faults.resetRate) ? core.faults.resetAfterBytes : undefined;
    await pipeline(stream, new DownloadMeter(core, cutAfter, req.socket), res).catch(() => res.destroy());
    return;
  }
  await pipeline(stream, res).catch(() => res.destroy());
}

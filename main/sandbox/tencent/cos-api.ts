// The COS half of the Tencent personality: the multipart and object operations of COS's
// XML API on the one bucket ApplyUpload hands out, authenticated with COS's
// q-sign-algorithm=sha1 signature (cos-signature.ts) and the temporary key from
// ApplyUpload's TempCertificate (x-cos-security-token). Bodies stream through the same
// meter as OSS's (bandwidth cap, resetRate, requestTimeoutRate, MD5 and CRC-64) into the
// same store; objects and uploads share the sandbox's tables, keyed by this bucket.
//
// Reference: COS API docs (https://cloud.tencent.com/document/product/436/7751 and the
// operations listed there), error codes https://intl.cloud.tencent.com/document/api/436/7730,
// 403 causes https://www.tencentcloud.com/document/product/436/40105.
import crypto from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import { pipeline } from 'stream/promises';
import { XMLBuilder, XMLParser } from 'fast-xml-parser';
import { crc64Combine } from '../../engine/oss/crc64';
import type { SandboxCore } from '../core';
import { hexId } from '../ids';
import { BodyMeter, parseRange } from '../oss-api';
import { readSmallBody } from '../read-body';
import type { ObjectRecord, PartRecord, Segment, UploadRecord } from '../state';
import { CosError, parseCosAuthorization, verifyCosSignature } from './cos-signature';
import type { TencentData } from './state';

/** COS: every part but the last at least 1 MB (CompleteMultipartUpload answers 400 EntityTooSmall), at most 5 GB, numbers 1–10000. */
export const COS_MIN_PART = 1024 * 1024;
export const COS_MAX_PART = 5 * 1024 ** 3;
export const COS_MAX_PART_NUMBER = 10_000;
const MAX_COMPLETE_XML = 4 * 1024 * 1024;

const xml = new XMLBuilder({});
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

type Op =
  | 'InitiateMultipartUpload' | 'UploadPart' | 'ListParts' | 'CompleteMultipartUpload' | 'AbortMultipartUpload'
  | 'ListMultipartUploads' | 'PutObject' | 'GetObject' | 'HeadObject' | 'Unsupported';

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
  switch (method) {
    case 'PUT': return 'PutObject';
    case 'GET': return 'GetObject';
    case 'HEAD': return 'HeadObject';
    default: return 'Unsupported';
  }
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(',') : v;
}

/** COS ETags are the lower-case MD5 hex in quotes (cos-nodejs-sdk-v5 compares them with its own MD5 when resuming). */
const quoteEtag = (md5: Buffer) => `"${md5.toString('hex')}"`;
const bareEtag = (etag: string) => etag.trim().replace(/^"|"$/g, '').toLowerCase();

export interface CosRequestTarget {
  bucket: string;
  /** The object key (may itself begin with "/", as VOD's storage paths do). */
  key: string;
  /** The paths the client may have signed: "/<key>" and, for the path form, "/<bucket>/<key>". */
  signedPaths: string[];
}

export class CosHandler {
  constructor(private readonly core: SandboxCore, private readonly tc: () => TencentData, private readonly region: () => string) {}

  async handle(req: IncomingMessage, res: ServerResponse, target: CosRequestTarget, query: URLSearchParams): Promise<void> {
    const requestId = Buffer.from(hexId(24)).toString('base64').slice(0, 32);
    res.setHeader('x-cos-request-id', requestId);
    res.setHeader('Server', 'tencent-cos');
    res.setHeader('Date', new Date().toUTCString());
    const method = (req.method ?? 'GET').toUpperCase();
    const { bucket, key } = target;
    const op = operation(method, key, query);
    this.core.count(`cos:${op}`);
    try {
      if (this.core.roll(this.core.faults.errorRate)) {
        this.core.counters.injected.errors++;
        throw new CosError(500, 'InternalError', 'We encountered an internal error. Please try again. (injected by the errorRate fault)');
      }
      this.authenticate(req, target, query, op);
      if (bucket !== this.tc().bucket) throw new CosError(404, 'NoSuchBucket', 'The specified bucket does not exist.');
      await this.dispatch(op, req, res, bucket, key, query);
    } catch (err) {
      await this.fail(req, res, err, requestId, `${bucket}/${key}`);
    }
  }

  private authenticate(req: IncomingMessage, target: CosRequestTarget, query: URLSearchParams, op: Op): void {
    const auth = parseCosAuthorization(header(req, 'authorization'));
    if (!auth) throw new CosError(403, 'AccessDenied', 'Access Denied. (the request carries no q-sign-algorithm=sha1 Authorization)');
    const tc = this.tc();
    const method = req.method ?? 'GET';
    if (auth.secretId === tc.secretId) {
      // VOD's storage bucket is the platform's, not the account's (vod-js-sdk-v6 names it with a separate
      // storageAppId): the account's own key has no COS access there; uploads use TempCertificate.
      verifyCosSignature(tc.secretKey, auth, method, target.signedPaths, query, req.headers, Date.now());
      throw new CosError(403, 'AccessDenied', 'Access Denied. (the account\'s own SecretId has no access to VOD\'s storage bucket; upload with ApplyUpload\'s TempCertificate)');
    }
    const cred = tc.credentials[auth.secretId];
    if (!cred) throw new CosError(403, 'InvalidAccessKeyId', 'The Access Key Id you provided does not exist in our records.');
    if (header(req, 'x-cos-security-token') !== cred.token) {
      throw new CosError(403, 'InvalidAccessKeyId', 'The temporary SecretId needs its own x-cos-security-token (TempCertificate.Token); it is missing or not this key\'s.');
    }
    if (Date.now() >= cred.expiresAt) {
      throw new CosError(400, 'ExpiredToken', `The provided token has expired (TempCertificate.ExpiredTime ${Math.floor(cred.expiresAt / 1000)}); renew it (ApplyUploadUGC with the vodSessionKey) or apply for a new upload (ApplyUpload).`);
    }
    verifyCosSignature(cred.secretKey, auth, method, target.signedPaths, query, req.headers, Date.now());
    // VOD's storage paths begin with "/"; cos-nodejs-sdk-v5 drops a key's leading "/" before sending, so compare without it.
    const prefix = cred.prefix.replace(/^\/+/, '');
    const inScope = (k: string) => k.startsWith(prefix) && k.length > prefix.length;
    const allowed = target.bucket === cred.bucket && (op === 'ListMultipartUploads'
      ? (query.get('prefix') ?? '').startsWith(prefix)
      : inScope(target.key));
    if (!allowed) throw new CosError(403, 'AccessDenied', `Access Denied. (the temporary key grants ${cred.bucket}/${prefix}* only)`);
  }

  private async dispatch(op: Op, req: IncomingMessage, res: ServerResponse, bucket: string, key: string, q: URLSearchParams): Promise<void> {
    switch (op) {
      case 'InitiateMultipartUpload': return this.initiate(req, res, bucket, key);
      case 'UploadPart': return this.uploadPart(req, res, bucket, key, q);
      case 'ListParts': return this.listParts(res, bucket, key, q);
      case 'CompleteMultipartUpload': return this.complete(req, res, bucket, key, q);
      case 'AbortMultipartUpload': return this.abort(res, bucket, key, q);
      case 'ListMultipartUploads': return this.listUploads(res, bucket, q);
      case 'PutObject': return this.putObject(req, res, bucket, key);
      case 'GetObject': return this.getObject(req, res, bucket, key, true);
      case 'HeadObject': return this.getObject(req, res, bucket, key, false);
      default:
        throw new CosError(501, 'NotImplemented', `The sandbox's COS does not implement ${req.method} ${req.url}.`);
    }
  }

  private sendXml(res: ServerResponse, root: string, body: Record<string, unknown>, headers: Record<string, string> = {}): void {
    const text = XML_HEAD + xml.build({ [root]: body });
    res.writeHead(200, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(text), ...headers });
    res.end(text);
  }

  private async fail(req: IncomingMessage, res: ServerResponse, err: unknown, requestId: string, resource: string): Promise<void> {
    if (res.headersSent || req.socket.destroyed) {
      req.socket.destroy();
      return;
    }
    const e = err instanceof CosError ? err : new CosError(500, 'InternalError', `The sandbox failed: ${(err as Error).message}`);
    this.core.countError(`cos:${e.code}`);
    if (!req.readableEnded) {
      // Read the rest first: a client still writing a part would otherwise see a broken pipe, not the error.
      req.resume();
      await new Promise<void>((resolve) => { req.once('end', resolve); req.once('close', resolve); });
    }
    if (req.socket.destroyed) return;
    const body = XML_HEAD + xml.build({ Error: { Code: e.code, Message: e.message, Resource: resource, RequestId: requestId, TraceId: hexId(16) } });
    if (req.method === 'HEAD') {
      res.writeHead(e.status, { 'Content-Type': 'application/xml' }).end();
      return;
    }
    res.writeHead(e.status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
    res.end(body);
  }

  private upload(bucket: string, key: string, uploadId: string | null): UploadRecord {
    const up = uploadId ? this.core.data.uploads[uploadId] : undefined;
    const noSuch = () => new CosError(404, 'NoSuchUpload', 'The specified multipart upload does not exist.');
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
    // COS upload ids: a timestamp-led string (e.g. "1585130821cbb7df1d11846c073ad648e8f33b087cec2381df437acdc833cf654b9ecc6361").
    const up: UploadRecord = {
      uploadId: `${Math.floor(Date.now() / 1000)}${hexId(32)}`, bucket, key, initiatedAt: Date.now(), contentType: header(req, 'content-type'), parts: {},
    };
    this.core.data.uploads[up.uploadId] = up;
    this.core.state.changed();
    this.sendXml(res, 'InitiateMultipartUploadResult', { Bucket: bucket, Key: key, UploadId: up.uploadId });
  }

  private bodyPreconditions(req: IncomingMessage): Buffer | undefined {
    const len = header(req, 'content-length');
    if (len === undefined && header(req, 'transfer-encoding') === undefined) {
      throw new CosError(411, 'MissingContentLength', 'You must provide the Content-Length HTTP header.');
    }
    if (len !== undefined && Number(len) > COS_MAX_PART) {
      throw new CosError(400, 'EntityTooLarge', `Your proposed upload of ${len} bytes exceeds the maximum allowed object size (5 GB per request).`);
    }
    const md5 = header(req, 'content-md5');
    if (md5 === undefined) return undefined;
    const digest = Buffer.from(md5, 'base64');
    if (digest.length !== 16) throw new CosError(400, 'InvalidDigest', 'The Content-MD5 you specified is not valid.');
    return digest;
  }

  private async receive(req: IncomingMessage, relPath: string, expectedMd5: Buffer | undefined): Promise<{ size: number; md5: Buffer; crc64: string; file: string | undefined }> {
    const faults = this.core.faults;
    const cutAfter = this.core.roll(faults.resetRate) ? faults.resetAfterBytes : undefined;
    const timeoutAfter = cutAfter === undefined && this.core.roll(faults.requestTimeoutRate) ? faults.resetAfterBytes : undefined;
    const meter = new BodyMeter(this.core, {
      cutAfter, timeoutAfter, withMd5: true,
      onCut: () => {
        this.core.counters.injected.resets++;
        req.socket.destroy();
      },
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
      throw new CosError(400, 'RequestTimeout', 'Your socket connection to the server was not read from or written to within the timeout period. (injected by the requestTimeoutRate fault)');
    }
    const md5 = meter.digest();
    if (expectedMd5 && !md5.equals(expectedMd5)) {
      await incoming.discard();
      throw new CosError(400, 'BadDigest', 'The Content-MD5 you specified did not match what was received.');
    }
    return { size: meter.size, md5, crc64: meter.crc.digest().toString(10), file: await incoming.commit() };
  }

  private async uploadPart(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, q: URLSearchParams): Promise<void> {
    const partNumber = Number(q.get('partNumber'));
    if (!Number.isInteger(partNumber) || partNumber < 1 || partNumber > COS_MAX_PART_NUMBER) {
      throw new CosError(400, 'InvalidArgument', `Part number must be an integer between 1 and ${COS_MAX_PART_NUMBER}, inclusive.`);
    }
    const up = this.upload(bucket, key, q.get('uploadId'));
    const expectedMd5 = this.bodyPreconditions(req);
    const got = await this.receive(req, `parts/${up.uploadId}/${partNumber}`, expectedMd5);
    if (!this.core.data.uploads[up.uploadId]) {
      if (got.file) await this.core.store.remove([got.file]);
      throw new CosError(404, 'NoSuchUpload', 'The specified multipart upload was aborted or completed while this part was arriving.');
    }
    const part: PartRecord = { partNumber, etag: quoteEtag(got.md5), size: got.size, crc64: got.crc64, lastModified: Date.now(), file: got.file };
    up.parts[String(partNumber)] = part;
    this.core.state.changed();
    res.writeHead(200, { ETag: part.etag, 'x-cos-hash-crc64ecma': part.crc64, 'Content-Length': 0 });
    res.end();
    // Acknowledgements per upload and part (`stats().requests['cos:acked:<uploadId>:<n>']`):
    // a resumed upload must never send again a part COS acknowledged.
    this.core.count(`cos:acked:${up.uploadId}:${partNumber}`);
  }

  private listParts(res: ServerResponse, bucket: string, key: string, q: URLSearchParams): void {
    const up = this.upload(bucket, key, q.get('uploadId'));
    const intArg = (name: string, def: number, min: number, max: number) => {
      const raw = q.get(name);
      if (raw === null || raw === '') return def;
      const n = Number(raw);
      if (!Number.isInteger(n) || n < min || n > max) throw new CosError(400, 'InvalidArgument', `Argument ${name} must be an integer between ${min} and ${max}.`);
      return n;
    };
    const maxParts = intArg('max-parts', 1000, 1, 1000);
    const marker = intArg('part-number-marker', 0, 0, COS_MAX_PART_NUMBER);
    const after = Object.values(up.parts).filter((p) => p.partNumber > marker).sort((a, b) => a.partNumber - b.partNumber);
    const page = after.slice(0, maxParts);
    const owner = { ID: `qcs::cam::uin/${this.tc().appId}:uin/${this.tc().appId}`, DisplayName: String(this.tc().appId) };
    this.sendXml(res, 'ListPartsResult', {
      Bucket: bucket,
      Key: key,
      UploadId: up.uploadId,
      Initiator: owner,
      Owner: owner,
      StorageClass: 'STANDARD',
      PartNumberMarker: marker,
      NextPartNumberMarker: page.length ? page[page.length - 1].partNumber : marker,
      MaxParts: maxParts,
      IsTruncated: after.length > maxParts ? 'true' : 'false',
      Part: page.map((p) => ({ PartNumber: p.partNumber, LastModified: new Date(p.lastModified).toISOString(), ETag: p.etag, Size: p.size })),
    });
  }

  private async complete(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, q: URLSearchParams): Promise<void> {
    const up = this.upload(bucket, key, q.get('uploadId'));
    const body = await readSmallBody(req, MAX_COMPLETE_XML, () => new CosError(400, 'InvalidArgument', `The request body is larger than ${MAX_COMPLETE_XML} bytes.`));
    let listed: { PartNumber?: unknown; ETag?: unknown }[] = [];
    try {
      const doc = new XMLParser({ parseTagValue: false, isArray: (name) => name === 'Part' }).parse(body.toString('utf8')) as {
        CompleteMultipartUpload?: { Part?: { PartNumber?: unknown; ETag?: unknown }[] };
      };
      listed = doc.CompleteMultipartUpload?.Part ?? [];
    } catch {
      listed = [];
    }
    if (listed.length === 0) throw new CosError(400, 'MalformedXML', 'The XML you provided was not well-formed or did not validate against our published schema.');
    const parts: PartRecord[] = [];
    let previous = 0;
    for (const item of listed) {
      const n = Number(item.PartNumber);
      const etag = typeof item.ETag === 'string' ? item.ETag : '';
      if (!Number.isInteger(n) || n < 1 || n > COS_MAX_PART_NUMBER || !etag) throw new CosError(400, 'MalformedXML', 'Each <Part> needs a <PartNumber> from 1 to 10000 and an <ETag>.');
      if (n <= previous) throw new CosError(400, 'InvalidPartOrder', 'The list of parts was not in ascending order. The parts list must be specified in order by part number.');
      previous = n;
      const part = up.parts[String(n)];
      if (!part || bareEtag(part.etag) !== bareEtag(etag)) {
        throw new CosError(400, 'InvalidPart', `One or more of the specified parts could not be found or the specified entity tag did not match the part's entity tag (part ${n}).`);
      }
      parts.push(part);
    }
    parts.forEach((p, i) => {
      if (i < parts.length - 1 && p.size < COS_MIN_PART) {
        throw new CosError(400, 'EntityTooSmall', `Your proposed upload is smaller than the minimum allowed object size: part ${p.partNumber} is ${p.size} bytes; every part but the last must be at least 1 MB.`);
      }
    });
    let crc = 0n;
    let size = 0;
    const md5s = crypto.createHash('md5');
    for (const p of parts) {
      crc = size === 0 ? BigInt(p.crc64) : crc64Combine(crc, BigInt(p.crc64), p.size);
      size += p.size;
      md5s.update(Buffer.from(bareEtag(p.etag), 'hex'));
    }
    const etag = `"${md5s.digest('hex')}-${parts.length}"`;
    const segments: Segment[] | undefined = this.core.store.kind === 'disk' ? parts.map((p) => ({ file: p.file ?? '', size: p.size })) : undefined;
    const used = new Set(parts.map((p) => p.partNumber));
    const unused = Object.values(up.parts).filter((p) => !used.has(p.partNumber) && p.file).map((p) => p.file as string);
    delete this.core.data.uploads[up.uploadId];
    const obj: ObjectRecord = { bucket, key, size, etag, crc64: crc.toString(10), lastModified: Date.now(), contentType: up.contentType ?? 'application/octet-stream', segments };
    await this.core.putObject(obj);
    await this.core.store.remove(unused);
    this.sendXml(res, 'CompleteMultipartUploadResult', {
      Location: `${bucket}.cos.${this.region()}.myqcloud.com/${key}`, Bucket: bucket, Key: key, ETag: etag,
    }, { 'x-cos-hash-crc64ecma': obj.crc64 });
  }

  private async abort(res: ServerResponse, bucket: string, key: string, q: URLSearchParams): Promise<void> {
    const up = this.upload(bucket, key, q.get('uploadId'));
    delete this.core.data.uploads[up.uploadId];
    this.core.state.changed();
    await this.core.store.removeDir(`parts/${up.uploadId}`);
    res.writeHead(204).end();
  }

  private listUploads(res: ServerResponse, bucket: string, q: URLSearchParams): void {
    const prefix = q.get('prefix') ?? '';
    const ups = Object.values(this.core.data.uploads)
      .filter((u) => u.bucket === bucket && u.key.startsWith(prefix))
      .sort((a, b) => (a.key === b.key ? a.initiatedAt - b.initiatedAt : a.key < b.key ? -1 : 1))
      .slice(0, 1000);
    this.sendXml(res, 'ListMultipartUploadsResult', {
      Bucket: bucket, Prefix: prefix, MaxUploads: 1000, IsTruncated: 'false',
      Upload: ups.map((u) => ({ Key: u.key, UploadId: u.uploadId, StorageClass: 'STANDARD', Initiated: new Date(u.initiatedAt).toISOString() })),
    });
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
    res.writeHead(200, { ETag: etag, 'x-cos-hash-crc64ecma': got.crc64, 'Content-Length': 0 });
    res.end();
  }

  private async getObject(req: IncomingMessage, res: ServerResponse, bucket: string, key: string, withBody: boolean): Promise<void> {
    const obj = this.core.getObject(bucket, key);
    if (!obj) throw new CosError(404, 'NoSuchKey', 'The specified key does not exist.');
    const range = parseRange(header(req, 'range'), obj.size);
    if (range === 'unsatisfiable') throw new CosError(416, 'InvalidRange', 'The requested range is not satisfiable.');
    const start = range ? range.start : 0;
    const end = range ? range.end : obj.size - 1;
    const headers: Record<string, string | number> = {
      'Content-Type': obj.contentType,
      ETag: obj.etag,
      'Last-Modified': new Date(obj.lastModified).toUTCString(),
      'Accept-Ranges': 'bytes',
      'x-cos-hash-crc64ecma': obj.crc64,
      'x-cos-storage-class': 'STANDARD',
      'Content-Length': obj.size === 0 ? 0 : end - start + 1,
    };
    if (range) headers['Content-Range'] = `bytes ${start}-${end}/${obj.size}`;
    if (!withBody || obj.size === 0) {
      res.writeHead(range ? 206 : 200, headers).end();
      return;
    }
    const stream = this.core.store.read(obj.segments ?? [], start, end);
    if (!stream) throw new CosError(501, 'NotImplemented', 'This sandbox runs with the null store, which keeps sizes and hashes but not bytes.');
    res.writeHead(range ? 206 : 200, headers);
    await pipeline(stream, res).catch(() => res.destroy());
  }
}

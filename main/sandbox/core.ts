// What the VOD and OSS halves of the sandbox share: the state, the store, the live
// fault settings, counters, and the rules that tie them together (credentials that
// grant one object, videos that change status when their object is complete).
import { DEFAULT_FAULTS, TokenBucket, type Faults } from './faults';
import { accessKeyId, hexId, isoSeconds } from './ids';
import { NonceBook } from './vod-signature';
import { DEFAULT_APP_ID, DEFAULT_TEMPLATE_GROUP_ID, NO_TRANSCODE_GROUP_ID, TEMPLATE_GROUPS } from './catalog';
import { missingHlsFiles } from './hls-package';
import { MediaLibrary } from './media-library';
import type { ObjectStore } from './object-store';
import type { CredentialRecord, ImageRecord, KeyPair, ObjectRecord, StateStore, VideoRecord, VideoStatus } from './state';
import { objectId } from './state';
import type { Readable } from 'stream';
import crypto from 'crypto';
import { crc64 } from '../engine/oss/crc64';
import { syntheticCrc64, syntheticEtag, syntheticStream } from './synthetic';
import { derivedObject } from './media';
import { cdnSignedUrl, ossSignedUrl, type OutputType } from './url-signing';

export interface SandboxStats {
  requests: Record<string, number>;
  errors: Record<string, number>;
  createUploadVideo: number;
  bytesReceived: number;
  /** Body bytes sent for signed media URLs (/__oss, /__cdn). */
  bytesSent: number;
  injected: { errors: number; resets: number; throttles: number; outageDrops: number; lostAnswers: number; requestTimeouts: number; expiredUrls: number };
  videos: number;
  uploadsInProgress: number;
  objects: number;
  /** The most UploadPart requests open at once, and the most of them still receiving their body. */
  uploadPartsMax: { open: number; receiving: number };
}

/** One GET of an object's bytes, as served (end inclusive). */
export interface ServedGet {
  bucket: string;
  key: string;
  start: number;
  end: number;
}

export interface CoreOptions {
  url: string;
  region: string;
  state: StateStore;
  store: ObjectStore;
  faults: Partial<Faults>;
  transcodeMs: number;
  uploadExpirySeconds: number;
  /** 'md5' as OSS; 'crc64' derives part ETags from the CRC-64 instead (see SandboxOptions.etag). */
  etag?: 'md5' | 'crc64';
  /** Review before publishing: a video that would become Normal becomes Checking (SandboxOptions.review). */
  review?: boolean;
  /** A new video is found by SearchMedia only this long after creation (SandboxOptions.searchLagMs). */
  searchLagMs?: number;
  /** STS credentials may not ListParts or HeadObject (SandboxOptions.ossDenyList). */
  ossDenyList?: boolean;
  /** An unused SearchMedia ScrollToken is forgotten after this long (SandboxOptions.scrollTokenTtlMs). */
  scrollTokenTtlMs?: number;
}

export class SandboxCore {
  readonly url: string;
  readonly region: string;
  readonly state: StateStore;
  readonly store: ObjectStore;
  readonly transcodeMs: number;
  readonly etag: 'md5' | 'crc64';
  readonly uploadExpiryMs: number;
  readonly review: boolean;
  readonly searchLagMs: number;
  readonly ossDenyList: boolean;
  readonly nonces = new NonceBook();
  /** SearchMedia's index and scroll sessions, the bulk edit and delete actions (media-library.ts). */
  readonly library: MediaLibrary;
  /** More derived objects: the Tencent personality's transcodes, snapshots and seeded sources (tencent/media-objects.ts). */
  readonly derivers: Array<(bucket: string, key: string) => ObjectRecord | undefined> = [];
  faults: Faults;
  readonly bandwidth: TokenBucket;
  readonly counters = {
    requests: {} as Record<string, number>,
    errors: {} as Record<string, number>,
    createUploadVideo: 0,
    bytesReceived: 0,
    bytesSent: 0,
    /** Every GET answered with bytes (OSS or file URL): which object, which bytes; for tests of resumed downloads. */
    gets: [] as ServedGet[],
    injected: { errors: 0, resets: 0, throttles: 0, outageDrops: 0, lostAnswers: 0, requestTimeouts: 0, expiredUrls: 0 },
    uploadParts: { open: 0, receiving: 0, openMax: 0, receivingMax: 0 },
  };

  constructor(o: CoreOptions) {
    this.url = o.url;
    this.region = o.region;
    this.state = o.state;
    this.store = o.store;
    this.transcodeMs = o.transcodeMs;
    this.etag = o.etag ?? 'md5';
    this.uploadExpiryMs = o.uploadExpirySeconds * 1000;
    this.review = o.review ?? false;
    this.searchLagMs = o.searchLagMs ?? 0;
    this.ossDenyList = o.ossDenyList ?? false;
    this.faults = { ...DEFAULT_FAULTS, ...o.faults };
    this.bandwidth = new TokenBucket(() => this.faults.bandwidth);
    this.library = new MediaLibrary(this, o.scrollTokenTtlMs);
  }

  get data() {
    return this.state.data;
  }

  count(name: string): void {
    this.counters.requests[name] = (this.counters.requests[name] ?? 0) + 1;
  }

  countError(code: string): void {
    this.counters.errors[code] = (this.counters.errors[code] ?? 0) + 1;
  }

  /** Rolls the dice for a probabilistic fault. */
  roll(probability: number): boolean {
    return probability > 0 && Math.random() < probability;
  }

  stats(): SandboxStats {
    return {
      requests: { ...this.counters.requests },
      errors: { ...this.counters.errors },
      createUploadVideo: this.counters.createUploadVideo,
      bytesReceived: this.counters.bytesReceived,
      bytesSent: this.counters.bytesSent,
      injected: { ...this.counters.injected },
      videos: Object.keys(this.data.videos).length,
      uploadsInProgress: Object.keys(this.data.uploads).length,
      objects: Object.keys(this.data.objects).length,
      uploadPartsMax: { open: this.counters.uploadParts.openMax, receiving: this.counters.uploadParts.receivingMax },
    };
  }

  /** `bucket.oss-region.aliyuncs.com`: the StorageLocation string VOD uses. */
  storageLocation(): string {
    return `${this.data.bucket}.oss-${this.region}.aliyuncs.com`;
  }

  /** Unsigned URL under which the sandbox serves an object's bytes (a stand-in for VOD's CDN). */
  fileUrl(bucket: string, key: string): string {
    return `${this.url}/__files/${encodeURIComponent(bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`;
  }

  /** The key pair VOD signs OSS media URLs with, and the CDN domain's type-A private key. */
  get urlSigner(): KeyPair {
    return this.data.urlSigner!;
  }

  get cdnAuthKey(): string {
    return this.data.cdnAuthKey!;
  }

  /**
   * A signed URL for a stored object that expires `authTimeoutSec` from now, or after the
   * urlTtlSeconds fault when that is set (tests that need URLs to run out quickly).
   */
  mediaUrl(bucket: string, key: string, outputType: OutputType, authTimeoutSec: number, now = Date.now()): { url: string; expiresAt: number } {
    const ttl = this.faults.urlTtlSeconds > 0 ? this.faults.urlTtlSeconds : authTimeoutSec;
    const expiresSec = Math.floor(now / 1000) + ttl;
    const url = outputType === 'oss'
      ? ossSignedUrl(this.url, this.urlSigner, bucket, key, expiresSec)
      : cdnSignedUrl(this.url, this.cdnAuthKey, key, expiresSec);
    return { url, expiresAt: expiresSec * 1000 };
  }

  /** Bytes [start, end] of an object: made on the fly for a synthetic one; undefined with the null store. */
  openObject(obj: ObjectRecord, start: number, end: number): Readable | undefined {
    if (obj.synthetic) return syntheticStream(obj.synthetic, start, end);
    return this.store.read(obj.segments ?? [], start, end);
  }

  /** A credential for one object, and for an HLS upload every key under `prefix` too. */
  issueCredential(bucket: string, key: string, prefix?: string): CredentialRecord {
    const now = Date.now();
    const cred: CredentialRecord = {
      accessKeyId: accessKeyId('STS.'),
      accessKeySecret: hexId(16),
      securityToken: `CAIS${Buffer.from(hexId(48)).toString('base64')}`,
      expiresAt: now + this.faults.credentialTtlSeconds * 1000,
      bucket,
      objectKey: key,
      ...(prefix ? { objectPrefix: prefix } : {}),
    };
    // Expired credentials are kept a day so a late caller gets SecurityTokenExpired, not InvalidAccessKeyId.
    for (const [id, c] of Object.entries(this.data.credentials)) {
      if (c.expiresAt < now - 86_400_000) delete this.data.credentials[id];
    }
    this.data.credentials[cred.accessKeyId] = cred;
    this.state.changed();
    return cred;
  }

  /** UploadAuth as VOD encodes it: base64 of a JSON object. */
  uploadAuth(cred: CredentialRecord): string {
    return Buffer.from(JSON.stringify({
      AccessKeyId: cred.accessKeyId,
      AccessKeySecret: cred.accessKeySecret,
      SecurityToken: cred.securityToken,
      Expiration: String(this.faults.credentialTtlSeconds),
      ExpireUTCTime: isoSeconds(cred.expiresAt),
      Region: this.region,
    })).toString('base64');
  }

  /** Whether a credential reaches this object: its own key, or a key under its HLS prefix. */
  credentialGrants(cred: CredentialRecord, bucket: string, key: string): boolean {
    if (cred.bucket !== bucket) return false;
    if (key === cred.objectKey) return true;
    return !!cred.objectPrefix && key.length > cred.objectPrefix.length && key.startsWith(cred.objectPrefix);
  }

  /** UploadAddress as VOD encodes it; ObjectPrefix only for an HLS playlist. */
  uploadAddress(bucket: string, key: string, prefix?: string): string {
    return Buffer.from(JSON.stringify({ Endpoint: this.url, Bucket: bucket, FileName: key, ...(prefix ? { ObjectPrefix: prefix } : {}) })).toString('base64');
  }

  /**
   * Status from timestamps, not timers: stays right across restarts and clock reads. A
   * status set through the admin API wins. In review mode the end is Checking, where
   * VOD's "review before publishing" leaves a video until someone approves it.
   */
  videoStatus(v: VideoRecord, now = Date.now()): VideoStatus {
    if (v.statusOverride !== undefined) return v.statusOverride;
    if (v.uploadedAt === undefined) return 'Uploading';
    const published = this.review ? 'Checking' : 'Normal';
    if (v.missingSegments?.length) return 'TranscodeFail';
    if (v.transcodeStartedAt !== undefined) return now - v.transcodeStartedAt >= this.transcodeMs ? published : 'Transcoding';
    if (v.templateGroupId === NO_TRANSCODE_GROUP_ID && !v.workflowId) return published;
    const elapsed = now - v.uploadedAt;
    if (elapsed >= this.transcodeMs) return published;
    return elapsed < this.transcodeMs / 3 ? 'UploadSucc' : 'Transcoding';
  }

  /** Admin: pins a video's status (any string VOD might answer), or undefined to go back to the derived one. */
  setVideoStatus(videoId: string, status: string | undefined): VideoRecord | undefined {
    const v = this.data.videos[videoId];
    if (!v) return undefined;
    if (status === undefined) delete v.statusOverride;
    else v.statusOverride = status;
    v.modifiedAt = Date.now();
    this.state.changed();
    return v;
  }

  /** SearchMedia's index lags creation by searchLagMs, as the real index lags a fresh upload. */
  searchable(v: VideoRecord, now = Date.now()): boolean {
    return now - v.createdAt >= this.searchLagMs;
  }

  findVideoByObject(bucket: string, key: string): VideoRecord | undefined {
    return Object.values(this.data.videos).find((v) => v.bucket === bucket && v.objectKey === key);
  }

  findImageByObject(bucket: string, key: string): ImageRecord | undefined {
    return Object.values(this.data.images).find((i) => i.bucket === bucket && i.objectKey === key);
  }

  /** A stored object, or one that transcoding derives from a video (media.ts). */
  getObject(bucket: string, key: string): ObjectRecord | undefined {
    const stored = this.data.objects[objectId(bucket, key)] ?? derivedObject(this, bucket, key);
    if (stored) return stored;
    for (const derive of this.derivers) {
      const found = derive(bucket, key);
      if (found) return found;
    }
    return undefined;
  }

  /** Stores a completed object, frees the bytes of the one it replaces, and moves its video on. */
  async putObject(obj: ObjectRecord, keepFiles: readonly string[] = []): Promise<void> {
    const id = objectId(obj.bucket, obj.key);
    const old = this.data.objects[id];
    this.data.objects[id] = obj;
    const video = this.findVideoByObject(obj.bucket, obj.key);
    if (video?.objectPrefix !== undefined) {
      const missing = await missingHlsFiles(this, obj);
      if (missing.length > 0) video.missingSegments = missing;
      else delete video.missingSegments;
    }
    if (video) {
      video.uploadedAt = obj.lastModified;
      video.size = obj.size;
      video.crc64 = obj.crc64;
      video.etag = obj.etag;
      video.modifiedAt = obj.lastModified;
    }
    const image = this.findImageByObject(obj.bucket, obj.key);
    if (image) image.uploadedAt = obj.lastModified;
    this.state.changed();
    if (old?.segments) {
      const keep = new Set([...keepFiles, ...(obj.segments ?? []).map((s) => s.file)]);
      await this.store.remove(old.segments.map((s) => s.file).filter((f) => !keep.has(f)));
    }
  }

  /**
   * Admin: gives an object new bytes, as if someone uploaded it again (new ETag, CRC-64,
   * Last-Modified): a Buffer kept in the store, or synthetic bytes of any size from a
   * seed (works with the null store too). A video's source changes its video's record.
   */
  async replaceObject(bucket: string, key: string, content: Buffer | { seed: string; size: number }): Promise<ObjectRecord> {
    const now = Math.max(Date.now(), (this.getObject(bucket, key)?.lastModified ?? 0) + 1000);
    let obj: ObjectRecord;
    if (Buffer.isBuffer(content)) {
      const incoming = this.store.receive(`objects/${hexId(16)}`);
      await new Promise<void>((resolve, reject) => incoming.stream.end(content, () => resolve()).once('error', reject));
      const file = await incoming.commit();
      obj = {
        bucket, key, size: content.length, lastModified: now, contentType: this.getObject(bucket, key)?.contentType ?? 'application/octet-stream',
        etag: `"${crypto.createHash('md5').update(content).digest('hex').toUpperCase()}"`, crc64: crc64(content).toString(10),
        segments: file ? [{ file, size: content.length }] : undefined,
      };
    } else {
      const spec = { seed: content.seed };
      obj = {
        bucket, key, size: content.size, lastModified: now, contentType: this.getObject(bucket, key)?.contentType ?? 'application/octet-stream',
        etag: syntheticEtag(spec, content.size), crc64: syntheticCrc64(spec, content.size), synthetic: spec,
      };
    }
    await this.putObject(obj);
    return obj;
  }

  /**
   * A complete video whose source is a synthetic object of `size` bytes (never stored:
   * download benchmarks of 64 GiB cost no disk). Its status then moves as an upload's does.
   */
  async createSyntheticVideo(o: { size: number; title?: string; fileName?: string; templateGroupId?: string }): Promise<{
    videoId: string; bucket: string; key: string; size: number; crc64: string; etag: string;
  }> {
    if (!Number.isSafeInteger(o.size) || o.size < 0) throw new Error(`size must be a whole number of bytes; got ${String(o.size)}.`);
    const templateGroupId = o.templateGroupId ?? DEFAULT_TEMPLATE_GROUP_ID;
    if (!TEMPLATE_GROUPS.some((g) => g.TranscodeTemplateGroupId === templateGroupId)) throw new Error(`The template group ${templateGroupId} does not exist.`);
    const fileName = o.fileName ?? 'synthetic.mp4';
    const ext = fileName.includes('.') ? fileName.slice(fileName.lastIndexOf('.') + 1).toLowerCase() : 'mp4';
    const k = hexId(9);
    const now = Date.now();
    const video: VideoRecord = {
      videoId: hexId(16), title: o.title ?? `synthetic ${o.size} bytes`, fileName, fileSize: o.size, tags: [],
      templateGroupId, storageLocation: this.storageLocation(), appId: DEFAULT_APP_ID,
      bucket: this.data.bucket, objectKey: `sv/${k.slice(0, 8)}-${k.slice(8)}/${k}.${ext}`, createdAt: now, modifiedAt: now,
    };
    this.data.videos[video.videoId] = video;
    const obj = await this.replaceObject(video.bucket, video.objectKey, { seed: `source:${video.videoId}`, size: o.size });
    return { videoId: video.videoId, bucket: video.bucket, key: video.objectKey, size: obj.size, crc64: obj.crc64, etag: obj.etag };
  }

  async deleteObject(bucket: string, key: string): Promise<boolean> {
    const id = objectId(bucket, key);
    const old = this.data.objects[id];
    if (!old) return false;
    delete this.data.objects[id];
    this.state.changed();
    if (old.segments) await this.store.remove(old.segments.map((s) => s.file));
    return true;
  }
}

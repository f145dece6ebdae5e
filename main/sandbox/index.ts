// The local VOD + OSS sandbox: one loopback HTTP server that speaks VOD's RPC OpenAPI
// and OSS's REST API well enough for the unmodified @alicloud/pop-core and ali-oss
// clients. Used by tests, benchmarks, and the "Sandbox" profile.
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { AddressInfo } from 'net';
import { SandboxCore, type SandboxStats, type ServedGet } from './core';
import { DEFAULT_FAULTS, normalizeFaults, parseFaults, type Faults } from './faults';
import { accessKeyId as newAccessKeyId, hexId, secret as newSecret } from './ids';
import { DiskStore, NullStore } from './object-store';
import { SandboxServer } from './server';
import { seedCategories } from './catalog';
import { TencentPersonality } from './tencent';
import { seedTencent, type TencentMedia } from './tencent/state';
import type { UgcMode } from './tencent/ugc-api';
import type { SeedOptions } from './media-library';
import type { SeedMediaOptions } from './tencent/media-api';
import { StateStore, type KeyPair, type StateData, type VideoRecord, type VideoStatus } from './state';

export type { Faults, KeyPair, SandboxStats, SeedOptions, ServedGet, VideoStatus };
export { VOD_VIDEO_STATUSES } from './state';
export { parseFaults };
export { NO_TRANSCODE_GROUP_ID, DEFAULT_TEMPLATE_GROUP_ID, DEFAULT_APP_ID, HLS_TEMPLATE_GROUP_ID, FHD_TEMPLATE_GROUP_ID, TEMPLATE_GROUP_OUTPUTS } from './catalog';
export { syntheticBytes, SYNTHETIC_PERIOD } from './synthetic';
export { CDN_AUTH_TTL_SECONDS } from './url-signing';

export interface SandboxOptions {
  /** Default 0 (a free port) on 127.0.0.1. */
  port?: number;
  host?: string;
  /** Disk store and persisted state; default a fresh temporary directory. */
  dataDir?: string;
  /** 'null' keeps sizes, MD5 ETags and CRC64s but drops the bytes. */
  store?: 'disk' | 'null';
  /**
   * 'md5' (default): part ETags are the MD5 of the part, as OSS makes them. 'crc64': the
   * ETag is derived from the part's CRC-64 and size, and no MD5 is computed unless a
   * Content-MD5 header asks for the check. For client benchmarks on a small machine,
   * where the server's MD5 (~1.7 CPU-s/GiB) would be the bottleneck being measured.
   */
  etag?: 'md5' | 'crc64';
  /** Defaults: a generated key pair (kept in dataDir), 'cn-shanghai'. */
  accessKeyId?: string;
  accessKeySecret?: string;
  region?: string;
  faults?: Partial<Faults>;
  /** Incomplete multipart uploads expire after this (default 7 days) and answer NoSuchUpload. */
  uploadExpirySeconds?: number;
  /** How long UploadSucc + Transcoding last before Normal (default 1500 ms). */
  transcodeMs?: number;
  /**
   * Review before publishing (VOD console: audit settings): a complete video ends in
   * Checking instead of Normal and stays there until released with setVideoStatus /
   * `POST /__admin/videos/<id>/status {"status":"Normal"}`.
   */
  review?: boolean;
  /** SearchMedia finds a new video only this long after its creation, as the real index lags (default 0). */
  searchLagMs?: number;
  /**
   * The STS credential in UploadAuth may not ListParts or HeadObject (403 AccessDenied):
   * VOD does not document that its upload policy allows them, so clients must cope.
   */
  ossDenyList?: boolean;
  /** The Tencent personality's account key pair (default: generated, kept in dataDir) and region (default ap-guangzhou). */
  tencentSecretId?: string;
  tencentSecretKey?: string;
  tencentRegion?: string;
  /** Lifetime of ApplyUpload's TempCertificate (default 1800 s; the credentialTtlSeconds fault caps it). */
  tencentCredentialTtlSeconds?: number;
  /** How long a VodSessionKey may be committed (default 3 days). */
  tencentSessionTtlSeconds?: number;
  /** What a second CommitUpload of the same VodSessionKey answers: 'same' FileId (default) or 'error'. */
  tencentCommitRepeat?: 'same' | 'error';
  /** Whether ApplyUploadUGC renews an API 3.0 session's key ('renew', default) or refuses it ('refuse'); tencent/ugc-api.ts. */
  tencentUgcMode?: UgcMode;
  /** An unused SearchMedia ScrollToken is forgotten after this long (default 10 minutes; VOD documents no lifetime). */
  scrollTokenTtlMs?: number;
}

/** What a Tencent client needs to reach the sandbox's Tencent personality (printed by `vodup sandbox` as `tencent`). */
export interface SandboxTencentInfo {
  /** http://127.0.0.1:PORT; tencentcloud-sdk-nodejs takes it as profile.httpProfile {protocol: 'http://', endpoint: '127.0.0.1:PORT'}. */
  endpoint: string;
  secretId: string;
  secretKey: string;
  region: string;
  /** cos-nodejs-sdk-v5's Domain option: http://127.0.0.1:PORT/{Bucket} (the bucket rides in the path). */
  cosDomain: string;
  appId: number;
  subAppId: number;
  /** The COS bucket ApplyUpload hands out (StorageBucket). */
  bucket: string;
}

export interface SandboxTencent extends SandboxTencentInfo {
  media(fileId: string): (TencentMedia & { status: string }) | undefined;
  /** Pins a media status (Forbidden, SystemForbidden, …); undefined returns to Normal. False if no such FileId. */
  setMediaStatus(fileId: string, status: string | undefined): boolean;
  /** Every FileId CommitUpload made. */
  mediaIds(): string[];
  /** Many media at once, metadata only, synthetic sources (tencent/media-api.ts); the FileIds, oldest first. */
  seedMedia(o: SeedMediaOptions): string[];
  /** Every upload session not yet committed runs out now (as after a long pause). */
  expireSessions(): void;
  /** The distribution domain's Key hotlink protection key (DescribeVodDomains' EncryptedKey). */
  urlSignatureKey(): string;
  /** ApplyUploadUGC with a vodSessionKey: 'renew' (default) or 'refuse' (the provider falls back to re-opening). */
  setUgcMode(mode: UgcMode): void;
}

export interface SandboxVideo extends VideoRecord {
  status: VideoStatus;
}

export interface Sandbox {
  /** http://127.0.0.1:PORT: the VOD endpoint and the OSS endpoint handed out in UploadAddress. */
  url: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** A RAM user allowed to upload and read status only; other VOD actions answer 403 Forbidden.RAM. */
  uploadOnly: KeyPair;
  bucket: string;
  dataDir: string;
  /** The Tencent Cloud VOD + COS personality on the same port (tencent/index.ts). */
  tencent: SandboxTencent;
  faults: { get(): Faults; set(p: Partial<Faults> & { outageSeconds?: number }): void; reset(): void };
  stats(): SandboxStats;
  video(videoId: string): SandboxVideo | undefined;
  videos(): SandboxVideo[];
  /** Pins a video's status (any string, as VOD may add statuses); undefined returns to the derived one. False if no such video. */
  setVideoStatus(videoId: string, status: string | undefined): boolean;
  /** Every GET of object bytes served so far (OSS, file and media URLs), oldest first. */
  servedGets(): ServedGet[];
  /**
   * Many videos at once, metadata only (no bytes), Normal unless `status` says otherwise;
   * creation times `stepMs` apart (default ending now, 1 s apart). For search, bulk edit
   * and the library UI; 100,000 take well under a second. Returns the VideoIds, oldest first.
   */
  seedVideos(opts: SeedOptions): string[];
  /** Marks a video as one this account may not change: UpdateVideoInfos and DeleteVideo list it in ForbiddenVideoIds. */
  setVideoForbidden(videoId: string, forbidden: boolean): boolean;
  /**
   * The bytes of an object (stored ones need the disk store; derived and synthetic ones
   * are made on the fly); undefined when there is no such object.
   */
  readObject(bucket: string, key: string): Promise<Buffer | undefined>;
  /** An object's metadata as GET answers it (size, ETag, CRC-64), stored or derived. */
  objectInfo(bucket: string, key: string): { size: number; etag: string; crc64: string; lastModified: number } | undefined;
  /**
   * Gives an object new bytes (a changed remote object: new ETag, CRC-64 and
   * Last-Modified): a Buffer (disk store), or synthetic bytes of any size from a seed.
   * Also over HTTP: `POST /__admin/objects/<bucket>/<key>` with the bytes as the body.
   */
  replaceObject(bucket: string, key: string, content: Buffer | { seed: string; size: number }): Promise<{ size: number; etag: string; crc64: string }>;
  /**
   * A video whose source is a synthetic object of `size` bytes, made on the fly and never
   * stored (download benchmarks: a 64 GiB source costs no disk). Complete at once; its
   * status then moves as an upload's does (default template group unless given).
   */
  createSyntheticVideo(o: { size: number; title?: string; fileName?: string; templateGroupId?: string }): Promise<{ videoId: string; bucket: string; key: string; size: number; crc64: string; etag: string }>;
  close(): Promise<void>;
}

export async function startSandbox(opts: SandboxOptions = {}): Promise<Sandbox> {
  const region = opts.region ?? 'cn-shanghai';
  const dataDir = opts.dataDir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'vod-sandbox-'));
  fs.mkdirSync(dataDir, { recursive: true });
  const initialFaults = normalizeFaults({ ...(opts.faults ?? {}) });
  const state = StateStore.load(dataDir, (): StateData => ({
    version: 1,
    accessKeyId: opts.accessKeyId ?? newAccessKeyId('LTAI'),
    accessKeySecret: opts.accessKeySecret ?? newSecret(),
    bucket: `outin-${hexId(16)}`,
    videos: {}, images: {}, uploads: {}, objects: {}, credentials: {},
    ...seedCategories(),
  }));
  // Explicit keys win over the ones remembered in dataDir.
  if (opts.accessKeyId) state.data.accessKeyId = opts.accessKeyId;
  if (opts.accessKeySecret) state.data.accessKeySecret = opts.accessKeySecret;
  state.data.uploadOnly ??= { accessKeyId: newAccessKeyId('LTAI'), accessKeySecret: newSecret() };
  state.data.tencent ??= seedTencent({ secretId: opts.tencentSecretId, secretKey: opts.tencentSecretKey });
  if (opts.tencentSecretId) state.data.tencent.secretId = opts.tencentSecretId;
  if (opts.tencentSecretKey) state.data.tencent.secretKey = opts.tencentSecretKey;
  state.data.urlSigner ??= { accessKeyId: newAccessKeyId('LTAI'), accessKeySecret: newSecret() };
  state.data.cdnAuthKey ??= newSecret();
  const uploadOnly = { ...state.data.uploadOnly };
  state.flush();

  const store = opts.store === 'null' ? new NullStore() : new DiskStore(path.join(dataDir, 'store'));
  const core = new SandboxCore({
    url: '', region, state, store, faults: initialFaults,
    transcodeMs: opts.transcodeMs ?? 1500,
    uploadExpirySeconds: opts.uploadExpirySeconds ?? 7 * 86_400,
    etag: opts.etag,
    review: opts.review,
    searchLagMs: opts.searchLagMs,
    ossDenyList: opts.ossDenyList,
    scrollTokenTtlMs: opts.scrollTokenTtlMs,
  });
  const tencent = new TencentPersonality(core, {
    region: opts.tencentRegion,
    credentialTtlSeconds: opts.tencentCredentialTtlSeconds,
    sessionTtlSeconds: opts.tencentSessionTtlSeconds,
    commitRepeat: opts.tencentCommitRepeat,
    ugcMode: opts.tencentUgcMode,
  });
  const server = new SandboxServer(core, tencent);
  await new Promise<void>((resolve, reject) => {
    server.http.once('error', reject);
    server.http.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.http.off('error', reject);
      resolve();
    });
  });
  const addr = server.http.address() as AddressInfo;
  const host = addr.family === 'IPv6' ? `[${addr.address}]` : addr.address;
  const url = `http://${host}:${addr.port}`;
  (core as { url: string }).url = url;

  const view = (v: VideoRecord): SandboxVideo => ({ ...v, tags: [...v.tags], status: core.videoStatus(v) });
  let closed = false;

  return {
    url,
    region,
    accessKeyId: state.data.accessKeyId,
    accessKeySecret: state.data.accessKeySecret,
    uploadOnly,
    bucket: state.data.bucket,
    dataDir,
    tencent: {
      endpoint: url,
      secretId: tencent.data.secretId,
      secretKey: tencent.data.secretKey,
      region: tencent.region,
      cosDomain: `${url}/{Bucket}`,
      appId: tencent.data.appId,
      subAppId: tencent.data.subAppId,
      bucket: tencent.data.bucket,
      media: (id) => tencent.media(id),
      setMediaStatus: (id, status) => tencent.setMediaStatus(id, status),
      mediaIds: () => Object.keys(tencent.data.media),
      seedMedia: (o) => tencent.seedMedia(o),
      expireSessions: () => tencent.expireSessions(),
      urlSignatureKey: () => tencent.urlSignatureKey(),
      setUgcMode: (mode) => tencent.setUgcMode(mode),
    },
    faults: {
      get: () => ({ ...core.faults }),
      set: (p) => { core.faults = { ...core.faults, ...normalizeFaults({ ...p }) }; },
      reset: () => { core.faults = { ...DEFAULT_FAULTS, ...initialFaults }; },
    },
    stats: () => core.stats(),
    video: (id) => (core.data.videos[id] ? view(core.data.videos[id]) : undefined),
    videos: () => Object.values(core.data.videos).map(view),
    setVideoStatus: (id, status) => core.setVideoStatus(id, status) !== undefined,
    seedVideos: (o) => core.library.seed(o),
    setVideoForbidden: (id, forbidden) => {
      const v = core.data.videos[id];
      if (!v) return false;
      if (forbidden) v.forbidden = true;
      else delete v.forbidden;
      core.state.changed();
      return true;
    },
    servedGets: () => core.counters.gets.map((g) => ({ ...g })),
    readObject: async (bucket, key) => {
      const obj = core.getObject(bucket, key);
      if (!obj) return undefined;
      if (obj.size === 0) return Buffer.alloc(0);
      const stream = core.openObject(obj, 0, obj.size - 1);
      if (!stream) throw new Error('readObject needs the disk store; this sandbox runs with the null store, which keeps no bytes.');
      const chunks: Buffer[] = [];
      for await (const c of stream) chunks.push(c as Buffer);
      return Buffer.concat(chunks);
    },
    objectInfo: (bucket, key) => {
      const obj = core.getObject(bucket, key);
      return obj ? { size: obj.size, etag: obj.etag, crc64: obj.crc64, lastModified: obj.lastModified } : undefined;
    },
    replaceObject: async (bucket, key, content) => {
      const obj = await core.replaceObject(bucket, key, content);
      return { size: obj.size, etag: obj.etag, crc64: obj.crc64 };
    },
    createSyntheticVideo: (o) => core.createSyntheticVideo(o),
    close: async () => {
      if (closed) return;
      closed = true;
      const done = new Promise<void>((resolve) => server.http.close(() => resolve()));
      server.destroySockets();
      await done;
      state.flush();
    },
  };
}

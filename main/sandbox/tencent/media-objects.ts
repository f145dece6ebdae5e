// What a Tencent task flow "makes" of a media in the sandbox, and how its files are
// served: transcodes per the Procedure's templates, time-offset snapshots and an image
// sprite, all synthetic objects (../synthetic.ts) derived from the media record on every
// lookup (SandboxCore.derivers), never stored — as ../media.ts does for Alibaba. Seeded
// media (seedMedia, many at once, metadata only) have a synthetic source too.
//
// Files are reached through the distribution domain, which in the sandbox is its own
// host: `http://127.0.0.1:PORT/<bucket>/<key>` answered without a COS signature (the
// personality routes an unsigned GET there, index.ts). The domain has Key hotlink
// protection on (Key 防盗链, https://cloud.tencent.com/document/product/266/14047;
// English: https://www.tencentcloud.com/document/product/266/33986): VOD hands out plain
// URLs, and the one who plays or fetches signs them with the domain's key —
// `?t=<hex unix expiry>[&exper=][&rlimit=][&us=]&sign=md5(KEY + Dir + t + exper + rlimit + us)`,
// Dir being the path without the file name; an expired or wrong signature is a 403. The
// key is DescribeVodDomains' UrlSignatureAuthPolicy.EncryptedKey. Answers carry COS's
// object headers (ETag, Range, `x-cos-hash-crc64ecma`).
import crypto from 'crypto';
import type { IncomingMessage, ServerResponse } from 'http';
import type { SandboxCore } from '../core';
import { syntheticObject } from '../media';
import { sendObject, sendOssError } from '../oss-api';
import { OssError } from '../oss-signature';
import type { ObjectRecord } from '../state';
import type { TencentData, TencentMedia } from './state';

/** VOD's preset MP4 transcode templates (转码模板 https://cloud.tencent.com/document/product/266/33476). */
export const TRANSCODE_TEMPLATES: Record<number, { width: number; height: number; bitrate: number }> = {
  100010: { width: 640, height: 360, bitrate: 400_000 },
  100020: { width: 960, height: 540, bitrate: 800_000 },
  100030: { width: 1280, height: 720, bitrate: 1_500_000 },
  100040: { width: 1920, height: 1080, bitrate: 3_000_000 },
};
/** The preset time-offset snapshot template and image sprite template (both definition 10). */
export const SNAPSHOT_DEFINITION = 10;
export const SPRITE_DEFINITION = 10;
export const SNAPSHOT_OFFSETS_MS = [0, 5000, 10000];

/** What each of the seeded task flows (state.ts seedTencent) produces. */
export const PROCEDURE_OUTPUTS: Record<string, { transcodes: number[]; snapshots: boolean; sprite: boolean }> = {
  LongVideoPreset: { transcodes: [100010, 100020, 100030], snapshots: true, sprite: true },
  'HD-H264': { transcodes: [100030, 100040], snapshots: true, sprite: false },
  SnapshotOnly: { transcodes: [], snapshots: true, sprite: true },
};

const SNAPSHOT_BYTES = 6 * 1024;
const SPRITE_BYTES = 24 * 1024;

export const seededSourceKey = (fileId: string, type: string) => `seed/${fileId}/f0.${type}`;
export const transcodeKey = (fileId: string, definition: number) => `vodtranscode/${fileId}/v.f${definition}.mp4`;
export const snapshotKey = (fileId: string, index: number) => `vodtranscode/${fileId}/shot.f${SNAPSHOT_DEFINITION}.${index}.jpg`;
export const spriteKey = (fileId: string, index: number) => `vodtranscode/${fileId}/imageSprite.f${SPRITE_DEFINITION}.${index}.jpg`;

const DERIVED_KEY = /^vodtranscode\/(\d{1,24})\/(?:v\.f(\d+)\.mp4|shot\.f\d+\.(\d+)\.jpg|imageSprite\.f\d+\.(\d+)\.jpg)$/;
const SEEDED_KEY = /^seed\/(\d{1,24})\/f0\.[a-z0-9]+$/;

/** The media's source object key as COS stores it (no leading "/"). */
export const sourceKeyOf = (m: TencentMedia) => m.storagePath.replace(/^\/+/, '');

/** When the task flow's output exists, or undefined (none asked, deleted, or not over yet). */
export function transcodedAt(m: TencentMedia, transcodeMs: number, now = Date.now()): number | undefined {
  if (!m.procedure || m.transcodesDeleted || !PROCEDURE_OUTPUTS[m.procedure]) return undefined;
  const done = (m.procedureStartedAt ?? m.createdAt) + transcodeMs;
  return now >= done ? done : undefined;
}

function streamSize(size: number, index: number, count: number): number {
  return (index + 1) * Math.max(1024, Math.ceil(size / Math.max(1, count)));
}

/** The derived object under `key`, or undefined when the key is not one or its media has none (yet). */
export function tencentDerivedObject(data: TencentData, transcodeMs: number, bucket: string, key: string, now = Date.now()): ObjectRecord | undefined {
  if (bucket !== data.bucket) return undefined;
  const seeded = SEEDED_KEY.exec(key);
  if (seeded) {
    const m = data.media[seeded[1]];
    if (!m?.seeded || m.sourceDeleted || sourceKeyOf(m) !== key) return undefined;
    return syntheticObject({ seed: `tc-source:${m.fileId}` }, bucket, key, m.size, m.createdAt, 'video/mp4');
  }
  const d = DERIVED_KEY.exec(key);
  const m = d ? data.media[d[1]] : undefined;
  if (!d || !m) return undefined;
  const at = transcodedAt(m, transcodeMs, now);
  const out = m.procedure ? PROCEDURE_OUTPUTS[m.procedure] : undefined;
  if (at === undefined || !out) return undefined;
  const tag = `${m.fileId}:${m.crc64}:${m.procedureStartedAt ?? m.createdAt}`;
  if (d[2] !== undefined) {
    const def = Number(d[2]);
    const i = out.transcodes.indexOf(def);
    if (i < 0) return undefined;
    return syntheticObject({ seed: `tc-transcode:${def}:${tag}` }, bucket, key, streamSize(m.size, i, out.transcodes.length), at, 'video/mp4');
  }
  const shot = d[3] !== undefined ? Number(d[3]) : undefined;
  if (shot !== undefined) {
    if (!out.snapshots || shot < 0 || shot >= SNAPSHOT_OFFSETS_MS.length) return undefined;
    return syntheticObject({ seed: `tc-shot:${shot}:${tag}`, head: 'jpeg' }, bucket, key, SNAPSHOT_BYTES + shot * 512, at, 'image/jpeg');
  }
  const sprite = Number(d[4]);
  if (!out.sprite || sprite !== 0) return undefined;
  return syntheticObject({ seed: `tc-sprite:${tag}`, head: 'jpeg' }, bucket, key, SPRITE_BYTES, at, 'image/jpeg');
}

/** The distribution domain's key, made on first use (state files from before it existed have none). */
export function urlSignatureKey(core: SandboxCore, data: TencentData): string {
  if (!data.urlSignatureKey) {
    // 8–40 bytes, visible characters (UrlSignatureAuthPolicy.EncryptedKey).
    data.urlSignatureKey = crypto.randomBytes(15).toString('base64url').replace(/[-_]/g, 'k');
    core.state.changed();
  }
  return data.urlSignatureKey;
}

/** The plain URL VOD hands out for a file: the distribution domain (the sandbox's host) and the object key. */
export function distributionUrl(core: SandboxCore, bucket: string, key: string): string {
  return `${core.url}/${encodeURIComponent(bucket)}/${key.replace(/^\/+/, '').split('/').map(encodeURIComponent).join('/')}`;
}

/** Key hotlink protection: md5(KEY + Dir + t + exper + rlimit + us), lower-case hex. */
export function keySign(key: string, dir: string, t: string, exper = '', rlimit = '', us = ''): string {
  return crypto.createHash('md5').update(`${key}${dir}${t}${exper}${rlimit}${us}`).digest('hex');
}

/** Why a URL is refused (the CDN answers a bare 403), or undefined when its signature is good and current. `path`: as sent (not decoded). */
export function keySignRefusal(path: string, q: URLSearchParams, key: string, now: number): string | undefined {
  const t = q.get('t') ?? '';
  const sign = q.get('sign') ?? '';
  if (!/^[0-9a-f]{1,12}$/.test(t) || !/^[0-9a-f]{32}$/.test(sign)) return 'the URL carries no valid t and sign (Key hotlink protection is on)';
  if (now > parseInt(t, 16) * 1000) return 'the signed URL has expired';
  const dir = path.slice(0, path.lastIndexOf('/') + 1);
  const expected = Buffer.from(keySign(key, dir, t, q.get('exper') ?? '', q.get('rlimit') ?? '', q.get('us') ?? ''));
  if (!crypto.timingSafeEqual(expected, Buffer.from(sign))) return 'the sign does not match the URL';
  return undefined;
}

/**
 * An unsigned GET or HEAD of `/<bucket>/<key>`: the distribution domain. The fault
 * settings apply as to OSS media URLs (errorRate here; latency in the server's route;
 * bandwidth and resetRate in sendObject).
 */
export async function serveDistribution(
  core: SandboxCore, data: TencentData, req: IncomingMessage, res: ServerResponse, path: string, bucket: string, key: string, q: URLSearchParams,
): Promise<void> {
  const method = (req.method ?? 'GET').toUpperCase();
  core.count(`tc-url:${method}`);
  req.resume();
  const requestId = crypto.randomBytes(12).toString('hex');
  res.setHeader('x-cos-request-id', requestId);
  try {
    if (method !== 'GET' && method !== 'HEAD') throw new OssError(405, 'MethodNotAllowed', `The specified method ${method} is not allowed against this resource.`);
    if (core.roll(core.faults.errorRate)) {
      core.counters.injected.errors++;
      throw new OssError(500, 'InternalError', 'We encountered an internal error. Please try again. (injected by the errorRate fault)');
    }
    const why = keySignRefusal(path, q, urlSignatureKey(core, data), Date.now());
    if (why) {
      core.countError('tc-url:KeySignRefused');
      const text = `403 Forbidden: ${why}.`;
      res.writeHead(403, { 'Content-Type': 'text/plain', 'Content-Length': Buffer.byteLength(text) });
      res.end(method === 'HEAD' ? undefined : text);
      return;
    }
    const obj = core.getObject(bucket, key);
    if (!obj) throw new OssError(404, 'NoSuchKey', 'The specified key does not exist.');
    await sendObject(core, req, res, obj, method === 'GET', { faults: true, dialect: 'cos' });
  } catch (err) {
    await sendOssError(core, req, res, err, requestId, bucket);
  }
}

// The Tencent provider and its COS chunk writer against the sandbox's Tencent personality,
// on the unmodified official clients (tencentcloud-sdk-nodejs-vod, cos-nodejs-sdk-v5):
// open (ApplyUpload) → parts through COS with per-part and whole-object CRC-64 → finalize
// (CommitUpload) → status; a lost CommitUpload answer; a wrong key; an expired TempCertificate;
// renewal of a session's key through ApplyUploadUGC and the fall-back when it is refused.
import crypto from 'crypto';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { UploadLease } from '../../main/engine/credential-lease';
import { classifyError, EngineError, UPLOAD_SESSION_EXPIRED } from '../../main/engine/errors';
import { crc64 } from '../../main/engine/oss/crc64';
import type { UploadCredential, UploadTarget } from '../../main/engine/provider';
import type { RetryPolicy } from '../../main/engine/retry';
import { adoptListedPart, CosChunkWriter } from '../../main/engine/tencent/cos-writer';
import { COMMIT_OUTCOME_UNKNOWN } from '../../main/engine/tencent/tc-errors';
import { TencentProvider, tencentStatusToVod } from '../../main/engine/tencent/tencent-provider';
import type { TencentCredentials } from '../../main/engine/tencent/tc-vod-client';
import { configureProxy } from '../../main/engine/net/proxy';
import { startSandbox, type Sandbox } from '../../main/sandbox';
import { startHttpProxy } from '../fixtures/proxy-servers';

const MB = 1024 * 1024;
const FAST: RetryPolicy = { baseMs: 5, maxMs: 50, factor: 2, jitter: 0.5, maxAttempts: 30 };

/** The lease as the engine keeps it for a provider that cannot renew: the key until it runs out. */
class FixedLease implements UploadLease {
  readonly version = 0;
  refreshes = 0;
  constructor(readonly target: UploadTarget, private readonly cred: UploadCredential) {}
  private expired(): EngineError {
    return new EngineError({ kind: 'credentialExpired', code: UPLOAD_SESSION_EXPIRED, retryable: false, message: 'The temporary key ran out; the upload is opened again.' });
  }
  current(): Promise<UploadCredential> {
    return Date.now() >= this.cred.expiresAt ? Promise.reject(this.expired()) : Promise.resolve(this.cred);
  }
  refresh(): Promise<UploadCredential> {
    this.refreshes++;
    return Promise.reject(this.expired());
  }
  setExpectedPartMs(): void {}
}

function creds(sb: Sandbox, secretKey = sb.tencent.secretKey): TencentCredentials {
  return { secretId: sb.tencent.secretId, secretKey, region: sb.tencent.region, endpoint: sb.tencent.endpoint, subAppId: sb.tencent.subAppId };
}

describe('Tencent provider against the sandbox', () => {
  let sb: Sandbox;
  let dir: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-provider-'));
    sb = await startSandbox({ dataDir: path.join(dir, 'data'), transcodeMs: 300 });
  });
  afterAll(async () => {
    await sb.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('uploads a file in parts under 5xx and resets, byte-exact, and commits one FileId with its class and procedure', async () => {
    const provider = new TencentProvider(creds(sb), { policy: FAST });
    const catalog = await provider.getCatalog();
    const features = catalog.categories.flatMap((c) => [c, ...c.children]).find((c) => c.name === 'Features');
    expect(features).toBeDefined();
    expect(catalog.templateGroups.map((t) => t.id)).toContain('HD-H264');
    expect(catalog.apps[0].appId).toBe(String(sb.tencent.subAppId));

    const file = path.join(dir, 'film.mp4');
    const bytes = crypto.randomBytes(5 * MB + 4321);
    fs.writeFileSync(file, bytes);
    const opened = await provider.open({ meta: { title: 'film one', tags: [], cateId: features!.cateId, templateGroupId: 'HD-H264' }, fileName: 'film.mp4', size: bytes.length });
    expect(opened.identity.session?.vodSessionKey).toBeTruthy();
    expect(opened.identity.session?.sourceContext).toMatch(/^vodup:[0-9a-f]{24}$/);
    const lease = new FixedLease(opened.target, opened.credential);
    const writer = await provider.chunkWriter(opened.target, lease, { policy: FAST });

    const before = sb.stats().injected;
    // Every body is cut until the first retry (so a reset surely fires: no 5xx may answer
    // first), then 5 % of each.
    sb.faults.set({ errorRate: 0, resetRate: 1, resetAfterBytes: 200_000 });
    let sent = 0;
    let attempts = 0;
    const parts = [];
    try {
      const uploadId = await writer.initiate();
      for (let i = 0; i * MB * 2 < bytes.length; i++) {
        const range = { partNumber: i + 1, start: i * 2 * MB, end: Math.min(bytes.length, (i + 1) * 2 * MB) };
        parts.push(await writer.uploadPart(uploadId, file, range, {
          onBytes: (n) => { sent += n; },
          onAttempt: () => {
            if (++attempts === 2) sb.faults.set({ errorRate: 0.05, resetRate: 0.05, resetAfterBytes: 200_000 });
          },
        }));
      }
      const listed = await writer.listParts(uploadId);
      expect(listed.map((p) => p.partNumber)).toEqual([1, 2, 3]);
      // ListParts has no CRC: a part never recorded is adopted by its ETag (MD5) against the file.
      expect(listed[1].crc64).toBe('');
      const range2 = { partNumber: 2, start: 2 * MB, end: 4 * MB };
      expect(await adoptListedPart(file, range2, listed[1])).toEqual(parts[1]);
      expect(await adoptListedPart(file, { ...range2, start: range2.start + 1, end: range2.end + 1 }, listed[1])).toBeUndefined();
      const objectCrc = await writer.complete(uploadId, parts);
      expect(objectCrc).toBe(crc64(bytes).toString(10));
    } finally {
      sb.faults.reset();
    }
    expect(sent).toBeGreaterThanOrEqual(bytes.length);
    expect(attempts).toBeGreaterThanOrEqual(4);
    const head = await writer.head();
    expect(head).toEqual({ size: bytes.length, crc64: crc64(bytes).toString(10) });

    const { mediaId } = await provider.finalize(opened.identity);
    expect(mediaId).toMatch(/^\d{19}$/);
    const status = await provider.getVideoStatus(mediaId);
    expect(['Transcoding', 'Normal']).toContain(status);
    const deadline = Date.now() + 10_000;
    let now = status;
    while (now !== 'Normal') {
      if (Date.now() > deadline) throw new Error(`status stayed ${now}`);
      await new Promise((r) => setTimeout(r, 25));
      now = await provider.getVideoStatus(mediaId);
    }
    const statuses = await provider.getVideoStatuses([mediaId, '1234567890123456789']);
    expect(statuses.get(mediaId)).toBe('Normal');
    expect(statuses.has('1234567890123456789')).toBe(true);
    expect(statuses.get('1234567890123456789')).toBeUndefined();
    sb.tencent.setMediaStatus(mediaId, 'Forbidden');
    expect(await provider.getVideoStatus(mediaId)).toBe('Blocked');
    expect(sb.stats().injected.resets).toBeGreaterThan(before.resets);
  });

  it('a lost CommitUpload answer is reconciled to the same FileId, and CommitUpload is sent once per call', async () => {
    const provider = new TencentProvider(creds(sb), { policy: FAST });
    const opened = await provider.open({ meta: { title: 'lost commit', tags: [] }, fileName: 'a.mov', size: 3 });
    const writer = await provider.chunkWriter(opened.target, new FixedLease(opened.target, opened.credential), { policy: FAST });
    const file = path.join(dir, 'a.mov');
    fs.writeFileSync(file, 'abc');
    await writer.putRange(file, { start: 0, end: 3 });
    const commits = () => sb.stats().requests['tc:CommitUpload'] ?? 0;
    const before = commits();
    sb.faults.set({ lostAnswerRate: 1 });
    let lost: unknown;
    try {
      lost = await provider.finalize(opened.identity).catch((e: unknown) => e);
    } finally {
      sb.faults.reset();
    }
    expect(lost).toBeInstanceOf(EngineError);
    expect((lost as EngineError).code).toBe(COMMIT_OUTCOME_UNKNOWN);
    expect(commits() - before).toBe(1);
    const reconciled = await provider.reconcileFinalize(opened.identity, { meta: { title: 'lost commit', tags: [] }, sentAt: Date.now() });
    const again = await provider.reconcileFinalize(opened.identity, { meta: { title: 'lost commit', tags: [] }, sentAt: Date.now() });
    expect(reconciled?.mediaId).toMatch(/^\d{19}$/);
    expect(again?.mediaId).toBe(reconciled?.mediaId);
    const media = await provider.client.describeMediaInfos([reconciled!.mediaId]);
    expect(media.found[0].SourceContext).toBe(opened.identity.session?.sourceContext);
  });

  it('refuses a wrong SecretKey with a message naming what to check', async () => {
    const provider = new TencentProvider(creds(sb, 'not-the-key'), { policy: FAST });
    const result = await provider.testConnection();
    expect(result.ok).toBe(false);
    expect(result.code).toBe('AuthFailure.SignatureFailure');
    const err = await provider.open({ meta: { title: 'x', tags: [] }, fileName: 'x.mp4', size: 1 }).catch((e: unknown) => e) as EngineError;
    expect(err.kind).toBe('auth');
    expect(err.retryable).toBe(false);
    expect(err.hint).toMatch(/SecretKey does not match the SecretId/);
  });

  it('an expired TempCertificate is refused by COS (UploadSessionExpired when the lease cannot renew), and ApplyUploadUGC renews it for the same path', async () => {
    const provider = new TencentProvider(creds(sb), { policy: FAST });
    sb.faults.set({ credentialTtlSeconds: 2 });
    let opened;
    try {
      opened = await provider.open({ meta: { title: 'late', tags: [] }, fileName: 'late.mp4', size: 1 });
    } finally {
      sb.faults.reset();
    }
    // A lease that does not look at the clock: COS itself must refuse the key.
    const blind: UploadLease & { refreshes: number } = {
      target: opened.target, version: 0, refreshes: 0,
      current: () => Promise.resolve(opened.credential),
      refresh() {
        this.refreshes++;
        return Promise.reject(new EngineError({ kind: 'credentialExpired', code: UPLOAD_SESSION_EXPIRED, retryable: false, message: 'cannot renew' }));
      },
      setExpectedPartMs: () => undefined,
    };
    const deadline = Date.now() + 10_000;
    // ExpiredTime is whole seconds (the sandbox floors its own instant): a second more.
    while (Date.now() < opened.credential.expiresAt + 1000) {
      if (Date.now() > deadline) throw new Error('the key did not expire');
      await new Promise((r) => setTimeout(r, 50));
    }
    const writer = new CosChunkWriter(opened.target, blind, { policy: FAST });
    const err = await writer.initiate().catch((e: unknown) => e) as EngineError;
    expect(err.code).toBe(UPLOAD_SESSION_EXPIRED);
    expect(blind.refreshes).toBe(1);
    // Past its key's end the session is renewed through ApplyUploadUGC, same path; the new key works at COS.
    const fresh = await provider.renewCredential(opened.identity, 'resume');
    expect(fresh?.target).toEqual(opened.target);
    expect(fresh!.credential.expiresAt).toBeGreaterThan(Date.now());
    const lease: UploadLease = { target: fresh!.target, version: 1, current: () => Promise.resolve(fresh!.credential), refresh: () => Promise.reject(new Error('not expected')), setExpectedPartMs: () => undefined };
    expect(await new CosChunkWriter(fresh!.target, lease, { policy: FAST }).initiate()).toMatch(/\S/);
  });

  it('renewCredential: the kept key on resume while it lasts, else a fresh key for the same session from ApplyUploadUGC', async () => {
    const provider = new TencentProvider(creds(sb), { policy: FAST });
    const opened = await provider.open({ meta: { title: 'resume', tags: [] }, fileName: 'r.mp4', size: 1 });
    const kept = await provider.renewCredential(opened.identity, 'resume');
    expect(kept?.credential.accessKeyId).toBe(opened.credential.accessKeyId);
    expect(kept?.target).toEqual(opened.target);
    const before = sb.stats().requests['tc:ApplyUploadUGC:renewed'] ?? 0;
    const fresh = await provider.renewCredential(opened.identity, 'expiring');
    expect(fresh?.target).toEqual(opened.target);
    expect(fresh?.credential.accessKeyId).not.toBe(opened.credential.accessKeyId);
    expect(fresh?.credential.securityToken).toBeTruthy();
    expect((sb.stats().requests['tc:ApplyUploadUGC:renewed'] ?? 0) - before).toBe(1);
  });

  it('sends the renewal through the engine\'s proxy routing (net/proxy.ts)', async () => {
    const provider = new TencentProvider(creds(sb), { policy: FAST });
    const opened = await provider.open({ meta: { title: 'proxied', tags: [] }, fileName: 'p.mp4', size: 1 });
    const proxy = await startHttpProxy();
    configureProxy({ mode: 'manual', url: proxy.url });
    try {
      expect(await provider.renewCredential(opened.identity, 'expiring')).toBeDefined();
    } finally {
      configureProxy({ mode: 'system' });
      await proxy.close();
    }
    expect(proxy.requests.filter((r) => r.method === 'POST' && r.path === '/v3/index.php?Action=ApplyUploadUGC')).toHaveLength(1);
  });

  it('falls back (undefined: the engine re-opens) when ApplyUploadUGC refuses, for a session token, and for a committed session', async () => {
    const provider = new TencentProvider(creds(sb), { policy: FAST });
    const opened = await provider.open({ meta: { title: 'fallback', tags: [] }, fileName: 'f.mp4', size: 3 });
    const ugc = () => sb.stats().requests['tc:ApplyUploadUGC'] ?? 0;
    sb.tencent.setUgcMode('refuse');
    try {
      const before = ugc();
      expect(await provider.renewCredential(opened.identity, 'expiring')).toBeUndefined();
      expect(ugc() - before).toBe(1);
      expect(sb.stats().errors['tc:ugc:10007']).toBeGreaterThanOrEqual(1);
    } finally {
      sb.tencent.setUgcMode('renew');
    }
    // A CAM temporary key (TENCENTCLOUD_SESSION_TOKEN) cannot sign a client upload signature: not even asked.
    const withToken = new TencentProvider({ ...creds(sb), sessionToken: 'tok' }, { policy: FAST });
    const before = ugc();
    expect(await withToken.renewCredential(opened.identity, 'expiring')).toBeUndefined();
    expect(ugc()).toBe(before);
    // A wrong SecretKey: the signature is refused.
    const wrong = new TencentProvider(creds(sb, 'x'.repeat(32)), { policy: FAST });
    expect(await wrong.renewCredential(opened.identity, 'expiring')).toBeUndefined();
    expect(sb.stats().errors['tc:ugc:10003']).toBeGreaterThanOrEqual(1);
    // A committed session is refused (its object is final).
    const file = path.join(dir, 'f.mp4');
    fs.writeFileSync(file, 'abc');
    const writer = await provider.chunkWriter(opened.target, new FixedLease(opened.target, opened.credential), { policy: FAST });
    await writer.putRange(file, { start: 0, end: 3 });
    await provider.finalize(opened.identity);
    expect(await provider.renewCredential(opened.identity, 'expiring')).toBeUndefined();
    expect(sb.stats().errors['tc:ugc:10005']).toBeGreaterThanOrEqual(1);
  });
});

describe('a profile\'s SubAppId (the VOD application)', () => {
  it('rides on every call: a SubAppId the account does not have is refused by each (InvalidParameterValue.SubAppId), the UGC renewal included', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-subapp-'));
    const sb = await startSandbox({ dataDir: path.join(dir, 'data'), store: 'null' });
    try {
      const good = new TencentProvider(creds(sb), { policy: FAST });
      const opened = await good.open({ meta: { title: 'app', tags: [] }, fileName: 'a.mp4', size: 1 });
      expect(opened.identity.session!.subAppId).toBe(sb.tencent.subAppId);
      const wrong = new TencentProvider({ ...creds(sb), subAppId: sb.tencent.subAppId + 1 }, { policy: FAST });
      const code = (p: Promise<unknown>) => p.then(() => 'ok', (e: EngineError) => e.code);
      expect(await code(wrong.open({ meta: { title: 'x', tags: [] }, fileName: 'x.mp4', size: 1 }))).toBe('InvalidParameterValue.SubAppId');
      expect(await code(wrong.finalize(opened.identity))).toBe('InvalidParameterValue.SubAppId');
      expect(await code(wrong.getVideoStatuses(['5285890781234567890']))).toBe('InvalidParameterValue.SubAppId');
      expect(await code(wrong.getCatalog())).toBe('InvalidParameterValue.SubAppId');
      expect(await code(wrong.client.describeProcedureTemplates())).toBe('InvalidParameterValue.SubAppId');
      expect((await wrong.testConnection()).code).toBe('InvalidParameterValue.SubAppId');
      // The renewal signs the session's own application: a session of another app is refused.
      const foreign = { session: { ...opened.identity.session!, subAppId: sb.tencent.subAppId + 1 } };
      expect(await good.renewCredential(foreign, 'expiring')).toBeUndefined();
      expect(sb.stats().errors['tc:ugc:10006']).toBe(1);
      expect(await good.renewCredential(opened.identity, 'expiring')).toBeDefined();
    } finally {
      await sb.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a VodSessionKey that runs out across a long pause', () => {
  it('is not committed: finalize answers UploadSessionExpired, so the engine applies again', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'tc-session-'));
    const sb = await startSandbox({ dataDir: path.join(dir, 'data') });
    try {
      const provider = new TencentProvider(creds(sb), { policy: FAST });
      const opened = await provider.open({ meta: { title: 'paused', tags: [] }, fileName: 'p.mp4', size: 3 });
      const file = path.join(dir, 'p.mp4');
      fs.writeFileSync(file, 'abc');
      const writer = await provider.chunkWriter(opened.target, new FixedLease(opened.target, opened.credential), { policy: FAST });
      await writer.putRange(file, { start: 0, end: 3 });
      sb.tencent.expireSessions();
      const err = await provider.finalize(opened.identity).catch((e: unknown) => e) as EngineError;
      expect(err.code).toBe(UPLOAD_SESSION_EXPIRED);
      expect(err.retryable).toBe(true);
      expect(err.message).toMatch(/expired before it was committed/);
      expect(sb.tencent.mediaIds()).toEqual([]);
      // Its key cannot be renewed either: ApplyUploadUGC refuses the expired session, the provider answers undefined.
      expect(await provider.renewCredential(opened.identity, 'expiring')).toBeUndefined();
      expect(sb.stats().errors['tc:ugc:10005']).toBe(1);
    } finally {
      await sb.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('Tencent error classification', () => {
  it('maps API 3.0 and COS shapes to kinds', async () => {
    const { classifyTencentError } = await import('../../main/engine/tencent/tc-errors');
    const TcErr = (await import('tencentcloud-sdk-nodejs-common/tencentcloud/common/exception/tencent_cloud_sdk_exception')).default;
    const api = (code: string) => Object.assign(new TcErr('m', 'req-1'), { code });
    expect(classifyTencentError(api('RequestLimitExceeded'))).toMatchObject({ kind: 'throttled', retryable: true, requestId: 'req-1' });
    expect(classifyTencentError(api('InternalError'))).toMatchObject({ kind: 'server', retryable: true });
    expect(classifyTencentError(api('AuthFailure.SecretIdNotFound'))).toMatchObject({ kind: 'auth', retryable: false });
    expect(classifyTencentError(new TcErr('request to http://x failed, reason: socket hang up'))).toMatchObject({ kind: 'network', retryable: true });
    expect(classifyTencentError(Object.assign(new TcErr('Bad Gateway'), { httpCode: 502 }))).toMatchObject({ kind: 'server', status: 502 });
    const cos = (statusCode: number, Code: string, Message = '') => ({ statusCode, code: Code, message: Message, error: { Code, Message } });
    expect(classifyTencentError(cos(400, 'ExpiredToken'))).toMatchObject({ kind: 'credentialExpired' });
    expect(classifyTencentError(cos(403, 'AccessDenied', 'Request has expired'))).toMatchObject({ kind: 'credentialExpired' });
    expect(classifyTencentError(cos(403, 'AccessDenied', 'Access Denied.'))).toMatchObject({ kind: 'permission', retryable: false });
    expect(classifyTencentError(cos(403, 'SignatureDoesNotMatch'))).toMatchObject({ kind: 'auth', retryable: false });
    expect(classifyTencentError(cos(404, 'NoSuchUpload'))).toMatchObject({ kind: 'notFound', code: 'NoSuchUpload' });
    expect(classifyTencentError(cos(400, 'InvalidPart'))).toMatchObject({ kind: 'parameter', code: 'InvalidPart' });
    expect(classifyTencentError(cos(400, 'EntityTooSmall'))).toMatchObject({ kind: 'parameter', code: 'EntityTooSmall' });
    expect(classifyTencentError(cos(503, 'SlowDown'))).toMatchObject({ kind: 'throttled', retryable: true });
    // Registered with errors.ts: the shared classifier asks the adapter first.
    expect(classifyError(cos(400, 'ExpiredToken'), 'tencent').kind).toBe('credentialExpired');
    expect(tencentStatusToVod('SystemForbidden', [])).toBe('Blocked');
    expect(tencentStatusToVod('Normal', ['PROCESSING'])).toBe('Transcoding');
    expect(tencentStatusToVod('Normal', ['ABORTED'])).toBe('TranscodeFail');
  });
});

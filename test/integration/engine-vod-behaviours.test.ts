// The engine against behaviours of the real service that the sandbox plays on demand:
// review before publishing, failure and unknown VOD statuses, OSS RequestTimeout, a
// least-privilege RAM user (no SearchMedia), a lagging search index, an STS policy
// without ListParts, and a job that fails again while waiting. Real ali-oss and
// pop-core over loopback, real SQLite, real files.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import OSS from 'ali-oss';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobView } from '../../shared/types';
import { openEngine, type UploadEngine } from '../../main/engine';
import { CredentialLease } from '../../main/engine/credential-lease';
import { OssSession } from '../../main/engine/oss/oss-session';
import { droppedUrllibWarnings } from '../../main/engine/oss/quiet-urllib';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox, type Sandbox, type SandboxOptions } from '../../main/sandbox';
import type { EngineSettings } from '../../shared/types';
import { randomFile, tempDir } from '../helpers/files';
import { waitForJob } from '../fixtures/engine-wait';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/** VOD calls that give up fast, so a refused or throttled call reaches the job at once. */
const FAST_CALLS = { policy: { baseMs: 20, maxMs: 50, factor: 2, jitter: 0, maxAttempts: 2 } };

interface Setup {
  sb: Sandbox;
  dir: string;
  engine: UploadEngine;
  provider: AliyunVodProvider;
}

/**
 * A sandbox, a temp folder and a started engine on a queue in it. `keys` picks the
 * account's own key pair or the sandbox's upload-only RAM user.
 */
async function setup(
  sbOpts: SandboxOptions = {},
  settings: Partial<EngineSettings> = {},
  opts: { keys?: 'account' | 'uploadOnly'; fastCalls?: boolean } = {},
): Promise<Setup> {
  const sb = await startSandbox({ transcodeMs: 200, ...sbOpts });
  const dir = await tempDir();
  const keys = opts.keys === 'uploadOnly' ? sb.uploadOnly : { accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret };
  const provider = new AliyunVodProvider({ ...keys, region: sb.region, endpoint: sb.url }, opts.fastCalls ? FAST_CALLS : {});
  const engine = await openEngine({
    dbPath: path.join(dir, 'queue.db'),
    providerFor: () => provider,
    settings: { filesInFlight: 3, partsInFlight: 3, partSizeMiB: 1, ...settings },
  });
  cleanups.push(async () => {
    await engine.shutdown();
    await sb.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });
  return { sb, dir, engine, provider };
}

function meta(title: string): JobView['meta'] {
  return { title, tags: [] };
}


/** Polls a condition that no engine event announces (sandbox counters, the event log). */
async function until<T>(check: () => T | undefined, what: string, limitMs = 30_000): Promise<T> {
  const deadline = Date.now() + limitMs;
  for (;;) {
    const v = check();
    if (v !== undefined) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

function eventTypes(engine: UploadEngine, id: number): string[] {
  return engine.listEvents(id, 10_000).map((e) => e.type);
}

async function expectSameBytes(sb: Sandbox, job: JobView): Promise<void> {
  const v = sb.video(job.videoId!)!;
  const stored = await sb.readObject(v.bucket, v.objectKey);
  expect(stored?.equals(await fsp.readFile(job.path))).toBe(true);
}

describe('VOD statuses', () => {
  it('ends a video under review as `review` (done), and re-polls it on retry until it is ready', async () => {
    const { sb, dir, engine } = await setup({ review: true });
    const p = await randomFile(dir, 'reviewed.mp4', 300_000);
    const { added } = await engine.addJobs([{ path: p, meta: meta('reviewed') }]);
    await engine.whenIdle();
    const review = engine.getJob(added[0].id)!;
    expect([review.state, review.vodStatus, review.error]).toEqual(['review', 'Checking', undefined]);
    expect(engine.queryJobs({ tab: 'done', offset: 0, limit: 10 }).rows.map((j) => j.id)).toEqual([review.id]);
    expect(engine.totals().byState.review).toBe(1);
    await expectSameBytes(sb, review);

    // Still under review: checking again lands in review again.
    await engine.retry([review.id]);
    expect(engine.getJob(review.id)!.state).toBe('uploaded');
    await engine.whenIdle();
    expect(engine.getJob(review.id)!.state).toBe('review');

    // Someone approves it in the console; the next check makes it ready.
    expect(sb.setVideoStatus(review.videoId!, 'Normal')).toBe(true);
    await engine.retry([review.id]);
    await engine.whenIdle();
    const ready = engine.getJob(review.id)!;
    expect([ready.state, ready.vodStatus]).toEqual(['ready', 'Normal']);
    expect(eventTypes(engine, review.id).filter((t) => t === 'recheck')).toHaveLength(2);
    expect(sb.stats().createUploadVideo).toBe(1);
  });

  it('fails a job whose video VOD reports as failed, with the status as the code and a hint', async () => {
    // Transcoding lasts long enough for the admin API to set the outcome.
    const { sb, dir, engine } = await setup({ transcodeMs: 600_000 });
    const failures = ['UploadFail', 'TranscodeFail', 'PrepareFail', 'ProduceFail', 'Blocked'];
    const files = await Promise.all(failures.map((s) => randomFile(dir, `${s}.mp4`, 150_000)));
    const { added } = await engine.addJobs(files.map((p, i) => ({ path: p, meta: meta(`fails ${failures[i]}`) })));
    const uploaded = await Promise.all(added.map((j) => waitForJob(engine, j.id, (x) => x.state === 'uploaded')));
    uploaded.forEach((j, i) => expect(sb.setVideoStatus(j.videoId!, failures[i])).toBe(true));
    await engine.whenIdle();
    for (const [i, j] of added.entries()) {
      const done = engine.getJob(j.id)!;
      expect({ state: done.state, code: done.error?.code, vodStatus: done.vodStatus }).toEqual({ state: 'failed', code: failures[i], vodStatus: failures[i] });
      expect(done.error?.message).toContain(done.videoId);
      expect(done.error?.hint).toMatch(/VOD console|source file|Retry/);
    }
  });

  it('keeps and shows a status it does not know, goes on polling, and follows VOD when it moves on', async () => {
    const { sb, dir, engine } = await setup({ transcodeMs: 600_000 });
    const p = await randomFile(dir, 'future.mp4', 150_000);
    const { added } = await engine.addJobs([{ path: p, meta: meta('future status') }]);
    const job = await waitForJob(engine, added[0].id, (j) => j.state === 'uploaded');
    sb.setVideoStatus(job.videoId!, 'Remastering');
    const shown = await waitForJob(engine, job.id, (j) => j.vodStatus === 'Remastering');
    expect(shown.state).toBe('uploaded');
    const statusEvents = engine.listEvents(job.id).filter((e) => e.type === 'vod-status').map((e) => (e.data as { status: string }).status);
    expect(statusEvents).toContain('Remastering');
    // Still polled: VOD moving on is seen without anyone asking.
    sb.setVideoStatus(job.videoId!, 'Normal');
    await engine.whenIdle();
    expect(engine.getJob(job.id)!.state).toBe('ready');
  });
});

describe('OSS errors', () => {
  it('sends a part again after OSS answers 400 RequestTimeout, and completes byte for byte', async () => {
    const { sb, dir, engine } = await setup({ faults: { requestTimeoutRate: 1, resetAfterBytes: 64 * 1024 } });
    const p = await randomFile(dir, 'timeouts.mp4', 4 * MiB + 123);
    const { added } = await engine.addJobs([{ path: p, meta: meta('request timeouts') }]);
    await until(() => (sb.stats().injected.requestTimeouts >= 3 ? true : undefined), 'three RequestTimeout answers');
    sb.faults.set({ requestTimeoutRate: 0 });
    await engine.whenIdle();
    const done = engine.getJob(added[0].id)!;
    expect(done.state).toBe('ready');
    expect(eventTypes(engine, done.id)).not.toContain('failed');
    await expectSameBytes(sb, done);
    expect(sb.stats().errors.RequestTimeout).toBeGreaterThanOrEqual(3);
  });

  it('starts the object again when the upload credential may not ListParts, keeping the VideoId', async () => {
    const { sb, dir, engine } = await setup({ ossDenyList: true }, { bandwidthLimit: 2 * MiB });
    const p = await randomFile(dir, 'no-list.mp4', 5 * MiB + 7);
    const { added } = await engine.addJobs([{ path: p, meta: meta('no ListParts') }]);
    const moving = await waitForJob(engine, added[0].id, (j) => j.bytesDone >= MiB && j.state === 'uploading');
    await engine.pause([moving.id]);
    await engine.resume([moving.id]);
    await engine.whenIdle();
    const done = engine.getJob(moving.id)!;
    expect(done.state).toBe('ready');
    expect(done.videoId).toBe(moving.videoId);
    const types = eventTypes(engine, done.id);
    expect(types).toContain('list-parts-denied');
    expect(types.filter((t) => t === 'initiated')).toHaveLength(2);
    expect(sb.stats().errors.AccessDenied).toBeGreaterThanOrEqual(1);
    expect(sb.stats().createUploadVideo).toBe(1);
    await expectSameBytes(sb, done);
  });

  it('uploads again rather than fail when the credential may not HEAD the object it has to verify', async () => {
    const sb = await startSandbox({ ossDenyList: true });
    cleanups.push(() => sb.close());
    const provider = new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
    const created = await provider.createUpload({ meta: meta('no HEAD'), fileName: 'x.mp4', size: 0 });
    const session = new OssSession(new CredentialLease(provider, created.videoId, created.address, created.credential));
    await session.putEmpty();
    const err = await session.verifyObject(0, []).then(() => undefined, (e: unknown) => e as { code: string; retryable: boolean });
    expect(err).toMatchObject({ code: 'ObjectUnverifiable', retryable: true });
    expect(sb.stats().requests['oss:HeadObject']).toBe(1);
  });

  it('catches urllib\'s real "callback twice" warning in the filter (which keeps it off stderr)', async () => {
    const sb = await startSandbox();
    cleanups.push(() => sb.close());
    const provider = new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
    const c = await provider.createUpload({ meta: meta('urllib'), fileName: 'x.mp4', size: 300_000 });
    // With the engine's OSS module loaded (it installs the filter), drive ali-oss the way
    // an aborted part does: its stream body is destroyed while the request is in flight.
    expect(OssSession).toBeTypeOf('function');
    const oss = new OSS({
      region: `oss-${sb.region}`, accessKeyId: c.credential.accessKeyId, accessKeySecret: c.credential.accessKeySecret,
      stsToken: c.credential.securityToken, bucket: c.address.bucket, endpoint: c.address.endpoint, refreshSTSTokenInterval: 3_000_000,
    } as OSS.Options) as unknown as { initMultipartUpload(k: string): Promise<{ uploadId: string }>; uploadPart(...a: unknown[]): Promise<unknown> };
    const { uploadId } = await oss.initMultipartUpload(c.address.objectKey);
    const before = droppedUrllibWarnings();
    const body = new PassThrough();
    body.write(Buffer.alloc(100_000));
    const pending = oss.uploadPart(c.address.objectKey, uploadId, 1, body, 0, 300_000, { timeout: 5_000 }).catch(() => undefined);
    await until(() => (sb.stats().bytesReceived > 0 ? true : undefined), 'the part to start arriving');
    body.destroy(new Error('part aborted'));
    await pending;
    await until(() => (droppedUrllibWarnings() > before ? true : undefined), 'urllib to warn about its double callback', 5_000);
  });
});

describe('CreateUploadVideo outcomes and adoption', () => {
  it('treats a throttled CreateUploadVideo as not carried out: waits, sends it again, one VideoId, no search (upload-only RAM user)', async () => {
    const { sb, dir, engine } = await setup({ faults: { throttleRate: 1 } }, {}, { keys: 'uploadOnly', fastCalls: true });
    const p = await randomFile(dir, 'throttled.mp4', 300_000);
    const { added } = await engine.addJobs([{ path: p, meta: meta('throttled create') }]);
    const waiting = await waitForJob(engine, added[0].id, (j) => j.state === 'waiting');
    expect(waiting.error?.code).toBe('Throttling.User');
    expect(waiting.error?.retryable).toBe(true);
    sb.faults.set({ throttleRate: 0 });
    await engine.retry([waiting.id]);
    await engine.whenIdle();
    const done = engine.getJob(waiting.id)!;
    expect(done.state).toBe('ready');
    expect(sb.stats().createUploadVideo).toBe(1);
    expect(sb.videos().map((v) => v.videoId)).toEqual([done.videoId]);
    expect(sb.stats().requests['vod:SearchMedia'] ?? 0).toBe(0);
    // Sent once per call (vod-client.ts): the one throttled answer went back to the job.
    expect(sb.stats().injected.throttles).toBe(1);
    expect(eventTypes(engine, done.id)).toContain('create-refused');
  });

  it('waits, saying why, rather than risk a second video when a lost create cannot be looked up (SearchMedia refused)', async () => {
    const { sb, dir, engine } = await setup({ faults: { lostAnswerRate: 1 } }, {}, { keys: 'uploadOnly', fastCalls: true });
    const p = await randomFile(dir, 'lost.mp4', 300_000);
    const { added } = await engine.addJobs([{ path: p, meta: meta('lost, unsearchable') }]);
    const lost = await waitForJob(engine, added[0].id, (j) => j.state === 'waiting');
    expect(lost.error?.code).toBe('CreateOutcomeUnknown');
    sb.faults.set({ lostAnswerRate: 0 });
    await engine.retry([lost.id]);
    const unchecked = await waitForJob(engine, lost.id, (j) => j.state === 'waiting' && j.error?.code === 'AdoptionUnchecked');
    expect(unchecked.error?.retryable).toBe(true);
    expect(unchecked.error?.message).toMatch(/Forbidden\.RAM/);
    expect(unchecked.error?.hint).toMatch(/SearchMedia/);
    expect(sb.stats().errors['Forbidden.RAM']).toBeGreaterThanOrEqual(1);
    // Nothing was created a second time, and the job is not given up.
    expect(sb.stats().createUploadVideo).toBe(1);
    expect(sb.videos()).toHaveLength(1);
    expect(eventTypes(engine, lost.id)).not.toContain('failed');
  });

  it('finds the video of a lost create although the search index lags, and makes no second one', async () => {
    const lagMs = 4_000;
    const { sb, dir, engine } = await setup({ faults: { lostAnswerRate: 1 }, searchLagMs: lagMs });
    const p = await randomFile(dir, 'lag.mp4', 300_000);
    const { added } = await engine.addJobs([{ path: p, meta: meta('lost, lagging index') }]);
    const lost = await waitForJob(engine, added[0].id, (j) => j.state === 'waiting');
    expect(lost.error?.code).toBe('CreateOutcomeUnknown');
    sb.faults.set({ lostAnswerRate: 0 });
    await engine.retry([lost.id]);
    await engine.whenIdle();
    const done = engine.getJob(lost.id)!;
    expect(done.state).toBe('ready');
    expect(sb.stats().createUploadVideo).toBe(1);
    expect(sb.videos().map((v) => v.videoId)).toEqual([done.videoId]);
    const adopted = engine.listEvents(done.id).find((e) => e.type === 'adopted');
    expect(adopted?.data).toMatchObject({ videoId: done.videoId });
    // The first searches came back empty while the index lagged.
    expect((adopted?.data as { searches: number }).searches).toBeGreaterThanOrEqual(2);
    await expectSameBytes(sb, done);
  });
});

describe('retries', () => {
  it('keeps a job that fails again while waiting in `waiting` (no waiting→waiting storm), then finishes', async () => {
    const warnings: string[] = [];
    const onWarning = (w: Error): void => {
      warnings.push(w.message);
    };
    process.on('warning', onWarning);
    cleanups.push(async () => {
      process.off('warning', onWarning);
    });
    const { sb, dir, engine } = await setup({}, { bandwidthLimit: 2 * MiB }, { fastCalls: true });
    const p = await randomFile(dir, 'storm.mp4', 4 * MiB);
    const { added } = await engine.addJobs([{ path: p, meta: meta('waiting twice') }]);
    const moving = await waitForJob(engine, added[0].id, (j) => j.bytesDone > 0 && !!j.videoId);
    await engine.pause([moving.id]);
    // VOD refuses for now: the resumed job's first call (RefreshUploadVideo) fails before
    // the job leaves `queued`, and again before it leaves `waiting`.
    sb.faults.set({ throttleRate: 1 });
    await engine.resume([moving.id]);
    const events = await until(() => {
      const evs = engine.listEvents(moving.id, 10_000);
      const waitingAt = evs.map((e, i) => (e.type === 'waiting' ? i : -1)).filter((i) => i >= 0);
      const [prev, last] = waitingAt.length >= 2 ? waitingAt.slice(-2) : [-1, -1];
      // Two waiting records with no state change between them: updated in place.
      return prev >= 0 && !evs.slice(prev + 1, last).some((e) => e.type === 'state') ? evs : undefined;
    }, 'a second failure while waiting');
    expect(events.filter((e) => e.type === 'state' && (e.data as { to: string }).to === 'waiting')).toHaveLength(1);
    const waiting = engine.getJob(moving.id)!;
    expect([waiting.state, waiting.error?.code]).toEqual(['waiting', 'Throttling.User']);
    expect(waiting.attempts).toBeGreaterThanOrEqual(2);
    sb.faults.set({ throttleRate: 0 });
    await engine.retry([moving.id]);
    await engine.whenIdle();
    const done = engine.getJob(moving.id)!;
    expect(done.state).toBe('ready');
    await expectSameBytes(sb, done);
    expect(warnings.filter((w) => /could not be recorded|IllegalTransition/.test(w))).toEqual([]);
  });
});

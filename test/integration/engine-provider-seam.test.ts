// The engine's provider-neutral upload (docs/ARCHITECTURE.md §3 "Providers") with a provider of
// Tencent's shape: its identity is a session (no media id until finalize), its credential
// cannot be renewed mid-upload, and finalize commits the upload. The calls underneath are
// Alibaba's against the sandbox (real pop-core, ali-oss, SQLite and files): what this
// tests is the engine's side of the seam — the re-open path, finalize exactly once, the
// reconciliation of a lost finalize answer. The Tencent provider itself is tested on
// its own clients against the sandbox's Tencent personality.

import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { JobMeta } from '../../shared/types';
import { openEngine } from '../../main/engine';
import type { ChunkWriter, ChunkWriterOptions } from '../../main/engine/chunk-writer';
import { sessionExpired, type UploadLease } from '../../main/engine/credential-lease';
import { CREATE_OUTCOME_UNKNOWN, EngineError } from '../../main/engine/errors';
import type { OpenedUpload, RenewedCredential, RenewReason, UploadIdentity, UploadTarget } from '../../main/engine/provider';
import { openQueueStore } from '../../main/engine/store';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox } from '../../main/sandbox';
import { fileCrc, randomFile, tempDir } from '../helpers/files';
import { waitForJob } from '../fixtures/engine-wait';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];

afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

/**
 * Alibaba's calls behind Tencent's shape. `expireSessionAfterParts`: the first session's
 * writer says UPLOAD_SESSION_EXPIRED after that many parts were acknowledged (as a
 * temporary key that cannot be renewed runs out). `loseFirstFinalizeAnswer`: the first
 * finalize commits and its answer is lost.
 */
class SessionShapedProvider extends AliyunVodProvider {
  readonly calls = { open: 0, finalize: 0, reconcile: 0, renewResume: 0, renewExpiring: 0 };
  readonly committed = new Set<string>();
  expireSessionAfterParts = 0;
  loseFirstFinalizeAnswer = false;
  /** The first session's object: its writer runs out (expireSessionAfterParts). */
  private firstKey: string | undefined;

  private static videoOf(identity: UploadIdentity): string {
    return String(identity.session?.videoId);
  }

  override async open(input: { meta: JobMeta; fileName: string; size: number }): Promise<OpenedUpload> {
    this.calls.open++;
    const created = await this.createUpload(input);
    this.firstKey ??= created.address.objectKey;
    return { identity: { session: { videoId: created.videoId } }, target: created.address, credential: created.credential };
  }

  override async renewCredential(identity: UploadIdentity, why?: RenewReason): Promise<RenewedCredential> {
    if (why === 'expiring') {
      this.calls.renewExpiring++;
      return undefined as unknown as RenewedCredential;
    }
    this.calls.renewResume++;
    const fresh = await this.refreshUpload(SessionShapedProvider.videoOf(identity));
    return { target: fresh.address, credential: fresh.credential };
  }

  override async finalize(identity: UploadIdentity): Promise<{ mediaId: string }> {
    this.calls.finalize++;
    const mediaId = SessionShapedProvider.videoOf(identity);
    this.committed.add(mediaId);
    if (this.loseFirstFinalizeAnswer && this.calls.finalize === 1) {
      throw new EngineError({ kind: 'network', code: CREATE_OUTCOME_UNKNOWN, retryable: true, message: 'The commit was sent and its answer was lost.' });
    }
    return { mediaId };
  }

  async reconcileFinalize(identity: UploadIdentity): Promise<{ mediaId: string } | undefined> {
    this.calls.reconcile++;
    const mediaId = SessionShapedProvider.videoOf(identity);
    return this.committed.has(mediaId) ? { mediaId } : undefined;
  }

  override async chunkWriter(target: UploadTarget, lease: UploadLease, opts?: ChunkWriterOptions): Promise<ChunkWriter> {
    const writer = await super.chunkWriter(target, lease, opts);
    if (this.expireSessionAfterParts === 0 || target.objectKey !== this.firstKey) return writer;
    let acked = 0;
    const limit = this.expireSessionAfterParts;
    const uploadPart: ChunkWriter['uploadPart'] = async (...args) => {
      if (acked >= limit) throw sessionExpired('the test ran the first session out');
      const part = await writer.uploadPart(...args);
      acked++;
      return part;
    };
    return Object.assign(Object.create(writer) as ChunkWriter, { uploadPart });
  }
}

async function setup(faults: Record<string, unknown> = {}) {
  const sb = await startSandbox({ transcodeMs: 200, faults });
  const dir = await tempDir();
  const provider = new SessionShapedProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
  const dbPath = path.join(dir, 'queue.db');
  const engine = await openEngine({ dbPath, providerFor: () => provider, settings: { filesInFlight: 1, partsInFlight: 1, partSizeMiB: 1 } });
  cleanups.push(async () => {
    await sb.close();
    await fsp.rm(dir, { recursive: true, force: true });
  });
  cleanups.push(() => engine.shutdown());
  return { sb, dir, provider, engine, dbPath };
}

describe('the provider seam with a session-shaped provider', () => {
  it('re-opens a session that cannot be renewed: the old upload aborted, a new object from byte 0, finalized once', async () => {
    const { sb, dir, provider, engine } = await setup();
    provider.expireSessionAfterParts = 2;
    const file = await randomFile(dir, 'long.mp4', 5 * MiB + 7);
    const { added } = await engine.addJobs([{ path: file, meta: { title: 'long', tags: [] } }]);
    await engine.whenIdle();

    const job = engine.getJob(added[0].id)!;
    expect(job.state, job.error?.message).toBe('ready');
    expect(BigInt('0x' + job.crc64!)).toBe(await fileCrc(file));
    // Two sessions; the media id is the second's, committed once.
    expect(provider.calls.open).toBe(2);
    expect(sb.stats().createUploadVideo).toBe(2);
    expect(provider.calls.finalize).toBe(1);
    expect([...provider.committed]).toEqual([job.videoId]);
    expect(sb.stats().requests['oss:AbortMultipartUpload']).toBe(1);

    const events = engine.listEvents(job.id).map((e) => e.type);
    expect(events.filter((t) => t === 'reopened')).toHaveLength(1);
    expect(events.filter((t) => t === 'initiated')).toHaveLength(2);
    expect(events.filter((t) => t === 'finalized')).toHaveLength(1);
    const reopened = engine.listEvents(job.id).find((e) => e.type === 'reopened')!.data as { aborted: boolean; old: UploadIdentity };
    expect(reopened.aborted).toBe(true);
    expect(reopened.old.session?.videoId).not.toBe(job.videoId);
    // The second session's object holds all the bytes: 2 parts were sent in the first, 6 in the second.
    expect(sb.stats().requests['oss:UploadPart']).toBe(2 + 6);
  });

  it('reconciles a lost finalize answer instead of sending a second one', async () => {
    const { provider, engine, dir, dbPath } = await setup();
    provider.loseFirstFinalizeAnswer = true;
    const file = await randomFile(dir, 'clip.mp4', 2 * MiB + 3);
    const { added } = await engine.addJobs([{ path: file, meta: { title: 'clip', tags: [] } }]);
    const id = added[0].id;
    // The object is complete; the commit's outcome is unknown, so the job waits without a media id.
    const waiting = await waitForJob(engine, id, (j) => j.state === 'waiting' || j.state === 'failed');
    expect(waiting.state, waiting.error?.message).toBe('waiting');
    expect(waiting.videoId).toBeUndefined();
    expect(waiting.crc64).toBeDefined();
    expect(engine.listEvents(id).map((e) => e.type)).toContain('finalize-unknown');

    await engine.retry([id]);
    const job = await waitForJob(engine, id, (j) => j.state === 'ready' || j.state === 'failed');
    expect(job.state, job.error?.message).toBe('ready');
    expect(provider.calls.finalize).toBe(1);
    expect(provider.calls.reconcile).toBe(1);
    expect([...provider.committed]).toEqual([job.videoId]);
    const finalized = engine.listEvents(id).filter((e) => e.type === 'finalized');
    expect(finalized.map((e) => e.data)).toEqual([{ mediaId: job.videoId, reconciled: true }]);
    expect(job.provider).toBe('aliyun');

    // The session identity stays with the job, beside its media id.
    await engine.shutdown();
    const store = openQueueStore(dbPath);
    try {
      expect(store.getJob(id)).toMatchObject({ videoId: job.videoId, uploadSession: { videoId: job.videoId } });
    } finally {
      store.close();
    }
  });
});

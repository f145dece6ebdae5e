// Uploads an HLS package whose files are planned in the store (store/hls-files.ts): each
// file the playlist lists goes to ObjectPrefix + its path under the playlist's folder,
// then the playlist itself to FileName, last, because its arrival is what completes the
// video in VOD (hls.ts has the decisions about paths).
//
// A file that fits in one part goes up in one PutObject, streamed and hashed once, its
// CRC-64 checked against OSS's answer: segments are typically a few MB, and one request
// each instead of three (initiate, part, complete) is what makes a package of a thousand
// segments quick. A bigger file (a long fMP4 segment, a BYTERANGE package's single file)
// uses multipart with the job's part size, through the provider's chunk writer as
// ordinary jobs. Its parts are not checkpointed one by one: on resume the server's ListParts is
// the checkpoint, each listed part kept only if its CRC-64 matches the file's bytes;
// when ListParts is refused or the upload is gone, the file starts again.
//
// Every request goes through the job's credential lease (refreshed before expiry and on
// OSS's refusals, single-flight), the global part slots and bandwidth cap. A file is
// marked done in SQLite only after OSS acknowledged all of it with the right CRC-64.

import path from 'node:path';
import { promises as fsp } from 'node:fs';
import type { AckedPart, ChunkWriter, SendHooks } from './chunk-writer';
import type { CredentialLease } from './credential-lease';
import { classifyError, EngineError } from './errors';
import { fingerprint, type SampledFile } from './fingerprint';
import { hlsFileChanged, readHlsPackage } from './hls';
import { crc64ToDecimal } from './oss/crc64';
import { fileCrc64 } from './oss/hash-stream';
import { planParts, type PartPlan, type PartRange } from './oss/part-plan';
import type { UploadAddress } from './provider';
import type { QueueStore } from './store';
import type { HlsFileRecord, NewHlsFile } from './store/hls-files';
import type { JobRecord } from './store/records';
import type { RunnerDeps } from './job-runner';
import type { UploadChannel } from './upload-session';

const MiB = 1024 * 1024;
/** Progress is keyed per request in flight: file index × this + part number (0 for a PutObject). */
const KEY_STRIDE = 10_001;

/** Where a package's files go: ObjectPrefix, or (an address without one) FileName's folder, as the C upload SDK does. */
export function hlsObjectPrefix(address: Pick<UploadAddress, 'objectKey' | 'objectPrefix'>): string {
  return address.objectPrefix ?? address.objectKey.slice(0, address.objectKey.lastIndexOf('/') + 1);
}

/**
 * Aborts the multipart uploads of a package's big files (a job canceled), as a job's own
 * upload is: OSS deletes their parts (AbortMultipartUpload,
 * alibabacloud.com/help/en/oss/developer-reference/abortmultipartupload). One OSS no
 * longer has is gone already; one that cannot be aborted is recorded on the job and left
 * to OSS, and the others are still tried. An aborted file's UploadId is forgotten, so a
 * retry sends that file again.
 */
export async function abortHlsUploads(
  store: QueueStore, jobId: number, files: readonly HlsFileRecord[], channel: UploadChannel, event = 'cancel-cleanup-failed',
): Promise<void> {
  const target = channel.lease.target;
  for (const f of files) {
    if (!f.uploadId) continue;
    const objectKey = f.kind === 'index' ? target.objectKey : hlsObjectPrefix(target) + f.relPath;
    try {
      await (await channel.writer({ objectKey })).abort(f.uploadId);
    } catch (err) {
      const e = classifyError(err);
      if (e.code.toLowerCase() !== 'nosuchupload') {
        store.appendEvent(jobId, event, { file: f.relPath, code: e.code, message: e.message });
        continue;
      }
    }
    store.hlsFiles.setUploadId(jobId, f.index, null);
  }
}

const sameFile = (a: NewHlsFile | undefined, b: HlsFileRecord): boolean =>
  a !== undefined && a.kind === b.kind && a.size === b.size && Math.trunc(a.mtimeMs) === b.mtimeMs;

/**
 * A package job that failed because a file of it changed, restarted with its files as
 * they are now (retry with restartChanged: `vodup retry --restart`, or a watch folder
 * once they settled), under the same VideoId: planned again from disk; a file whose
 * size and mtime are those it was planned with keeps its checkpoint (its object is that
 * file), a changed or new one is sent (PutObject overwrites its object), and a changed
 * big file's multipart upload is aborted (best effort). Nothing changed: a plain retry.
 * When the package cannot be read now (a file missing), the plan is dropped: the run
 * reads it again and says what is wrong.
 */
export async function restartHlsPackage(store: QueueStore, rec: JobRecord, channelNow: () => Promise<UploadChannel>): Promise<void> {
  const planned = store.hlsFiles.list(rec.id);
  let now: { rows: NewHlsFile[]; print: SampledFile } | undefined;
  try {
    const pkg = await readHlsPackage(rec.path);
    const print = await fingerprint(rec.path);
    now = {
      print,
      rows: [
        ...pkg.files.map((f) => ({ relPath: f.relPath, kind: f.kind, size: f.size, mtimeMs: f.mtimeMs })),
        { relPath: path.basename(rec.path), kind: 'index' as const, size: print.size, mtimeMs: print.mtimeMs },
      ],
    };
  } catch {
    now = undefined;
  }
  const byPath = new Map(now?.rows.map((r) => [r.relPath, r]));
  const unchanged = now !== undefined && now.rows.length === planned.length && planned.every((f) => sameFile(byPath.get(f.relPath), f))
    && now.print.sampleHash === rec.sampleHash;
  if (unchanged) return;
  const stale = planned.filter((f) => f.uploadId && !sameFile(byPath.get(f.relPath), f));
  if (stale.length > 0) {
    try {
      await abortHlsUploads(store, rec.id, stale, await channelNow(), 'restart-cleanup-failed');
    } catch (err) {
      const e = classifyError(err); // no credential (offline): OSS purges them
      store.appendEvent(rec.id, 'restart-cleanup-failed', { code: e.code, message: e.message });
    }
  }
  if (!now) {
    store.hlsFiles.clear(rec.id);
    store.appendEvent(rec.id, 'restarted', { replanned: false });
    return;
  }
  const toSend = store.hlsFiles.replan(rec.id, now.rows);
  store.updateJob(rec.id, { mtimeMs: now.print.mtimeMs, sampleHash: now.print.sampleHash });
  store.appendEvent(rec.id, 'restarted', { toSend: toSend.length, files: toSend.slice(0, 20) });
}

/** What the job runner shares with the package upload: all of its deps but the provider (the channel carries it). */
export type HlsUploadDeps = Omit<RunnerDeps, 'providerFor'>;

/**
 * Runs `fn` over `items` with at most `limit` at a time; the first failure stops the
 * rest (they resume later from the checkpoint) and is thrown.
 */
async function inPool<T>(items: readonly T[], limit: number, signal: AbortSignal, fn: (item: T, signal: AbortSignal) => Promise<void>): Promise<void> {
  if (items.length === 0) return;
  const local = new AbortController();
  const stop = (): void => local.abort(signal.reason);
  signal.addEventListener('abort', stop, { once: true });
  let next = 0;
  let firstError: unknown;
  const worker = async (): Promise<void> => {
    while (!local.signal.aborted && next < items.length) {
      const item = items[next++];
      try {
        await fn(item, local.signal);
      } catch (err) {
        if (firstError === undefined) firstError = err;
        local.abort(err);
      }
    }
  };
  try {
    await Promise.all(Array.from({ length: Math.max(1, Math.min(limit, items.length)) }, worker));
  } finally {
    signal.removeEventListener('abort', stop);
  }
  if (signal.aborted) throw signal.reason;
  if (firstError !== undefined) throw firstError;
}

export class HlsPackageUpload {
  /** True once a file was acknowledged in this run (resets the job's retry counter). */
  bytesMoved = false;
  private readonly root: string;

  constructor(
    private readonly deps: HlsUploadDeps,
    private readonly jobId: number,
    private readonly playlistPath: string,
    private readonly partSize: number,
    private readonly lease: CredentialLease,
    private readonly signal: AbortSignal,
    /** The provider's chunk writers on `lease` (UploadChannel.writer); needed to send. */
    private readonly writer?: UploadChannel['writer'],
  ) {
    this.root = path.dirname(playlistPath);
  }

  /** Where the files go (hlsObjectPrefix). */
  get prefix(): string {
    return hlsObjectPrefix(this.lease.address);
  }

  private keyOf(f: HlsFileRecord): string {
    return f.kind === 'index' ? this.lease.address.objectKey : this.prefix + f.relPath;
  }

  private pathOf(f: HlsFileRecord): string {
    return f.kind === 'index' ? this.playlistPath : path.join(this.root, ...f.relPath.split('/'));
  }

  /** Uploads what the checkpoint does not have, playlist last; returns the playlist's CRC-64. */
  async run(): Promise<string> {
    const files = this.deps.store.hlsFiles.list(this.jobId);
    const playlist = files[files.length - 1];
    if (!playlist || playlist.kind !== 'index') throw new Error(`HLS job ${this.jobId} has no planned playlist`);
    const pending = files.filter((f) => !f.done && f.kind !== 'index');
    const workers = this.deps.settings().partsInFlight;
    // Media before the playlists that list them, so that whatever reads a playlist
    // finds its files (VOD only reads once the top one arrives, but a player may not).
    await inPool(pending.filter((f) => f.kind !== 'playlist'), workers, this.signal, (f, s) => this.upload(f, s));
    await inPool(pending.filter((f) => f.kind === 'playlist'), workers, this.signal, (f, s) => this.upload(f, s));
    if (!playlist.done) {
      // The playlist completes the video: every file must still be the one uploaded.
      for (const f of files) await this.checkUnchanged(f);
      await this.upload(playlist, this.signal);
    }
    const crc = this.deps.store.hlsFiles.list(this.jobId).at(-1)?.crc64;
    if (crc === undefined) throw new Error(`HLS job ${this.jobId}: the playlist was uploaded but not recorded`);
    return crc;
  }

  private async checkUnchanged(f: HlsFileRecord): Promise<void> {
    const file = this.pathOf(f);
    const st = await fsp.stat(file);
    if (st.size !== f.size) throw hlsFileChanged(this.playlistPath, file, `its size changed from ${f.size} to ${st.size} bytes`, this.jobId);
    if (Math.floor(st.mtimeMs) !== f.mtimeMs) throw hlsFileChanged(this.playlistPath, file, 'its modification time changed', this.jobId);
  }

  private hooks(key: number, signal: AbortSignal): SendHooks {
    const { progress } = this.deps;
    return {
      signal,
      onAttempt: () => progress.discard(this.jobId, key),
      onBytes: (n) => progress.add(this.jobId, key, n),
    };
  }

  /** Sends one request in a part slot; its duration tunes the lease's refresh margin. */
  private async inSlot<T>(signal: AbortSignal, send: () => Promise<T>): Promise<T> {
    const release = await this.deps.partSlots.acquire(signal, this.jobId);
    try {
      const t0 = Date.now();
      const out = await send();
      this.lease.setExpectedPartMs(Date.now() - t0);
      return out;
    } finally {
      release();
    }
  }

  private async upload(f: HlsFileRecord, signal: AbortSignal): Promise<void> {
    await this.checkUnchanged(f);
    const file = this.pathOf(f);
    if (!this.writer) throw new Error(`HLS job ${this.jobId}: no chunk writer to send with`);
    const session = await this.writer({ objectKey: this.keyOf(f), bandwidth: this.deps.bandwidth.forJob(this.jobId), stallMs: this.deps.stallMs });
    const plan = planParts(f.size, { partSizeMiB: this.partSize / MiB });
    const keys: number[] = [];
    let ack: { etag?: string; crc64: string };
    try {
      if (plan.partCount <= 1) {
        keys.push(f.index * KEY_STRIDE);
        ack = await this.inSlot(signal, () => session.putRange(file, { start: 0, end: f.size }, this.hooks(keys[0], signal)));
      } else {
        ack = await this.multipart(f, file, session, plan, keys, signal);
      }
    } catch (err) {
      for (const k of keys) this.deps.progress.discard(this.jobId, k);
      throw err;
    }
    this.deps.store.hlsFiles.markDone(this.jobId, f.index, { etag: ack.etag, crc64: ack.crc64 });
    this.bytesMoved = true;
    const done = this.deps.store.requireJob(this.jobId).bytesDone;
    for (const k of keys) this.deps.progress.commit(this.jobId, k, done);
    this.deps.changed(this.jobId);
  }

  private async multipart(f: HlsFileRecord, file: string, session: ChunkWriter, plan: PartPlan, keys: number[], signal: AbortSignal): Promise<{ crc64: string }> {
    const acked = new Map<number, AckedPart>();
    let uploadId = f.uploadId;
    if (uploadId) {
      try {
        for (const p of await session.listParts(uploadId, signal)) {
          if (p.partNumber < 1 || p.partNumber > plan.partCount) continue;
          const range = plan.part(p.partNumber);
          if (p.size !== range.end - range.start) continue;
          // The server is right, but only about bytes that are ours.
          if (crc64ToDecimal(await fileCrc64(file, range)) === p.crc64) acked.set(p.partNumber, p);
        }
      } catch (err) {
        const code = classifyError(err).code.toLowerCase();
        // Gone (expired, or completed by a run that stopped before recording it), or a
        // credential not allowed to list: send the whole file again.
        if (code !== 'nosuchupload' && code !== 'accessdenied') throw err;
        uploadId = undefined;
      }
    }
    if (!uploadId) {
      uploadId = await this.inSlot(signal, () => session.initiate(signal));
      this.deps.store.hlsFiles.setUploadId(this.jobId, f.index, uploadId);
    }
    const id = uploadId;
    const missing: PartRange[] = [...plan.parts()].filter((p) => !acked.has(p.partNumber));
    try {
      await inPool(missing, this.deps.settings().partsInFlight, signal, async (range, s) => {
        const key = f.index * KEY_STRIDE + range.partNumber;
        keys.push(key);
        acked.set(range.partNumber, await this.inSlot(s, () => session.uploadPart(id, file, range, this.hooks(key, s))));
      });
      return { crc64: await this.inSlot(signal, () => session.complete(id, [...acked.values()], signal)) };
    } catch (err) {
      if (classifyError(err).code.toLowerCase() !== 'nosuchupload') throw err;
      // Purged or aborted under us: the next attempt starts this file again.
      this.deps.store.hlsFiles.setUploadId(this.jobId, f.index, null);
      throw new EngineError({
        kind: 'notFound', code: 'UploadVanished', retryable: true, cause: err,
        message: `The multipart upload of ${file} disappeared before it was completed; the file is sent again.`,
      });
    }
  }
}

// Drives one job from wherever its checkpoint says it is to `uploaded`
// (docs/ARCHITECTURE.md §3): file check, open once (Alibaba CreateUploadVideo), multipart upload
// through the provider's chunk writer with a part committed to the store only after the
// object store acknowledged it and its CRC-64 matched, reconciliation with ListParts on
// resume, completion with the object CRC-64, finalize exactly once (Tencent CommitUpload;
// nothing for Alibaba). The provider-neutral flow is §3 "Providers".
// An HLS playlist takes runHlsPackage instead: its files, then itself (hls-upload.ts).
// Errors propagate; the service decides between waiting and failed.

import { setMaxListeners } from 'node:events';
import path from 'node:path';
import type { EngineSettings } from '../../shared/types';
import type { AdaptiveConcurrency } from './adaptive';
import type { BandwidthLimiter } from './bandwidth';
import type { AckedPart, ChunkWriter } from './chunk-writer';
import { CredentialLease } from './credential-lease';
import { classifyError, EngineError, isOutcomeUnknown, UPLOAD_SESSION_EXPIRED } from './errors';
import { ChangeGuard, fingerprint, fingerprintChange } from './fingerprint';
import { hlsFileChanged, isHlsPlaylist, readHlsPackage } from './hls';
import { HlsPackageUpload } from './hls-upload';
import type { ProgressTracker } from './progress';
import type { UploadIdentity, VideoProvider } from './provider';
import type { Semaphore } from './semaphore';
import type { QueueStore } from './store';
import type { JobRecord } from './store/records';
import { crc64ToDecimal } from './oss/crc64';
import { fileCrc64 } from './oss/hash-stream';
import { DEFAULT_PART_SIZE_MIB, planParts, type PartPlan } from './oss/part-plan';
import { ADOPTION_SEARCH_POLICY, ADOPTION_SEARCH_SETTLE_MS, delayFor, realSleep } from './retry';
import { choosePartSizeMiB } from './part-size';
import { identityOf, openChannel, resumeChannel, type UploadChannel } from './upload-session';

const MiB = 1024 * 1024;
/** verifyObject's answers after which the object is uploaded again from the start. */
const RESTART_CODES: ReadonlySet<string> = new Set(['UploadVanished', 'ObjectUnverifiable']);

const CREATE_EVENT_TYPES = ['create-sent', 'create-refused', 'create-checked', 'adopted', 'reopened'] as const;
const FINALIZE_EVENT_TYPES = ['finalize-sent', 'finalize-refused', 'finalized', 'reopened'] as const;
/** Re-opens (a session that cannot be renewed ran out) one run makes before the job waits. */
const MAX_REOPENS_PER_RUN = 3;

/**
 * When the first finalize of the job's current session was sent, if none was answered
 * with a media id: `finalize-sent` with no `finalized` after it and no `reopened` (a new
 * session) since. A `finalize-refused` does not settle it: an earlier request whose
 * answer was lost may have finalized, so the provider reconciles before sending again.
 */
export function unansweredFinalize(events: readonly { type: string; at: number }[]): number | undefined {
  let sentAt: number | undefined;
  for (const e of events) {
    if (e.type === 'finalize-sent') sentAt ??= e.at;
    else if (e.type === 'finalized' || e.type === 'reopened') sentAt = undefined;
  }
  return sentAt;
}

/**
 * When each CreateUploadVideo of the job was sent, for those whose outcome is unknown:
 * sent (`create-sent`) and neither refused with an answer (`create-refused`, which
 * settles the request just before it) nor settled by a search (`create-checked`,
 * `adopted`, which settle all before them; `reopened`, which abandons the session
 * opened before). Events come oldest first; so do the times.
 */
export function unansweredCreates(events: readonly { type: string; at: number }[]): number[] {
  const open: number[] = [];
  for (const e of events) {
    if (e.type === 'create-sent') open.push(e.at);
    else if (e.type === 'create-refused') open.pop();
    else if (e.type === 'create-checked' || e.type === 'adopted' || e.type === 'reopened') open.length = 0;
  }
  return open;
}

/** The search for a lost create's video failed: the job waits (retryable) and says why. */
function adoptionUnchecked(e: EngineError, sentAt: number): EngineError {
  const when = new Date(sentAt).toLocaleString();
  const refused = e.kind === 'permission' || e.kind === 'auth';
  return new EngineError({
    kind: refused ? 'permission' : e.kind,
    code: 'AdoptionUnchecked',
    retryable: true,
    requestId: e.requestId,
    detail: e.detail,
    message: `CreateUploadVideo was sent at ${when} but its answer was lost, and looking for the video it may have made failed (${e.code}: ${e.message}).`,
    hint: refused
      ? 'The job waits rather than risk a second video. Allow this RAM user vod:SearchMedia and the job continues by itself; or cancel the job and add the file again (VOD may then keep one unused video with this title, status Uploading).'
      : 'The job looks again by itself, then continues with that video or creates one.',
  });
}

export interface RunnerDeps {
  store: QueueStore;
  providerFor: (job: JobRecord) => VideoProvider;
  partSlots: Semaphore;
  bandwidth: BandwidthLimiter;
  /** Request slots per destination host, sized by measurement (adaptive.ts); none = the settings alone. */
  adaptive?: AdaptiveConcurrency;
  progress: ProgressTracker;
  settings: () => EngineSettings;
  /** Called after every persisted change of the job. */
  changed: (id: number) => void;
  stallMs?: number;
}

export interface RunOutcome {
  /** True when at least one part was acknowledged in this run (resets the retry counter). */
  bytesMoved: boolean;
}

/**
 * The file is not the version whose bytes are in OSS. Not retryable: the same retry
 * meets the same file. `vodup retry --restart` (engine retry with restartChanged)
 * uploads the new version under the same VideoId.
 */
function fileChanged(rec: JobRecord, why: string): EngineError {
  return new EngineError({
    kind: 'file', code: 'FileChanged', retryable: false,
    message: `${rec.path} changed after its upload began: ${why}.`,
    hint: 'Finishing would mix two versions of the file, so the upload was stopped before it was completed; the video stays unfinished in VOD. '
      + `To upload the file as it is now under the same VideoId, restart the job (\`vodup retry --restart ${rec.id}\`, or "Upload new version" in the app; `
      + 'a watched folder does this by itself once the file stops changing). Restore the original file and retry to finish the original instead.',
  });
}

export class JobRunner {
  private bytesMoved = false;
  /** The version being uploaded, from checkFile on. */
  private guard: ChangeGuard | undefined;
  /**
   * A small file's bytes as checkFile read them (at most ONE_READ_MAX_BYTES), sent by
   * putWhole instead of reading the file again; dropped once sent.
   */
  private wholeFile: Buffer | undefined;

  constructor(
    private readonly deps: RunnerDeps,
    private readonly jobId: number,
    private readonly signal: AbortSignal,
  ) {}

  private get store(): QueueStore {
    return this.deps.store;
  }

  private job(): JobRecord {
    const rec = this.store.getJob(this.jobId);
    if (!rec) throw new EngineError({ kind: 'notFound', code: 'JobNotFound', message: `Job ${this.jobId} is no longer in the queue.` });
    return rec;
  }

  private checkAborted(): void {
    if (this.signal.aborted) throw new EngineError({ kind: 'canceled', code: 'Canceled', message: 'The job was stopped.' });
  }

  private to(state: JobRecord['state'], patch: Parameters<QueueStore['transition']>[2] = {}): JobRecord {
    this.checkAborted();
    const rec = this.store.transition(this.jobId, state, patch);
    this.deps.changed(this.jobId);
    return rec;
  }

  async run(): Promise<RunOutcome> {
    let rec = this.job();
    // A playlist is uploaded with the files it lists: its own driver (hls-upload.ts).
    if (isHlsPlaylist(rec.fileName)) return this.runHlsPackage(rec);
    await this.checkFile(rec);
    rec = this.job();
    const provider = this.deps.providerFor(rec);
    let channel: UploadChannel | undefined;
    try {
      channel = await this.openLease(rec, provider);
    } catch (err) {
      // A complete object whose session expired before it was finalized (a long pause;
      // the provider reconciled and found no media): it is uploaded again in a new one.
      const e = classifyError(err);
      if (e.code !== UPLOAD_SESSION_EXPIRED || this.signal.aborted) throw err;
      channel = await this.reopen(provider, undefined, e);
    }
    if (!channel) return { bytesMoved: false };
    // A session that cannot be renewed and ran out (UPLOAD_SESSION_EXPIRED) is opened
    // again: a new session and object, from byte 0 (reopen).
    for (let reopens = 0; ; reopens++) {
      try {
        return await this.upload(provider, channel);
      } catch (err) {
        const e = classifyError(err);
        if (e.code !== UPLOAD_SESSION_EXPIRED || this.signal.aborted) throw err;
        if (reopens >= MAX_REOPENS_PER_RUN) throw e.with({ retryable: true });
        channel = await this.reopen(provider, channel, e);
      }
    }
  }

  /** The object through the channel's writer, then finalize and the cover. */
  private async upload(provider: VideoProvider, channel: UploadChannel): Promise<RunOutcome> {
    let rec = this.job();
    const writer = await channel.writer({
      bandwidth: this.deps.bandwidth.forJob(this.jobId), stallMs: this.deps.stallMs,
      // Many requests in flight each hold a read buffer: smaller ones keep the sum in the
      // memory bound. Asked at each request, as the level changes during the upload.
      readChunkBytes: this.deps.adaptive ? () => this.deps.adaptive!.readChunkBytes() : undefined,
    });
    if (rec.size === 0) {
      await writer.putEmpty(this.signal);
      this.to('completing');
      await this.finished(provider, channel, '0');
      return { bytesMoved: true };
    }

    const plan = this.plan(rec, hostOf(channel.lease.target.endpoint));
    // A file of one part that has no multipart upload yet goes in one PutObject.
    if (plan.partCount === 1 && !rec.uploadId) return this.putWhole(rec, writer, channel, provider);
    const uploadId = await this.ensureUpload(rec, writer, plan, provider, channel);
    // Completed in an earlier run that stopped before recording it (paused or killed
    // during CompleteMultipartUpload); the object was verified against our parts.
    if (uploadId === undefined) return { bytesMoved: this.bytesMoved };
    await this.uploadMissing(this.job(), writer, plan, uploadId, channel.lease);

    // Last look before the object is made: nothing after this reads the file.
    rec = this.job();
    await this.ensureUnchanged(rec, { samples: true });
    this.to('completing');
    const parts = this.store.listParts(this.jobId);
    let crc: string;
    try {
      crc = await writer.complete(uploadId, parts, this.signal);
    } catch (err) {
      const e = classifyError(err);
      // A crash after the store completed but before we stored it leaves no upload
      // behind: the object itself says whether it is whole.
      if (e.code.toLowerCase() !== 'nosuchupload') throw e;
      try {
        crc = await writer.verifyObject(rec.size, parts, this.signal);
      } catch (verr) {
        // Not whole: forget the vanished upload so the next attempt starts it again.
        this.store.clearParts(this.jobId);
        this.store.updateJob(this.jobId, { uploadId: null });
        throw verr;
      }
    }
    await this.finished(provider, channel, crc, { crc64: crc });
    return { bytesMoved: this.bytesMoved };
  }

  /**
   * A file of at most one part, in one PutObject instead of initiate / part / complete:
   * two round trips fewer per small file. The guarantees stay those of the multipart
   * path: the bytes are hashed as they are sent and OSS's CRC-64 of the object must
   * equal ours (PutObject returns it in x-oss-hash-crc64ecma as UploadPart does:
   * help.aliyun.com/en/oss/user-guide/check-data-transmission-integrity-by-using-crc-64), and the file is checked unchanged (sampled bytes too) after it was read
   * and before the request's last chunk goes, so an object made from a changed file is
   * never completed. The checkpoint is all or nothing: a PutObject either completed with
   * the right CRC (then the job is recorded uploaded) or it did not count, and a run that
   * stopped in between simply sends it again (overwriting the same key with the same
   * bytes; at most one part's worth, as a lost part in the multipart path).
   */
  private async putWhole(rec: JobRecord, session: ChunkWriter, channel: UploadChannel, provider: VideoProvider): Promise<RunOutcome> {
    const { progress, adaptive } = this.deps;
    const host = hostOf(channel.lease.target.endpoint);
    progress.begin(this.jobId, 0, rec.size);
    let release: (() => void) | undefined;
    let acked: { etag: string; crc64: string };
    try {
      release = await this.acquireSlot(host, this.signal);
      // The bytes checkFile read (the version the guard compares with), when they are
      // the whole file: no second read. The guard still looks at the file on disk
      // before the last chunk goes, as for bytes streamed from it.
      const data = this.wholeFile?.length === rec.size ? this.wholeFile : undefined;
      this.wholeFile = undefined;
      acked = await session.putRange(rec.path, { start: 0, end: rec.size }, {
        data,
        signal: this.signal,
        onAttempt: () => progress.discard(this.jobId, 1),
        onBytes: (n) => {
          progress.add(this.jobId, 1, n);
          adaptive?.bytes(host, n);
        },
        onRetry: (e) => adaptive?.error(host, e.kind),
        beforeLastChunk: () => this.ensureUnchanged(rec, data ? { bytes: data } : { samples: true }),
      });
    } catch (err) {
      progress.discard(this.jobId, 1);
      if (!this.signal.aborted) adaptive?.error(host, classifyError(err).kind);
      else this.checkAborted();
      throw asFileChanged(rec, err);
    } finally {
      release?.();
    }
    this.bytesMoved = true;
    // The object as the job's one part, so its bytes count as done like any part's, in
    // one commit with the move to completing (a run that stops before it sends the
    // PutObject again: no uploadId).
    this.store.together(() => {
      this.store.recordPart(this.jobId, { partNumber: 1, etag: acked.etag, size: rec.size, crc64: acked.crc64 });
      this.to('completing');
    });
    progress.commit(this.jobId, 1, rec.size);
    await this.finished(provider, channel, acked.crc64, { crc64: acked.crc64, putObject: true });
    return { bytesMoved: true };
  }

  /** A part slot: the settings' global one, then the destination's adaptive one. */
  private async acquireSlot(host: string, signal: AbortSignal): Promise<() => void> {
    const global = await this.deps.partSlots.acquire(signal, this.jobId);
    if (!this.deps.adaptive) return global;
    try {
      const mine = await this.deps.adaptive.acquire(host, signal, this.jobId);
      return () => {
        mine();
        global();
      };
    } catch (err) {
      global();
      throw err;
    }
  }

  /**
   * The object is complete with `crc`: a cover that travels in the session is put, the
   * upload is finalized (once), and the job is `uploaded` (with the `completed` event's
   * data, if any); then Alibaba's cover.
   */
  private async finished(provider: VideoProvider, channel: UploadChannel | undefined, crc: string, completed?: Record<string, unknown>): Promise<void> {
    let rec = this.job();
    if (!rec.videoId) {
      // The provider commits the upload (Tencent): the object's completion is recorded
      // first, so a later run finalizes instead of uploading again.
      this.store.updateJob(this.jobId, { crc64: crc, uploadId: null });
      if (channel) await this.ensureSessionCover(this.job(), channel);
      await this.ensureFinalized(this.job(), provider);
      rec = this.job();
    }
    this.store.together(() => {
      this.to('uploaded', { crc64: crc, vodStatus: 'UploadSucc', uploadId: null });
      if (completed) this.store.appendEvent(this.jobId, 'completed', completed);
    });
    await this.ensureCover(this.job(), provider);
  }

  /**
   * The job's upload channel: open once (its identity stored before anything else), or a
   * credential for the upload it has (renewCredential 'resume'; a provider that cannot
   * give one has the upload re-opened). Undefined when the object was complete already
   * (then only finalize and the cover were left, and the job is `uploaded`).
   */
  private async openLease(rec: JobRecord, provider: VideoProvider): Promise<UploadChannel | undefined> {
    const identity = identityOf(rec);
    if (!identity) {
      rec = this.to('creating', { startedAt: rec.startedAt ?? Date.now() });
      const channel = await this.createOrAdopt(rec, provider);
      this.to('uploading');
      return channel;
    }
    if (rec.crc64 !== undefined) {
      // The object is complete already (a retry after VOD, finalize or the cover failed):
      // only those may be left to do, then VOD's status is polled again. A provider
      // without renewal is not re-opened here: that could make a second media.
      const channel = await resumeChannel(provider, identity);
      await this.ensureSessionCover(this.job(), channel);
      await this.ensureFinalized(this.job(), provider);
      await this.ensureCover(this.job(), provider);
      this.to('uploaded');
      return undefined;
    }
    const channel = await resumeChannel(provider, identity);
    this.to('uploading', { startedAt: rec.startedAt ?? Date.now() });
    if (channel) return channel;
    return this.reopen(provider, undefined, undefined);
  }

  /**
   * Opens the upload again because its session cannot be used any more (a credential
   * the provider cannot renew ran out, or the provider said the session expired): the
   * old multipart upload is aborted when a credential still allows it (else the object
   * store purges it), the old identity and every part are forgotten, and a new session
   * is opened, whose object starts from byte 0. Recorded as `reopened` on the job.
   */
  private async reopen(provider: VideoProvider, old: UploadChannel | undefined, why: EngineError | undefined): Promise<UploadChannel> {
    const rec = this.job();
    let aborted = false;
    if (old && rec.uploadId) {
      try {
        await (await old.writer()).abort(rec.uploadId);
        aborted = true;
      } catch {
        // The credential is what ran out: the store purges the upload.
      }
    }
    this.store.appendEvent(this.jobId, 'reopened', {
      why: why ? why.message : 'the provider cannot renew the credential of an upload opened before',
      old: identityOf(rec) ?? null, uploadId: rec.uploadId ?? null, aborted,
    });
    this.store.clearParts(this.jobId);
    // An HLS package keeps its plan; every file goes again under the new session's path.
    const hls = this.store.hlsFiles.list(this.jobId);
    if (hls.length > 0) this.store.hlsFiles.replace(this.jobId, hls.map((f) => ({ relPath: f.relPath, kind: f.kind, size: f.size, mtimeMs: f.mtimeMs })));
    this.store.updateJob(this.jobId, { videoId: null, uploadSession: null, uploadAddress: null, uploadId: null, crc64: null });
    if (rec.state !== 'uploading') this.to('uploading');
    this.deps.changed(this.jobId);
    return this.createOrAdopt(this.job(), provider);
  }

  /**
   * Finalizes the upload exactly once (Tencent CommitUpload → FileId; Alibaba never gets
   * here: its VideoId is known from open). `finalize-sent` is recorded before the call and
   * `finalized` (or `finalize-refused`) after, so a run after a lost answer asks
   * reconcileFinalize for the media id that call made before sending another.
   */
  private async ensureFinalized(rec: JobRecord, provider: VideoProvider): Promise<void> {
    if (rec.videoId) return;
    const identity = identityOf(rec);
    if (!identity) throw new EngineError({ kind: 'unknown', code: 'NoUploadSession', retryable: false, message: 'The upload has no session to finalize.' });
    const sentAt = unansweredFinalize(this.store.eventsOfTypes(this.jobId, FINALIZE_EVENT_TYPES));
    if (sentAt !== undefined && provider.reconcileFinalize) {
      const found = await provider.reconcileFinalize(identity, { meta: rec.meta, sentAt });
      if (found) {
        this.store.updateJob(this.jobId, { videoId: found.mediaId });
        this.store.appendEvent(this.jobId, 'finalized', { mediaId: found.mediaId, reconciled: true });
        return;
      }
    }
    this.store.appendEvent(this.jobId, 'finalize-sent');
    let done: { mediaId: string };
    try {
      done = await provider.finalize(identity);
    } catch (err) {
      const e = classifyError(err);
      this.store.appendEvent(this.jobId, isOutcomeUnknown(e) ? 'finalize-unknown' : 'finalize-refused', { code: e.code, message: e.message });
      throw e;
    }
    // Stored before anything else happens: a job never gets a second media id.
    this.store.updateJob(this.jobId, { videoId: done.mediaId });
    this.store.appendEvent(this.jobId, 'finalized', { mediaId: done.mediaId });
  }

  /**
   * A cover that travels in the upload session (UploadTarget.coverObjectKey, Tencent's
   * CoverStoragePath) goes to its key before finalize, CRC-64 checked; once.
   */
  private async ensureSessionCover(rec: JobRecord, channel: UploadChannel | undefined): Promise<void> {
    const key = channel?.lease.target.coverObjectKey;
    if (!channel || !key || !rec.meta.coverPath || rec.coverImageId || rec.videoId) return;
    await (await channel.writer({ objectKey: key })).putFile(rec.meta.coverPath, this.signal);
    this.store.updateJob(this.jobId, { coverImageId: key });
    this.store.appendEvent(this.jobId, 'cover-set', { objectKey: key });
  }

  /**
   * An HLS package: the playlist's files under ObjectPrefix, each checkpointed in
   * hls_files once OSS acknowledged it with the right CRC-64, then the playlist to
   * FileName. The job's size and progress cover them all.
   */
  private async runHlsPackage(rec: JobRecord): Promise<RunOutcome> {
    const planned = rec.videoId ? this.store.hlsFiles.list(this.jobId) : [];
    if (planned.length === 0) await this.planHlsPackage(rec);
    else await this.checkHlsPlaylist(rec, planned[planned.length - 1].size);
    const provider = this.deps.providerFor(rec);
    const channel = await this.openLease(this.job(), provider);
    if (!channel) return { bytesMoved: false };
    rec = this.job();
    this.deps.progress.begin(this.jobId, rec.bytesDone, rec.size);
    const upload = new HlsPackageUpload(this.deps, this.jobId, rec.path, rec.partSize ?? DEFAULT_PART_SIZE_MIB * MiB, channel.lease, this.signal, channel.writer);
    if (!channel.lease.target.objectPrefix) this.store.appendEvent(this.jobId, 'hls-prefix-derived', { objectPrefix: upload.prefix });
    let crc: string;
    try {
      crc = await upload.run();
    } catch (err) {
      if (this.signal.aborted) this.checkAborted();
      throw err;
    }
    this.to('completing');
    if (!this.job().videoId) {
      // The provider commits the upload (Tencent): finalize once, as for a single file.
      this.store.updateJob(this.jobId, { crc64: crc });
      await this.ensureSessionCover(this.job(), channel);
      await this.ensureFinalized(this.job(), provider);
    }
    this.to('uploaded', { crc64: crc, vodStatus: 'UploadSucc' });
    this.store.appendEvent(this.jobId, 'completed', { crc64: crc, files: this.store.hlsFiles.list(this.jobId).length });
    await this.ensureCover(this.job(), provider);
    return { bytesMoved: upload.bytesMoved };
  }

  /**
   * Reads the package as it is on disk now (a first start, or a new video): the rows to
   * upload, the job's size (playlist + files), the playlist's fingerprint, and the part
   * size big files will use, fixed from now on.
   */
  private async planHlsPackage(rec: JobRecord): Promise<void> {
    const pkg = await readHlsPackage(rec.path);
    const print = await fingerprint(rec.path);
    if (print.size !== pkg.playlistSize) throw hlsFileChanged(rec.path, rec.path, 'it changed while it was being read', rec.id);
    this.store.hlsFiles.replace(this.jobId, [
      ...pkg.files.map((f) => ({ relPath: f.relPath, kind: f.kind, size: f.size, mtimeMs: f.mtimeMs })),
      { relPath: path.basename(rec.path), kind: 'index' as const, size: print.size, mtimeMs: print.mtimeMs },
    ]);
    // A part size the job already has (its own --part-size) stays; else today's setting.
    const partSize = rec.partSize ?? (this.deps.settings().partSizeMiB || DEFAULT_PART_SIZE_MIB) * MiB;
    this.store.updateJob(this.jobId, { mtimeMs: print.mtimeMs, sampleHash: print.sampleHash, partSize });
    this.store.appendEvent(this.jobId, 'hls-planned', { files: pkg.files.length, size: pkg.totalSize });
    this.deps.changed(this.jobId);
  }

  /** On resume: the playlist must be the one whose files are planned (each file is checked before it goes). */
  private async checkHlsPlaylist(rec: JobRecord, plannedSize: number): Promise<void> {
    const now = await fingerprint(rec.path);
    const why = fingerprintChange({ size: plannedSize, mtimeMs: rec.mtimeMs, sampleHash: rec.sampleHash ?? now.sampleHash }, now);
    if (why) throw hlsFileChanged(rec.path, rec.path, why, rec.id);
  }

  /**
   * Uploads the job's cover image (CreateUploadImage → PutObject) and sets it on the
   * video (UpdateVideoInfo). Image credentials cannot be refreshed, so every attempt
   * asks for a new one; a cover already set is not uploaded again.
   */
  private async ensureCover(rec: JobRecord, provider: VideoProvider): Promise<void> {
    // A provider whose cover travels in the upload session put it before finalize (ensureSessionCover).
    if (!provider.createImageUpload || !provider.setCover) return;
    if (!rec.meta.coverPath || rec.coverImageId || !rec.videoId) return;
    const ext = path.extname(rec.meta.coverPath).slice(1);
    const image = await provider.createImageUpload({ ext, title: rec.meta.title, storageLocation: rec.meta.storageLocation, appId: rec.meta.appId });
    const imageLease = new CredentialLease(
      () => Promise.reject(new EngineError({ kind: 'credentialExpired', code: 'ImageCredentialExpired', message: 'The cover upload credential expired; a new one is requested.' })),
      image.address, image.credential,
    );
    await (await provider.chunkWriter(image.address, imageLease)).putFile(rec.meta.coverPath, this.signal);
    await provider.setCover(rec.videoId, image.imageUrl);
    this.store.updateJob(this.jobId, { coverImageId: image.imageId });
    this.store.appendEvent(this.jobId, 'cover-set', { imageId: image.imageId });
  }

  /**
   * The job's video: the one a lost CreateUploadVideo may have made (adoptLostCreate),
   * or a new one. What became of each create request is written to the job's events,
   * so a later run (after a crash, too) knows whether one is unaccounted for.
   */
  private async createOrAdopt(rec: JobRecord, provider: VideoProvider): Promise<UploadChannel> {
    const adopted = await this.adoptLostCreate(rec, provider);
    if (adopted) return adopted;
    this.store.appendEvent(this.jobId, 'create-sent');
    let opened;
    try {
      opened = await provider.open({ meta: rec.meta, fileName: rec.fileName, size: rec.size });
    } catch (err) {
      const e = classifyError(err);
      // An answer (throttling, a 5xx, a refusal) or a request that never left proves
      // nothing was made: the next attempt simply sends it again. Only a request sent
      // without an answer leaves a video that may exist.
      if (isOutcomeUnknown(e)) this.store.appendEvent(this.jobId, 'create-unknown', { code: e.code, message: e.message, detail: e.detail });
      else this.store.appendEvent(this.jobId, 'create-refused', { code: e.code });
      throw e;
    }
    // Stored before anything else happens: a job never gets a second VideoId (or session).
    // The identity and its event in one commit, fsynced before anything is sent under it.
    const { identity } = opened;
    await this.store.togetherSynced(() => {
      this.store.updateJob(this.jobId, {
        provider: provider.name, videoId: identity.mediaId ?? null, uploadSession: identity.session ?? null, uploadAddress: opened.target,
      });
      this.store.appendEvent(this.jobId, 'created', identity.session
        ? { videoId: identity.mediaId, session: identity.session, requestId: opened.requestId }
        : { videoId: identity.mediaId, requestId: opened.requestId });
    });
    return openChannel(provider, identity, opened.target, opened.credential);
  }

  /**
   * A CreateUploadVideo that was sent and never answered (cut connection, or a run that
   * died while waiting) may still have made a video. Before sending another, look for
   * an unfinished video with this title made since the first such request and not owned
   * by another job, and continue with it.
   *
   * SearchMedia's index lags a new video, so an empty answer is believed only once
   * ADOPTION_SEARCH_SETTLE_MS have passed since the lost request; until then the search
   * is repeated. When the search itself fails (throttling, an outage, or a RAM user not
   * allowed SearchMedia) the job waits and says what for: creating anew could leave a
   * second video, and nothing proves the first request was not carried out. A RAM user
   * without SearchMedia therefore needs the operator (grant it, or cancel and re-add).
   */
  private async adoptLostCreate(rec: JobRecord, provider: VideoProvider): Promise<UploadChannel | undefined> {
    const lost = unansweredCreates(this.store.eventsOfTypes(this.jobId, CREATE_EVENT_TYPES));
    if (lost.length === 0) return undefined;
    if (!provider.findUnfinishedUploads) {
      // This provider cannot look a video up by title (none other exists to ask).
      this.store.appendEvent(this.jobId, 'create-checked', { found: 0, why: 'the provider cannot search' });
      return undefined;
    }
    // A minute of slack for clock differences between us and the service.
    const since = lost[0] - 60_000;
    const settledAt = lost[lost.length - 1] + ADOPTION_SEARCH_SETTLE_MS;
    for (let attempt = 1; ; attempt++) {
      let found: string[];
      try {
        found = await provider.findUnfinishedUploads({ title: rec.meta.title, since });
      } catch (err) {
        throw adoptionUnchecked(classifyError(err), lost[lost.length - 1]);
      }
      const candidates = found.filter((videoId) => !this.store.hasVideoId(videoId));
      if (candidates.length > 0) {
        const videoId = candidates[0];
        const identity: UploadIdentity = { mediaId: videoId };
        const fresh = await provider.renewCredential(identity, 'resume');
        if (!fresh) {
          // Adoption needs a credential for the adopted upload; a provider that offers
          // findUnfinishedUploads must be able to give one.
          throw new EngineError({ kind: 'unknown', code: 'AdoptionUnsupported', retryable: false, message: `The upload ${videoId} was found but ${provider.name} gives no credential to continue it.` });
        }
        this.store.updateJob(this.jobId, { provider: provider.name, videoId, uploadAddress: fresh.target });
        this.store.appendEvent(this.jobId, 'adopted', { videoId, candidates: candidates.length, searches: attempt });
        return openChannel(provider, identity, fresh.target, fresh.credential);
      }
      if (Date.now() >= settledAt) {
        this.store.appendEvent(this.jobId, 'create-checked', { found: 0, searches: attempt });
        return undefined;
      }
      await realSleep(Math.min(delayFor(ADOPTION_SEARCH_POLICY, attempt), Math.max(0, settledAt - Date.now())), this.signal);
    }
  }

  /**
   * Before any byte: once a multipart upload exists (bytes may be in OSS), the file
   * must be the version it began with. Before that, what is on disk now is what is
   * uploaded. A complete object does not read the file again.
   */
  private async checkFile(rec: JobRecord): Promise<void> {
    if (rec.crc64 !== undefined) return;
    // A small file without an upload yet is read whole here (the fingerprint's one read)
    // and its bytes kept for its PutObject (putWhole): one read of the file, not three.
    const now = await fingerprint(rec.path, { keep: !rec.uploadId });
    this.wholeFile = now.data;
    if (rec.uploadId && rec.sampleHash) {
      const why = fingerprintChange({ size: rec.size, mtimeMs: rec.mtimeMs, sampleHash: rec.sampleHash }, now);
      if (why) throw fileChanged(rec, why);
    } else if (rec.uploadId && (now.size !== rec.size || now.mtimeMs !== rec.mtimeMs)) {
      // A job queued before sampled hashes were kept.
      throw fileChanged(rec, fingerprintChange({ size: rec.size, mtimeMs: rec.mtimeMs, sampleHash: '' }, { ...now, sampleHash: '' })!);
    } else if (!rec.uploadId) {
      // The part size follows the size until the upload exists.
      const partSize = now.size !== rec.size ? { partSize: null } : {};
      this.store.updateJob(this.jobId, { size: now.size, mtimeMs: now.mtimeMs, sampleHash: now.sampleHash, ...partSize });
    }
    this.guard = new ChangeGuard(rec.path, now);
  }

  /**
   * After a part was read and before the upload is completed: the file must still be
   * the version whose bytes were sent (size and mtime; a ctime or identity change
   * re-reads the sampled bytes; `samples` re-reads them anyway; `bytes`, those being
   * sent from memory, has the whole file compared with them).
   */
  private async ensureUnchanged(rec: JobRecord, opts: { samples?: boolean; bytes?: Buffer } = {}): Promise<void> {
    const why = opts.bytes ? await this.guard!.checkBytes(opts.bytes) : await this.guard!.check(opts);
    if (why === undefined) return;
    this.store.appendEvent(this.jobId, 'file-changed', { why });
    throw fileChanged(rec, why);
  }

  private plan(rec: JobRecord, host: string): PartPlan {
    // The part size is fixed at the first start (stored before the upload is initiated):
    // a resumed upload keeps its parts. A new one's is chosen for the destination's
    // measured rate unless the operator set one (part-size.ts).
    const partSizeMiB = rec.partSize
      ? rec.partSize / MiB
      : choosePartSizeMiB({
        size: rec.size,
        settingMiB: this.deps.settings().partSizeMiB,
        ...(this.deps.adaptive?.partSizeInput(host) ?? { level: this.deps.settings().partsInFlight }),
      });
    const plan = planParts(rec.size, { partSizeMiB });
    if (rec.partSize !== plan.partSize) this.store.updateJob(this.jobId, { partSize: plan.partSize });
    return plan;
  }

  /**
   * The multipart upload to continue, reconciled with what OSS holds (the server is
   * right); undefined when the object turns out to be complete already (then the job
   * is `uploaded`).
   */
  private async ensureUpload(rec: JobRecord, session: ChunkWriter, plan: PartPlan, provider: VideoProvider, channel: UploadChannel): Promise<string | undefined> {
    if (rec.uploadId) {
      let gone = false;
      try {
        const server = await session.listParts(rec.uploadId, this.signal);
        await this.reconcile(rec, server, plan, session);
        return rec.uploadId;
      } catch (err) {
        const e = classifyError(err);
        if (e.kind === 'permission') {
          // VOD's upload credential may not allow ListParts (its STS policy is not
          // documented). Without the list, parts OSS holds cannot be checked against
          // ours, so the object is started again: same VideoId, same key, a new
          // multipart upload. The old one is aborted if the policy lets us.
          this.store.appendEvent(this.jobId, 'list-parts-denied', { uploadId: rec.uploadId, code: e.code, message: e.message });
          await session.abort(rec.uploadId).catch(() => undefined);
        } else if (e.code.toLowerCase() === 'nosuchupload') {
          gone = true;
        } else {
          throw e;
        }
      }
      if (gone) {
        // Gone: completed by a run that stopped before recording it, or expired (OSS
        // purges after ~7 days) or aborted. The object itself says which.
        const parts = this.store.listParts(this.jobId);
        if (parts.length === plan.partCount) {
          try {
            const crc = await session.verifyObject(rec.size, parts, this.signal);
            this.to('completing');
            await this.finished(provider, channel, crc, { crc64: crc, found: true });
            return undefined;
          } catch (verr) {
            // Vanished, or not checkable (HEAD refused by the credential's policy): start again.
            if (!RESTART_CODES.has(classifyError(verr).code)) throw verr;
          }
        }
        // Start again on the same object.
        this.store.appendEvent(this.jobId, 'upload-expired', { uploadId: rec.uploadId });
      }
    }
    this.store.clearParts(this.jobId);
    const uploadId = await session.initiate(this.signal);
    this.store.updateJob(this.jobId, { uploadId });
    this.store.appendEvent(this.jobId, 'initiated', { uploadId });
    this.deps.changed(this.jobId);
    return uploadId;
  }

  private async reconcile(rec: JobRecord, server: AckedPart[], plan: PartPlan, session: ChunkWriter): Promise<void> {
    const local = new Map(this.store.listParts(this.jobId).map((p) => [p.partNumber, p]));
    const keep: AckedPart[] = [];
    for (const p of server) {
      if (p.partNumber < 1 || p.partNumber > plan.partCount) continue;
      const range = plan.part(p.partNumber);
      if (p.size !== range.end - range.start) continue;
      const mine = local.get(p.partNumber);
      // A store that lists no CRC-64 (COS) is matched on the ETag alone for a recorded part.
      if (mine && mine.etag === p.etag && (mine.crc64 === p.crc64 || p.crc64 === '')) {
        keep.push(mine);
        continue;
      }
      // The store has a part we never recorded (we crashed between its ack and our commit):
      // trust it only if its CRC-64 (or, without one, its ETag) matches the file's bytes.
      if (p.crc64 === '') {
        const adopted = await session.adoptListedPart?.(rec.path, range, p);
        if (adopted) keep.push(adopted);
        continue;
      }
      if (crc64ToDecimal(await fileCrc64(rec.path, range)) === p.crc64) keep.push(p);
    }
    this.store.replaceParts(this.jobId, keep);
    this.store.appendEvent(this.jobId, 'reconciled', { server: server.length, kept: keep.length, local: local.size });
    this.deps.changed(this.jobId);
  }

  private async uploadMissing(rec: JobRecord, session: ChunkWriter, plan: PartPlan, uploadId: string, lease: CredentialLease): Promise<void> {
    const have = new Set(this.store.listParts(this.jobId).map((p) => p.partNumber));
    const missing = [...plan.parts()].filter((p) => !have.has(p.partNumber));
    if (missing.length === 0) return;
    const { progress, adaptive } = this.deps;
    const host = hostOf(lease.address.endpoint);
    progress.begin(this.jobId, this.job().bytesDone, rec.size);
    // Parts of this job stop together: one failure aborts the rest (they resume later).
    const local = new AbortController();
    // Every worker listens on it while it waits for its two slots and while it sends:
    // up to the parts setting × 3 listeners, by design, not a leak.
    setMaxListeners(Math.max(10, 3 * this.deps.settings().partsInFlight + 2), local.signal);
    const stop = (): void => local.abort(this.signal.reason);
    this.signal.addEventListener('abort', stop, { once: true });
    let next = 0;
    let firstError: unknown;
    const worker = async (): Promise<void> => {
      while (!local.signal.aborted && next < missing.length) {
        const range = missing[next++];
        let release: (() => void) | undefined;
        // A slot is for carrying bytes (adaptive.ts): once a part's body has all been handed
        // to the socket, its request only waits for the answer (a round trip, the server's
        // check), so the slot passes to the next part at once and the link does not idle
        // for a round trip at every part's end. A retry of that part sends without a slot
        // (the level halves on errors anyway); at most the parts setting's workers send.
        let sent = 0;
        const partBytes = range.end - range.start;
        const releaseOnce = (): void => {
          const r = release;
          release = undefined;
          r?.();
        };
        try {
          release = await this.acquireSlot(host, local.signal);
          const t0 = Date.now();
          const acked = await session.uploadPart(uploadId, rec.path, range, {
            signal: local.signal,
            onAttempt: () => {
              sent = 0;
              progress.discard(this.jobId, range.partNumber);
            },
            onBytes: (n) => {
              progress.add(this.jobId, range.partNumber, n);
              adaptive?.bytes(host, n);
              sent += n;
              if (sent >= partBytes) releaseOnce();
            },
            onRetry: (e) => adaptive?.error(host, e.kind),
          });
          lease.setExpectedPartMs(Date.now() - t0);
          // A part read while the file changed is not kept.
          await this.ensureUnchanged(rec);
          this.store.recordPart(this.jobId, acked);
          this.bytesMoved = true;
          progress.commit(this.jobId, range.partNumber, this.job().bytesDone);
        } catch (err) {
          progress.discard(this.jobId, range.partNumber);
          if (!local.signal.aborted) adaptive?.error(host, classifyError(err).kind);
          if (firstError === undefined) firstError = asFileChanged(rec, err);
          local.abort(err);
        } finally {
          releaseOnce();
        }
      }
    };
    // Under a bandwidth cap more parts in flight do not send faster, they only hold part
    // slots: a job then takes its share of the slots (parts / files in flight), so the
    // files that start after a big one find a slot at once instead of waiting for its parts.
    // Otherwise a job may use up to the parts setting; how many of those run at once is
    // the adaptive slot pool's decision (adaptive.ts).
    const { partsInFlight, filesInFlight } = this.deps.settings();
    const share = this.deps.bandwidth.limited ? Math.max(1, Math.floor(partsInFlight / Math.max(1, filesInFlight))) : partsInFlight;
    const workers = Math.max(1, Math.min(share, missing.length));
    try {
      await Promise.all(Array.from({ length: workers }, worker));
    } finally {
      this.signal.removeEventListener('abort', stop);
    }
    if (this.signal.aborted) this.checkAborted();
    if (firstError !== undefined) throw firstError;
  }
}

/** The host a request goes to (adaptive concurrency is kept per destination). */
function hostOf(endpoint: string): string {
  try {
    return new URL(endpoint).host;
  } catch {
    return endpoint;
  }
}

/** A part that found the file shorter than its range says so with the job's words and hint. */
function asFileChanged(rec: JobRecord, err: unknown): unknown {
  if (!(err instanceof EngineError) || err.code !== 'FileChanged' || err.message.startsWith(rec.path)) return err;
  return fileChanged(rec, err.message);
}

// The upload driver: a local file up into VOD (docs/ARCHITECTURE.md §3). The run itself is
// JobRunner's (job-runner.ts, unchanged); this file holds what the scheduler used to do
// for uploads only: after a success the ledger and VOD status polling, on cancel the
// abort of the multipart upload (and DeleteVideo if asked), and `retry --restart`.

import type { JobState } from '../../../shared/types';
import type { CancelOptions } from '../api';
import { classifyError, EngineError } from '../errors';
import { fingerprint, fingerprintChange, type SampledFile } from '../fingerprint';
import { isHlsPlaylist } from '../hls';
import { abortHlsUploads, restartHlsPackage } from '../hls-upload';
import { JobRunner, type RunnerDeps } from '../job-runner';
import type { VideoProvider } from '../provider';
import type { JobPatch, JobRecord } from '../store/records';
import { identityOf, resumeChannel, type UploadChannel } from '../upload-session';
import type { JobDriver, RunOutcome } from './job-driver';

/** A channel to clean up an upload with; the provider may have no credential for it any more. */
async function cleanupChannel(provider: VideoProvider, rec: JobRecord): Promise<UploadChannel> {
  const identity = identityOf(rec);
  const channel = identity && await resumeChannel(provider, identity);
  if (!channel) {
    throw new EngineError({
      kind: 'credentialExpired', code: 'NoCleanupCredential', retryable: false,
      message: 'The upload session\'s credential cannot be renewed, so its multipart upload was left to the object store to purge.',
    });
  }
  return channel;
}

export interface UploadDriverDeps extends RunnerDeps {
  /** The provider of a profile (the account that created the job's VideoId). */
  providerOf: (profileId: string | undefined) => VideoProvider;
  /** Writes the ledger row of a complete object (service.recordUploaded). */
  recordUploaded: (id: number) => void;
  /** Starts polling VOD's status of a complete object (status-poller.ts). */
  startPolling: (id: number) => void;
}

export class UploadDriver implements JobDriver {
  readonly kind = 'upload' as const;
  readonly runningStates: readonly JobState[] = ['creating', 'uploading', 'completing'];

  constructor(private readonly deps: UploadDriverDeps) {}

  run(jobId: number, signal: AbortSignal): Promise<RunOutcome> {
    return new JobRunner(this.deps, jobId, signal).run();
  }

  succeeded(jobId: number): void {
    this.deps.recordUploaded(jobId);
    this.deps.startPolling(jobId);
  }

  async cancel(rec: JobRecord, opts: CancelOptions): Promise<JobPatch> {
    const patch: JobPatch = {};
    if (!identityOf(rec)) return patch;
    const { store } = this.deps;
    const provider = this.deps.providerOf(rec.profileId);
    try {
      // One credential for every abort of this job (its own upload, an HLS package's big files).
      let channel: UploadChannel | undefined;
      const channelNow = async (): Promise<UploadChannel> => (channel ??= await cleanupChannel(provider, rec));
      if (rec.uploadId && rec.uploadAddress) {
        await (await (await channelNow()).writer()).abort(rec.uploadId);
        patch.uploadId = null;
        store.clearParts(rec.id);
      }
      // An HLS package's big files have multipart uploads of their own (hls-upload.ts).
      const hlsOpen = store.hlsFiles.list(rec.id).filter((f) => f.uploadId);
      if (hlsOpen.length > 0) await abortHlsUploads(store, rec.id, hlsOpen, await channelNow());
      if (opts.deleteVideo) {
        // A session never finalized made no media (Tencent before CommitUpload): forgotten.
        if (rec.videoId) await provider.deleteVideo(rec.videoId);
        patch.uploadSession = null;
        patch.videoId = null;
        patch.uploadAddress = null;
        patch.vodStatus = null;
        patch.crc64 = null;
        patch.partSize = null;
        // An HLS package's checkpoint was the deleted VideoId's: a retry reads the
        // package again and starts from nothing under a new one.
        store.hlsFiles.clear(rec.id);
      }
    } catch (err) {
      // Canceling must work offline too; the service purges the upload in ~7 days.
      const e = classifyError(err);
      store.appendEvent(rec.id, 'cancel-cleanup-failed', { code: e.code, message: e.message });
    }
    return patch;
  }

  /**
   * A job that failed because its file changed after its upload began was stopped
   * before CompleteMultipartUpload, so its VideoId is still unfinished and can take the
   * new version: the file is fingerprinted again, the old multipart upload and its parts
   * are forgotten (and aborted in OSS when it answers; it purges them in ~7 days
   * anyway), and the upload starts again from byte 0 on the same object. A job whose
   * file is the version it began with resumes as a plain retry would.
   * VOD documents RefreshUploadVideo for this (a new upload of a video's source keeps
   * its VideoId: alibabacloud.com/help/en/vod/api-refreshuploadvideo), and OSS's
   * AbortMultipartUpload deletes the uploaded parts of an upload that was never
   * completed (alibabacloud.com/help/doc-detail/31996.html).
   */
  async restart(rec: JobRecord): Promise<void> {
    const { store } = this.deps;
    // Failed jobs are never scheduled, so nothing runs this job while we look at its file.
    if (rec.state !== 'failed' || !identityOf(rec) || rec.crc64 !== undefined) return;
    if (isHlsPlaylist(rec.fileName)) {
      // A package: planned again from its files as they are now (hls-upload.ts).
      const provider = this.deps.providerOf(rec.profileId);
      return restartHlsPackage(store, rec, () => cleanupChannel(provider, rec));
    }
    let now: SampledFile;
    try {
      now = await fingerprint(rec.path);
    } catch {
      return; // gone or unreadable: the retry fails with what is wrong
    }
    const same = rec.sampleHash
      ? fingerprintChange({ size: rec.size, mtimeMs: rec.mtimeMs, sampleHash: rec.sampleHash }, now) === undefined
      : rec.size === now.size && rec.mtimeMs === now.mtimeMs;
    if (same) return;
    store.clearParts(rec.id);
    store.updateJob(rec.id, { size: now.size, mtimeMs: now.mtimeMs, sampleHash: now.sampleHash, uploadId: null });
    store.appendEvent(rec.id, 'restarted', {
      from: { size: rec.size, mtimeMs: rec.mtimeMs }, to: { size: now.size, mtimeMs: now.mtimeMs }, abandonedUploadId: rec.uploadId ?? null,
    });
    if (rec.uploadId) await this.abortUpload(rec, 'restart-cleanup-failed');
  }

  /**
   * Aborts a job's multipart upload in OSS. Best effort, so that it works offline: a
   * failure is recorded as `event` on the job, and OSS purges the upload in ~7 days.
   */
  private async abortUpload(rec: JobRecord, event: string): Promise<boolean> {
    if (!identityOf(rec) || !rec.uploadId || !rec.uploadAddress) return false;
    try {
      const provider = this.deps.providerOf(rec.profileId);
      await (await (await cleanupChannel(provider, rec)).writer()).abort(rec.uploadId);
      return true;
    } catch (err) {
      const e = classifyError(err);
      this.deps.store.appendEvent(rec.id, event, { code: e.code, message: e.message });
      return false;
    }
  }
}

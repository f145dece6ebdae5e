// The download driver (docs/ARCHITECTURE.md §3, "Second direction"): one item of a video
// in VOD down to a local file, resumable after kill -9 and across days.
//
//  1. The item's URL is resolved just before use with the provider's mediaUrls, and
//     again whenever it is refused (403) or about to expire: never stored.
//  2. A one-byte ranged GET learns the object's size, ETag and CRC-64 (ranged-get.ts CRC64_HEADERS). A
//     job that has checkpointed ranges compares them with what it began with: a change
//     is RemoteChanged (the operator restarts it with `retry --restart`).
//  3. Ranges (16 MiB unless the part size setting says otherwise) are fetched in
//     parallel through the engine's part slots and bandwidth limiter, each written at its
//     offset in `<final name>.vodpart` in 256 KiB batches (range-writer.ts), fsynced, and
//     only then checkpointed in SQLite with its CRC-64 (download_ranges): the same
//     durability rule as upload parts. The sync runs after the range's slot is released,
//     one fdatasync for the ranges that finished meanwhile (group-sync.ts).
//  4. Verification: the ranges' CRC-64s combined equal the object's; without one, the
//     size and the MD5 the service reports; without that, the size.
//  5. The verified file takes its final name (rename, then the folder fsynced); a
//     sidecar `<file>.json` with the video's metadata follows if asked.

import { setMaxListeners } from 'node:events';
import fs from 'node:fs';
import fsp from 'node:fs/promises';
import path from 'node:path';
import { createHash } from 'node:crypto';
import type { MediaUrl } from '../../../shared/library';
import type { EngineSettings, JobState } from '../../../shared/types';
import type { BandwidthLimiter } from '../bandwidth';
import type { JobDriver, RunOutcome } from '../drivers/job-driver';
import {
  classifyError, downloadDiskFull, downloadMismatch, EngineError, remoteChanged,
} from '../errors';
import type { MediaLibraryPort } from '../library/port';
import { crc64Combine, crc64FromDecimal, crc64ToDecimal } from '../oss/crc64';
import { fileCrc64 } from '../oss/hash-stream';
import { DEFAULT_PART_SIZE_MIB } from '../oss/part-plan';
import type { ProgressTracker } from '../progress';
import { DEFAULT_CALL_POLICY, retrying } from '../retry';
import type { Semaphore } from '../semaphore';
import type { QueueStore } from '../store';
import type { DownloadRecord, RangeRecord, RemoteIdentity } from '../store/downloads';
import type { JobPatch, JobRecord } from '../store/records';
import { freeName, TEMP_SUFFIX } from './file-names';
import { GroupSync } from './group-sync';
import { getRangeToFile, probeObject, type ObjectHead, type RangeResult } from './ranged-get';

const MiB = 1024 * 1024;
const DEFAULT_STALL_MS = 60_000;
/**
 * A URL this close to its expiry is resolved again before a range starts with it (at
 * most a quarter of its lifetime, so short-lived URLs are still used).
 */
const EXPIRY_MARGIN_MS = 30_000;

export interface DownloadDriverDeps {
  store: QueueStore;
  partSlots: Semaphore;
  bandwidth: BandwidthLimiter;
  progress: ProgressTracker;
  settings: () => EngineSettings;
  changed: (id: number) => void;
  stallMs?: number;
  libraryFor: (profileId: string | undefined) => MediaLibraryPort;
}

export class DownloadDriver implements JobDriver {
  readonly kind = 'download' as const;
  readonly runningStates: readonly JobState[] = ['downloading', 'verifying'];

  constructor(private readonly deps: DownloadDriverDeps) {}

  run(jobId: number, signal: AbortSignal): Promise<RunOutcome> {
    return new DownloadRun(this.deps, jobId, signal).run();
  }

  succeeded(): void {
    // The verified file is in place: nothing follows (no service-side processing).
  }

  /** A canceled download leaves nothing half-written: its temporary file and checkpoint go. */
  async cancel(rec: JobRecord): Promise<JobPatch> {
    await this.discard(rec, 'cancel-cleanup-failed');
    return {};
  }

  /** `retry --restart`: forget the old version's ranges and start from byte 0 on the object as it is now. */
  async restart(rec: JobRecord): Promise<void> {
    if (rec.state !== 'failed') return;
    await this.discard(rec, 'restart-cleanup-failed');
    this.deps.store.appendEvent(rec.id, 'restarted', { from: rec.bytesDone });
  }

  private async discard(rec: JobRecord, event: string): Promise<void> {
    const d = this.deps.store.downloads.get(rec.id);
    if (!d) return;
    try {
      await fsp.rm(d.tempPath, { force: true });
    } catch (err) {
      const e = classifyError(err);
      this.deps.store.appendEvent(rec.id, event, { code: e.code, message: e.message });
    }
    this.deps.store.downloads.clearRanges(rec.id, { forgetRemote: true });
  }
}

/** The item's URL, resolved when needed and again when refused or about to expire. */
class UrlResolver {
  private item: MediaUrl | undefined;
  /** How many times the URL was resolved in this run (the first included). */
  resolutions = 0;
  private pending: Promise<MediaUrl> | undefined;
  private resolvedAt = 0;

  constructor(private readonly lib: MediaLibraryPort, private readonly d: DownloadRecord, private readonly onResolved: (n: number) => void) {}

  async current(): Promise<MediaUrl> {
    const item = this.item;
    if (item) {
      if (item.expiresAt === undefined) return item;
      const margin = Math.min(EXPIRY_MARGIN_MS, Math.max(0, item.expiresAt - this.resolvedAt) / 4);
      if (item.expiresAt - Date.now() > margin) return item;
    }
    return this.refresh(item?.url);
  }

  /** A new URL, unless another range already got one since `stale` was handed out. */
  refresh(stale: string | undefined): Promise<MediaUrl> {
    if (this.item && this.item.url !== stale && !this.pending) return Promise.resolve(this.item);
    this.pending ??= (async () => {
      try {
        const items = await this.lib.mediaUrls(this.d.videoId, this.d.what);
        const found = items.find((i) => i.key === this.d.itemKey);
        if (!found) {
          throw new EngineError({
            kind: 'notFound', code: 'ItemGone', retryable: false,
            message: `Video ${this.d.videoId} no longer has "${this.d.itemKey}" (it has ${items.map((i) => i.key).join(', ') || 'nothing of what was asked'}).`,
            hint: 'The stream or file was deleted or transcoded differently. Cancel the job, or check the video in the library.',
          });
        }
        this.item = found;
        this.resolvedAt = Date.now();
        this.resolutions++;
        this.onResolved(this.resolutions);
        return found;
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }
}

class DownloadRun {
  private bytesMoved = false;
  private readonly stallMs: number;

  constructor(
    private readonly deps: DownloadDriverDeps,
    private readonly jobId: number,
    private readonly signal: AbortSignal,
  ) {
    this.stallMs = deps.stallMs ?? DEFAULT_STALL_MS;
  }

  private get store(): QueueStore {
    return this.deps.store;
  }

  private job(): JobRecord {
    return this.store.requireJob(this.jobId);
  }

  private download(): DownloadRecord {
    const d = this.store.downloads.get(this.jobId);
    if (!d) throw new EngineError({ kind: 'unknown', code: 'DownloadRowMissing', retryable: false, message: `Job ${this.jobId} is a download without its download row.` });
    return d;
  }

  private checkAborted(): void {
    if (this.signal.aborted) throw new EngineError({ kind: 'canceled', code: 'Canceled', message: 'The job was stopped.' });
  }

  private to(state: JobState, patch: JobPatch = {}): JobRecord {
    this.checkAborted();
    const rec = this.store.transition(this.jobId, state, patch);
    this.deps.changed(this.jobId);
    return rec;
  }

  async run(): Promise<RunOutcome> {
    let rec = this.job();
    let d = this.download();
    const resolver = new UrlResolver(this.deps.libraryFor(rec.profileId), d, (n) => {
      if (n > 1) this.store.appendEvent(this.jobId, 'url-resolved', { times: n });
    });
    const head = await this.withUrl(resolver, (url) => probeObject(url, { signal: this.signal, stallMs: this.stallMs }));
    const item = await resolver.current();
    const remote: RemoteIdentity = {
      size: head.size,
      ...(head.etag ? { etag: head.etag } : {}),
      ...(head.crc64 ? { crc64: head.crc64 } : {}),
      ...(item.md5 ? { md5: item.md5.toLowerCase() } : {}),
      ...(head.lastModified ? { lastModified: head.lastModified } : {}),
    };
    let ranges = this.store.downloads.listRanges(this.jobId);
    if (d.remote) {
      const why = remoteChange(d.remote, remote);
      if (why && ranges.length > 0) {
        this.store.appendEvent(this.jobId, 'remote-changed', { why, was: d.remote, now: remote });
        throw remoteChanged(this.jobId, rec.fileName, why);
      }
      if (why) {
        // Nothing written yet: the object as it is now is the one to fetch.
        this.store.downloads.transaction(() => {
          this.store.downloads.setRemote(this.jobId, remote, d.rangeSize ?? this.rangeSize());
          this.store.updateJob(this.jobId, { size: remote.size });
          this.store.appendEvent(this.jobId, 'remote', { ...remote, changedBeforeFirstRange: why });
        });
      }
    } else {
      // The first start: the destination is looked at now (another file may have the name).
      const placed = await this.place(rec, d, remote);
      if (placed === 'done') return { bytesMoved: false };
      this.store.downloads.transaction(() => {
        this.store.downloads.setRemote(this.jobId, remote, this.rangeSize());
        this.store.updateJob(this.jobId, { size: remote.size });
        this.store.appendEvent(this.jobId, 'remote', { ...remote });
      });
    }
    rec = this.job();
    d = this.download();
    const rangeSize = d.rangeSize!;
    // An empty object has no range: it is verified (size 0, CRC-64 0) and written as it is.
    const count = Math.ceil(remote.size / rangeSize);

    await fsp.mkdir(d.outDir, { recursive: true }).catch((err: unknown) => {
      throw this.fileError(err, d.outDir);
    });
    if (ranges.length > 0 && !fs.existsSync(d.tempPath) && await this.finishedBefore(rec, d, remote)) return { bytesMoved: false };
    const fh = await this.openTemp(d, ranges, rangeSize);
    try {
      ranges = this.store.downloads.listRanges(this.jobId);
      const have = new Set(ranges.map((r) => r.index));
      const missing = [...Array(count).keys()].filter((i) => !have.has(i));
      if (missing.length > 0) await this.checkFreeSpace(d, missing.reduce((n, i) => n + rangeLength(i, rangeSize, remote.size), 0));
      this.to('downloading', { startedAt: rec.startedAt ?? Date.now() });
      if (missing.length > 0) await this.fetchRanges(fh.fd, missing, rangeSize, remote, resolver);
      this.to('verifying');
      await this.verify(d, remote, fh);
    } finally {
      await fh.close().catch(() => undefined);
    }
    await this.finish(d, remote);
    return { bytesMoved: this.bytesMoved };
  }

  /**
   * A run that stopped between the rename of the verified file and its record (kill -9
   * at that moment) left no temporary file and the final one in place: when that file is
   * this object, the job is done; otherwise the ranges are fetched again.
   */
  private async finishedBefore(rec: JobRecord, d: DownloadRecord, remote: RemoteIdentity): Promise<boolean> {
    const st = await fsp.stat(rec.path).catch(() => undefined);
    if (!st?.isFile() || !await sameFile(rec.path, st.size, remote)) return false;
    this.store.appendEvent(this.jobId, 'already-there', { path: rec.path, renamedBefore: true });
    this.to('downloading', { startedAt: rec.startedAt ?? Date.now() });
    this.to('verifying');
    await this.writeSidecar(d, rec.path);
    this.to('downloaded', { size: remote.size, ...(remote.crc64 ? { crc64: remote.crc64 } : {}) });
    return true;
  }

  private rangeSize(): number {
    return (this.deps.settings().partSizeMiB || DEFAULT_PART_SIZE_MIB) * MiB;
  }

  /** Runs fn with the item's URL; a refused URL (403) is resolved again, a few times. */
  private async withUrl<T>(resolver: UrlResolver, fn: (url: string) => Promise<T>): Promise<T> {
    let url = (await resolver.current()).url;
    return retrying(() => fn(url), {
      policy: DEFAULT_CALL_POLICY,
      signal: this.signal,
      classify: noInnerRetryOfDiskFull,
      onRetry: async ({ error }) => {
        if (error.code === 'UrlExpired') url = (await resolver.refresh(url)).url;
      },
    }).catch((err: unknown) => {
      throw restoreRetryable(err);
    });
  }

  /**
   * The first start: the final name is free, or holds this very file already (then the
   * job is done without a byte fetched), or holds another file (then the next free name,
   * ` (2)`…, is taken).
   */
  private async place(rec: JobRecord, d: DownloadRecord, remote: RemoteIdentity): Promise<'done' | 'placed'> {
    const st = await fsp.stat(rec.path).catch(() => undefined);
    if (!st) return 'placed';
    if (st.isFile() && await sameFile(rec.path, st.size, remote)) {
      this.store.appendEvent(this.jobId, 'already-there', { path: rec.path });
      this.to('downloading', { startedAt: rec.startedAt ?? Date.now() });
      this.to('verifying');
      await this.writeSidecar(d, rec.path);
      this.to('downloaded', { size: remote.size, ...(remote.crc64 ? { crc64: remote.crc64 } : {}) });
      return 'done';
    }
    const finalPath = freeName(d.outDir, path.basename(rec.path), (p) => fs.existsSync(p) || fs.existsSync(p + TEMP_SUFFIX) || this.store.downloads.pathTaken(p, this.jobId));
    // The name and its temporary file move together (a kill between them would part them).
    this.store.downloads.transaction(() => {
      this.store.updateJob(this.jobId, { path: finalPath, fileName: path.basename(finalPath) });
      this.store.downloads.setTempPath(this.jobId, finalPath + TEMP_SUFFIX);
      this.store.appendEvent(this.jobId, 'renamed', { taken: rec.path, path: finalPath });
    });
    this.deps.changed(this.jobId);
    return 'placed';
  }

  /**
   * The temporary file, with the checkpoint made true to it: a range the file does not
   * reach (the file was deleted or truncated by someone) is forgotten and fetched again.
   */
  private async openTemp(d: DownloadRecord, ranges: RangeRecord[], rangeSize: number): Promise<fsp.FileHandle> {
    let fh: fsp.FileHandle;
    try {
      fh = await fsp.open(d.tempPath, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw this.fileError(err, d.tempPath);
      fh = await fsp.open(d.tempPath, 'w+').catch((e: unknown) => {
        throw this.fileError(e, d.tempPath);
      });
    }
    const size = (await fh.stat()).size;
    const lost = ranges.filter((r) => r.index * rangeSize + r.size > size);
    if (lost.length > 0) {
      const keep = ranges.filter((r) => !lost.includes(r));
      this.store.downloads.clearRanges(this.jobId);
      for (const r of keep) this.store.downloads.recordRange(this.jobId, r);
      this.store.appendEvent(this.jobId, 'temp-lost', { ranges: lost.length, fileSize: size });
      this.deps.changed(this.jobId);
    }
    return fh;
  }

  /** Not enough room for the ranges still to fetch: the job waits (DiskFull) before writing a byte. */
  private async checkFreeSpace(d: DownloadRecord, need: number): Promise<void> {
    let free: number;
    try {
      const s = await fsp.statfs(d.outDir);
      free = s.bavail * s.bsize;
    } catch {
      return; // a file system that cannot say: writing will tell
    }
    if (free < need) {
      this.store.appendEvent(this.jobId, 'disk-full', { need, free, dir: d.outDir });
      throw downloadDiskFull(d.outDir, need, free);
    }
  }

  private fileError(err: unknown, where: string): EngineError {
    if ((err as NodeJS.ErrnoException)?.code === 'ENOSPC') return downloadDiskFull(path.dirname(where), undefined, undefined, err);
    return classifyError(err);
  }

  private async fetchRanges(fd: number, missing: number[], rangeSize: number, remote: RemoteIdentity, resolver: UrlResolver): Promise<void> {
    const { progress } = this.deps;
    progress.begin(this.jobId, this.job().bytesDone, remote.size);
    const local = new AbortController();
    const stop = (): void => local.abort(this.signal.reason);
    this.signal.addEventListener('abort', stop, { once: true });
    const throttle = this.deps.bandwidth.forJob(this.jobId);
    let next = 0;
    let firstError: unknown;
    const check = (head: ObjectHead): void => {
      const why = remoteChange(remote, { size: head.size, etag: head.etag, crc64: head.crc64 });
      if (why) {
        this.store.appendEvent(this.jobId, 'remote-changed', { why });
        throw remoteChanged(this.jobId, this.job().fileName, why);
      }
    };
    // A written range is synced and checkpointed off the network's path: its part slot is
    // free for the next range while the disk catches up (group-sync.ts: one fdatasync for
    // all the ranges that finished meanwhile). The checkpoint still follows the sync.
    const sync = new GroupSync(fd);
    const commits = new Set<Promise<void>>();
    const fail = (index: number, err: unknown): void => {
      progress.discard(this.jobId, index);
      if (firstError === undefined) firstError = err;
      local.abort(err);
    };
    const commit = async (index: number, got: RangeResult): Promise<void> => {
      try {
        // Written is not enough: the checkpoint is only as good as the disk under it.
        await sync.sync().catch((err: unknown) => {
          throw this.fileError(err, this.download().tempPath);
        });
        this.store.downloads.recordRange(this.jobId, { index, size: got.bytes, crc64: crc64ToDecimal(got.crc64) });
        this.bytesMoved = true;
        progress.commit(this.jobId, index, this.job().bytesDone);
        this.deps.changed(this.jobId);
      } catch (err) {
        fail(index, err);
      }
    };
    const worker = async (): Promise<void> => {
      while (!local.signal.aborted && next < missing.length) {
        const index = missing[next++];
        const start = index * rangeSize;
        const len = rangeLength(index, rangeSize, remote.size);
        let release: (() => void) | undefined;
        try {
          release = await this.deps.partSlots.acquire(local.signal, this.jobId);
          let url = (await resolver.current()).url;
          const got = await retrying(async () => {
            progress.discard(this.jobId, index);
            try {
              return await getRangeToFile(url, fd, start, start + len - 1, {
                signal: local.signal, stallMs: this.stallMs, check,
                throttle: () => throttle.throttle(),
                onBytes: (n) => progress.add(this.jobId, index, n),
              });
            } catch (err) {
              throw this.fileError(err, this.download().tempPath);
            }
          }, {
            policy: DEFAULT_CALL_POLICY,
            signal: local.signal,
            classify: noInnerRetryOfDiskFull,
            onRetry: async ({ error }) => {
              if (error.code === 'UrlExpired') url = (await resolver.refresh(url)).url;
            },
          }).catch((err: unknown) => {
            throw restoreRetryable(err);
          });
          release();
          release = undefined;
          const c = commit(index, got).finally(() => commits.delete(c));
          commits.add(c);
        } catch (err) {
          fail(index, err);
        } finally {
          release?.();
        }
      }
    };
    const { partsInFlight, filesInFlight } = this.deps.settings();
    // As for uploads (job-runner.ts): under a bandwidth cap a job takes its share of the slots.
    const share = this.deps.bandwidth.limited ? Math.max(1, Math.floor(partsInFlight / Math.max(1, filesInFlight))) : partsInFlight;
    // Each range in flight listens to the stop (its request and its body): more than Node's default 10.
    setMaxListeners(Math.max(10, 4 * share), local.signal);
    try {
      await Promise.all(Array.from({ length: Math.max(1, Math.min(share, missing.length)) }, worker));
    } finally {
      // Nothing is left syncing when the run ends: a checkpoint never lands after a cancel's cleanup.
      while (commits.size > 0) await Promise.all([...commits]);
      this.signal.removeEventListener('abort', stop);
    }
    if (this.signal.aborted) this.checkAborted();
    if (firstError !== undefined) throw firstError;
  }

  /** The whole file against the object: CRC-64 combined from the ranges, else size and MD5, else size. */
  private async verify(d: DownloadRecord, remote: RemoteIdentity, fh: fsp.FileHandle): Promise<void> {
    const ranges = this.store.downloads.listRanges(this.jobId);
    const size = ranges.reduce((n, r) => n + r.size, 0);
    const fileSize = (await fh.stat()).size;
    const name = this.job().fileName;
    const fail = async (why: string): Promise<never> => {
      this.store.appendEvent(this.jobId, 'verify-failed', { why });
      await fh.close().catch(() => undefined);
      await fsp.rm(d.tempPath, { force: true }).catch(() => undefined);
      this.store.downloads.clearRanges(this.jobId);
      throw downloadMismatch(name, why);
    };
    if (size !== remote.size || fileSize < remote.size) await fail(`${Math.min(size, fileSize)} of ${remote.size} bytes`);
    if (fileSize > remote.size) await fh.truncate(remote.size);
    let crc = 0n;
    for (const r of ranges) crc = crc64Combine(crc, crc64FromDecimal(r.crc64), r.size);
    const mine = crc64ToDecimal(crc);
    if (remote.crc64) {
      if (mine !== remote.crc64) await fail(`CRC-64 ${mine}, the object's is ${remote.crc64}`);
    } else if (remote.md5) {
      const md5 = await fileMd5(d.tempPath);
      if (md5 !== remote.md5) await fail(`MD5 ${md5}, the service reports ${remote.md5}`);
    }
    await fh.sync();
    this.store.appendEvent(this.jobId, 'verified', { by: remote.crc64 ? 'crc64' : remote.md5 ? 'md5' : 'size', crc64: mine });
    this.verifiedCrc = mine;
  }

  private verifiedCrc: string | undefined;

  /** The verified file takes its final name (a free one, if another file took it meanwhile). */
  private async finish(d: DownloadRecord, remote: RemoteIdentity): Promise<void> {
    let rec = this.job();
    let finalPath = rec.path;
    const there = await fsp.stat(finalPath).catch(() => undefined);
    if (there) {
      if (there.isFile() && await sameFile(finalPath, there.size, remote)) {
        await fsp.rm(d.tempPath, { force: true });
      } else {
        finalPath = freeName(d.outDir, path.basename(finalPath), (p) => fs.existsSync(p) || this.store.downloads.pathTaken(p, this.jobId));
        this.store.updateJob(this.jobId, { path: finalPath, fileName: path.basename(finalPath) });
        this.store.appendEvent(this.jobId, 'renamed', { taken: rec.path, path: finalPath });
      }
    }
    if (fs.existsSync(d.tempPath)) {
      await fsp.rename(d.tempPath, finalPath).catch((err: unknown) => {
        throw this.fileError(err, finalPath);
      });
      await syncDir(path.dirname(finalPath));
    }
    await this.writeSidecar(d, finalPath);
    rec = this.to('downloaded', { size: remote.size, crc64: this.verifiedCrc ?? null });
    this.store.appendEvent(this.jobId, 'downloaded', { path: rec.path, size: remote.size });
  }

  private async writeSidecar(d: DownloadRecord, finalPath: string): Promise<void> {
    if (!d.sidecar) return;
    const file = `${finalPath}.json`;
    const body = JSON.stringify({ ...d.info, file: path.basename(finalPath), size: this.job().size, downloadedAt: new Date().toISOString() }, null, 2);
    try {
      await fsp.writeFile(`${file}${TEMP_SUFFIX}`, `${body}\n`);
      await fsp.rename(`${file}${TEMP_SUFFIX}`, file);
    } catch (err) {
      throw this.fileError(err, file);
    }
  }
}

function rangeLength(index: number, rangeSize: number, size: number): number {
  return Math.max(0, Math.min(rangeSize, size - index * rangeSize));
}

/** What differs between the object a download began with and the one answering now. */
function remoteChange(was: RemoteIdentity, now: { size: number; etag?: string; crc64?: string }): string | undefined {
  if (was.size !== now.size) return `size ${was.size} → ${now.size}`;
  if (was.etag && now.etag && was.etag !== now.etag) return `ETag ${was.etag} → ${now.etag}`;
  if (was.crc64 && now.crc64 && was.crc64 !== now.crc64) return `CRC-64 ${was.crc64} → ${now.crc64}`;
  return undefined;
}

/** A local file is this object: same size, and same CRC-64 (or MD5) when the service says one. */
async function sameFile(file: string, size: number, remote: RemoteIdentity): Promise<boolean> {
  if (size !== remote.size) return false;
  if (remote.crc64) return crc64ToDecimal(await fileCrc64(file)) === remote.crc64;
  if (remote.md5) return (await fileMd5(file)) === remote.md5;
  return false; // the size alone does not prove it: keep both
}

async function fileMd5(file: string): Promise<string> {
  const h = createHash('md5');
  for await (const chunk of fs.createReadStream(file)) h.update(chunk as Buffer);
  return h.digest('hex');
}

async function syncDir(dir: string): Promise<void> {
  // A rename is durable once its folder is; Windows cannot open a folder to fsync it.
  if (process.platform === 'win32') return;
  const fh = await fsp.open(dir, 'r').catch(() => undefined);
  await fh?.sync().catch(() => undefined);
  await fh?.close();
}

/** A full disk is the job's to wait out (DiskFull → waiting), not a range's to retry. */
function noInnerRetryOfDiskFull(err: unknown): EngineError {
  const e = classifyError(err);
  return e.code === 'DiskFull' ? e.with({ retryable: false }) : e;
}

function restoreRetryable(err: unknown): EngineError {
  const e = classifyError(err);
  return e.code === 'DiskFull' ? e.with({ retryable: true }) : e;
}

// The checkpoint of an HLS package (migration 3): one row per file the playlist lists,
// in upload order, and the playlist itself last. A row is done only when OSS has the
// whole file and its CRC-64 matched; the job's bytes_done moves in the same
// transaction, so progress and checkpoint never disagree. Like parts (queue-store.ts),
// rows are written with synchronous=NORMAL: a done file lost to a power cut is uploaded
// again (PutObject overwrites), while an UploadId just received is committed durably.

import { statementCache, type Prepare } from './statements';
import type Database from 'better-sqlite3';
import type { HlsFileKind } from '../hls';

export interface HlsFileRecord {
  /** 0-based position in upload order. */
  index: number;
  /** Path under the playlist's folder ("/" separators); the object key is ObjectPrefix + this. */
  relPath: string;
  /** 'index' is the playlist itself, uploaded last to FileName. */
  kind: HlsFileKind | 'index';
  size: number;
  /** Modification time when the package was read (whole ms). */
  mtimeMs: number;
  /** Multipart upload in progress for a file too big for one PutObject. */
  uploadId?: string;
  etag?: string;
  /** CRC-64/ECMA of the file as OSS stored it, unsigned decimal; set when done. */
  crc64?: string;
  done: boolean;
}

export type NewHlsFile = Pick<HlsFileRecord, 'relPath' | 'kind' | 'size' | 'mtimeMs'>;

interface Row {
  idx: number;
  rel_path: string;
  kind: HlsFileRecord['kind'];
  size: number;
  mtime_ms: number;
  upload_id: string | null;
  etag: string | null;
  crc64: string | null;
  done_at: number | null;
}

export class HlsFileRepository {
  private readonly stmt: Prepare;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
    stmt?: Prepare,
  ) {
    // The queue's own cache when it makes the repository (one per connection).
    this.stmt = stmt ?? statementCache(db);
  }


  /** The job's package, in upload order; empty when it was never read. */
  list(jobId: number): HlsFileRecord[] {
    const rows = this.stmt('SELECT * FROM hls_files WHERE job_id = ? ORDER BY idx').all(jobId) as Row[];
    return rows.map((r) => ({
      index: r.idx,
      relPath: r.rel_path,
      kind: r.kind,
      size: r.size,
      mtimeMs: r.mtime_ms,
      ...(r.upload_id !== null ? { uploadId: r.upload_id } : {}),
      ...(r.etag !== null ? { etag: r.etag } : {}),
      ...(r.crc64 !== null ? { crc64: r.crc64 } : {}),
      done: r.done_at !== null,
    }));
  }

  /**
   * Makes `files` the job's package, nothing done (the start of an upload to a new
   * video), and sets the job's size to the package's and bytes_done to 0.
   */
  replace(jobId: number, files: readonly NewHlsFile[]): void {
    const ins = this.stmt('INSERT INTO hls_files (job_id, idx, rel_path, kind, size, mtime_ms) VALUES (?, ?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.stmt('DELETE FROM hls_files WHERE job_id = ?').run(jobId);
      files.forEach((f, i) => {
        if (!Number.isSafeInteger(f.size) || f.size < 0) throw new TypeError(`${f.relPath}: size must be a whole number ≥ 0.`);
        ins.run(jobId, i, f.relPath, f.kind, f.size, Math.trunc(f.mtimeMs));
      });
      const size = files.reduce((n, f) => n + f.size, 0);
      const res = this.stmt('UPDATE jobs SET size = ?, bytes_done = 0, updated_at = ? WHERE id = ?').run(size, this.now(), jobId);
      if (res.changes === 0) throw new TypeError(`Job ${jobId} is not in the queue.`);
    })();
  }

  /**
   * Makes `files` the job's package again for the same video (a restart with the files
   * as they are now): a row whose path, kind, size and mtime are unchanged keeps what
   * it had (done, CRC-64, a multipart upload in progress), since its object (or parts)
   * is that file; the others are to be sent. The job's size becomes the package's and
   * bytes_done the kept files'. Returns the paths to be sent again or for the first time.
   */
  replan(jobId: number, files: readonly NewHlsFile[]): string[] {
    const ins = this.stmt(`INSERT INTO hls_files (job_id, idx, rel_path, kind, size, mtime_ms, upload_id, etag, crc64, done_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const toSend: string[] = [];
    this.db.transaction(() => {
      const before = new Map(this.list(jobId).map((f) => [f.relPath, f]));
      const doneAt = new Map((this.stmt('SELECT rel_path, done_at FROM hls_files WHERE job_id = ?').all(jobId) as Pick<Row, 'rel_path' | 'done_at'>[])
        .map((r) => [r.rel_path, r.done_at]));
      this.stmt('DELETE FROM hls_files WHERE job_id = ?').run(jobId);
      let done = 0;
      files.forEach((f, i) => {
        if (!Number.isSafeInteger(f.size) || f.size < 0) throw new TypeError(`${f.relPath}: size must be a whole number ≥ 0.`);
        const mtimeMs = Math.trunc(f.mtimeMs);
        const old = before.get(f.relPath);
        const same = old !== undefined && old.kind === f.kind && old.size === f.size && old.mtimeMs === mtimeMs;
        if (same && old.done) done += f.size;
        if (!same || !old.done) toSend.push(f.relPath);
        ins.run(jobId, i, f.relPath, f.kind, f.size, mtimeMs,
          same ? old.uploadId ?? null : null, same ? old.etag ?? null : null, same ? old.crc64 ?? null : null,
          same ? doneAt.get(f.relPath) ?? null : null);
      });
      const size = files.reduce((n, f) => n + f.size, 0);
      const res = this.stmt('UPDATE jobs SET size = ?, bytes_done = ?, updated_at = ? WHERE id = ?').run(size, done, this.now(), jobId);
      if (res.changes === 0) throw new TypeError(`Job ${jobId} is not in the queue.`);
    })();
    return toSend;
  }

  /**
   * Forgets the package (its VideoId was deleted: nothing uploaded is anywhere now):
   * no rows, bytes_done 0. The next start reads the package again.
   */
  clear(jobId: number): void {
    this.db.transaction(() => {
      this.stmt('DELETE FROM hls_files WHERE job_id = ?').run(jobId);
      this.stmt('UPDATE jobs SET bytes_done = 0, updated_at = ? WHERE id = ?').run(this.now(), jobId);
    })();
  }

  /** Remembers (or with null forgets) the multipart upload of a big file; fsynced, like a job's UploadId. */
  setUploadId(jobId: number, index: number, uploadId: string | null): void {
    this.db.pragma('synchronous = FULL');
    try {
      this.stmt('UPDATE hls_files SET upload_id = ? WHERE job_id = ? AND idx = ?').run(uploadId, jobId, index);
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  /** The file is in OSS, verified: done, with bytes_done moved by its size (once). */
  markDone(jobId: number, index: number, ack: { etag?: string; crc64: string }): void {
    if (!/^\d{1,20}$/.test(ack.crc64)) throw new TypeError(`A CRC-64 must be decimal text, got ${JSON.stringify(ack.crc64)}.`);
    this.db.transaction(() => {
      const row = this.stmt('SELECT size, done_at FROM hls_files WHERE job_id = ? AND idx = ?').get(jobId, index) as { size: number; done_at: number | null } | undefined;
      if (!row) throw new TypeError(`Job ${jobId} has no HLS file ${index}.`);
      const now = this.now();
      this.stmt('UPDATE hls_files SET etag = ?, crc64 = ?, upload_id = NULL, done_at = ? WHERE job_id = ? AND idx = ?')
        .run(ack.etag ?? null, ack.crc64, now, jobId, index);
      if (row.done_at === null) {
        this.stmt('UPDATE jobs SET bytes_done = bytes_done + ?, updated_at = ? WHERE id = ?').run(row.size, now, jobId);
      }
    })();
  }
}

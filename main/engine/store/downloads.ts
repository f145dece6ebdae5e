// A download job's own rows (migration 7): which item of which video it fetches, where
// to, what the remote object was when its first byte was written, and the range
// checkpoint. The durability rule is the upload parts' (queue-store.ts): a range row is
// committed only after its bytes were written and fsynced in the temporary file, in one
// transaction with the job's bytes_done, so progress and checkpoint never disagree and a
// kill -9 at any moment loses at most the ranges in flight. No URL is ever stored: URLs
// expire, and the driver resolves the item again before use (docs/ARCHITECTURE.md §3).

import { statementCache, type Prepare } from './statements';
import type Database from 'better-sqlite3';
import type { DownloadWhat } from '../../../shared/library';

/** What the remote object was when the download began (a change since then is RemoteChanged). */
export interface RemoteIdentity {
  size: number;
  etag?: string;
  /** x-oss-hash-crc64ecma, unsigned decimal. */
  crc64?: string;
  /** Hex MD5 (FileMD5 / PlayInfo MD5), when the service reports one. */
  md5?: string;
  lastModified?: string;
}

export interface DownloadRecord {
  jobId: number;
  videoId: string;
  /** MediaUrl.key: `source`, `stream:HD:mp4`, `cover`, `snapshot:3`… */
  itemKey: string;
  /** What mediaUrls is asked for to resolve this item again. */
  what: DownloadWhat;
  outDir: string;
  nameTemplate?: string;
  /** The bytes arrive here (beside the final path) and are renamed only when verified. */
  tempPath: string;
  sidecar: boolean;
  definition?: string;
  format?: string;
  /** The video's metadata at enqueue time (title, description, tags…): the sidecar's content. */
  info?: Record<string, unknown>;
  /** Fixed at the first start: a resumed download keeps its ranges. */
  rangeSize?: number;
  remote?: RemoteIdentity;
}

export type NewDownload = Omit<DownloadRecord, 'remote' | 'rangeSize'>;

export interface RangeRecord {
  index: number;
  size: number;
  /** CRC-64/ECMA of the range's bytes as written, unsigned decimal. */
  crc64: string;
}

interface Row {
  job_id: number;
  video_id: string;
  item_key: string;
  what_json: string;
  out_dir: string;
  name_template: string | null;
  temp_path: string;
  sidecar: number;
  definition: string | null;
  format: string | null;
  info_json: string | null;
  range_size: number | null;
  remote_size: number | null;
  remote_etag: string | null;
  remote_crc64: string | null;
  remote_md5: string | null;
  remote_last_modified: string | null;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function fromRow(r: Row): DownloadRecord {
  const rec: DownloadRecord = {
    jobId: r.job_id,
    videoId: r.video_id,
    itemKey: r.item_key,
    what: JSON.parse(r.what_json) as DownloadWhat,
    outDir: r.out_dir,
    tempPath: r.temp_path,
    sidecar: r.sidecar === 1,
  };
  if (r.name_template !== null) rec.nameTemplate = r.name_template;
  if (r.definition !== null) rec.definition = r.definition;
  if (r.format !== null) rec.format = r.format;
  if (r.info_json !== null) rec.info = JSON.parse(r.info_json) as Record<string, unknown>;
  if (r.range_size !== null) rec.rangeSize = r.range_size;
  if (r.remote_size !== null) {
    rec.remote = Object.fromEntries(Object.entries({
      size: r.remote_size, etag: opt(r.remote_etag), crc64: opt(r.remote_crc64), md5: opt(r.remote_md5), lastModified: opt(r.remote_last_modified),
    }).filter(([, v]) => v !== undefined)) as unknown as RemoteIdentity;
  }
  return rec;
}

export class DownloadRepository {
  private readonly stmt: Prepare;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => number,
    stmt?: Prepare,
  ) {
    this.stmt = stmt ?? statementCache(db);
  }

  /** Adds the download row of a job just inserted (same transaction as the caller's, if any). */
  insert(d: NewDownload): void {
    this.stmt(`
      INSERT INTO downloads (job_id, video_id, item_key, what_json, out_dir, name_template, temp_path, sidecar, definition, format, info_json)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`).run(
      d.jobId, d.videoId, d.itemKey, JSON.stringify(d.what), d.outDir, d.nameTemplate ?? null, d.tempPath, d.sidecar ? 1 : 0,
      d.definition ?? null, d.format ?? null, d.info ? JSON.stringify(d.info) : null,
    );
  }

  /** Runs fn in one transaction (a job row and its download row go in together). */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  get(jobId: number): DownloadRecord | undefined {
    const row = this.stmt('SELECT * FROM downloads WHERE job_id = ?').get(jobId) as Row | undefined;
    return row && fromRow(row);
  }

  /** The job that downloads this item of this video into this folder, if one was ever enqueued. */
  findItem(videoId: string, itemKey: string, outDir: string): number | undefined {
    return this.stmt('SELECT job_id FROM downloads WHERE video_id = ? AND item_key = ? AND out_dir = ?').pluck()
      .get(videoId, itemKey, outDir) as number | undefined;
  }

  /** Final paths other download jobs hold (not canceled), to keep two jobs off one name. */
  pathTaken(path: string, exceptJobId?: number): boolean {
    return this.stmt(`
      SELECT 1 FROM jobs WHERE kind = 'download' AND path = ? AND id IS NOT ? AND state != 'canceled' LIMIT 1`)
      .get(path, exceptJobId ?? null) !== undefined;
  }

  /** Records what the remote object is, and the range size from now on. */
  setRemote(jobId: number, remote: RemoteIdentity, rangeSize: number): void {
    this.stmt(`
      UPDATE downloads SET remote_size = ?, remote_etag = ?, remote_crc64 = ?, remote_md5 = ?, remote_last_modified = ?, range_size = ?
      WHERE job_id = ?`).run(
      remote.size, remote.etag ?? null, remote.crc64 ?? null, remote.md5 ?? null, remote.lastModified ?? null, rangeSize, jobId,
    );
  }

  setTempPath(jobId: number, tempPath: string): void {
    this.stmt('UPDATE downloads SET temp_path = ? WHERE job_id = ?').run(tempPath, jobId);
  }

  listRanges(jobId: number): RangeRecord[] {
    const rows = this.stmt('SELECT idx, size, crc64 FROM download_ranges WHERE job_id = ? ORDER BY idx').all(jobId) as
      { idx: number; size: number; crc64: string }[];
    return rows.map((r) => ({ index: r.idx, size: r.size, crc64: r.crc64 }));
  }

  /**
   * The checkpoint: a range whose bytes are written and fsynced. One transaction with
   * the job's bytes_done (a range written twice counts once).
   */
  recordRange(jobId: number, range: RangeRecord): void {
    if (!Number.isSafeInteger(range.index) || range.index < 0) throw new TypeError(`A range index must be ≥ 0, got ${range.index}.`);
    if (!/^\d{1,20}$/.test(range.crc64)) throw new TypeError(`Range ${range.index}'s CRC-64 must be decimal text.`);
    this.db.transaction(() => {
      const old = this.stmt('SELECT size FROM download_ranges WHERE job_id = ? AND idx = ?').get(jobId, range.index) as { size: number } | undefined;
      this.stmt(`
        INSERT INTO download_ranges (job_id, idx, size, crc64) VALUES (?, ?, ?, ?)
        ON CONFLICT (job_id, idx) DO UPDATE SET size = excluded.size, crc64 = excluded.crc64`).run(jobId, range.index, range.size, range.crc64);
      this.stmt('UPDATE jobs SET bytes_done = bytes_done + ?, updated_at = ? WHERE id = ?').run(range.size - (old?.size ?? 0), this.now(), jobId);
    })();
  }

  /**
   * Forgets the checkpoint and what the remote object was (a restart of the download,
   * or a temporary file that is gone); bytes_done back to 0.
   */
  clearRanges(jobId: number, opts: { forgetRemote?: boolean } = {}): void {
    this.db.transaction(() => {
      this.stmt('DELETE FROM download_ranges WHERE job_id = ?').run(jobId);
      this.stmt('UPDATE jobs SET bytes_done = 0, updated_at = ? WHERE id = ?').run(this.now(), jobId);
      if (opts.forgetRemote) {
        this.stmt(`
          UPDATE downloads SET remote_size = NULL, remote_etag = NULL, remote_crc64 = NULL, remote_md5 = NULL,
            remote_last_modified = NULL, range_size = NULL WHERE job_id = ?`).run(jobId);
      }
    })();
  }
}

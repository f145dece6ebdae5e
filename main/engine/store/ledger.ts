// The ledger (migration 4): what this app uploaded, per account — one row per VideoId,
// with the fingerprint of the file it came from (size + sampled hash, fingerprint.ts),
// its title, its CRC-64 and when. Rows are written once a job's object is complete
// (the engine's one place: service.ts recordUploaded) and stay when jobs are removed
// from the queue, so "was this file uploaded already?" has an answer after the queue
// forgot the job. Files are matched by sampled hash and size, not by path: a file
// moved or renamed since is still the same file.
//
// The account is a string the shell chooses (EngineOptions.accountOf): the CLI's
// AccessKeyId@endpoint, the app's profile. Secrets are never part of it.

import { statementCache, type Prepare } from './statements';
import type Database from 'better-sqlite3';

/**
 * How the ledger names an account: its AccessKeyId and the endpoint (else region) it
 * talks to, so the CLI and the app name one account alike. Never a secret.
 */
export function ledgerAccount(c: { accessKeyId: string; region: string; endpoint?: string }): string {
  return `${c.accessKeyId}@${c.endpoint ?? c.region}`;
}

export interface LedgerEntry {
  id: number;
  account: string;
  size: number;
  sampleHash: string;
  /** The file's modification time when it was uploaded (whole ms). */
  mtimeMs: number;
  /** CRC-64/ECMA of the object, unsigned decimal as OSS sends it. */
  crc64?: string;
  videoId: string;
  title: string;
  /** Where the file was when it was uploaded. */
  path: string;
  /** The job that uploaded it; it may have been removed from the queue since. */
  jobId?: number;
  uploadedAt: number;
}

export type NewLedgerEntry = Omit<LedgerEntry, 'id' | 'uploadedAt'> & { uploadedAt?: number };

/** A job of the queue that has the same file (same sampled hash and size). */
export interface QueuedMatch {
  jobId: number;
  state: string;
  path: string;
  videoId?: string;
  finishedAt?: number;
}

interface Row {
  id: number;
  account: string;
  size: number;
  sample_hash: string;
  mtime_ms: number;
  crc64: string | null;
  video_id: string;
  title: string;
  path: string;
  job_id: number | null;
  uploaded_at: number;
}

function toEntry(r: Row): LedgerEntry {
  return {
    id: r.id, account: r.account, size: r.size, sampleHash: r.sample_hash, mtimeMs: r.mtime_ms,
    ...(r.crc64 !== null ? { crc64: r.crc64 } : {}),
    videoId: r.video_id, title: r.title, path: r.path,
    ...(r.job_id !== null ? { jobId: r.job_id } : {}),
    uploadedAt: r.uploaded_at,
  };
}

export class LedgerRepository {
  private readonly stmt: Prepare;

  constructor(
    db: Database.Database,
    private readonly now: () => number,
    stmt?: Prepare,
  ) {
    // The queue's own cache when it makes the repository (one per connection).
    this.stmt = stmt ?? statementCache(db);
  }


  /**
   * Records a VideoId. The same VideoId again (a job whose changed file was uploaded
   * again under it: RefreshUploadVideo keeps the VideoId) replaces what it came from.
   */
  record(e: NewLedgerEntry): void {
    this.stmt(`
      INSERT INTO ledger (account, size, sample_hash, mtime_ms, crc64, video_id, title, path, job_id, uploaded_at)
      VALUES (@account, @size, @sample_hash, @mtime_ms, @crc64, @video_id, @title, @path, @job_id, @uploaded_at)
      ON CONFLICT (account, video_id) DO UPDATE SET
        size = excluded.size, sample_hash = excluded.sample_hash, mtime_ms = excluded.mtime_ms,
        crc64 = excluded.crc64, title = excluded.title, path = excluded.path, job_id = excluded.job_id,
        uploaded_at = excluded.uploaded_at
    `).run({
      account: e.account, size: e.size, sample_hash: e.sampleHash, mtime_ms: e.mtimeMs,
      crc64: e.crc64 ?? null, video_id: e.videoId, title: e.title, path: e.path,
      job_id: e.jobId ?? null, uploaded_at: e.uploadedAt ?? this.now(),
    });
  }

  /** The account's uploads of this file (same size and sampled hash), newest first. */
  find(account: string, size: number, sampleHash: string): LedgerEntry[] {
    const rows = this.stmt(
      'SELECT * FROM ledger WHERE account = ? AND sample_hash = ? AND size = ? ORDER BY uploaded_at DESC, id DESC',
    ).all(account, sampleHash, size) as Row[];
    return rows.map(toEntry);
  }

  /** Every entry, of one account or of all, oldest first (the export). */
  list(account?: string): LedgerEntry[] {
    const rows = (account === undefined
      ? this.stmt('SELECT * FROM ledger ORDER BY uploaded_at, id').all()
      : this.stmt('SELECT * FROM ledger WHERE account = ? ORDER BY uploaded_at, id').all(account)) as Row[];
    return rows.map(toEntry);
  }

  /**
   * Jobs of the queue with this file, of this profile, that are on their way or done
   * (not failed, not canceled); first added first. A done one is in the ledger too,
   * unless it finished before the ledger existed.
   */
  queued(profileId: string | undefined, size: number, sampleHash: string): QueuedMatch[] {
    const rows = this.stmt(`
      SELECT id, state, path, video_id, finished_at FROM jobs
      WHERE sample_hash = ? AND size = ? AND profile_id IS ? AND state NOT IN ('failed', 'canceled')
      ORDER BY id
    `).all(sampleHash, size, profileId ?? null) as { id: number; state: string; path: string; video_id: string | null; finished_at: number | null }[];
    return rows.map((r) => ({
      jobId: r.id, state: r.state, path: r.path,
      ...(r.video_id !== null ? { videoId: r.video_id } : {}),
      ...(r.finished_at !== null ? { finishedAt: r.finished_at } : {}),
    }));
  }
}

// Numbered schema migrations (docs/ARCHITECTURE.md §3). The database's `user_version` is the
// number of the last migration applied. Each migration runs in its own transaction
// together with the bump of user_version, so a crash leaves the schema at a whole
// version. Append new migrations; never edit one that has shipped.

import type Database from 'better-sqlite3';

export interface Migration {
  version: number;
  name: string;
  sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'jobs, parts, events, settings, profiles',
    sql: `
      CREATE TABLE jobs (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        path TEXT NOT NULL,
        file_name TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        mtime_ms INTEGER NOT NULL,
        sample_hash TEXT,
        title TEXT NOT NULL,
        description TEXT,
        cate_id INTEGER,
        tags_json TEXT NOT NULL DEFAULT '[]',
        template_group_id TEXT,
        workflow_id TEXT,
        storage_location TEXT,
        app_id TEXT,
        user_data TEXT,
        cover_path TEXT,
        priority INTEGER NOT NULL DEFAULT 0,
        state TEXT NOT NULL,
        vod_status TEXT,
        video_id TEXT,
        upload_address_json TEXT,
        upload_id TEXT,
        part_size INTEGER,
        bytes_done INTEGER NOT NULL DEFAULT 0,
        crc64 TEXT,
        error_code TEXT,
        error_message TEXT,
        error_retryable INTEGER,
        error_hint TEXT,
        error_request_id TEXT,
        attempts INTEGER NOT NULL DEFAULT 0,
        next_attempt_at INTEGER,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL,
        started_at INTEGER,
        finished_at INTEGER,
        cover_image_id TEXT,
        -- The profile whose account created the VideoId (RefreshUploadVideo must use it).
        profile_id TEXT
      );
      -- The scheduler takes jobs of one state in run order (nextRunnable).
      CREATE INDEX jobs_state_priority ON jobs (state, priority DESC, id);
      -- One index per sort key of the list views. Each ends with state so that a tab
      -- filter is checked in the index while walking it in order: a page costs one
      -- pass over index entries at worst, never a sort of the whole tab.
      CREATE INDEX jobs_priority ON jobs (priority DESC, id, state);
      CREATE INDEX jobs_file_name ON jobs (file_name COLLATE NOCASE, id, state);
      CREATE INDEX jobs_size ON jobs (size, id, state);
      CREATE INDEX jobs_updated_at ON jobs (updated_at, id, state);
      -- totals() reads only this index (a few times a second with progress), not the rows.
      CREATE INDEX jobs_totals ON jobs (state, size, bytes_done);
      CREATE INDEX jobs_video_id ON jobs (video_id) WHERE video_id IS NOT NULL;

      CREATE TABLE parts (
        job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        part_number INTEGER NOT NULL CHECK (part_number BETWEEN 1 AND 10000),
        etag TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        crc64 TEXT NOT NULL,
        PRIMARY KEY (job_id, part_number)
      ) WITHOUT ROWID;

      CREATE TABLE events (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        at INTEGER NOT NULL,
        type TEXT NOT NULL,
        data_json TEXT
      );
      CREATE INDEX events_job ON events (job_id, id);

      CREATE TABLE settings (
        key TEXT PRIMARY KEY,
        value_json TEXT NOT NULL
      ) WITHOUT ROWID;

      CREATE TABLE profiles (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('aliyun', 'sandbox')),
        access_key_id TEXT NOT NULL,
        region TEXT NOT NULL,
        endpoint TEXT,
        secret_blob BLOB,
        token_blob BLOB,
        active INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      -- At most one active profile.
      CREATE UNIQUE INDEX profiles_one_active ON profiles (active) WHERE active = 1;
    `,
  },
  {
    version: 2,
    name: 'index on jobs(path)',
    // `vodup watch` asks on every scan whether a file (path, size, mtime) was already
    // enqueued (jobsForPath); without this that is a full scan of the queue per file.
    sql: `
      CREATE INDEX jobs_path ON jobs (path, size, mtime_ms);
    `,
  },
  {
    version: 3,
    name: 'hls_files: the checkpoint of an HLS package, one row per file',
    // An .m3u8 job uploads the files its playlist lists under ObjectPrefix, then the
    // playlist (the last row). A row is done only after OSS acknowledged the whole file
    // and its CRC-64 matched (hls-files.ts); bytes_done moves with it. upload_id is the
    // multipart upload of a file too big for one PutObject.
    sql: `
      CREATE TABLE hls_files (
        job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL CHECK (idx >= 0),
        rel_path TEXT NOT NULL,
        kind TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        mtime_ms INTEGER NOT NULL,
        upload_id TEXT,
        etag TEXT,
        crc64 TEXT,
        done_at INTEGER,
        PRIMARY KEY (job_id, idx)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 4,
    name: 'jobs.error_params: the values of a job error\'s translated text',
    // The renderer says a job's error in the operator's language from its code and these
    // values (JobError.params: the error's kind, a host, a reason …), as JSON.
    sql: `
      ALTER TABLE jobs ADD COLUMN error_params TEXT;
    `,
  },
  {
    version: 5,
    name: 'jobs.cleared: "Clear finished" takes done and canceled jobs out of the views',
    // The rows stay (history, export, the ledger); views and totals skip them. totals()
    // reads the totals index only, so it now starts with cleared: a few times a second
    // it walks the live rows' entries, not the whole history.
    sql: `
      ALTER TABLE jobs ADD COLUMN cleared INTEGER NOT NULL DEFAULT 0;
      DROP INDEX jobs_totals;
      CREATE INDEX jobs_totals ON jobs (cleared, state, size, bytes_done);
    `,
  },
  {
    version: 6,
    name: 'ledger: what this app uploaded, per account; jobs by sampled hash',
    // One row per VideoId an account got from this app (ledger.ts), kept when jobs are
    // removed from the queue (no foreign key to jobs). Files are matched by sampled
    // hash and size, so a moved or renamed file is still known. The jobs index answers
    // "is this file already in the queue" the same way, per added file.
    sql: `
      CREATE TABLE ledger (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        size INTEGER NOT NULL CHECK (size >= 0),
        sample_hash TEXT NOT NULL,
        mtime_ms INTEGER NOT NULL,
        crc64 TEXT,
        video_id TEXT NOT NULL,
        title TEXT NOT NULL,
        path TEXT NOT NULL,
        job_id INTEGER,
        uploaded_at INTEGER NOT NULL
      );
      CREATE UNIQUE INDEX ledger_video ON ledger (account, video_id);
      CREATE INDEX ledger_match ON ledger (account, sample_hash, size);
      CREATE INDEX jobs_sample ON jobs (sample_hash, size) WHERE sample_hash IS NOT NULL;
    `,
  },
  {
    version: 7,
    name: 'jobs.kind; downloads and download_ranges: the second direction',
    // A job moves bytes one way or the other (docs/ARCHITECTURE.md §3, "Second
    // direction"); every job queued before is an upload. A download job's row in jobs
    // holds what every job has (state, priority, the final path as `path`, the remote
    // size as `size`, bytes_done, the VideoId, errors, times); `downloads` holds what
    // only a download has: which item of which video, where and how named, what the
    // remote object was when the first byte was written (size, ETag, CRC-64, MD5,
    // Last-Modified: a change since then is RemoteChanged), and never a URL (URLs expire
    // and are resolved again before use). `download_ranges` is the checkpoint: a row is
    // written only after the range's bytes are written and fsynced in the temporary
    // file, with bytes_done in the same transaction, as parts are for uploads.
    sql: `
      ALTER TABLE jobs ADD COLUMN kind TEXT NOT NULL DEFAULT 'upload' CHECK (kind IN ('upload', 'download'));
      CREATE TABLE downloads (
        job_id INTEGER PRIMARY KEY REFERENCES jobs (id) ON DELETE CASCADE,
        video_id TEXT NOT NULL,
        item_key TEXT NOT NULL,
        what_json TEXT NOT NULL,
        out_dir TEXT NOT NULL,
        name_template TEXT,
        temp_path TEXT NOT NULL,
        sidecar INTEGER NOT NULL DEFAULT 0,
        definition TEXT,
        format TEXT,
        info_json TEXT,
        range_size INTEGER,
        remote_size INTEGER,
        remote_etag TEXT,
        remote_crc64 TEXT,
        remote_md5 TEXT,
        remote_last_modified TEXT
      );
      -- One job per item of a video and destination folder: enqueuing the same download
      -- again finds it (and continues it) instead of adding a second.
      CREATE UNIQUE INDEX downloads_item ON downloads (video_id, item_key, out_dir);
      CREATE TABLE download_ranges (
        job_id INTEGER NOT NULL REFERENCES jobs (id) ON DELETE CASCADE,
        idx INTEGER NOT NULL CHECK (idx >= 0),
        size INTEGER NOT NULL CHECK (size >= 0),
        crc64 TEXT NOT NULL,
        PRIMARY KEY (job_id, idx)
      ) WITHOUT ROWID;
    `,
  },
  {
    version: 8,
    name: 'jobs.provider and jobs.upload_session_json; profiles admit tencent',
    // The provider seam (docs/ARCHITECTURE.md §3 "Providers"): a job names the service its
    // upload goes to and keeps that provider's own identity of the upload (Tencent: the
    // VodSessionKey and storage path) as JSON; video_id stays the media id (Alibaba's
    // VideoId from CreateUploadVideo on, Tencent's FileId from CommitUpload on). Every job
    // queued before is Alibaba's, whose identity is its VideoId alone.
    // SQLite cannot alter a CHECK, so profiles is rebuilt with the same columns, rows
    // and index (its rows are copied as they are; nothing references the table).
    sql: `
      ALTER TABLE jobs ADD COLUMN provider TEXT NOT NULL DEFAULT 'aliyun';
      ALTER TABLE jobs ADD COLUMN upload_session_json TEXT;
      CREATE TABLE profiles_v8 (
        id TEXT PRIMARY KEY,
        name TEXT NOT NULL,
        kind TEXT NOT NULL CHECK (kind IN ('aliyun', 'sandbox', 'tencent')),
        access_key_id TEXT NOT NULL,
        region TEXT NOT NULL,
        endpoint TEXT,
        secret_blob BLOB,
        token_blob BLOB,
        active INTEGER NOT NULL DEFAULT 0,
        created_at INTEGER NOT NULL,
        updated_at INTEGER NOT NULL
      );
      INSERT INTO profiles_v8 (id, name, kind, access_key_id, region, endpoint, secret_blob, token_blob, active, created_at, updated_at)
        SELECT id, name, kind, access_key_id, region, endpoint, secret_blob, token_blob, active, created_at, updated_at FROM profiles;
      DROP TABLE profiles;
      ALTER TABLE profiles_v8 RENAME TO profiles;
      CREATE UNIQUE INDEX profiles_one_active ON profiles (active) WHERE active = 1;
    `,
  },
  {
    version: 9,
    name: 'profiles.sub_app_id',
    // A Tencent profile's VOD application (SubAppId): accounts that activated VOD from
    // 2023-12-25 must name it on every call (docs/tencent-vod-notes.md "The upload flow").
    // NULL: the account's default application (and every profile from before).
    sql: `
      ALTER TABLE profiles ADD COLUMN sub_app_id INTEGER CHECK (sub_app_id IS NULL OR sub_app_id > 0);
    `,
  },
];

export const SCHEMA_VERSION = MIGRATIONS[MIGRATIONS.length - 1].version;

export class DatabaseTooNewError extends Error {
  constructor(
    readonly path: string,
    readonly found: number,
    readonly supported: number,
  ) {
    super(
      `The queue database ${path} has schema version ${found}, written by a newer version of ` +
        `VOD Bulk Uploader; this version understands up to ${supported}. ` +
        'Update the application, or move the file aside to start with an empty queue.',
    );
    this.name = 'DatabaseTooNewError';
  }
}

/** Applies the migrations the database lacks; returns the versions applied. */
export function migrate(db: Database.Database, path: string): number[] {
  const current = db.pragma('user_version', { simple: true }) as number;
  if (current > SCHEMA_VERSION) throw new DatabaseTooNewError(path, current, SCHEMA_VERSION);
  const applied: number[] = [];
  for (const m of MIGRATIONS) {
    if (m.version <= current) continue;
    // IMMEDIATE: take the write lock first, so two processes opening one new file do
    // not both start the same migration; the second one then sees the new version.
    db.transaction(() => {
      const now = db.pragma('user_version', { simple: true }) as number;
      if (now >= m.version) return;
      db.exec(m.sql);
      db.pragma(`user_version = ${m.version}`);
      applied.push(m.version);
    }).immediate();
  }
  return applied;
}

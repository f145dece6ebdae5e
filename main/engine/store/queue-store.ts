// The queue store: one SQLite database (better-sqlite3, WAL) that is the only truth of
// the engine (docs/ARCHITECTURE.md §3). All SQL of the application lives in this folder.
//
// Durability. WAL with synchronous=NORMAL: a commit is in the WAL (the OS's page
// cache) before it returns, so it survives the process being killed at any moment.
// On power loss or an OS crash the last few commits may roll back, but the database
// stays consistent (whole transactions or nothing). What that can cost us:
//  - an acknowledged part: harmless, resume reconciles with ListParts (the server is
//    right) and at worst uploads a part again;
//  - a VideoId or UploadId just received: losing those would make a duplicate video
//    or an orphan upload, so writes that set them are committed with
//    synchronous=FULL (the WAL is fsynced before the commit returns), or by
//    togetherSynced, whose caller waits for the same fsync made in the thread pool
//    (a new job's VideoId: many small files at once share one fsync).
// synchronous=FULL everywhere would fsync on every part (a few ms each on real disks)
// for no gain, since parts are recoverable from the server.

import { statementCache, type Prepare } from './statements';
import fs from 'fs';
import path from 'path';
import Database from 'better-sqlite3';
import {
  CLEARABLE_STATES, DEFAULT_SETTINGS, JOB_STATES, TAB_STATES, type QueueTab,
  type EngineSettings, type JobError, type JobMeta, type JobPage, type JobQuery, type JobSortKey,
  type JobKind, type JobState, type JobView, type QueueTotals, type VodStatus,
} from '../../../shared/types';
import { MAX_PARTS } from '../../../shared/limits';
import { IllegalTransitionError, assertTransition, isActive, isJobState, isTerminal } from '../job-state';
import type { ProviderName, UploadAddress } from '../provider';
import { DownloadRepository } from './downloads';
import { LedgerRepository } from './ledger';
import { HlsFileRepository } from './hls-files';
import { migrate } from './migrations';
import type {
  EventRecord, JobPatch, JobRecord, NewJobRecord, PartRecord, ProfileRecord, UpdateMetaResult,
} from './records';
import { sqliteOpenOptions } from './sqlite-binding';

export class QueueStoreError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'QueueStoreError';
  }
}

export class JobNotFoundError extends QueueStoreError {
  constructor(readonly jobId: number) {
    super(`Job ${jobId} is not in the queue (it may have been removed).`);
    this.name = 'JobNotFoundError';
  }
}

export interface TransitionOptions {
  /** The states the caller expects the job to be in; anything else is refused. */
  from?: readonly JobState[];
}

export interface QueueStoreOptions {
  /** Clock for timestamps (epoch ms). */
  now?: () => number;
}

/** Biggest page a query may ask for; the UI asks for a screenful at a time. */
export const MAX_PAGE_ROWS = 10_000;

interface JobRow {
  id: number;
  kind: JobKind;
  path: string;
  file_name: string;
  size: number;
  mtime_ms: number;
  sample_hash: string | null;
  title: string;
  description: string | null;
  cate_id: number | null;
  tags_json: string;
  template_group_id: string | null;
  workflow_id: string | null;
  storage_location: string | null;
  app_id: string | null;
  user_data: string | null;
  cover_path: string | null;
  priority: number;
  state: JobState;
  vod_status: VodStatus | null;
  video_id: string | null;
  upload_address_json: string | null;
  upload_id: string | null;
  part_size: number | null;
  bytes_done: number;
  crc64: string | null;
  error_code: string | null;
  error_message: string | null;
  error_retryable: number | null;
  error_hint: string | null;
  error_request_id: string | null;
  error_params: string | null;
  attempts: number;
  next_attempt_at: number | null;
  created_at: number;
  updated_at: number;
  started_at: number | null;
  finished_at: number | null;
  cover_image_id: string | null;
  profile_id: string | null;
  provider: ProviderName;
  upload_session_json: string | null;
}

interface PartRow {
  part_number: number;
  etag: string;
  size: number;
  crc64: string;
}

interface ProfileRow {
  id: string;
  name: string;
  kind: ProfileRecord['kind'];
  access_key_id: string;
  region: string;
  endpoint: string | null;
  secret_blob: Buffer | null;
  token_blob: Buffer | null;
  sub_app_id: number | null;
  active: number;
  created_at: number;
  updated_at: number;
}

type SqlValue = string | number | bigint | Buffer | null;

const U64_MAX = (1n << 64n) - 1n;

/** Order of states in the lifecycle, for sorting by state. */
const STATE_ORDER_SQL = `CASE state ${JOB_STATES.map((s, i) => `WHEN '${s}' THEN ${i}`).join(' ')} END`;

/**
 * ORDER BY for each sort key, and the index that serves it (migrations.ts). `id` in
 * the same direction keeps pages stable. The index is named in the query: the planner,
 * going by statistics that lag behind a queue whose states keep moving, would rather
 * sort a whole tab than walk the index; walking it is never worse than one pass.
 */
const SORT_SQL: Record<JobSortKey, { index?: string; order: (desc: boolean) => string }> = {
  // Descending priority is the run order: higher first, then first come first served.
  priority: { index: 'jobs_priority', order: (d) => (d ? 'priority DESC, id ASC' : 'priority ASC, id DESC') },
  id: { order: (d) => `id ${d ? 'DESC' : 'ASC'}` },
  fileName: { index: 'jobs_file_name', order: (d) => `file_name COLLATE NOCASE ${d ? 'DESC' : 'ASC'}, id ${d ? 'DESC' : 'ASC'}` },
  size: { index: 'jobs_size', order: (d) => `size ${d ? 'DESC' : 'ASC'}, id ${d ? 'DESC' : 'ASC'}` },
  state: { order: (d) => `${STATE_ORDER_SQL} ${d ? 'DESC' : 'ASC'}, id ${d ? 'DESC' : 'ASC'}` },
  updatedAt: { index: 'jobs_updated_at', order: (d) => `updated_at ${d ? 'DESC' : 'ASC'}, id ${d ? 'DESC' : 'ASC'}` },
};
const SORT_DEFAULT_DESC: Record<JobSortKey, boolean> = {
  priority: true, id: false, fileName: false, size: false, state: false, updatedAt: true,
};

/**
 * WHERE terms of a queue view: its tab's states and the search (title, file name,
 * VideoId), never the rows "Clear finished" took out.
 */
function viewFilter(tab: QueueTab | undefined, search: string | undefined): { where: string[]; params: SqlValue[] } {
  const where = ['cleared = 0'];
  const params: SqlValue[] = [];
  if (tab !== undefined) {
    const states = TAB_STATES[tab];
    if (!states) throw new TypeError(`Unknown queue tab "${String(tab)}"; use one of ${Object.keys(TAB_STATES).join(', ')}.`);
    where.push(`state IN (${states.map(() => '?').join(', ')})`);
    params.push(...states);
  }
  const text = search?.trim();
  if (text) {
    const like = `%${escapeLike(text)}%`;
    where.push(`(title LIKE ? ESCAPE '\\' OR file_name LIKE ? ESCAPE '\\' OR video_id LIKE ? ESCAPE '\\')`);
    params.push(like, like, like);
  }
  return { where, params };
}

function opt<T>(v: T | null): T | undefined {
  return v === null ? undefined : v;
}

function dropUndefined<T extends object>(o: T): T {
  for (const k of Object.keys(o) as (keyof T)[]) if (o[k] === undefined) delete o[k];
  return o;
}

function rowToRecord(r: JobRow): JobRecord {
  const meta: JobMeta = dropUndefined({
    title: r.title,
    description: opt(r.description),
    cateId: opt(r.cate_id),
    tags: JSON.parse(r.tags_json) as string[],
    templateGroupId: opt(r.template_group_id),
    workflowId: opt(r.workflow_id),
    storageLocation: opt(r.storage_location),
    appId: opt(r.app_id),
    userData: opt(r.user_data),
    coverPath: opt(r.cover_path),
  });
  const error: JobError | undefined =
    r.error_code === null
      ? undefined
      : dropUndefined({
          code: r.error_code,
          message: r.error_message ?? '',
          retryable: r.error_retryable === 1,
          hint: opt(r.error_hint),
          requestId: opt(r.error_request_id),
          params: errorParams(r.error_params),
        });
  return dropUndefined({
    id: r.id,
    kind: r.kind ?? 'upload',
    path: r.path,
    fileName: r.file_name,
    size: r.size,
    mtimeMs: r.mtime_ms,
    sampleHash: opt(r.sample_hash),
    meta,
    priority: r.priority,
    state: r.state,
    vodStatus: opt(r.vod_status),
    videoId: opt(r.video_id),
    uploadAddress: r.upload_address_json === null ? undefined : (JSON.parse(r.upload_address_json) as UploadAddress),
    uploadId: opt(r.upload_id),
    partSize: opt(r.part_size),
    bytesDone: r.bytes_done,
    crc64: opt(r.crc64),
    error,
    attempts: r.attempts,
    nextAttemptAt: opt(r.next_attempt_at),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    startedAt: opt(r.started_at),
    finishedAt: opt(r.finished_at),
    coverImageId: opt(r.cover_image_id),
    profileId: opt(r.profile_id),
    provider: r.provider ?? 'aliyun',
    uploadSession: r.upload_session_json === null ? undefined : (JSON.parse(r.upload_session_json) as Record<string, unknown>),
  });
}

function metaColumns(meta: Partial<JobMeta>): Record<string, SqlValue> {
  const c: Record<string, SqlValue> = {};
  if ('title' in meta) {
    if (typeof meta.title !== 'string') throw new TypeError('A job title must be a string.');
    c.title = meta.title;
  }
  if ('description' in meta) c.description = meta.description ?? null;
  if ('cateId' in meta) c.cate_id = meta.cateId ?? null;
  if ('tags' in meta) c.tags_json = JSON.stringify(meta.tags ?? []);
  if ('templateGroupId' in meta) c.template_group_id = meta.templateGroupId ?? null;
  if ('workflowId' in meta) c.workflow_id = meta.workflowId ?? null;
  if ('storageLocation' in meta) c.storage_location = meta.storageLocation ?? null;
  if ('appId' in meta) c.app_id = meta.appId ?? null;
  if ('userData' in meta) c.user_data = meta.userData ?? null;
  if ('coverPath' in meta) c.cover_path = meta.coverPath ?? null;
  return c;
}

/** JobError.params as stored (JSON); a damaged value is dropped, the error keeps its English text. */
function errorParams(v: string | null): JobError['params'] {
  if (!v) return undefined;
  try {
    const o = JSON.parse(v) as unknown;
    return o && typeof o === 'object' && !Array.isArray(o) ? (o as JobError['params']) : undefined;
  } catch {
    return undefined;
  }
}

function errorColumns(e: JobError | null | undefined): Record<string, SqlValue> {
  return {
    error_params: e?.params ? JSON.stringify(e.params) : null,
    error_code: e ? e.code : null,
    error_message: e ? e.message : null,
    error_retryable: e ? (e.retryable ? 1 : 0) : null,
    error_hint: e?.hint ?? null,
    error_request_id: e?.requestId ?? null,
  };
}

function checkDecimalU64(v: string, what: string): void {
  if (typeof v !== 'string' || !/^\d{1,20}$/.test(v) || BigInt(v) > U64_MAX) {
    throw new TypeError(`${what} must be an unsigned 64-bit integer in decimal text, got ${JSON.stringify(v)}.`);
  }
}

function checkCount(v: unknown, what: string): asserts v is number {
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) {
    throw new TypeError(`${what} must be a whole number ≥ 0, got ${JSON.stringify(v)}.`);
  }
}

/** Columns a JobPatch writes; keys with undefined or null clear the column. */
const PATCH_COLUMNS: { [K in keyof Required<JobPatch>]: (v: JobPatch[K]) => Record<string, SqlValue> } = {
  path: (v) => ({ path: required(v, 'path') }),
  fileName: (v) => ({ file_name: required(v, 'fileName') }),
  size: (v) => ({ size: required(v, 'size') }),
  mtimeMs: (v) => ({ mtime_ms: required(v, 'mtimeMs') }),
  sampleHash: (v) => ({ sample_hash: v ?? null }),
  meta: (v) => metaColumns({ ...required(v, 'meta') }),
  priority: (v) => ({ priority: required(v, 'priority') }),
  vodStatus: (v) => ({ vod_status: v ?? null }),
  videoId: (v) => ({ video_id: v ?? null }),
  uploadAddress: (v) => ({
    // Only the address: a credential smuggled in here is dropped, never persisted.
    upload_address_json: v ? JSON.stringify(addressOnly(v)) : null,
  }),
  uploadId: (v) => ({ upload_id: v ?? null }),
  partSize: (v) => ({ part_size: v ?? null }),
  crc64: (v) => {
    if (v != null) checkDecimalU64(v, 'A job CRC-64');
    return { crc64: v ?? null };
  },
  error: (v) => errorColumns(v),
  attempts: (v) => ({ attempts: v ?? 0 }),
  nextAttemptAt: (v) => ({ next_attempt_at: v ?? null }),
  updatedAt: (v) => ({ updated_at: required(v, 'updatedAt') }),
  startedAt: (v) => ({ started_at: v ?? null }),
  finishedAt: (v) => ({ finished_at: v ?? null }),
  coverImageId: (v) => ({ cover_image_id: v ?? null }),
  profileId: (v) => ({ profile_id: v ?? null }),
  provider: (v) => ({ provider: required(v, 'provider') }),
  uploadSession: (v) => ({ upload_session_json: v ? JSON.stringify(v) : null }),
};

/**
 * The address fields of an UploadTarget, in a fixed order (Alibaba's rows stay as they
 * were written before the provider seam: endpoint, bucket, objectKey).
 */
function addressOnly(v: UploadAddress): UploadAddress {
  return dropUndefined({ endpoint: v.endpoint, bucket: v.bucket, objectKey: v.objectKey, region: v.region, coverObjectKey: v.coverObjectKey });
}

function required<T>(v: T | null | undefined, field: string): T {
  if (v === null || v === undefined) throw new TypeError(`A job's ${field} cannot be cleared.`);
  return v;
}

function patchToColumns(patch: JobPatch): Record<string, SqlValue> {
  const cols: Record<string, SqlValue> = {};
  for (const key of Object.keys(patch) as (keyof JobPatch)[]) {
    const toColumns = PATCH_COLUMNS[key] as ((v: unknown) => Record<string, SqlValue>) | undefined;
    if (!toColumns) {
      throw new TypeError(`"${String(key)}" cannot be changed with a patch` +
        (key === ('state' as string) ? ' (use transition).' : key === ('bytesDone' as string) ? ' (it follows the parts).' : '.'));
    }
    Object.assign(cols, toColumns(patch[key]));
  }
  return cols;
}

/** Patches that carry an identity created in the cloud get an fsynced commit. */
function needsDurableCommit(patch: JobPatch | undefined): boolean {
  return !!patch && (patch.videoId != null || patch.uploadId != null);
}

function escapeLike(s: string): string {
  return s.replace(/[\\%_]/g, (c) => `\\${c}`);
}

function crcHex(decimal: string): string {
  return BigInt(decimal).toString(16).padStart(16, '0');
}

export class QueueStore {
  private readonly stmt: Prepare;
  private readonly now: () => number;
  private closed = false;
  /** The checkpoints of HLS packages (one row per file), on the same connection. */
  readonly hlsFiles: HlsFileRepository;
  /** What this app uploaded, per account; outlives the jobs (ledger.ts). */
  readonly ledger: LedgerRepository;
  /** Download jobs' items, remote identity and range checkpoints (downloads.ts). */
  readonly downloads: DownloadRepository;

  constructor(
    private readonly db: Database.Database,
    readonly path: string,
    opts: QueueStoreOptions = {},
  ) {
    this.now = opts.now ?? Date.now;
    this.stmt = statementCache(db);
    this.hlsFiles = new HlsFileRepository(db, this.now, this.stmt);
    this.ledger = new LedgerRepository(db, this.now, this.stmt);
    this.downloads = new DownloadRepository(db, this.now, this.stmt);
  }


  /** Whether the batch (together()) being run commits fsynced; undefined outside one. */
  private batchDurable: boolean | undefined;
  /** The WAL file, opened for fsync (togetherSynced); undefined until first needed. */
  private walFd: number | undefined;
  /** The WAL fsync under way, and the one queued after it (group commit). */
  private walSyncing: Promise<void> | undefined;
  private walSyncQueued: Promise<void> | undefined;

  /**
   * together(fn, { durable: true }) whose fsync runs in the thread pool instead of
   * blocking the event loop: fn's writes are committed at once (WAL, not yet fsynced),
   * then the WAL file is fsynced, and the promise resolves only once it is. Callers
   * must not act on what they wrote (send bytes under a new VideoId) before it resolves.
   * Commits that arrive while an fsync runs share the next one (group commit): with
   * many small files, VideoIds come faster than one fsync each would allow on the loop.
   *
   * Why this is as durable as synchronous=FULL: in WAL mode FULL only adds an fsync of
   * the WAL file after the commit's frames are written (sqlite.org/pragma.html#pragma_synchronous),
   * and fsync makes every write to the file before it durable, whichever descriptor made
   * it. A checkpoint in between (this or another process) copies the frames into the
   * database, which synchronous=NORMAL fsyncs before the WAL is ever reused.
   */
  async togetherSynced<T>(fn: () => T): Promise<T> {
    if (this.path === ':memory:' || this.db.inTransaction) return this.together(fn, { durable: true });
    this.batchDurable = true;
    let out: T;
    try {
      out = this.db.transaction(fn)();
    } finally {
      this.batchDurable = undefined;
    }
    await this.syncWal();
    return out;
  }

  /** An fsync of the WAL file that begins after this call. */
  private syncWal(): Promise<void> {
    if (!this.walSyncing) {
      this.walSyncing = this.fsyncWal().finally(() => {
        this.walSyncing = undefined;
      });
      return this.walSyncing;
    }
    this.walSyncQueued ??= this.walSyncing.catch(() => undefined).then(() => {
      this.walSyncQueued = undefined;
      return this.syncWal();
    });
    return this.walSyncQueued;
  }

  private async fsyncWal(): Promise<void> {
    try {
      this.walFd ??= fs.openSync(`${this.path}-wal`, 'r+');
      const fd = this.walFd;
      await new Promise<void>((resolve, reject) => fs.fsync(fd, (err) => (err ? reject(err) : resolve())));
    } catch (err) {
      throw new QueueStoreError(`Could not make the queue database's log durable (fsync of ${this.path}-wal): ${(err as Error).message}.`, { cause: err });
    }
  }

  /**
   * Runs fn's writes as one transaction: one commit for several changes that belong
   * together (a small file's last steps), instead of one each. `durable` fsyncs that
   * commit; a write that needs it (an identity from the cloud) inside a batch that was
   * not declared durable is refused, so batching can never lose an fsync.
   */
  together<T>(fn: () => T, opts: { durable?: boolean } = {}): T {
    if (this.db.inTransaction) return fn();
    this.batchDurable = !!opts.durable;
    try {
      return opts.durable ? this.durably(fn) : this.db.transaction(fn)();
    } finally {
      this.batchDurable = undefined;
    }
  }

  /** Runs fn in a transaction whose commit is fsynced (see the note at the top). */
  private durably<T>(fn: () => T): T {
    if (this.batchDurable === false) throw new Error('A write that must be fsynced was batched in a commit that is not (QueueStore.together without durable).');
    if (this.db.inTransaction) return fn(); // the outer transaction decides
    this.db.pragma('synchronous = FULL');
    try {
      return this.db.transaction(fn)();
    } finally {
      this.db.pragma('synchronous = NORMAL');
    }
  }

  // --- jobs ---------------------------------------------------------------------

  /** Enqueues in one transaction; returns the new ids in the order given. */
  insertJobs(items: readonly NewJobRecord[]): number[] {
    items.forEach((it, i) => {
      const where = `Job ${i + 1} of ${items.length} (${it?.path ?? 'no path'})`;
      if (typeof it?.path !== 'string' || it.path.length === 0) throw new TypeError(`${where}: path is missing.`);
      if (typeof it.fileName !== 'string' || it.fileName.length === 0) throw new TypeError(`${where}: file name is missing.`);
      checkCount(it.size, `${where}: size`);
      if (typeof it.mtimeMs !== 'number' || !Number.isFinite(it.mtimeMs)) throw new TypeError(`${where}: mtimeMs must be a number.`);
      if (typeof it.meta?.title !== 'string') throw new TypeError(`${where}: meta.title is missing.`);
      if (it.state !== undefined && it.state !== 'queued' && it.state !== 'paused') {
        throw new TypeError(`${where}: a new job starts queued or paused, not "${it.state}".`);
      }
      if (it.kind !== undefined && it.kind !== 'upload' && it.kind !== 'download') throw new TypeError(`${where}: "${String(it.kind)}" is not a kind of job.`);
      if ((it.kind === 'download') !== (it.videoId !== undefined)) {
        throw new TypeError(`${where}: a download names its VideoId; an upload gets one from CreateUploadVideo.`);
      }
    });
    const insert = this.stmt(`
      INSERT INTO jobs (path, file_name, size, mtime_ms, sample_hash, title, description, cate_id, tags_json,
        template_group_id, workflow_id, storage_location, app_id, user_data, cover_path, priority, state,
        created_at, updated_at, profile_id, part_size, kind, video_id, provider)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    return this.db.transaction(() => {
      const now = this.now();
      const ids: number[] = new Array(items.length);
      for (let i = 0; i < items.length; i++) {
        const it = items[i];
        const m = it.meta;
        const res = insert.run(
          it.path, it.fileName, it.size, Math.trunc(it.mtimeMs), it.sampleHash ?? null, m.title, m.description ?? null,
          m.cateId ?? null, JSON.stringify(m.tags ?? []), m.templateGroupId ?? null, m.workflowId ?? null,
          m.storageLocation ?? null, m.appId ?? null, m.userData ?? null, m.coverPath ?? null, it.priority ?? 0,
          it.state ?? 'queued', now, now, it.profileId ?? null, it.partSize ?? null, it.kind ?? 'upload', it.videoId ?? null,
          it.provider ?? 'aliyun',
        );
        ids[i] = Number(res.lastInsertRowid);
      }
      return ids;
    })();
  }

  getJob(id: number): JobRecord | undefined {
    const row = this.stmt('SELECT * FROM jobs WHERE id = ?').get(id) as JobRow | undefined;
    return row && rowToRecord(row);
  }

  /** Like getJob, for when the job must exist. */
  requireJob(id: number): JobRecord {
    const rec = this.getJob(id);
    if (!rec) throw new JobNotFoundError(id);
    return rec;
  }

  toView(rec: JobRecord): JobView {
    const d = rec.kind === 'download' ? this.downloads.get(rec.id) : undefined;
    return dropUndefined({
      id: rec.id,
      kind: rec.kind,
      provider: rec.provider,
      path: rec.path,
      fileName: rec.fileName,
      size: rec.size,
      state: rec.state,
      vodStatus: rec.vodStatus,
      videoId: rec.videoId,
      meta: rec.meta,
      bytesDone: rec.bytesDone,
      priority: rec.priority,
      error: rec.error,
      attempts: rec.attempts,
      crc64: rec.crc64 === undefined ? undefined : crcHex(rec.crc64),
      createdAt: rec.createdAt,
      updatedAt: rec.updatedAt,
      startedAt: rec.startedAt,
      finishedAt: rec.finishedAt,
      download: d && dropUndefined({ videoId: d.videoId, itemKey: d.itemKey, outDir: d.outDir, definition: d.definition, format: d.format }),
    });
  }

  /** Changes columns other than the state; returns the new record. */
  updateJob(id: number, patch: JobPatch): JobRecord {
    const run = (): JobRecord => {
      this.writePatch(id, patch);
      return this.requireJob(id);
    };
    return needsDurableCommit(patch) ? this.durably(run) : this.db.transaction(run)();
  }

  private writePatch(id: number, patch: JobPatch): void {
    if (typeof patch.videoId === 'string') this.guardVideoId(this.requireJob(id), patch.videoId);
    const cols = patchToColumns(patch);
    if (!('updated_at' in cols)) cols.updated_at = this.now();
    const names = Object.keys(cols).sort();
    const sql = `UPDATE jobs SET ${names.map((n) => `${n} = @${n}`).join(', ')} WHERE id = @id`;
    const res = this.stmt(sql).run({ ...cols, id });
    if (res.changes === 0) throw new JobNotFoundError(id);
  }

  /**
   * Moves a job to `to`, checked against the state machine (and against the states
   * the caller expects, if given), applies the patch and appends a `state` event, all
   * in one transaction. Bookkeeping that follows from the move, unless the patch says
   * otherwise: startedAt is set on first entering work in progress; finishedAt is set
   * on entering a terminal state and cleared on leaving one; the error describes why a
   * job is failed or waiting and is cleared on entering any other state; nextAttemptAt
   * only has meaning while waiting.
   */
  transition(id: number, to: JobState, patch: JobPatch = {}, opts: TransitionOptions = {}): JobRecord {
    if (!isJobState(to)) throw new TypeError(`"${String(to)}" is not a job state.`);
    if ('state' in patch) throw new TypeError('Give the new state as the "to" argument, not in the patch.');
    const run = (): JobRecord => {
      const cur = this.requireJob(id);
      if (opts.from && !opts.from.includes(cur.state)) {
        throw new IllegalTransitionError(cur.state, to, id,
          `Job ${id} is "${cur.state}", not ${opts.from.map((s) => `"${s}"`).join(' or ')} as expected; it was not moved to "${to}".`);
      }
      assertTransition(cur.state, to, id, cur.kind);
      if (typeof patch.videoId === 'string') this.guardVideoId(cur, patch.videoId);
      const now = this.now();
      const full: JobPatch = { ...patch };
      if (!('startedAt' in full) && isActive(to) && cur.startedAt === undefined) full.startedAt = now;
      if (!('finishedAt' in full)) full.finishedAt = isTerminal(to) ? now : null;
      if (!('error' in full) && to !== 'failed' && to !== 'waiting') full.error = null;
      if (!('nextAttemptAt' in full) && to !== 'waiting') full.nextAttemptAt = null;
      if (!('updatedAt' in full)) full.updatedAt = now;
      const cols = patchToColumns(full);
      cols.state = to;
      // A cleared job that moves on (a retry) is back in the views; done stays cleared.
      if (!CLEARABLE_STATES.includes(to)) cols.cleared = 0;
      const names = Object.keys(cols).sort();
      this.stmt(`UPDATE jobs SET ${names.map((n) => `${n} = @${n}`).join(', ')} WHERE id = @id`).run({ ...cols, id });
      const err = full.error ?? (to === 'failed' || to === 'waiting' ? cur.error : undefined);
      this.insertEvent(id, now, 'state', dropUndefined({ from: cur.state, to, error: err ?? undefined }));
      return this.requireJob(id);
    };
    return needsDurableCommit(patch) ? this.durably(run) : this.db.transaction(run)();
  }

  /**
   * A job keeps the VideoId it was given: replacing it would leave a video in VOD that
   * nothing tracks (docs/ARCHITECTURE.md §3, never a second VideoId). Clearing it with null is
   * allowed, for after DeleteVideo.
   */
  private guardVideoId(cur: JobRecord, videoId: string): void {
    if (cur.videoId !== undefined && cur.videoId !== videoId) {
      throw new QueueStoreError(`Job ${cur.id} already has VideoId ${cur.videoId}; it will not be replaced by ${videoId}. ` +
        'Clear it first (after deleting the video) if a new upload is really meant.');
    }
  }

  /** Removes jobs with their parts and events; returns how many were removed. */
  deleteJobs(ids: readonly number[]): number {
    const del = this.stmt('DELETE FROM jobs WHERE id = ?');
    return this.db.transaction(() => ids.reduce((n, id) => n + del.run(id).changes, 0))();
  }

  setPriority(ids: readonly number[], priority: number): number {
    if (!Number.isSafeInteger(priority)) throw new TypeError(`Priority must be a whole number, got ${JSON.stringify(priority)}.`);
    const upd = this.stmt('UPDATE jobs SET priority = ?, updated_at = ? WHERE id = ?');
    return this.db.transaction(() => {
      const now = this.now();
      return ids.reduce((n, id) => n + upd.run(priority, now, id).changes, 0);
    })();
  }

  /**
   * Merges metadata into jobs that have no VideoId yet. Refused: jobs with a VideoId
   * (their metadata lives in VOD now) and jobs being created (CreateUploadVideo is in
   * flight with the old metadata, so a change would be silently lost).
   */
  updateMeta(ids: readonly number[], patch: Partial<JobMeta>): UpdateMetaResult {
    const cols = metaColumns(patch);
    const result: UpdateMetaResult = { updated: [], refused: [], missing: [] };
    const check = this.stmt('SELECT video_id, upload_session_json, state FROM jobs WHERE id = ?');
    this.db.transaction(() => {
      const now = this.now();
      cols.updated_at = now;
      const names = Object.keys(cols).sort();
      const upd = this.stmt(`UPDATE jobs SET ${names.map((n) => `${n} = @${n}`).join(', ')} WHERE id = @id`);
      for (const id of ids) {
        const row = check.get(id) as { video_id: string | null; upload_session_json: string | null; state: JobState } | undefined;
        if (!row) result.missing.push(id);
        // An open session (Tencent, before CommitUpload) took the metadata too.
        else if (row.video_id !== null || row.upload_session_json !== null || row.state === 'creating') result.refused.push(id);
        else {
          upd.run({ ...cols, id });
          result.updated.push(id);
        }
      }
    })();
    return result;
  }

  // --- parts --------------------------------------------------------------------

  /**
   * Records a part OSS acknowledged, in one transaction with bytes_done. Uploading a
   * part number again replaces it (OSS overwrite semantics), so bytes_done moves by
   * the difference in size.
   */
  recordPart(jobId: number, part: PartRecord): void {
    checkPart(part);
    const prev = this.stmt('SELECT size FROM parts WHERE job_id = ? AND part_number = ?');
    const upsert = this.stmt(`
      INSERT INTO parts (job_id, part_number, etag, size, crc64) VALUES (?, ?, ?, ?, ?)
      ON CONFLICT (job_id, part_number) DO UPDATE SET etag = excluded.etag, size = excluded.size, crc64 = excluded.crc64`);
    const bump = this.stmt('UPDATE jobs SET bytes_done = bytes_done + ?, updated_at = ? WHERE id = ?');
    this.db.transaction(() => {
      const old = prev.get(jobId, part.partNumber) as { size: number } | undefined;
      if (bump.run(part.size - (old?.size ?? 0), this.now(), jobId).changes === 0) throw new JobNotFoundError(jobId);
      upsert.run(jobId, part.partNumber, part.etag, part.size, part.crc64);
    })();
  }

  listParts(jobId: number): PartRecord[] {
    const rows = this.stmt('SELECT part_number, etag, size, crc64 FROM parts WHERE job_id = ? ORDER BY part_number')
      .all(jobId) as PartRow[];
    return rows.map((r) => ({ partNumber: r.part_number, etag: r.etag, size: r.size, crc64: r.crc64 }));
  }

  /** Makes the checkpoint equal to `parts` (the server's ListParts), bytes_done recomputed. */
  replaceParts(jobId: number, parts: readonly PartRecord[]): void {
    parts.forEach(checkPart);
    const seen = new Set<number>();
    for (const p of parts) {
      if (seen.has(p.partNumber)) throw new TypeError(`Part ${p.partNumber} is listed twice.`);
      seen.add(p.partNumber);
    }
    const ins = this.stmt('INSERT INTO parts (job_id, part_number, etag, size, crc64) VALUES (?, ?, ?, ?, ?)');
    this.db.transaction(() => {
      this.stmt('DELETE FROM parts WHERE job_id = ?').run(jobId);
      for (const p of parts) ins.run(jobId, p.partNumber, p.etag, p.size, p.crc64);
      this.setBytesDoneFromParts(jobId);
    })();
  }

  clearParts(jobId: number): void {
    this.db.transaction(() => {
      this.stmt('DELETE FROM parts WHERE job_id = ?').run(jobId);
      this.setBytesDoneFromParts(jobId);
    })();
  }

  private setBytesDoneFromParts(jobId: number): void {
    const res = this.stmt(`
      UPDATE jobs SET bytes_done = (SELECT COALESCE(SUM(size), 0) FROM parts WHERE job_id = @id), updated_at = @now
      WHERE id = @id`).run({ id: jobId, now: this.now() });
    if (res.changes === 0) throw new JobNotFoundError(jobId);
  }

  // --- events -------------------------------------------------------------------

  /** Jobs of a profile that may still need its account (everything but ready and canceled). */
  countUnfinishedJobs(profileId: string): number {
    const row = this.stmt(`SELECT COUNT(*) AS n FROM jobs WHERE profile_id = ? AND state NOT IN ('ready', 'downloaded', 'canceled')`).get(profileId) as { n: number };
    return row.n;
  }

  /** Whether any upload job owns this VideoId (a download only reads a video). */
  hasVideoId(videoId: string): boolean {
    return this.stmt("SELECT 1 FROM jobs WHERE video_id = ? AND kind = 'upload' LIMIT 1").get(videoId) !== undefined;
  }

  /**
   * The job that uploaded each of these VideoIds (the newest, when several share one), by
   * the jobs_video_id index; VideoIds no job has are left out. For the library's links.
   */
  jobIdsForVideos(videoIds: readonly string[]): Map<string, number> {
    const out = new Map<string, number>();
    const one = this.stmt('SELECT MAX(id) AS id FROM jobs WHERE video_id = ?');
    for (const v of videoIds) {
      const row = one.get(v) as { id: number | null } | undefined;
      if (row?.id != null) out.set(v, row.id);
    }
    return out;
  }

  /** Every job ever enqueued for this path, oldest first (a drop folder decides what a new version of it is). */
  jobsForPath(path: string): JobRecord[] {
    return (this.stmt('SELECT * FROM jobs WHERE path = ? ORDER BY id').all(path) as JobRow[]).map(rowToRecord);
  }

  appendEvent(jobId: number, type: string, data?: unknown): number {
    return this.insertEvent(jobId, this.now(), type, data);
  }

  private insertEvent(jobId: number, at: number, type: string, data: unknown): number {
    try {
      const res = this.stmt('INSERT INTO events (job_id, at, type, data_json) VALUES (?, ?, ?, ?)')
        .run(jobId, at, type, data === undefined ? null : JSON.stringify(data));
      return Number(res.lastInsertRowid);
    } catch (err) {
      if ((err as { code?: string }).code === 'SQLITE_CONSTRAINT_FOREIGNKEY') throw new JobNotFoundError(jobId);
      throw err;
    }
  }

  /** The job's latest events, oldest first. */
  listEvents(jobId: number, limit = 200): EventRecord[] {
    const rows = this.stmt(`
      SELECT * FROM (SELECT id, job_id, at, type, data_json FROM events WHERE job_id = ? ORDER BY id DESC LIMIT ?)
      ORDER BY id`).all(jobId, limit) as { id: number; job_id: number; at: number; type: string; data_json: string | null }[];
    return rows.map((r) => dropUndefined({
      id: r.id, jobId: r.job_id, at: r.at, type: r.type,
      data: r.data_json === null ? undefined : (JSON.parse(r.data_json) as unknown),
    }));
  }

  /** All of the job's events of these types, oldest first (however long its log grew). */
  eventsOfTypes(jobId: number, types: readonly string[]): EventRecord[] {
    if (types.length === 0) return [];
    const rows = this.stmt(`SELECT id, job_id, at, type, data_json FROM events WHERE job_id = ? AND type IN (${types.map(() => '?').join(', ')}) ORDER BY id`)
      .all(jobId, ...types) as { id: number; job_id: number; at: number; type: string; data_json: string | null }[];
    return rows.map((r) => dropUndefined({
      id: r.id, jobId: r.job_id, at: r.at, type: r.type,
      data: r.data_json === null ? undefined : (JSON.parse(r.data_json) as unknown),
    }));
  }

  // --- queries ------------------------------------------------------------------

  queryJobs(q: JobQuery): JobPage {
    checkCount(q.offset, 'offset');
    checkCount(q.limit, 'limit');
    if (q.limit > MAX_PAGE_ROWS) throw new RangeError(`A page holds at most ${MAX_PAGE_ROWS} jobs; ${q.limit} were asked for.`);
    const sort: JobSortKey = q.sort ?? 'priority';
    const sortSql = SORT_SQL[sort];
    if (!sortSql) throw new TypeError(`Unknown sort key "${String(q.sort)}"; use one of ${Object.keys(SORT_SQL).join(', ')}.`);
    const { where, params } = viewFilter(q.tab, q.search);
    const search = q.search?.trim();
    const whereSql = `WHERE ${where.join(' AND ')}`;
    const total = (this.stmt(`SELECT COUNT(*) AS n FROM jobs ${whereSql}`).get(...params) as { n: number }).n;
    // A search reads every row anyway (LIKE '%…%'): one pass over the table and a sort
    // of the matches beats walking an index with a row lookup per entry.
    const indexed = search ? 'NOT INDEXED' : sortSql.index ? `INDEXED BY ${sortSql.index}` : '';
    const rows = this.stmt(
      `SELECT * FROM jobs ${indexed} ${whereSql} ORDER BY ${sortSql.order(q.descending ?? SORT_DEFAULT_DESC[sort])} LIMIT ? OFFSET ?`,
    ).all(...params, q.limit, q.offset) as JobRow[];
    return { total, rows: rows.map((r) => this.toView(rowToRecord(r))) };
  }

  /** Counts and bytes by state; speed is left 0 for the caller, who measures it. */
  totals(): QueueTotals {
    const rows = this.stmt(
      'SELECT state, COUNT(*) AS n, SUM(size) AS size, SUM(bytes_done) AS done FROM jobs WHERE cleared = 0 GROUP BY state',
    ).all() as { state: JobState; n: number; size: number; done: number }[];
    const t: QueueTotals = { jobs: 0, byState: {}, bytesTotal: 0, bytesDone: 0, speed: 0 };
    for (const r of rows) {
      t.jobs += r.n;
      t.byState[r.state] = r.n;
      t.bytesTotal += r.size;
      t.bytesDone += r.done;
    }
    return t;
  }

  /** Ids of the jobs in these states that are in view (not cleared), oldest first. */
  idsInStates(states: readonly JobState[], limit?: number): number[] {
    if (states.length === 0) return [];
    const sql = `SELECT id FROM jobs WHERE state IN (${states.map(() => '?').join(', ')}) AND cleared = 0 ORDER BY id` +
      (limit === undefined ? '' : ' LIMIT ?');
    const params: SqlValue[] = [...states];
    if (limit !== undefined) {
      checkCount(limit, 'limit');
      params.push(limit);
    }
    return (this.stmt(sql).pluck().all(...params) as number[]);
  }

  /**
   * Every job a view shows (tab and search, as queryJobs filters them) that is in one of
   * `states`: what select-all in that view means, however many rows were loaded.
   */
  idsInView(tab: QueueTab, search: string | undefined, states: readonly JobState[]): number[] {
    const inTab = TAB_STATES[tab]?.filter((s) => states.includes(s));
    if (!inTab) throw new TypeError(`Unknown queue tab "${String(tab)}"; use one of ${Object.keys(TAB_STATES).join(', ')}.`);
    if (inTab.length === 0) return [];
    const { where, params } = viewFilter(tab, search);
    where.push(`state IN (${inTab.map(() => '?').join(', ')})`);
    params.push(...inTab);
    return this.stmt(`SELECT id FROM jobs WHERE ${where.join(' AND ')} ORDER BY id`).pluck().all(...params) as number[];
  }

  /**
   * "Clear finished": completed and canceled jobs leave the views and totals. The rows
   * stay; a job that moves on again (a retry) comes back into view. Returns their ids.
   */
  clearFinished(): number[] {
    const states = CLEARABLE_STATES;
    return this.db.transaction(() => this.stmt(
      `UPDATE jobs SET cleared = 1 WHERE cleared = 0 AND state IN (${states.map(() => '?').join(', ')}) RETURNING id`,
    ).pluck().all(...states) as number[])();
  }

  /** Jobs in these states, in run order (priority, then first come). */
  jobsInStates(states: readonly JobState[]): JobRecord[] {
    if (states.length === 0) return [];
    const rows = this.stmt(
      `SELECT * FROM jobs WHERE state IN (${states.map(() => '?').join(', ')}) ORDER BY priority DESC, id ASC`,
    ).all(...states) as JobRow[];
    return rows.map(rowToRecord);
  }

  /**
   * What the scheduler may start now, in run order: queued jobs, and waiting jobs
   * whose retry time has come (job-state.ts isRunnable says the same in code).
   */
  nextRunnable(limit: number, now: number): JobRecord[] {
    return this.nextRunnableKeys(limit, now).map((k) => this.requireJob(k.id));
  }

  /**
   * nextRunnable's jobs as id and kind only: what the scheduler needs to start one. It
   * asks after every job that ends, for as many as may run, and most of those are
   * running already: whole rows for them cost more than the rest of a small file's
   * bookkeeping.
   */
  nextRunnableKeys(limit: number, now: number): { id: number; kind: JobRecord['kind'] }[] {
    checkCount(limit, 'limit');
    // Two walks of (state, priority, id), merged: O(limit) however the queue is spread.
    const queued = this.stmt(`
      SELECT id, kind, priority FROM jobs INDEXED BY jobs_state_priority WHERE state = 'queued'
      ORDER BY priority DESC, id ASC LIMIT ?`).all(limit) as { id: number; kind: JobRecord['kind']; priority: number }[];
    const due = this.stmt(`
      SELECT id, kind, priority FROM jobs INDEXED BY jobs_state_priority
      WHERE state = 'waiting' AND (next_attempt_at IS NULL OR next_attempt_at <= ?)
      ORDER BY priority DESC, id ASC LIMIT ?`).all(now, limit) as { id: number; kind: JobRecord['kind']; priority: number }[];
    const merged = queued.concat(due).sort((a, b) => b.priority - a.priority || a.id - b.id);
    return merged.slice(0, limit).map(({ id, kind }) => ({ id, kind: kind ?? 'upload' }));
  }

  /** The earliest retry time among waiting jobs, to know when to look again. */
  nextWakeAt(): number | undefined {
    const v = this.stmt("SELECT MIN(next_attempt_at) FROM jobs WHERE state = 'waiting'").pluck().get() as number | null;
    return opt(v);
  }

  // --- settings -----------------------------------------------------------------

  getSettings(): EngineSettings {
    const rows = this.stmt('SELECT key, value_json FROM settings').all() as { key: string; value_json: string }[];
    const s: EngineSettings = { ...DEFAULT_SETTINGS };
    for (const { key, value_json } of rows) {
      if (!(key in DEFAULT_SETTINGS)) continue; // a setting of a newer version, or retired
      const k = key as keyof EngineSettings;
      const v = JSON.parse(value_json) as unknown;
      // A stored value of the wrong type (hand-edited file) falls back to the default.
      if (typeof v === typeof DEFAULT_SETTINGS[k]) (s as unknown as Record<string, unknown>)[k] = v;
    }
    return s;
  }

  saveSettings(patch: Partial<EngineSettings>): EngineSettings {
    for (const [k, v] of Object.entries(patch)) {
      if (!(k in DEFAULT_SETTINGS)) throw new TypeError(`"${k}" is not a setting; known: ${Object.keys(DEFAULT_SETTINGS).join(', ')}.`);
      const want = typeof DEFAULT_SETTINGS[k as keyof EngineSettings];
      if (typeof v !== want || (want === 'number' && (!Number.isFinite(v) || (v as number) < 0))) {
        throw new TypeError(`Setting "${k}" must be ${want === 'number' ? 'a number ≥ 0' : `a ${want}`}, got ${JSON.stringify(v)}.`);
      }
    }
    const put = this.stmt(
      'INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json',
    );
    this.db.transaction(() => {
      for (const [k, v] of Object.entries(patch)) put.run(k, JSON.stringify(v));
    })();
    return this.getSettings();
  }

  /**
   * A settings row that is not an engine setting (the app's watch folders): its parsed
   * JSON, or undefined. getSettings skips such keys, so they share the table safely.
   */
  readSettingJson(key: string): unknown {
    if (key in DEFAULT_SETTINGS) throw new TypeError(`"${key}" is an engine setting: use getSettings.`);
    const row = this.stmt('SELECT value_json FROM settings WHERE key = ?').get(key) as { value_json: string } | undefined;
    return row ? (JSON.parse(row.value_json) as unknown) : undefined;
  }

  writeSettingJson(key: string, value: unknown): void {
    if (key in DEFAULT_SETTINGS) throw new TypeError(`"${key}" is an engine setting: use saveSettings.`);
    this.stmt('INSERT INTO settings (key, value_json) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value_json = excluded.value_json')
      .run(key, JSON.stringify(value));
  }

  // --- profiles -----------------------------------------------------------------

  listProfiles(): (ProfileRecord & { active: boolean })[] {
    const rows = this.stmt('SELECT * FROM profiles ORDER BY created_at, id').all() as ProfileRow[];
    return rows.map(profileFromRow);
  }

  getProfile(id: string): (ProfileRecord & { active: boolean }) | undefined {
    const row = this.stmt('SELECT * FROM profiles WHERE id = ?').get(id) as ProfileRow | undefined;
    return row && profileFromRow(row);
  }

  /** Inserts or updates; an undefined secretBlob/tokenBlob keeps the stored one, null removes it. */
  saveProfile(rec: ProfileRecord): void {
    for (const f of ['id', 'name', 'kind', 'accessKeyId', 'region'] as const) {
      if (typeof rec[f] !== 'string' || rec[f].length === 0) throw new TypeError(`A profile needs a ${f}.`);
    }
    for (const f of ['secretBlob', 'tokenBlob'] as const) {
      const b = rec[f];
      // A string here would most likely be a plaintext secret: the store only keeps
      // what the caller has already encrypted.
      if (b != null && !Buffer.isBuffer(b)) throw new TypeError(`Profile ${f} must be an encrypted Buffer.`);
    }
    if (rec.subAppId != null && !(Number.isSafeInteger(rec.subAppId) && rec.subAppId > 0)) {
      throw new TypeError('A profile\'s subAppId must be a positive integer.');
    }
    const now = this.now();
    this.stmt(`
      INSERT INTO profiles (id, name, kind, access_key_id, region, endpoint, secret_blob, token_blob, sub_app_id, created_at, updated_at)
      VALUES (@id, @name, @kind, @akid, @region, @endpoint, @secret, @token, @subAppId, @now, @now)
      ON CONFLICT (id) DO UPDATE SET
        name = excluded.name, kind = excluded.kind, access_key_id = excluded.access_key_id,
        region = excluded.region, endpoint = excluded.endpoint, sub_app_id = excluded.sub_app_id,
        secret_blob = CASE WHEN @keepSecret THEN profiles.secret_blob ELSE excluded.secret_blob END,
        token_blob = CASE WHEN @keepToken THEN profiles.token_blob ELSE excluded.token_blob END,
        updated_at = excluded.updated_at`).run({
      id: rec.id, name: rec.name, kind: rec.kind, akid: rec.accessKeyId, region: rec.region,
      endpoint: rec.endpoint ?? null, secret: rec.secretBlob ?? null, token: rec.tokenBlob ?? null, subAppId: rec.subAppId ?? null, now,
      keepSecret: rec.secretBlob === undefined ? 1 : 0, keepToken: rec.tokenBlob === undefined ? 1 : 0,
    });
  }

  deleteProfile(id: string): boolean {
    return this.stmt('DELETE FROM profiles WHERE id = ?').run(id).changes > 0;
  }

  getActiveProfileId(): string | undefined {
    return this.stmt('SELECT id FROM profiles WHERE active = 1').pluck().get() as string | undefined;
  }

  /** Makes one profile the active one (null: none). */
  setActiveProfileId(id: string | null): void {
    this.db.transaction(() => {
      this.stmt('UPDATE profiles SET active = 0 WHERE active = 1').run();
      if (id === null) return;
      if (this.stmt('UPDATE profiles SET active = 1 WHERE id = ?').run(id).changes === 0) {
        throw new QueueStoreError(`There is no profile "${id}" to make active.`);
      }
    })();
  }

  // --- life cycle ---------------------------------------------------------------

  /** Runs `PRAGMA integrity_check`; "ok" when the file is sound. */
  integrityCheck(): string {
    return (this.db.pragma('integrity_check') as { integrity_check: string }[]).map((r) => r.integrity_check).join('\n');
  }

  /** Folds the WAL into the main file and closes. Safe to call twice. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    if (this.walFd !== undefined) {
      // An fsync still running on it ends with EBADF at worst; its commit is in the WAL.
      fs.closeSync(this.walFd);
      this.walFd = undefined;
    }
    try {
      this.db.pragma('optimize');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    } finally {
      this.db.close();
    }
  }

  get isOpen(): boolean {
    return !this.closed;
  }
}

function checkPart(p: PartRecord): void {
  if (!Number.isInteger(p?.partNumber) || p.partNumber < 1 || p.partNumber > MAX_PARTS) {
    throw new TypeError(`A part number must be 1…${MAX_PARTS}, got ${JSON.stringify(p?.partNumber)}.`);
  }
  checkCount(p.size, `Part ${p.partNumber} size`);
  if (typeof p.etag !== 'string' || p.etag.length === 0) throw new TypeError(`Part ${p.partNumber} has no ETag.`);
  checkDecimalU64(p.crc64, `Part ${p.partNumber} CRC-64`);
}

function profileFromRow(r: ProfileRow): ProfileRecord & { active: boolean } {
  return dropUndefined({
    id: r.id,
    name: r.name,
    kind: r.kind,
    accessKeyId: r.access_key_id,
    region: r.region,
    endpoint: opt(r.endpoint),
    secretBlob: opt(r.secret_blob),
    tokenBlob: opt(r.token_blob),
    subAppId: opt(r.sub_app_id),
    active: r.active === 1,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  });
}

/**
 * Opens (creating folder and file if needed) and migrates the queue database.
 * `:memory:` gives a throwaway store.
 */
export function openQueueStore(file: string, opts: QueueStoreOptions = {}): QueueStore {
  if (typeof file !== 'string' || file.length === 0) throw new TypeError('The queue database path is missing.');
  const inMemory = file === ':memory:';
  if (!inMemory) {
    try {
      fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
    } catch (err) {
      throw new QueueStoreError(`Cannot create the folder for the queue database ${file}: ${(err as Error).message}. ` +
        'Choose a folder you can write to.', { cause: err });
    }
  }
  let db: Database.Database;
  try {
    db = new Database(file, sqliteOpenOptions());
  } catch (err) {
    throw new QueueStoreError(`Cannot open the queue database ${file}: ${(err as Error).message}. ` +
      'Check that the path is a file you can read and write.', { cause: err });
  }
  try {
    // Another process (the CLI next to the app) may hold the write lock for a moment.
    db.pragma('busy_timeout = 5000');
    if (!inMemory) {
      const mode = db.pragma('journal_mode = WAL', { simple: true }) as string;
      if (mode !== 'wal') {
        throw new QueueStoreError(`The queue database ${file} cannot use write-ahead logging (got "${mode}"); ` +
          'it may be on a network share. Keep it on a local disk.');
      }
    }
    db.pragma('synchronous = NORMAL');
    db.pragma('foreign_keys = ON');
    migrate(db, file);
  } catch (err) {
    db.close();
    if ((err as { code?: string }).code === 'SQLITE_NOTADB') {
      throw new QueueStoreError(`${file} is not a queue database (not SQLite, or encrypted or damaged). ` +
        'Move it aside, or point the application at another file.', { cause: err });
    }
    throw err;
  }
  return new QueueStore(db, file, opts);
}

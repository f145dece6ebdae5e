// Watch folders in the app: `vodup watch` for the desktop and web shells. Each folder is
// scanned by the engine's DropFolder (engine/drop-folder.ts, the module the CLI uses),
// and each settled video is enqueued once with the folder's metadata rules, on the
// account that was active when the folder was added. The folders and what each took
// are kept in the queue database (a `watchFolders` row of the settings table, which the
// engine's getSettings skips), and watched again when the app starts.
//
// What a file is to the queue is the CLI's rule (versionVerdict): a version already
// queued is not taken again, so a restart does not enqueue a folder twice; a job that
// failed with FileChanged restarts under its VideoId once the file has settled again.

import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import type {
  WatchFolderInput, WatchFolderRules, WatchFolderView, WatchNotice, WatchNoticeKind, WatchTake,
} from '../../shared/ipc';
import type { JobMeta, NewJob } from '../../shared/types';
import { TERMINAL_STATES } from '../../shared/types';
import { formatProblems, validateMetadata } from '../../shared/validation';
import type { UploadEngineApi } from '../engine/api';
import { DropFolder, dropTitle, versionVerdict, type DropFile } from '../engine/drop-folder';
import { Emitter, type Event } from '../engine/events';
import { isHlsPlaylist } from '../engine/hls';
import type { QueueStore } from '../engine/store/index';
import { IpcError } from './ipc-error';

/** The settings row holding the folders (not an engine setting). */
export const WATCH_FOLDERS_KEY = 'watchFolders';
const MAX_TAKES = 200;
const MAX_NOTICES = 20;

/** What is persisted per folder. */
interface StoredFolder extends WatchFolderInput {
  id: string;
  profileId: string;
  paused: boolean;
  addedAt: number;
  taken: { path: string; jobId: number; at: number }[];
}

interface LiveFolder {
  stored: StoredFolder;
  drop: DropFolder;
  notices: WatchNotice[];
  lost?: string;
  /** The reason each file was last refused for: a refusal is noted once, not on every scan. */
  refusals: Map<string, string>;
}

export interface WatchFolderServiceOptions {
  engine: UploadEngineApi;
  /** A connection to the queue database (settings row; jobsForPath for versionVerdict). */
  store: Pick<QueueStore, 'jobsForPath' | 'readSettingJson' | 'writeSettingJson'>;
  activeProfileId: () => string | undefined;
  /** Between scans of all folders (default 3 s). */
  intervalMs?: number;
  now?: () => number;
}

export class WatchFolderService {
  private readonly folders = new Map<string, LiveFolder>();
  private readonly changed = new Emitter<WatchFolderView[]>();
  readonly onDidChange: Event<WatchFolderView[]> = this.changed.event;
  private readonly intervalMs: number;
  private readonly now: () => number;
  private timer: NodeJS.Timeout | undefined;
  private scanning: Promise<void> | undefined;
  private stopped = false;
  private readonly jobsSub;

  constructor(private readonly opts: WatchFolderServiceOptions) {
    this.intervalMs = opts.intervalMs ?? 3000;
    this.now = opts.now ?? Date.now;
    const raw = opts.store.readSettingJson(WATCH_FOLDERS_KEY);
    for (const stored of Array.isArray(raw) ? (raw as StoredFolder[]) : []) this.folders.set(stored.id, this.live(stored));
    this.jobsSub = opts.engine.onDidChangeJobs((jobs) => {
      let mine = false;
      for (const j of jobs) {
        for (const f of this.folders.values()) {
          if (!f.stored.taken.some((t) => t.jobId === j.id)) continue;
          mine = true;
          // A job that ended: its file is looked at again once it settles, so a version
          // the job did not take (it changed under the upload) is restarted or enqueued.
          if (TERMINAL_STATES.includes(j.state)) f.drop.forget(j.path);
        }
      }
      if (mine) this.emit();
    });
  }

  /** Begins scanning (the folders kept from the last run included). */
  start(): void {
    if (this.timer || this.stopped) return;
    const tick = (): void => {
      this.timer = setTimeout(() => {
        void this.scanNow().finally(() => {
          if (!this.stopped) tick();
        });
      }, this.intervalMs);
      this.timer.unref?.();
    };
    tick();
    void this.scanNow();
  }

  async dispose(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.jobsSub.dispose();
    await this.scanning?.catch(() => undefined);
    this.changed.dispose();
  }

  list(): WatchFolderView[] {
    return [...this.folders.values()].sort((a, b) => a.stored.addedAt - b.stored.addedAt).map((f) => this.view(f));
  }

  add(input: WatchFolderInput): WatchFolderView {
    const profileId = this.opts.activeProfileId();
    if (!profileId) throw new IpcError('NoActiveProfile', 'No account is selected. Choose the account the folder\'s files upload to, then add the folder.');
    const root = path.resolve(input.path.trim());
    let isDir = false;
    try {
      isDir = fs.statSync(root).isDirectory();
    } catch {
      throw new IpcError('InvalidWatchFolder', `No such folder: ${root}. Create it (or mount it) and add it again.`);
    }
    if (!isDir) throw new IpcError('InvalidWatchFolder', `Not a folder: ${root}. A watch folder is a folder; add single files on the Add files page.`);
    for (const f of this.folders.values()) {
      const other = f.stored.path;
      if (other === root || root.startsWith(other + path.sep) || other.startsWith(root + path.sep)) {
        throw new IpcError('InvalidWatchFolder', `${root} overlaps the watch folder ${other} (one is inside the other): a file there would be taken twice. Remove that one first.`);
      }
    }
    const rules = cleanRules(input);
    // The rules must make valid metadata for any file: checked on a sample name now,
    // rather than refusing every file later.
    const problems = validateMetadata(metaFor(path.join(root, 'sample.mp4'), rules));
    if (problems.length > 0) throw new IpcError('InvalidWatchFolder', `The folder's details are not valid: ${formatProblems(problems)}`);
    const stored: StoredFolder = {
      id: crypto.randomUUID(), path: root, settleSeconds: input.settleSeconds, ...rules, profileId, paused: false, addedAt: this.now(), taken: [],
    };
    this.folders.set(stored.id, this.live(stored));
    this.persist();
    this.emit();
    void this.scanNow();
    return this.view(this.folders.get(stored.id)!);
  }

  remove(id: string): void {
    if (!this.folders.delete(id)) throw notFound();
    this.persist();
    this.emit();
  }

  setPaused(id: string, paused: boolean): WatchFolderView {
    const f = this.folders.get(id);
    if (!f) throw notFound();
    f.stored.paused = paused;
    this.persist();
    this.emit();
    if (!paused) void this.scanNow();
    return this.view(f);
  }

  /** One scan of every folder not paused; a scan already running is joined, then one more runs. */
  async scanNow(): Promise<void> {
    const previous = this.scanning;
    const run = (async () => {
      await previous?.catch(() => undefined);
      if (this.stopped) return;
      for (const f of [...this.folders.values()]) {
        if (f.stored.paused || this.folders.get(f.stored.id) !== f) continue;
        try {
          await this.scanFolder(f);
        } catch (err) {
          this.notice(f, 'failed', f.stored.path, `Scanning failed: ${(err as Error).message}. Tried again at the next scan.`);
        }
      }
    })();
    this.scanning = run;
    return run;
  }

  private async scanFolder(f: LiveFolder): Promise<void> {
    const { engine, store } = this.opts;
    const scan = await f.drop.scan();
    let changed = false;
    for (const l of scan.lost) {
      f.lost = l.message;
      this.notice(f, 'lost', l.path, `${l.message} Still watching: files are taken once the folder is back.`);
      changed = true;
    }
    if (scan.back.length > 0) {
      f.lost = undefined;
      changed = true;
    }
    for (const n of scan.unreadable) this.notice(f, 'unreadable', n.path, n.message);
    for (const n of scan.ignored) this.notice(f, 'ignored', n.path, n.message);
    if (scan.unreadable.length + scan.ignored.length > 0) changed = true;
    const fresh: DropFile[] = [];
    for (const file of scan.ready) {
      const v = versionVerdict(store.jobsForPath(file.path), file);
      if (v === 'new') fresh.push(file);
      else if (v !== 'known') {
        await engine.retry([v.restart], { restartChanged: true });
        this.notice(f, 'restarted', file.path, `It changed while uploading; job #${v.restart} uploads it again under the same VideoId.`);
        changed = true;
      }
    }
    if (fresh.length > 0 && this.folders.get(f.stored.id) === f && !f.stored.paused) {
      const jobs: NewJob[] = [];
      for (const file of fresh) {
        const meta = metaFor(file.path, f.stored);
        const problems = validateMetadata(meta);
        if (problems.length > 0) this.refused(f, file.path, formatProblems(problems));
        else jobs.push({ path: file.path, meta });
      }
      const { added, rejected } = jobs.length > 0
        ? await engine.addJobs(jobs, { profileId: f.stored.profileId })
        : { added: [], rejected: [] };
      for (const r of rejected) this.refused(f, r.path, r.reason);
      const at = this.now();
      for (const job of added) {
        f.refusals.delete(job.path);
        f.stored.taken.unshift({ path: job.path, jobId: job.id, at });
      }
      f.stored.taken.length = Math.min(f.stored.taken.length, MAX_TAKES);
      if (added.length > 0) this.persist();
      changed = true;
    }
    if (changed) this.emit();
  }

  private refused(f: LiveFolder, file: string, reason: string): void {
    if (f.refusals.get(file) === reason) return;
    f.refusals.set(file, reason);
    const again = isHlsPlaylist(file) ? 'it is taken again once it or the files it lists change' : 'it is taken again when it changes';
    this.notice(f, 'refused', file, `${reason} Not added; ${again}.`);
  }

  private notice(f: LiveFolder, kind: WatchNoticeKind, file: string, message: string): void {
    f.notices.unshift({ kind, path: file, message, at: this.now() });
    f.notices.length = Math.min(f.notices.length, MAX_NOTICES);
  }

  private live(stored: StoredFolder): LiveFolder {
    const drop = new DropFolder({
      roots: [stored.path],
      settleMs: stored.settleSeconds * 1000,
      isKnown: (file) => versionVerdict(this.opts.store.jobsForPath(file.path), file) === 'known',
      now: this.now,
    });
    return { stored, drop, notices: [], refusals: new Map() };
  }

  private view(f: LiveFolder): WatchFolderView {
    const { taken, ...rest } = f.stored;
    return {
      ...rest,
      ...(f.lost !== undefined ? { lost: f.lost } : {}),
      taken: taken.map((t): WatchTake => {
        const job = this.opts.engine.getJob(t.jobId);
        return { ...t, ...(job ? { state: job.state } : {}), ...(job?.videoId ? { videoId: job.videoId } : {}) };
      }),
      notices: [...f.notices],
    };
  }

  private persist(): void {
    this.opts.store.writeSettingJson(WATCH_FOLDERS_KEY, [...this.folders.values()].map((f) => f.stored));
  }

  private emit(): void {
    if (!this.stopped) this.changed.fire(this.list());
  }
}

function notFound(): IpcError {
  return new IpcError('WatchFolderNotFound', 'That watch folder does not exist (any more).');
}

/** The rules without empty values (an empty field means "none", as on the Add files page). */
function cleanRules(r: WatchFolderRules): WatchFolderRules {
  const text = (s: string | undefined): string | undefined => (s !== undefined && s.trim() !== '' ? s.trim() : undefined);
  const out: WatchFolderRules = { tags: r.tags.map((t) => t.trim()).filter((t) => t !== '') };
  const title = text(r.title);
  if (title !== undefined) out.title = title;
  if (r.description !== undefined && r.description.trim() !== '') out.description = r.description;
  if (r.cateId !== undefined) out.cateId = r.cateId;
  const group = text(r.templateGroupId);
  if (group !== undefined) out.templateGroupId = group;
  const workflow = text(r.workflowId);
  if (workflow !== undefined) out.workflowId = workflow;
  return out;
}

/** A file's metadata under the rules; the title as `vodup watch --title` makes it (dropTitle). */
export function metaFor(filePath: string, rules: WatchFolderRules): JobMeta {
  const meta: JobMeta = { title: dropTitle(filePath, rules.title), tags: [...rules.tags] };
  if (rules.description !== undefined) meta.description = rules.description;
  if (rules.cateId !== undefined) meta.cateId = rules.cateId;
  if (rules.templateGroupId !== undefined) meta.templateGroupId = rules.templateGroupId;
  if (rules.workflowId !== undefined) meta.workflowId = rules.workflowId;
  return meta;
}

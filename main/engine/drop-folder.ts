// A drop folder: folders that a transfer tool (rsync, Aspera, an SMB share) fills, and
// from which each settled video is handed over once (`vodup watch`; the app could use it
// too, hence engine-side).
//
// "Settled" = the file kept the same size and mtime for `settleMs` of this clock. A file
// still being copied changes one of them between scans, so it is never handed over
// half-written. Each version of a file (path, size, mtime) is handed over at most once
// per DropFolder, and never when `isKnown` says the queue already has it (a restart),
// unless the caller `forget`s the file: then it settles and is looked at again (a job
// that failed because the file changed while it uploaded takes the version it settles at).
//
// HLS packages (hls.ts): the files a playlist in the watched folders lists are part of
// its job, never videos of their own (reported once as segments). A playlist is handed
// over once it and every listed file that is there have settled, and its version
// includes its files': when one of them arrives, changes or goes, a playlist the queue
// does not have (addJobs refused it: a segment still missing while a copy runs) is
// handed over again once they have settled. Files that settle before the playlist that
// lists them appears cannot be told from videos and are handed over as such; transfer
// tools that copy in name order (rsync) bring "x.m3u8" before "x0.ts"/"x_000.ts".
//
// The walk is not cli/expand.ts's: the engine must not depend on a shell, and settling
// needs each file's mtime, which that walk does not keep.

import fs from 'fs';
import path from 'path';
import { formatProblems, titleFromFileName, validateFileName } from '../../shared/validation';
import { isHlsPlaylist, packageReferences, segmentSkipReason, separateHlsSegments } from './hls';
import type { JobRecord } from './store/records';

export interface DropFile {
  path: string;
  size: number;
  mtimeMs: number;
}

export interface DropNotice {
  path: string;
  message: string;
}

export interface DropScan {
  /** Settled and not known to the queue: enqueue these. Each is returned once. */
  ready: DropFile[];
  /** Files VOD does not take, each reported the first time it is seen. */
  ignored: DropNotice[];
  /** Files a playlist here lists (uploaded with it), each reported the first time; `playlist` is its path. */
  segments: (DropNotice & { playlist: string })[];
  /** Sub-folders or files that could not be read, each reported once until readable again. */
  unreadable: DropNotice[];
  /** Watched folders that were there and are gone (or unreadable) since the last scan. */
  lost: DropNotice[];
  /** Watched folders that are back since the last scan. */
  back: string[];
}

export interface DropFolderOptions {
  /** Absolute folders to watch (recursively). */
  roots: readonly string[];
  /** How long a file's size and mtime must stay the same before it is handed over. */
  settleMs: number;
  /** Whether the queue already holds this version of the file. */
  isKnown: (file: DropFile) => boolean;
  now?: () => number;
}

interface Seen {
  size: number;
  mtimeMs: number;
  /** When this size and mtime were first seen. */
  since: number;
  /** Handed over (or known to the queue) in this version: never again. */
  done: boolean;
  /** A playlist handed over: its files and their versions then (the rest of its version). */
  pkg?: string;
}

/** A playlist's references, valid while it and the playlists it lists keep their versions. */
interface CachedRefs {
  /** The playlists it lists (present or not). */
  lists: readonly string[];
  /** Versions of the playlist and of `lists`, in that order, when it was read. */
  stamp: readonly string[];
  referenced: readonly string[];
}

/** A file found by the walk: its version, and why VOD does not take it (its name), if so. */
interface Walked {
  size: number;
  mtimeMs: number;
  problem?: string;
}

export class DropFolder {
  private readonly seen = new Map<string, Seen>();
  private readonly ignoredReported = new Set<string>();
  private readonly segmentReported = new Set<string>();
  private readonly refsCache = new Map<string, CachedRefs>();
  private readonly unreadableReported = new Set<string>();
  private readonly lostRoots = new Set<string>();
  /** Applied when the next scan begins (a scan in progress keeps a consistent view). */
  private readonly forgotten = new Set<string>();
  private readonly now: () => number;

  constructor(private readonly opts: DropFolderOptions) {
    if (!(opts.settleMs >= 0)) throw new RangeError('settleMs must be a number of milliseconds ≥ 0.');
    this.now = opts.now ?? Date.now;
  }

  /**
   * Looks at this file again as if it were new: it must keep its size and mtime for
   * settleMs from the next scan, then `isKnown` decides whether it is handed over.
   */
  forget(filePath: string): void {
    this.forgotten.add(filePath);
  }

  async scan(): Promise<DropScan> {
    for (const p of this.forgotten) this.seen.delete(p);
    this.forgotten.clear();
    const out: DropScan = { ready: [], ignored: [], segments: [], unreadable: [], lost: [], back: [] };
    const now = this.now();
    const walked = new Map<string, Walked>();
    const unreadableNow = new Set<string>();
    const walkedRoots: string[] = [];

    for (const root of this.opts.roots) {
      let st: fs.Stats;
      try {
        st = await fs.promises.stat(root);
        if (!st.isDirectory()) throw Object.assign(new Error('not a folder'), { code: 'ENOTDIR' });
        await this.walk(root, now, walked, unreadableNow, out);
      } catch (err) {
        if (!this.lostRoots.has(root)) {
          this.lostRoots.add(root);
          out.lost.push({ path: root, message: describeFsError(err as NodeJS.ErrnoException) });
        }
        continue;
      }
      walkedRoots.push(root);
      if (this.lostRoots.delete(root)) out.back.push(root);
    }

    // Forget files that are gone (or whose folder is): if they come back they settle anew.
    for (const p of [...this.seen.keys()]) if (!walked.has(p)) this.seen.delete(p);
    for (const p of [...this.refsCache.keys()]) if (!walked.has(p)) this.refsCache.delete(p);
    for (const p of [...this.unreadableReported]) if (!unreadableNow.has(p)) this.unreadableReported.delete(p);

    const paths = [...walked.keys()].sort();
    const { segmentOf } = await separateHlsSegments(paths, (p) => this.referencesOf(p, walked));
    for (const p of paths) {
      const problem = walked.get(p)!.problem;
      const playlist = segmentOf.get(p);
      if (playlist !== undefined) {
        if (!this.segmentReported.has(p)) {
          this.segmentReported.add(p);
          out.segments.push({ path: p, playlist, message: segmentSkipReason(playlist) });
        }
      } else if (problem !== undefined && !this.ignoredReported.has(p)) {
        this.ignoredReported.add(p);
        out.ignored.push({ path: p, message: problem });
      }
    }

    const settled = (s: Seen): boolean => now - s.since >= this.opts.settleMs;
    for (const p of paths) {
      if (walked.get(p)!.problem !== undefined) continue;
      const s = this.seen.get(p)!;
      if (segmentOf.has(p)) {
        s.done = true; // this version goes up with its playlist
        continue;
      }
      let pkg: string | undefined;
      if (isHlsPlaylist(p)) {
        const members = (await this.referencesOf(p, walked)).filter((m) => m !== p);
        // The files must have settled too: a copy still running is not a package yet.
        if (members.some((m) => this.seen.has(m) && !settled(this.seen.get(m)!))) continue;
        pkg = JSON.stringify([...members].sort().map((m) => [m, versionOf(walked.get(m))]));
        if (s.done && s.pkg !== pkg) s.done = false; // a file of it arrived, changed or went
      }
      if (s.done || !settled(s)) continue;
      s.done = true;
      s.pkg = pkg;
      const file = { path: p, size: s.size, mtimeMs: s.mtimeMs };
      if (!this.opts.isKnown(file)) out.ready.push(file);
    }
    return out;
  }

  /** A playlist's references (hls.ts), read again only when it or a playlist it lists changed. */
  private async referencesOf(playlist: string, walked: ReadonlyMap<string, Walked>): Promise<readonly string[]> {
    const versionNow = async (p: string): Promise<string> => {
      const w = walked.get(p);
      if (w) return versionOf(w);
      try {
        return versionOf(await fs.promises.stat(p)); // hidden, or not there
      } catch {
        return versionOf(undefined);
      }
    };
    const stampOf = async (lists: readonly string[]): Promise<string[]> => Promise.all([playlist, ...lists].map(versionNow));
    const cached = this.refsCache.get(playlist);
    if (cached && (await stampOf(cached.lists)).every((v, i) => v === cached.stamp[i])) return cached.referenced;
    const version = await versionNow(playlist);
    const { referenced, playlists } = await packageReferences(playlist);
    const stamp = await stampOf(playlists);
    // Rewritten while it was read: not cached, so the next scan reads it again.
    if (stamp[0] === version) this.refsCache.set(playlist, { lists: playlists, stamp, referenced });
    return referenced;
  }

  /** Depth-first with an explicit stack (deep trees must not overflow the call stack). */
  private async walk(root: string, now: number, walked: Map<string, Walked>, unreadableNow: Set<string>, out: DropScan): Promise<void> {
    const stack = [root];
    const visited = new Set<string>();
    const unreadable = (p: string, err: unknown): void => {
      unreadableNow.add(p);
      if (this.unreadableReported.has(p)) return;
      this.unreadableReported.add(p);
      out.unreadable.push({ path: p, message: describeFsError(err as NodeJS.ErrnoException) });
    };
    while (stack.length > 0) {
      const dir = stack.pop() as string;
      let entries: fs.Dirent[];
      try {
        const real = await fs.promises.realpath(dir);
        if (visited.has(real)) continue; // a symlink loop
        visited.add(real);
        entries = await fs.promises.readdir(dir, { withFileTypes: true });
      } catch (err) {
        if (dir === root) throw err; // the root itself: the caller reports it as lost
        unreadable(dir, err);
        continue;
      }
      for (const e of entries) {
        // Transfer tools write to hidden temporary names (rsync ".name.mp4.Xy12ab",
        // Finder's ".DS_Store"); they are neither uploads nor worth a report each.
        if (e.name.startsWith('.')) continue;
        const p = path.join(dir, e.name);
        let st: fs.Stats;
        try {
          st = await fs.promises.stat(p); // follows symlinks; the loop guard handles cycles
        } catch (err) {
          if ((err as NodeJS.ErrnoException).code !== 'ENOENT') unreadable(p, err); // ENOENT: renamed away meanwhile
          continue;
        }
        if (st.isDirectory()) {
          stack.push(p);
          continue;
        }
        if (!st.isFile()) continue;
        // A file VOD does not take is still walked: it may be a playlist's (an .m4s, a key).
        const problems = validateFileName(p);
        walked.set(p, { size: st.size, mtimeMs: st.mtimeMs, ...(problems.length > 0 ? { problem: formatProblems(problems) } : {}) });
        const prev = this.seen.get(p);
        if (!prev || prev.size !== st.size || prev.mtimeMs !== st.mtimeMs) {
          // New, or changed since the last scan (still being written, or a new version).
          this.seen.set(p, { size: st.size, mtimeMs: st.mtimeMs, since: now, done: false });
        }
      }
    }
  }
}

/**
 * What a settled version of a file is to the queue, given every job for its path:
 * - `known`: a job has this version (path, size, mtime in whole ms, as stored), or the
 *   latest job is unfinished (its object is not complete): it takes this version if
 *   its upload has not begun, or fails with FileChanged before completing;
 * - `restart`: the latest job failed with FileChanged (stopped before its object was
 *   completed), so it uploads this version under its VideoId; for a playlist, also
 *   the version it failed with (a file of its package changed, not the playlist);
 * - `new`: no job can take it (none; the latest one's object is complete, and a new
 *   version of a finished video is a video of its own; or it failed for another reason).
 */
export function versionVerdict(
  jobs: readonly Pick<JobRecord, 'id' | 'size' | 'mtimeMs' | 'state' | 'crc64' | 'error'>[],
  f: DropFile,
): 'known' | 'new' | { restart: number } {
  // An HLS playlist's job is sized as its whole package (hls.ts): a playlist is known by mtime.
  const playlist = isHlsPlaylist(f.path);
  // The latest job decides (canceled ones aside): an older one was left behind by it.
  const last = [...jobs].reverse().find((j) => j.state !== 'canceled');
  // A package's change is usually in a segment, the playlist untouched: its job restarts
  // whatever the playlist's mtime (handed over only once all its files have settled).
  if (playlist && last && last.crc64 === undefined && last.state === 'failed' && last.error?.code === 'FileChanged') {
    return { restart: last.id };
  }
  if (jobs.some((j) => (playlist || j.size === f.size) && j.mtimeMs === Math.trunc(f.mtimeMs))) return 'known';
  if (!last || last.crc64 !== undefined) return 'new';
  if (last.state !== 'failed') return 'known';
  return last.error?.code === 'FileChanged' ? { restart: last.id } : 'new';
}

/**
 * The title of a file a drop folder hands over, under the folder's title template:
 * "{name}" is the file's name without its extension. Files arrive one at a time, so a
 * template without "{name}" would give every file the same title: " {name}" is
 * appended ("Show" → "Show {name}"). Absent or empty: the file's name.
 */
export function dropTitle(filePath: string, template: string | undefined): string {
  const own = titleFromFileName(filePath);
  if (template === undefined || template === '') return own;
  return (template.includes('{name}') ? template : `${template} {name}`).split('{name}').join(own);
}

/** A file's version as part of a playlist's: size and mtime, or absent. */
function versionOf(f: { size: number; mtimeMs: number } | undefined): string {
  return f ? `${f.size}:${f.mtimeMs}` : '-';
}

function describeFsError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT': return 'No such folder (removed or unmounted?).';
    case 'ENOTDIR': return 'Not a folder.';
    case 'EACCES':
    case 'EPERM': return 'Permission denied: cannot read it.';
    default: return `Cannot read it (${err.code ?? err.message}).`;
  }
}

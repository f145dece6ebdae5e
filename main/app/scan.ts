// Turning what the operator dropped or picked into upload candidates, and listing a
// server-side folder for web mode's picker. Pure Node, no engine state.

import fs from 'fs';
import os from 'os';
import path from 'path';
import type { DirectoryListing } from '../../shared/ipc';
import type { ScanResult } from '../../shared/types';
import { formatProblems, mediaKindOf, validateFileName, validateFileSize } from '../../shared/validation';
import { segmentSkipReason, separateHlsSegments } from '../engine/hls';
import { IpcError } from './ipc-error';

/** How many stat/readdir calls run at once: enough to hide disk latency, few enough for a NAS. */
const FS_CONCURRENCY = 16;

const byName = new Intl.Collator(undefined, { numeric: true, sensitivity: 'base' });

/**
 * Expands folders recursively (following symlinks, but entering each real directory
 * once, so a link loop ends), and sorts each folder naturally ("ep2" before "ep10").
 * Hidden entries inside folders are skipped: on macOS volumes they are AppleDouble
 * "._clip.mp4" metadata files that would otherwise pass as videos.
 */
export async function scanPaths(paths: readonly string[]): Promise<ScanResult> {
  const seenFiles = new Set<string>();
  const seenDirs = new Set<string>();

  // Each visit fills its own result, merged in order, so parallel siblings cannot interleave.
  const visit = async (p: string, into: ScanResult): Promise<void> => {
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(p);
    } catch (err) {
      into.rejected.push({ path: p, reason: describeFsError(err, p), ...fsErrorCode(err) });
      return;
    }
    if (st.isDirectory()) {
      const dirKey = `${st.dev}:${st.ino}`;
      if (seenDirs.has(dirKey)) return;
      seenDirs.add(dirKey);
      let names: string[];
      try {
        names = await fs.promises.readdir(p);
      } catch (err) {
        into.rejected.push({ path: p, reason: describeFsError(err, p), ...fsErrorCode(err) });
        return;
      }
      names = names.filter((n) => !n.startsWith('.')).sort(byName.compare);
      for (let i = 0; i < names.length; i += FS_CONCURRENCY) {
        const subs = await Promise.all(names.slice(i, i + FS_CONCURRENCY).map(async (n) => {
          const sub: ScanResult = { files: [], rejected: [] };
          await visit(path.join(p, n), sub);
          return sub;
        }));
        for (const sub of subs) {
          for (const f of sub.files) into.files.push(f);
          for (const r of sub.rejected) into.rejected.push(r);
        }
      }
      return;
    }
    if (!st.isFile()) {
      into.rejected.push({ path: p, reason: 'Not a regular file (a device, socket or pipe).', code: 'NotRegularFile' });
      return;
    }
    if (seenFiles.has(p)) return;
    seenFiles.add(p);
    const problems = [...validateFileName(p), ...validateFileSize(st.size)];
    // The rules are shared/validation's alone (an empty file is uploadable: OSS keeps an empty object).
    if (problems.length > 0) {
      // The first problem's code lets the renderer say it in the operator's language.
      into.rejected.push({ path: p, reason: formatProblems(problems), code: problems[0].code, params: { ext: path.extname(p).slice(1) } });
    } else {
      into.files.push({ path: p, size: st.size, kind: mediaKindOf(p) === 'audio' ? 'audio' : 'video' });
    }
  };

  const result: ScanResult = { files: [], rejected: [] };
  for (const p of paths) await visit(path.resolve(p), result);
  // Segments (and variant playlists) a playlist lists go up with the playlist's job,
  // not as videos of their own: listed as skipped with the reason.
  const { keep, segmentOf } = await separateHlsSegments(result.files.map((f) => f.path));
  if (segmentOf.size === 0) return result;
  const kept = new Set(keep);
  for (const f of result.files) {
    const playlist = segmentOf.get(f.path);
    if (playlist !== undefined) {
      result.rejected.push({ path: f.path, reason: segmentSkipReason(playlist), code: 'HlsSegment', params: { playlist: path.basename(playlist) } });
    }
  }
  result.files = result.files.filter((f) => kept.has(f.path));
  return result;
}

export async function browseDirectory(dir?: string): Promise<DirectoryListing> {
  const target = path.resolve(dir && dir.trim() ? dir : os.homedir());
  let names: fs.Dirent[];
  try {
    names = await fs.promises.readdir(target, { withFileTypes: true });
  } catch (err) {
    throw new IpcError((err as NodeJS.ErrnoException).code ?? 'ReadDirFailed', describeFsError(err, target));
  }
  const visible = names.filter((d) => !d.name.startsWith('.'));
  const entries: DirectoryListing['entries'] = [];
  for (let i = 0; i < visible.length; i += FS_CONCURRENCY) {
    const slice = visible.slice(i, i + FS_CONCURRENCY);
    entries.push(...(await Promise.all(slice.map(async (d) => {
      const full = path.join(target, d.name);
      // Symlinks are shown as what they point to; a dangling one as a plain entry.
      const st = await fs.promises.stat(full).catch(() => undefined);
      const isDirectory = st ? st.isDirectory() : d.isDirectory();
      return { name: d.name, path: full, isDirectory, ...(st && st.isFile() ? { size: st.size } : {}) };
    }))));
  }
  entries.sort((a, b) => (a.isDirectory === b.isDirectory ? byName.compare(a.name, b.name) : a.isDirectory ? -1 : 1));
  const parent = path.dirname(target);
  // Free space where a download would land (the download dialog's hint); unknown if statfs fails.
  const free = await fs.promises.statfs(target).then((st) => st.bavail * st.bsize, () => undefined);
  return { path: target, ...(parent !== target ? { parent } : {}), entries, ...(free !== undefined ? { freeBytes: free } : {}) };
}

function describeFsError(err: unknown, p: string): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT': return `Not found: ${p}. It was moved or deleted.`;
    case 'EACCES':
    case 'EPERM': return `Permission denied: ${p}. Give this user read access or pick another folder.`;
    case 'ENOTDIR': return `Not a folder: ${p}.`;
    case 'ELOOP': return `Too many symbolic links: ${p}.`;
    default: return `Cannot read ${p}: ${(err as Error).message}`;
  }
}

/** The code a UI words a missing or unreadable path with (its text under `skip`). */
function fsErrorCode(err: unknown): { code?: string } {
  const code = (err as NodeJS.ErrnoException).code;
  if (code === 'ENOENT' || code === 'ENOTDIR') return { code: 'FileMissing' };
  if (code === 'EACCES' || code === 'EPERM') return { code: 'FileNoPermission' };
  return {};
}

// Turns the paths given on the command line into the files to upload.
// A folder is walked recursively; inside a folder, files VOD cannot take are skipped
// with the reason (a folder of videos often holds .srt/.nfo/.DS_Store beside them).
// A file named explicitly is the operator's intent, so a bad one is a problem, not a skip.
// Files an HLS playlist lists are skipped: they go up with the playlist's job.

import fs from 'fs';
import path from 'path';
import { formatProblems, validateFileName, validateFileSize } from '../../shared/validation';
import { segmentSkipReason, separateHlsSegments } from '../engine/hls';

export interface FoundFile {
  path: string;
  size: number;
}

export interface InputProblem {
  path: string;
  message: string;
}

export interface Expansion {
  files: FoundFile[];
  /** Named on the command line and unusable: the run exits 2. */
  problems: InputProblem[];
  /** Found inside a folder and not a VOD format: reported, not an error. */
  skipped: InputProblem[];
}

function describeStatError(err: NodeJS.ErrnoException): string {
  switch (err.code) {
    case 'ENOENT': return 'No such file or folder.';
    case 'EACCES':
    case 'EPERM': return 'Permission denied: cannot read it.';
    default: return `Cannot read it (${err.code ?? err.message}).`;
  }
}

export async function expandInputs(inputs: readonly string[]): Promise<Expansion> {
  const out: Expansion = { files: [], problems: [], skipped: [] };
  const seen = new Set<string>();
  const addFile = (p: string, size: number, explicit: boolean): void => {
    if (seen.has(p)) return;
    seen.add(p);
    const problems = [...validateFileName(p), ...validateFileSize(size)];
    if (problems.length === 0) out.files.push({ path: p, size });
    else (explicit ? out.problems : out.skipped).push({ path: p, message: formatProblems(problems) });
  };

  for (const input of inputs) {
    const abs = path.resolve(input);
    let st: fs.Stats;
    try {
      st = await fs.promises.stat(abs);
    } catch (err) {
      out.problems.push({ path: abs, message: describeStatError(err as NodeJS.ErrnoException) });
      continue;
    }
    if (st.isDirectory()) await walk(abs, out, addFile);
    else if (st.isFile()) addFile(abs, st.size, true);
    else out.problems.push({ path: abs, message: 'Not a regular file or folder.' });
  }
  // The files a playlist lists are uploaded with it (its job), not as videos of their
  // own, whether found in a folder or named one by one (a shell's `dir/*`).
  const { keep, segmentOf } = await separateHlsSegments(out.files.map((f) => f.path));
  if (segmentOf.size > 0) {
    const kept = new Set(keep);
    for (const f of out.files) {
      const playlist = segmentOf.get(f.path);
      if (playlist !== undefined) out.skipped.push({ path: f.path, message: segmentSkipReason(playlist) });
    }
    out.files = out.files.filter((f) => kept.has(f.path));
  }
  return out;
}

/** Depth-first with an explicit stack (deep trees must not overflow), names sorted for a stable order. */
async function walk(
  root: string,
  out: Expansion,
  addFile: (p: string, size: number, explicit: boolean) => void,
): Promise<void> {
  const stack = [root];
  const visited = new Set<string>();
  while (stack.length > 0) {
    const dir = stack.pop() as string;
    let real: string;
    let entries: fs.Dirent[];
    try {
      real = await fs.promises.realpath(dir);
      if (visited.has(real)) continue; // a symlink loop
      visited.add(real);
      entries = await fs.promises.readdir(dir, { withFileTypes: true });
    } catch (err) {
      out.skipped.push({ path: dir, message: describeStatError(err as NodeJS.ErrnoException) });
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const subdirs: string[] = [];
    for (const e of entries) {
      const p = path.join(dir, e.name);
      let st: fs.Stats;
      try {
        st = await fs.promises.stat(p); // follows symlinks; the loop guard above handles cycles
      } catch (err) {
        out.skipped.push({ path: p, message: describeStatError(err as NodeJS.ErrnoException) });
        continue;
      }
      if (st.isDirectory()) subdirs.push(p);
      else if (st.isFile()) addFile(p, st.size, false);
    }
    // Reverse so the stack pops them in sorted order.
    for (let i = subdirs.length - 1; i >= 0; i--) stack.push(subdirs[i]);
  }
}

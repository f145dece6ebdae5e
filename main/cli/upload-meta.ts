// Metadata for each file from the upload flags, validated with the shared rules
// before anything is enqueued.
//
// Titles: without --title each file is titled from its name (titleFromFileName).
// --title with one file is used as given. With several files it is a template:
// "{name}" is replaced by the file's own default title; without "{name}" the file's
// title is appended after a space ("Show S01" → "Show S01 episode-03"), so several
// files never share one title by accident.

import fs from 'fs';
import path from 'path';
import type { JobMeta, NewJob } from '../../shared/types';
import {
  formatProblems, parseTags, titleFromFileName, validateFileName, validateMetadata,
} from '../../shared/validation';
import type { FoundFile, InputProblem } from './expand';

export interface MetaFlags {
  title?: string;
  description?: string;
  category?: number;
  tags?: string;
  templateGroup?: string;
  workflow?: string;
  storageLocation?: string;
  appId?: string;
  userData?: string;
  cover?: string;
}

export function titleFor(filePath: string, titleFlag: string | undefined, fileCount: number): string {
  const own = titleFromFileName(filePath);
  if (titleFlag === undefined) return own;
  if (titleFlag.includes('{name}')) return titleFlag.split('{name}').join(own);
  return fileCount === 1 ? titleFlag : `${titleFlag} ${own}`;
}

/** Problems with flags that apply to every file (cover). Checked once. */
export function checkSharedFlags(flags: MetaFlags): InputProblem[] {
  if (!flags.cover) return [];
  const cover = path.resolve(flags.cover);
  const problems: InputProblem[] = [];
  const ext = validateFileName(cover, ['image']);
  if (ext.length > 0) problems.push({ path: cover, message: `--cover: ${formatProblems(ext)}` });
  try {
    if (!fs.statSync(cover).isFile()) problems.push({ path: cover, message: '--cover: not a regular file.' });
  } catch {
    problems.push({ path: cover, message: '--cover: no such file.' });
  }
  return problems;
}

export interface PlannedJobs {
  jobs: NewJob[];
  problems: InputProblem[];
}

/**
 * Manifest rows keep what they say; the command's metadata flags fill only what a row
 * leaves empty (a batch-wide template group, say). The title is always the row's own
 * (or its file name).
 */
export function manifestJobs(items: readonly NewJob[], flags: MetaFlags): NewJob[] {
  const tags = flags.tags !== undefined ? parseTags(flags.tags) : [];
  return items.map((it) => {
    const m = it.meta;
    const meta: JobMeta = {
      ...m,
      tags: m.tags.length > 0 ? m.tags : tags,
      description: m.description ?? flags.description,
      cateId: m.cateId ?? flags.category,
      templateGroupId: m.templateGroupId ?? flags.templateGroup,
      workflowId: m.workflowId ?? flags.workflow,
      storageLocation: m.storageLocation ?? flags.storageLocation,
      appId: m.appId ?? flags.appId,
      userData: m.userData ?? flags.userData,
      coverPath: m.coverPath ?? (flags.cover !== undefined ? path.resolve(flags.cover) : undefined),
    };
    for (const k of Object.keys(meta) as (keyof JobMeta)[]) if (meta[k] === undefined) delete meta[k];
    return { ...it, meta };
  });
}

export function planJobs(files: readonly FoundFile[], flags: MetaFlags): PlannedJobs {
  const tags = flags.tags !== undefined ? parseTags(flags.tags) : [];
  const out: PlannedJobs = { jobs: [], problems: [] };
  for (const f of files) {
    const meta: JobMeta = { title: titleFor(f.path, flags.title, files.length), tags };
    if (flags.description !== undefined) meta.description = flags.description;
    if (flags.category !== undefined) meta.cateId = flags.category;
    if (flags.templateGroup !== undefined) meta.templateGroupId = flags.templateGroup;
    if (flags.workflow !== undefined) meta.workflowId = flags.workflow;
    if (flags.storageLocation !== undefined) meta.storageLocation = flags.storageLocation;
    if (flags.appId !== undefined) meta.appId = flags.appId;
    if (flags.userData !== undefined) meta.userData = flags.userData;
    if (flags.cover !== undefined) meta.coverPath = path.resolve(flags.cover);
    const problems = validateMetadata(meta);
    if (problems.length > 0) out.problems.push({ path: f.path, message: formatProblems(problems) });
    else out.jobs.push({ path: f.path, meta });
  }
  return out;
}

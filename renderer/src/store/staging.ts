// Staging slice actions: files chosen for upload and their draft metadata, edited per
// file or for a selection, validated with shared/validation before anything is sent.

import type { CategoryNode, DuplicateFile, JobMeta, MediaProbe, NewJob } from '../../../shared/types';
import { titleFromFileName, validateFileName, validateMetadata, validateNoTranscodeFormat, type Problem } from '../../../shared/validation';
import { getBridge } from '../bridge';
import { baseName } from '../../../shared/format';
import { getState, setState, type SkippedFile, type StagedFile } from './app';
import { refreshQueue, setTab } from './queue';
import { nextSelection, type ClickOptions } from './selection';
import { errorText, notify, notifyKey, showView } from './ui';

export function problemsOf(file: StagedFile): Problem[] {
  return [...validateMetadata(file.meta), ...validateNoTranscodeFormat(file.path, file.meta), ...coverProblems(file.meta.coverPath)];
}

/** A cover must be an image VOD takes (png/jpg/jpeg/gif/heic); none is fine. */
export function coverProblems(coverPath: string | undefined): Problem[] {
  return coverPath ? validateFileName(coverPath, ['image']) : [];
}

function defaultMeta(path: string): JobMeta {
  const groups = getState().catalog?.templateGroups ?? [];
  return {
    title: titleFromFileName(path),
    tags: [],
    templateGroupId: groups.find((g) => g.isDefault)?.id,
  };
}

export async function addPaths(paths: string[]): Promise<void> {
  if (paths.length === 0) return;
  setState({ scanning: true });
  try {
    const result = await getBridge().scanPaths(paths);
    const { staged } = getState();
    const known = new Set(staged.map((f) => f.path));
    const fresh: StagedFile[] = [];
    for (const f of result.files) {
      if (known.has(f.path)) continue;
      known.add(f.path);
      fresh.push({ ...f, fileName: baseName(f.path), meta: defaultMeta(f.path) });
    }
    setState({
      staged: [...staged, ...fresh],
      rejected: [...getState().rejected.filter((r) => !result.rejected.some((x) => x.path === r.path)), ...result.rejected],
      scanning: false,
    });
    if (fresh.length === 0 && result.rejected.length === 0) notifyKey('staging.nothingNew');
    void markDuplicates(fresh.map((f) => f.path)).then(() => probeStaged(fresh.map((f) => f.path)));
  } catch (err) {
    setState({ scanning: false });
    notify(errorText(err), 'error');
  }
}

/**
 * "Import list…": stages the files of a manifest (CSV/JSON on the engine's machine) with
 * the metadata its rows give; a file already staged takes the list's metadata. Rows the
 * engine could not use go to the skipped list with their row number.
 */
export async function importManifest(file: string): Promise<void> {
  setState({ scanning: true });
  try {
    const bridge = getBridge();
    const reply = await bridge.readManifest(file);
    // Size and kind for the rows (readManifest already checked each file exists).
    const scan = reply.items.length > 0 ? await bridge.scanPaths(reply.items.map((i) => i.path)) : { files: [], rejected: [] };
    const scanned = new Map(scan.files.map((f) => [f.path, f]));
    const byPath = new Map<string, StagedFile>();
    for (const item of reply.items) {
      const f = scanned.get(item.path);
      if (!f) continue;
      // A list without a template group keeps the account's default, like added files.
      const meta = { ...defaultMeta(item.path), ...item.meta };
      byPath.set(item.path, { ...f, fileName: baseName(f.path), meta, ...(item.priority !== undefined ? { priority: item.priority } : {}) });
    }
    const { staged } = getState();
    const restaged = staged.map((f) => {
      const next = byPath.get(f.path);
      if (!next) return f;
      byPath.delete(f.path);
      return { ...next, ...(f.probe ? { probe: f.probe } : {}) };
    });
    const fresh = [...byPath.values()];
    const skipped: SkippedFile[] = [
      ...reply.problems.map((p) => ({
        path: p.path ?? file, reason: p.message, row: p.row,
        ...(p.code ? { code: p.code } : {}), ...(p.params ? { params: p.params } : {}), ...(p.problems ? { problems: p.problems } : {}),
      })),
      ...scan.rejected,
    ];
    setState({ staged: [...restaged, ...fresh], rejected: [...getState().rejected, ...skipped], scanning: false });
    if (skipped.length > 0) notifyKey('staging.importedSkipped', { count: reply.items.length, skipped: skipped.length }, 'error');
    else notifyKey('staging.imported', { count: reply.items.length });
    void markDuplicates(fresh.map((f) => f.path)).then(() => probeStaged(fresh.map((f) => f.path)));
  } catch (err) {
    setState({ scanning: false });
    notify(errorText(err), 'error');
  }
}

/** The shell's single-file dialog for a csv/json list; otherwise the server-side browser in its list mode. */
export async function pickManifest(): Promise<void> {
  try {
    const paths = await getBridge().pickPaths('manifest');
    if (paths === null) {
      setState({ folderBrowser: 'manifest' });
      return;
    }
    if (paths[0]) await importManifest(paths[0]);
  } catch (err) {
    notify(errorText(err), 'error');
  }
}

/** Paths per findDuplicates call: each file costs a few small reads (its sampled hash). */
const DUPLICATE_BATCH = 200;

/**
 * Asks the engine which staged files the active account already has (uploaded before,
 * or in the queue; matched by content, so a moved file is found too) and marks their
 * rows: they are skipped on Start unless the operator chooses "Upload again".
 */
export async function markDuplicates(paths: readonly string[]): Promise<void> {
  for (let i = 0; i < paths.length; i += DUPLICATE_BATCH) {
    let found;
    try {
      found = await getBridge().findDuplicates(paths.slice(i, i + DUPLICATE_BATCH));
    } catch (err) {
      notify(errorText(err), 'error');
      return;
    }
    if (found.length > 0) setDuplicates(found);
  }
}

function setDuplicates(found: readonly DuplicateFile[]): void {
  const byPath = new Map(found.map((d) => [d.path, d]));
  setState({ staged: getState().staged.map((f) => (byPath.has(f.path) ? { ...f, duplicate: byPath.get(f.path) } : f)) });
}

/** "Upload again" on a duplicate's row (on: upload it as a new video on Start; off: skip it). */
export function setUploadAgain(path: string, on: boolean): void {
  setState({ staged: getState().staged.map((f) => (f.path === path ? { ...f, uploadAgain: on } : f)) });
}

/** Paths per probeFiles call: small, so the list fills in as ffprobe answers. */
const PROBE_BATCH = 16;

/**
 * Asks ffprobe about the staged files in the background, a batch at a time, and puts each
 * answer on its row (if the row is still staged). Unreadable media is a warning on the
 * row, never a block. If no ffprobe runs at all, says so once and stops.
 */
export async function probeStaged(paths: readonly string[]): Promise<void> {
  // Another add while probing extends the count; the line goes when the last batch is in.
  const grow = (done: number, total: number) => {
    const cur = getState().probing;
    setState({ probing: cur ? { done: cur.done + done, total: cur.total + total } : { done, total } });
  };
  grow(0, paths.length);
  try {
    for (let i = 0; i < paths.length; i += PROBE_BATCH) {
      let probes: Record<string, MediaProbe>;
      const batch = paths.slice(i, i + PROBE_BATCH);
      try {
        probes = await getBridge().probeFiles(batch);
      } catch (err) {
        // No ffprobe (or it failed): these files will not be checked; stop counting them.
        grow(0, -(paths.length - i));
        notify(errorText(err), 'error');
        return;
      }
      setState({ staged: getState().staged.map((f) => (probes[f.path] ? { ...f, probe: probes[f.path] } : f)) });
      grow(batch.length, 0);
    }
  } finally {
    const cur = getState().probing;
    if (cur && cur.done >= cur.total) setState({ probing: null });
  }
}

/** The shell's own dialog when it has one; otherwise (web mode) the server-side browser. */
export async function pickAndAdd(kind: 'files' | 'folder'): Promise<void> {
  try {
    const paths = await getBridge().pickPaths(kind);
    if (paths === null) {
      setState({ folderBrowser: 'add' });
      return;
    }
    await addPaths(paths);
  } catch (err) {
    notify(errorText(err), 'error');
  }
}

/**
 * Cover image for the selected staged files: the native dialog where there is one,
 * else the server-side browser in its one-image mode (which calls setCover).
 */
export async function pickCover(): Promise<void> {
  try {
    const paths = await getBridge().pickPaths('image');
    if (paths === null) {
      setState({ folderBrowser: 'cover' });
      return;
    }
    if (paths[0]) setCover(paths[0]);
  } catch (err) {
    notify(errorText(err), 'error');
  }
}

/** Sets (or with undefined, removes) the cover of every selected staged file. */
export function setCover(path: string | undefined): void {
  const problems = coverProblems(path);
  if (problems.length > 0) {
    notifyKey('edit.coverRefused', { message: problems[0].message }, 'error');
    return;
  }
  editStaged(getState().stagedSelection, { coverPath: path });
}

export function closeFolderBrowser(): void {
  setState({ folderBrowser: null });
}

export function editStaged(paths: ReadonlySet<string> | readonly string[], patch: Partial<JobMeta>): void {
  const target = new Set(paths);
  setState({
    staged: getState().staged.map((f) => (target.has(f.path) ? { ...f, meta: { ...f.meta, ...patch } } : f)),
  });
}

/** Anchor of Shift-click ranges in the staging list (row index). */
let stagedAnchor: number | null = null;

/** A click on a staged row or its checkbox, with the upload list's rules (./selection.ts). */
export function clickStaged(index: number, opts: ClickOptions): void {
  const { staged, stagedSelection } = getState();
  const file = staged[index];
  if (!file) return;
  const next = nextSelection(stagedSelection, stagedAnchor, index, file.path, (i) => staged[i]?.path, opts);
  stagedAnchor = index;
  setState({ stagedSelection: next });
}

export function selectAllStaged(on: boolean): void {
  if (!on) stagedAnchor = null;
  setState({ stagedSelection: on ? new Set(getState().staged.map((f) => f.path)) : new Set() });
}

export function removeStaged(paths: ReadonlySet<string>): void {
  const sel = new Set(getState().stagedSelection);
  for (const p of paths) sel.delete(p);
  setState({ staged: getState().staged.filter((f) => !paths.has(f.path)), stagedSelection: sel });
}

export function clearRejected(): void {
  setState({ rejected: [] });
}

function categoryIds(nodes: readonly CategoryNode[], into = new Set<number>()): Set<number> {
  for (const n of nodes) {
    into.add(n.cateId);
    categoryIds(n.children, into);
  }
  return into;
}

/**
 * After the catalog (re)loads: pre-select the default template group, drop choices the
 * new account does not have. A part the account may not list is left as typed: its ids
 * cannot be checked here (VOD checks them at upload).
 */
export function applyCatalogDefaults(): void {
  const catalog = getState().catalog;
  if (!catalog) return;
  const refused = new Set(catalog.refused.map((r) => r.part));
  const groups = new Set(catalog.templateGroups.map((g) => g.id));
  const workflows = new Set(catalog.workflows.map((w) => w.id));
  const cates = categoryIds(catalog.categories);
  const def = catalog.templateGroups.find((g) => g.isDefault)?.id;
  setState({
    staged: getState().staged.map((f) => {
      const m = { ...f.meta };
      if (!refused.has('templateGroups') && (!m.templateGroupId || !groups.has(m.templateGroupId))) m.templateGroupId = def;
      if (!refused.has('workflows') && m.workflowId && !workflows.has(m.workflowId)) m.workflowId = undefined;
      if (!refused.has('categories') && m.cateId !== undefined && !cates.has(m.cateId)) m.cateId = undefined;
      return { ...f, meta: m };
    }),
  });
}

function cleanMeta(meta: JobMeta): JobMeta {
  const out: JobMeta = { title: meta.title.trim(), tags: meta.tags };
  if (meta.description?.trim()) out.description = meta.description.trim();
  if (meta.cateId !== undefined) out.cateId = meta.cateId;
  if (meta.workflowId) out.workflowId = meta.workflowId;
  else if (meta.templateGroupId) out.templateGroupId = meta.templateGroupId;
  if (meta.storageLocation) out.storageLocation = meta.storageLocation;
  if (meta.appId) out.appId = meta.appId;
  if (meta.userData) out.userData = meta.userData;
  if (meta.coverPath) out.coverPath = meta.coverPath;
  return out;
}

/**
 * "开始上传": hand every staged file to the engine (running, or held as paused). A file
 * the account already has is skipped and stays listed, marked, so that "Upload again"
 * can still send it; those the operator chose to upload again go as new videos.
 */
export async function startUpload(hold: boolean): Promise<void> {
  const { staged, submitting } = getState();
  if (submitting || staged.length === 0 || staged.some((f) => problemsOf(f).length > 0)) return;
  setState({ submitting: true });
  try {
    const toJob = (f: StagedFile): NewJob => ({ path: f.path, meta: cleanMeta(f.meta), ...(f.priority !== undefined ? { priority: f.priority } : {}) });
    const again = staged.filter((f) => f.uploadAgain);
    const rest = staged.filter((f) => !f.uploadAgain);
    const bridge = getBridge();
    const replies = [
      ...(rest.length > 0 ? [await bridge.addJobs(rest.map(toJob), { ...(hold ? { hold: true } : {}), duplicates: 'skip' })] : []),
      ...(again.length > 0 ? [await bridge.addJobs(again.map(toJob), { ...(hold ? { hold: true } : {}), duplicates: 'upload' })] : []),
    ];
    const added = replies.reduce((n, r) => n + r.added, 0);
    const rejected = replies.flatMap((r) => r.rejected);
    const duplicates = replies.flatMap((r) => r.duplicates);
    const refused = new Set(rejected.map((r) => r.path));
    const skipped = new Map(duplicates.map((d) => [d.path, d]));
    setState({
      staged: staged
        .filter((f) => refused.has(f.path) || skipped.has(f.path))
        .map((f) => (skipped.has(f.path) ? { ...f, duplicate: skipped.get(f.path), uploadAgain: false } : f)),
      stagedSelection: new Set(),
      rejected: [...getState().rejected, ...rejected],
      submitting: false,
    });
    if (added > 0 || duplicates.length === 0) notifyKey(hold ? 'staging.addedHeld' : 'staging.added', { count: added });
    if (duplicates.length > 0) notifyKey('staging.skippedDuplicates', { count: duplicates.length });
    if (rejected.length > 0) notifyKey('staging.someRefused', { count: rejected.length }, 'error');
    if (added > 0 && duplicates.length === 0) {
      setTab(hold ? 'pending' : 'active');
      showView('queue');
      void refreshQueue();
    } else if (added > 0) {
      // The skipped rows stay in view for "Upload again"; the queue shows the rest.
      void refreshQueue();
    }
  } catch (err) {
    setState({ submitting: false });
    notify(errorText(err), 'error');
  }
}

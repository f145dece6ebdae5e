// Library slice actions: the active account's videos in VOD, searched with filters,
// loaded a page at a time as the list scrolls (a cursor: SearchMedia's page number, then
// its ScrollToken past the 5,000-result window), selected, and fixed in bulk. 100,000
// matches never load at once: only what the operator scrolled to, or what an operation
// on "all matching" needs, and then page by page with progress shown.

import type { AddDownloadsReply } from '../../../shared/ipc';
import type { DownloadRequest, DownloadWhat, LibraryQuery, LibraryVideo, VideoOpResult } from '../../../shared/library';
import { bulkPatches, patchProblems, type BulkEdit } from '../../../shared/library-edit';
import type { ExportFormat } from '../../../shared/types';
import { getBridge } from '../bridge';
import {
  EMPTY_LIBRARY_FILTERS, getState, setState, type LibraryDialog, type LibraryFilters, type LibraryOperation,
  type LibraryResultRow,
} from './app';
import { scheduleQueueRefresh } from './queue';
import { saveFile } from './results-export';
import { nextSelection, type ClickOptions } from './selection';
import { errorText, notify, notifyKey, showView } from './ui';

/** SearchMedia's largest page. */
export const LIBRARY_PAGE_SIZE = 100;
/** Start loading the next page this many rows before the last loaded one scrolls into view. */
const PREFETCH_ROWS = 30;

let generation = 0;
let loading: Promise<void> | null = null;

/** The form's filters as the contract's query (dates are local days, inclusive). */
export function toLibraryQuery(f: LibraryFilters): LibraryQuery {
  const q: LibraryQuery = { sort: f.sort, pageSize: LIBRARY_PAGE_SIZE };
  if (f.title.trim()) q.title = f.title.trim();
  if (f.cateId !== undefined) q.cateId = f.cateId;
  if (f.tags.length > 0) q.tags = [...f.tags];
  if (f.statuses.length > 0) q.statuses = [...f.statuses];
  if (f.createdFrom) q.createdFrom = new Date(`${f.createdFrom}T00:00:00`).getTime();
  if (f.createdTo) q.createdTo = new Date(`${f.createdTo}T23:59:59.999`).getTime();
  if (f.storageLocation.trim()) q.storageLocation = f.storageLocation.trim();
  if (f.appId.trim()) q.appId = f.appId.trim();
  return q;
}

/** The account the rows came from: opening the view again keeps them (scroll, selection). */
let searchedProfile: string | null = null;

/** The first search of an account's library, when the view opens or the account changes. */
export function ensureLibraryFor(profileId: string): void {
  if (searchedProfile === profileId) return;
  searchedProfile = profileId;
  void searchLibrary();
}

/** A new search from the first page (filters changed, account switched, "Search" pressed). */
export function searchLibrary(filters?: Partial<LibraryFilters>): Promise<void> {
  generation++;
  loading = null;
  setState({
    ...(filters ? { libraryFilters: { ...getState().libraryFilters, ...filters } } : {}),
    libraryRows: [], libraryTotal: 0, libraryNext: undefined, libraryError: null, librarySearched: false,
    librarySelection: new Set(), librarySelectAll: false, librarySelectionAnchor: null, libraryDetailsId: null,
  });
  return loadPage(undefined, generation);
}

export function resetLibraryFilters(): Promise<void> {
  return searchLibrary({ ...EMPTY_LIBRARY_FILTERS });
}

/** One page after the rows loaded so far. Pages come in order, one at a time. */
function loadPage(cursor: string | undefined, mine: number): Promise<void> {
  if (loading) return loading;
  setState({ libraryLoading: true });
  const run = (async () => {
    try {
      const page = await getBridge().searchLibrary({ ...toLibraryQuery(getState().libraryFilters), ...(cursor ? { cursor } : {}) });
      if (mine !== generation) return;
      setState({
        libraryRows: cursor ? [...getState().libraryRows, ...page.videos] : page.videos,
        libraryTotal: page.total,
        libraryNext: page.next,
        librarySearched: true,
      });
    } catch (err) {
      if (mine === generation) setState({ libraryError: errorText(err), librarySearched: true });
    } finally {
      if (mine === generation) {
        loading = null;
        setState({ libraryLoading: false });
      }
    }
  })();
  loading = run;
  return run;
}

/** Called by the list as it scrolls: the next page when the last loaded rows come near. */
export function ensureLibraryRows(lastVisible: number): void {
  const { libraryRows, libraryNext, libraryError } = getState();
  if (libraryNext && !libraryError && lastVisible >= libraryRows.length - PREFETCH_ROWS) void loadPage(libraryNext, generation);
}

/** After an error: the same page again. */
export function retryLibraryPage(): void {
  setState({ libraryError: null });
  void loadPage(getState().libraryNext, generation);
}

// --- selection ---------------------------------------------------------------

export function clickSelectVideo(index: number, videoId: string, opts: ClickOptions): void {
  const { librarySelection, librarySelectionAnchor, librarySelectAll, libraryRows } = getState();
  const base = librarySelectAll ? new Set(libraryRows.map((r) => r.videoId)) : librarySelection;
  const next = nextSelection(base, librarySelectionAnchor, index, videoId, (i) => libraryRows[i]?.videoId, opts);
  setState({ librarySelection: next, librarySelectAll: false, librarySelectionAnchor: index });
}

export function selectAllLoaded(): void {
  setState({ librarySelection: new Set(getState().libraryRows.map((r) => r.videoId)), librarySelectAll: false, librarySelectionAnchor: null });
}

export function selectAllMatching(): void {
  setState({ librarySelection: new Set(), librarySelectAll: true, librarySelectionAnchor: null });
}

export function clearLibrarySelection(): void {
  setState({ librarySelection: new Set(), librarySelectAll: false, librarySelectionAnchor: null });
}

export function librarySelectedCount(s: { librarySelectAll: boolean; librarySelection: ReadonlySet<string>; libraryTotal: number }): number {
  return s.librarySelectAll ? s.libraryTotal : s.librarySelection.size;
}

/**
 * The selected videos with what an operation needs of them (title, tags). "All matching"
 * pages through the rest of the results first, showing how far it got.
 */
export async function resolveSelection(): Promise<LibraryVideo[]> {
  const mine = generation;
  if (getState().librarySelectAll) {
    setState({ libraryResolving: { loaded: getState().libraryRows.length, total: getState().libraryTotal } });
    try {
      while (getState().libraryNext && mine === generation) {
        await loadPage(getState().libraryNext, mine);
        if (getState().libraryError) throw new Error(getState().libraryError!);
        setState({ libraryResolving: { loaded: getState().libraryRows.length, total: getState().libraryTotal } });
      }
    } finally {
      setState({ libraryResolving: null });
    }
    if (mine !== generation) throw new Error('The search changed meanwhile; select again.');
    return getState().libraryRows;
  }
  const { librarySelection, libraryRows } = getState();
  return libraryRows.filter((r) => librarySelection.has(r.videoId));
}

// --- dialogs and operations ------------------------------------------------------

export function openLibraryDialog(dialog: LibraryDialog): void {
  setState({ libraryDialog: dialog, libraryResults: null });
}

export function closeLibraryDialog(): void {
  setState({ libraryDialog: null, libraryResults: null });
}

export function openVideoDetails(videoId: string | null): void {
  setState({ libraryDetailsId: videoId });
}

/** Every video gets one result row, in selection order, whatever the service answered. */
function resultRows(videos: readonly LibraryVideo[], results: readonly VideoOpResult[], refused: Map<string, LibraryResultRow>): LibraryResultRow[] {
  const byId = new Map(results.map((r) => [r.videoId, r]));
  return videos.map((v) => {
    const pre = refused.get(v.videoId);
    if (pre) return pre;
    const r = byId.get(v.videoId);
    if (!r) return { videoId: v.videoId, title: v.title, ok: false, code: 'NoResult', message: 'The service gave no result for this video.' };
    return {
      videoId: v.videoId, title: v.title, ok: r.ok, ...(r.code ? { code: r.code } : {}), ...(r.message ? { message: r.message } : {}),
      ...(r.outcomeUnknown ? { outcomeUnknown: true } : {}),
    };
  });
}

async function runOperation(operation: LibraryOperation, run: (videos: LibraryVideo[]) => Promise<LibraryResultRow[]>): Promise<void> {
  setState({ libraryBusy: true, libraryResults: null });
  try {
    const videos = await resolveSelection();
    if (videos.length === 0) return;
    const rows = await run(videos);
    setState({ libraryResults: { operation, rows } });
  } catch (err) {
    notify(errorText(err), 'error');
  } finally {
    setState({ libraryBusy: false });
  }
}

/**
 * A bulk edit: each video's patch made from its own values; a patch VOD would refuse
 * (an empty or too long title …) is reported as failed without being sent. Rows that
 * succeeded show their new values at once.
 */
export function runBulkEdit(edit: BulkEdit): Promise<void> {
  return runOperation('edit', async (videos) => {
    const patches = bulkPatches(videos, edit);
    const refused = new Map<string, LibraryResultRow>();
    const valid = patches.filter((p, i) => {
      const problem = patchProblems(p)[0];
      if (problem) refused.set(p.videoId, { videoId: p.videoId, title: videos[i].title, ok: false, code: problem.code, message: problem.message, problem });
      return !problem;
    });
    const results = valid.length > 0 ? await getBridge().editVideos(valid) : [];
    const ok = new Set(results.filter((r) => r.ok).map((r) => r.videoId));
    const changed = new Map(valid.filter((p) => ok.has(p.videoId)).map((p) => [p.videoId, p]));
    const titles = new Map(patches.filter((p) => p.title !== undefined).map((p) => [p.videoId, p.title!]));
    const rows = resultRows(videos, results, refused).map((r) => (titles.has(r.videoId) ? { ...r, newTitle: titles.get(r.videoId) } : r));
    if (changed.size > 0) {
      setState({
        libraryRows: getState().libraryRows.map((r) => {
          const p = changed.get(r.videoId);
          if (!p) return r;
          const { videoId: _id, ...fields } = p;
          return { ...r, ...fields };
        }),
      });
    }
    return rows;
  });
}

/** Deletes the videos (or only their source files); deleted videos leave the list. */
export function runDelete(sourceOnly: boolean): Promise<void> {
  return runOperation(sourceOnly ? 'deleteSource' : 'delete', async (videos) => {
    const results = await getBridge().deleteVideos(videos.map((v) => v.videoId), sourceOnly ? { sourceOnly: true } : undefined);
    if (!sourceOnly) {
      const gone = new Set(results.filter((r) => r.ok).map((r) => r.videoId));
      const { libraryRows, libraryTotal, librarySelection } = getState();
      setState({
        libraryRows: libraryRows.filter((r) => !gone.has(r.videoId)),
        libraryTotal: Math.max(0, libraryTotal - gone.size),
        librarySelection: new Set([...librarySelection].filter((id) => !gone.has(id))),
        librarySelectAll: false,
      });
    }
    return resultRows(videos, results, new Map());
  });
}

export function runTranscode(templateGroupId: string): Promise<void> {
  return runOperation('transcode', async (videos) => {
    const results = await getBridge().transcodeVideos(videos.map((v) => v.videoId), templateGroupId);
    return resultRows(videos, results, new Map());
  });
}

const MIME: Record<ExportFormat, string> = { csv: 'text/csv;charset=utf-8', json: 'application/json;charset=utf-8' };

/** The selection's media URLs (resolved now, with their expiry), saved as a file. */
export async function exportUrls(what: DownloadWhat, format: ExportFormat): Promise<void> {
  setState({ libraryBusy: true });
  try {
    const videos = await resolveSelection();
    if (videos.length === 0) return;
    const { fileName, content, count } = await getBridge().exportVideoUrls(videos.map((v) => v.videoId), what, format);
    saveFile(fileName, content, MIME[format]);
    notifyKey('library.urls.exported', { count, fileName });
    closeLibraryDialog();
  } catch (err) {
    notify(errorText(err), 'error');
  } finally {
    setState({ libraryBusy: false });
  }
}

/** Enqueues the selection's downloads into the one queue and shows it. */
export async function startDownload(req: Omit<DownloadRequest, 'videoIds' | 'profileId'>): Promise<AddDownloadsReply | undefined> {
  setState({ libraryBusy: true });
  try {
    const videos = await resolveSelection();
    if (videos.length === 0) return undefined;
    const reply = await getBridge().addDownloads({ ...req, videoIds: videos.map((v) => v.videoId) });
    if (reply.added > 0 || reply.existing > 0) {
      notifyKey(reply.existing > 0 ? 'download.addedExisting' : 'download.added', { count: reply.added, existing: reply.existing });
      scheduleQueueRefresh();
    }
    // With refusals the dialog stays open to list them; the rest are queued meanwhile.
    if (reply.rejected.length === 0) {
      closeLibraryDialog();
      showView('queue');
    }
    return reply;
  } catch (err) {
    notify(errorText(err), 'error');
    return undefined;
  } finally {
    setState({ libraryBusy: false });
  }
}

// Queue slice actions. The queue can hold 100,000 jobs, so the renderer never holds
// it whole: it keeps pages of `queryJobs` rows around the viewport for the current
// tab/search/sort, refetches the visible ones when jobs change, and reads counts
// from `getTotals`.

import {
  TAB_STATES, TERMINAL_STATES, type JobSelector, type JobSortKey, type JobView, type QueueTab,
  type QueueTotals,
} from '../../../shared/types';
import { getBridge } from '../bridge';
import { getState, setState, type AppState } from './app';
import { forgetProgress } from './progress';
import { nextSelection, type ClickOptions } from './selection';
import { errorText, notify, notifyKey } from './ui';

export const PAGE_SIZE = 100;

let queryGeneration = 0;
const inFlight = new Set<number>();
let visible = { start: 0, end: 0 };

function pageOf(index: number): number {
  return Math.floor(index / PAGE_SIZE);
}

async function fetchPage(page: number, generation: number): Promise<void> {
  if (inFlight.has(page)) return;
  inFlight.add(page);
  const { tab, search, sort, descending } = getState();
  try {
    const result = await getBridge().queryJobs({
      tab, search: search.trim() || undefined, sort, descending, offset: page * PAGE_SIZE, limit: PAGE_SIZE,
    });
    if (generation !== queryGeneration) return;
    setState({ pages: { ...getState().pages, [page]: result.rows }, total: result.total });
  } catch (err) {
    if (generation === queryGeneration) notify(errorText(err), 'error');
  } finally {
    inFlight.delete(page);
  }
}

/** Called by the table as it scrolls: loads the pages that cover rows [start, end]. */
export function ensureRows(start: number, end: number): void {
  visible = { start, end };
  const { pages, total } = getState();
  const first = pageOf(start);
  const last = pageOf(Math.max(start, end));
  // The pages in view first, then one on each side so steady scrolling rarely shows
  // unloaded rows.
  const wanted: number[] = [];
  for (let p = first; p <= last; p++) wanted.push(p);
  if (first > 0) wanted.push(first - 1);
  if ((last + 1) * PAGE_SIZE < total) wanted.push(last + 1);
  for (const p of wanted) if (!pages[p]) void fetchPage(p, queryGeneration);
  dropFarPages(first, last);
}

/** Keeps memory flat while scrolling through 100k rows: pages far from the view go. */
function dropFarPages(first: number, last: number): void {
  const { pages } = getState();
  const keys = Object.keys(pages).map(Number);
  if (keys.length <= 12) return;
  const kept: Record<number, JobView[]> = {};
  for (const p of keys) if (p >= first - 4 && p <= last + 4) kept[p] = pages[p];
  setState({ pages: kept });
}

function resetQuery(): void {
  queryGeneration++;
  inFlight.clear();
  setState({ pages: {}, selection: new Set(), selectAll: false, selectionAnchor: null });
  void refreshQueue();
}

/**
 * Sort per tab, remembered while the app runs. Pending opens in run order (priority
 * high to low, then first added first: the 'priority' key descending), so "Move to
 * top" visibly moves a row; the other tabs open in the order files were added.
 */
const tabSort: Record<QueueTab, { sort: JobSortKey; descending: boolean }> = {
  pending: { sort: 'priority', descending: true },
  active: { sort: 'id', descending: false },
  processing: { sort: 'id', descending: false },
  done: { sort: 'id', descending: false },
  failed: { sort: 'id', descending: false },
  canceled: { sort: 'id', descending: false },
};

export function setTab(tab: QueueTab): void {
  if (getState().tab === tab) return;
  visible = { start: 0, end: 0 };
  setState({ tab, total: 0, ...tabSort[tab] });
  resetQuery();
}

export function setSearch(search: string): void {
  setState({ search });
  visible = { start: 0, end: 0 };
  resetQuery();
}

export function setSort(sort: JobSortKey): void {
  const { sort: cur, descending } = getState();
  const next = cur === sort ? { sort, descending: !descending } : { sort, descending: false };
  tabSort[getState().tab] = next;
  setState(next);
  resetQuery();
}

/**
 * Re-reads the rows in view (others are dropped and refetched when scrolled to) and the
 * totals, and shows both in one update: rows set first and totals a round trip later
 * showed a job Done in the list while the header still counted it uploading.
 */
export async function refreshQueue(): Promise<void> {
  const generation = queryGeneration;
  const { tab, search, sort, descending } = getState();
  const first = pageOf(visible.start);
  const last = pageOf(Math.max(visible.start, visible.end));
  const bridge = getBridge();
  // ensureRows leaves these pages to us meanwhile (rows and totals come together).
  const mine: number[] = [];
  for (let p = first; p <= last; p++) {
    if (!inFlight.has(p)) {
      inFlight.add(p);
      mine.push(p);
    }
  }
  const [rowsResult, totalsResult] = await Promise.allSettled([
    bridge.queryJobs({
      tab, search: search.trim() || undefined, sort, descending,
      offset: first * PAGE_SIZE, limit: (last - first + 1) * PAGE_SIZE,
    }),
    bridge.getTotals(),
  ]);
  if (generation === queryGeneration) for (const p of mine) inFlight.delete(p);
  const update: Partial<AppState> = {};
  if (totalsResult.status === 'fulfilled') update.totals = totalsResult.value;
  else notify(errorText(totalsResult.reason), 'error');
  if (rowsResult.status === 'rejected') notify(errorText(rowsResult.reason), 'error');
  else if (generation === queryGeneration) {
    const pages: Record<number, JobView[]> = {};
    for (let p = first; p <= last; p++) {
      const rows = rowsResult.value.rows.slice((p - first) * PAGE_SIZE, (p - first + 1) * PAGE_SIZE);
      if (rows.length > 0) pages[p] = rows;
    }
    update.pages = pages;
    update.total = rowsResult.value.total;
  }
  setState(update);
}

let refreshTimer: number | null = null;
let refreshRunning = false;
let refreshAgain = false;

/** Coalesces bursts of job changes into at most one refresh per 250 ms. */
export function scheduleQueueRefresh(): void {
  if (refreshTimer !== null) return;
  refreshTimer = window.setTimeout(() => {
    refreshTimer = null;
    if (refreshRunning) {
      refreshAgain = true;
      return;
    }
    refreshRunning = true;
    void refreshQueue().finally(() => {
      refreshRunning = false;
      if (refreshAgain) {
        refreshAgain = false;
        scheduleQueueRefresh();
      }
    });
  }, 250);
}

export function onJobsChanged(jobs: readonly JobView[]): void {
  const stopped = jobs.filter((j) => TERMINAL_STATES.includes(j.state) || j.state === 'paused').map((j) => j.id);
  forgetProgress(stopped);
  const { detailsJobId, detailsVersion } = getState();
  if (detailsJobId !== null && jobs.some((j) => j.id === detailsJobId)) setState({ detailsVersion: detailsVersion + 1 });
  scheduleQueueRefresh();
}

export function onTotals(totals: QueueTotals): void {
  setState({ totals });
}

export function countForTab(totals: QueueTotals | null, tab: QueueTab): number {
  if (!totals) return 0;
  return TAB_STATES[tab].reduce((n, s) => n + (totals.byState[s] ?? 0), 0);
}

export function rowAt(index: number): JobView | undefined {
  return getState().pages[pageOf(index)]?.[index % PAGE_SIZE];
}

// --- selection ---------------------------------------------------------------

/**
 * A click on a row or its checkbox. `toggle` (checkbox, Ctrl/Cmd-click) adds or removes
 * the row; a plain row click selects only it; Shift ranges from the last clicked row over
 * the rows loaded around the viewport (the only ones the operator can see).
 */
export function clickSelect(index: number, id: number, opts: ClickOptions): void {
  const { selection, selectionAnchor, selectAll } = getState();
  // Leaving "all of the view": what stays selected is what is loaded, as it is shown.
  const base = selectAll ? new Set(Object.values(getState().pages).flat().map((r) => r.id)) : selection;
  const next = nextSelection(base, selectionAnchor, index, id, (i) => rowAt(i)?.id, opts);
  setState({ selection: next, selectAll: false, selectionAnchor: index });
}

/** Selects every row of the view (tab and search), however many are loaded. */
export function selectAllInView(): void {
  setState({ selection: new Set(), selectAll: true, selectionAnchor: null });
}

export function clearSelection(): void {
  setState({ selection: new Set(), selectAll: false, selectionAnchor: null });
}

/** How many rows the selection covers, and whether that is all of the view. */
export function selectionState(s: { selection: ReadonlySet<number>; selectAll: boolean; total: number }): { count: number; all: boolean } {
  if (s.selectAll) return { count: s.total, all: true };
  return { count: s.selection.size, all: s.total > 0 && s.selection.size >= s.total };
}

/** The selection as the engine takes it: ids, or the whole view. */
function currentSelector(): JobSelector | null {
  const { selection, selectAll, tab, search } = getState();
  if (selectAll) return { tab, ...(search.trim() ? { search: search.trim() } : {}) };
  return selection.size > 0 ? [...selection] : null;
}

// --- commands ----------------------------------------------------------------

/** `restart`: retry with restartChanged (a job whose file changed uploads the new version under its VideoId). */
export type QueueCommand = 'pause' | 'resume' | 'retry' | 'restart' | 'cancel';

export async function runCommand(command: QueueCommand, sel: JobSelector): Promise<void> {
  const bridge = getBridge();
  try {
    if (command === 'pause') await bridge.pause(sel);
    else if (command === 'resume') await bridge.resume(sel);
    else if (command === 'retry') await bridge.retry(sel);
    else if (command === 'restart') await bridge.retry(sel, { restartChanged: true });
    else await bridge.cancel(sel);
    scheduleQueueRefresh();
  } catch (err) {
    notify(errorText(err), 'error');
  }
}

export async function runOnSelection(command: QueueCommand): Promise<void> {
  const sel = currentSelector();
  if (sel === null) return;
  await runCommand(command, sel);
  // The rows acted on move to other tabs (or stay, refused): a selection kept now would
  // count rows no longer shown, so it ends with the action.
  clearSelection();
}

/** "Clear finished": completed and canceled rows leave the views and the totals. */
export async function clearFinished(): Promise<void> {
  try {
    const count = await getBridge().clearFinished();
    notifyKey('queue.clearedFinished', { count });
    clearSelection();
    scheduleQueueRefresh();
  } catch (err) {
    notify(errorText(err), 'error');
  }
}

/**
 * Puts the jobs ahead of everything else: one above the highest priority in the queue
 * (all tabs, so a paused job resumed later cannot jump ahead of them unnoticed).
 */
export async function moveToTop(ids: readonly number[]): Promise<void> {
  if (ids.length === 0) return;
  const bridge = getBridge();
  try {
    const top = await bridge.queryJobs({ sort: 'priority', descending: true, offset: 0, limit: 1 });
    const max = top.rows[0]?.priority ?? 0;
    await bridge.setPriority([...ids], max + 1);
    scheduleQueueRefresh();
  } catch (err) {
    notify(errorText(err), 'error');
  }
}

// --- details drawer ------------------------------------------------------------

export function openDetails(id: number): void {
  setState({ detailsJobId: id });
}

export function closeDetails(): void {
  setState({ detailsJobId: null });
}

// "正在上传 / 上传完成": the queue in tabs by what each file is doing, each a virtualized
// table paged from queryJobs, so 100,000 jobs scroll like 10. Live numbers (progress,
// speed, ETA) come from the transient progress store, one subscription per visible row.
// Selection means what it shows: the header box and Ctrl/Cmd+A select the whole view
// (the engine resolves it), not only the rows loaded so far.

import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { useProviderTerms } from '../store/profiles';
import { QUEUE_TABS, type JobSortKey, type JobView, type QueueTab } from '../../../shared/types';
import { formatBytes, formatDuration, formatSpeed, percent } from '../../../shared/format';
import { useApp } from '../store/app';
import { exportResults, type ExportScope } from '../store/results-export';
import { useJobProgress } from '../store/progress';
import { listKeyHandler, rowClickOptions } from '../store/selection';
import {
  clearFinished, clearSelection, clickSelect, countForTab, ensureRows, moveToTop, openDetails, rowAt, runCommand,
  runOnSelection, selectAllInView, selectionState, setSearch, setSort, setTab, type QueueCommand,
} from '../store/queue';
import { CopyButton } from './CopyButton';
import { JobDetails } from './JobDetails';
import { useJobErrorText } from './problems';

const ROW_HEIGHT = 52;
const MOVING: JobView['state'][] = ['creating', 'uploading', 'completing', 'downloading', 'verifying', 'waiting'];

/** The bulk commands that can change something in each tab (the engine skips rows they do not apply to). */
const TAB_COMMANDS: Record<QueueTab, QueueCommand[]> = {
  pending: ['pause', 'resume', 'cancel'],
  active: ['pause', 'cancel'],
  processing: ['cancel'],
  done: ['retry'],
  failed: ['retry', 'cancel'],
  canceled: ['retry'],
};

export function QueueView() {
  const { t, i18n } = useTranslation();
  const tab = useApp((s) => s.tab);
  const totals = useApp((s) => s.totals);
  const finished = countForTab(totals, 'done') + countForTab(totals, 'canceled');
  const selection = useApp((s) => s.selection);
  const selectAll = useApp((s) => s.selectAll);
  const total = useApp((s) => s.total);
  const search = useApp((s) => s.search);
  const detailsJobId = useApp((s) => s.detailsJobId);
  const [searchDraft, setSearchDraft] = useState(search);
  const [exportScope, setExportScope] = useState<ExportScope>('tab');

  // Search as the operator types, without a query per keystroke.
  useEffect(() => {
    if (searchDraft === search) return;
    const timer = window.setTimeout(() => setSearch(searchDraft), 200);
    return () => window.clearTimeout(timer);
  }, [searchDraft, search]);

  const cancelAll = () => {
    if (window.confirm(t('queue.confirmCancelAll'))) void runCommand('cancel', 'all');
  };

  return (
    <section className="view queue-view" data-testid="queue-view">
      <nav className="tabs" role="tablist">
        {QUEUE_TABS.map((name) => (
          <button
            key={name}
            type="button"
            role="tab"
            aria-selected={tab === name}
            className={`tab${tab === name ? ' active' : ''}`}
            data-testid={`queue-tab-${name}`}
            onClick={() => setTab(name)}
          >
            {t(`queue.tab.${name}`)}
            <span className="badge" data-testid={`queue-count-${name}`}>{countForTab(totals, name)}</span>
          </button>
        ))}
      </nav>
      <div className="toolbar">
        <input
          type="search"
          className="search"
          data-testid="queue-search"
          placeholder={t('queue.search')}
          aria-label={t('queue.search')}
          value={searchDraft}
          onChange={(e) => setSearchDraft(e.target.value)}
        />
        <SortSelect />
        <span className="spacer" />
        <span className="inline-field" role="group" aria-label={t('queue.export')}>
          <span className="muted" title={t('queue.exportHint')}>{t('queue.export')}</span>
          <ExportScopeSelect value={exportScope} onChange={setExportScope} />
          <button type="button" data-testid="queue-export-csv" title={t('queue.exportHint')} onClick={() => void exportResults('csv', exportScope)}>CSV</button>
          <button type="button" data-testid="queue-export-json" title={t('queue.exportHint')} onClick={() => void exportResults('json', exportScope)}>JSON</button>
        </span>
        {selectAll || selection.size > 0 ? (
          <>
            <span className="muted" data-testid="queue-selected-count" data-count={selectAll ? total : selection.size} data-all={selectAll}>
              {selectAll
                ? t('queue.selectedAll', { count: total, formatted: total.toLocaleString(i18n.language), tab: t(`queue.tab.${tab}`) })
                : t('queue.selected', { count: selection.size })}
            </span>
            {TAB_COMMANDS[tab].map((c) => <SelectionButton key={c} command={c} tab={tab} />)}
            {tab === 'pending' && !selectAll && (
              <button type="button" data-testid="queue-top-selected" title={t('queue.moveToTopHint')} onClick={() => void moveToTop([...selection])}>
                {t('queue.moveToTop')}
              </button>
            )}
            <button type="button" className="link" data-testid="queue-clear-selection" onClick={clearSelection}>{t('queue.clearSelection')}</button>
          </>
        ) : (
          <>
            <button type="button" data-testid="queue-pause-all" onClick={() => void runCommand('pause', 'all')}>{t('queue.pauseAll')}</button>
            <button type="button" data-testid="queue-resume-all" onClick={() => void runCommand('resume', 'all')}>{t('queue.resumeAll')}</button>
            {tab === 'failed' && (
              <button type="button" data-testid="queue-retry-all" onClick={() => void runCommand('retry', 'all')}>{t('queue.retryAll')}</button>
            )}
            <button type="button" className="danger-quiet" data-testid="queue-cancel-all" onClick={cancelAll}>{t('queue.cancelAll')}</button>
            {finished > 0 && (
              <button type="button" data-testid="queue-clear-finished" title={t('queue.clearFinishedHint')} onClick={() => void clearFinished()}>
                {t('queue.clearFinished', { count: finished })}
              </button>
            )}
          </>
        )}
      </div>
      <JobTable />
      <QueueFooter />
      {detailsJobId !== null && <JobDetails id={detailsJobId} />}
    </section>
  );
}

/** This tab, all tabs, or the selected rows (offered while rows are selected). */
function ExportScopeSelect({ value, onChange }: { value: ExportScope; onChange: (s: ExportScope) => void }) {
  const { t } = useTranslation();
  const selected = useApp((s) => s.selection.size);
  const shown = value === 'selection' && selected === 0 ? 'tab' : value;
  return (
    <select data-testid="queue-export-scope" aria-label={t('exportMore.scope')} value={shown} onChange={(e) => onChange(e.target.value as ExportScope)}>
      <option value="tab">{t('exportMore.scopeTab')}</option>
      <option value="all">{t('exportMore.scopeAll')}</option>
      {selected > 0 && <option value="selection">{t('exportMore.scopeSelection', { count: selected })}</option>}
    </select>
  );
}

function SelectionButton({ command, tab }: { command: QueueCommand; tab: QueueTab }) {
  const { t } = useTranslation();
  // In Completed, "retry" asks VOD again for the status of videos awaiting review.
  const label = tab === 'done' && command === 'retry' ? 'checkAgain' : command;
  return (
    <button type="button" data-testid={`queue-${command}-selected`} onClick={() => void runOnSelection(command)}>
      {t(`queue.action.${label}`)}
    </button>
  );
}

const SORT_KEYS: JobSortKey[] = ['id', 'priority', 'fileName', 'size', 'state', 'updatedAt'];

function SortSelect() {
  const { t } = useTranslation();
  const sort = useApp((s) => s.sort);
  const descending = useApp((s) => s.descending);
  return (
    <label className="inline-field">
      <span className="muted">{t('queue.sortBy')}</span>
      <select data-testid="queue-sort" value={sort} onChange={(e) => setSort(e.target.value as JobSortKey)}>
        {SORT_KEYS.map((k) => <option key={k} value={k}>{t(`queue.sort.${k}`)}</option>)}
      </select>
      <button
        type="button"
        className="icon-button"
        data-testid="queue-sort-direction"
        aria-label={descending ? t('queue.descending') : t('queue.ascending')}
        title={descending ? t('queue.descending') : t('queue.ascending')}
        onClick={() => setSort(sort)}
      >
        {descending ? '↓' : '↑'}
      </button>
    </label>
  );
}

function SortHeader({ sortKey, label }: { sortKey: JobSortKey; label: string }) {
  const sort = useApp((s) => s.sort);
  const descending = useApp((s) => s.descending);
  const active = sort === sortKey;
  return (
    <button
      type="button"
      className={`th-sort${active ? ' active' : ''}`}
      data-testid={`sort-${sortKey}`}
      aria-sort={active ? (descending ? 'descending' : 'ascending') : 'none'}
      onClick={() => setSort(sortKey)}
    >
      {label}
      <span className="sort-mark" aria-hidden>{active ? (descending ? '↓' : '↑') : ''}</span>
    </button>
  );
}

/** Module-level, so memoized rows keep the same prop across table renders. */
function onSelect(index: number, id: number, e: MouseEvent<HTMLInputElement>): void {
  clickSelect(index, id, { on: e.currentTarget.checked, shift: e.shiftKey, toggle: true });
}

/**
 * A click on the row itself (not on its checkbox, title link or buttons) selects it:
 * alone, or toggled with Ctrl/Cmd, or as a range with Shift.
 */
function onRowClick(index: number, id: number, selected: boolean, e: MouseEvent<HTMLDivElement>): void {
  const opts = rowClickOptions(selected, e);
  if (opts) clickSelect(index, id, opts);
}

/** Keys of the list, while focus is in it: Ctrl/Cmd+A selects the view's rows (not the page's text), Escape clears. */
const onListKey = listKeyHandler({
  selectAll: selectAllInView,
  clear: clearSelection,
  hasSelection: () => useApp.getState().selection.size > 0 || useApp.getState().selectAll,
});

function JobTable() {
  const { t } = useTranslation();
  const terms = useProviderTerms();
  const total = useApp((s) => s.total);
  const tab = useApp((s) => s.tab);
  // Subscribing to pages re-renders the table when a page arrives (cheap: only visible rows render).
  useApp((s) => s.pages);
  const selection = useApp((s) => s.selection);
  const selectAll = useApp((s) => s.selectAll);
  const header = useRef<HTMLInputElement>(null);
  const scroller = useRef<HTMLDivElement>(null);
  const { count: selectedCount, all: allSelected } = selectionState({ selection, selectAll, total });

  // The header box shows the truth: ticked for all of the view, a dash for some of it.
  useEffect(() => {
    if (header.current) header.current.indeterminate = selectedCount > 0 && !allSelected;
  }, [selectedCount, allSelected]);
  const virtualizer = useVirtualizer({
    count: total,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const first = items[0]?.index ?? 0;
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    ensureRows(first, last);
  }, [first, last, total]);

  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [tab]);

  return (
    <div className="table job-table" data-testid="job-table" role="grid" aria-multiselectable="true" aria-label={t(`queue.tab.${tab}`)} onKeyDown={onListKey}>
      <div className="thead job-grid">
        <input
          ref={header}
          type="checkbox"
          data-testid="queue-select-all"
          data-state={allSelected ? 'all' : selectedCount > 0 ? 'some' : 'none'}
          aria-label={t('queue.selectAll', { tab: t(`queue.tab.${tab}`) })}
          title={t('queue.selectAllHint')}
          checked={allSelected}
          disabled={total === 0}
          // Some or all ticked: the box clears; none: it takes the whole view.
          onChange={() => (selectedCount > 0 ? clearSelection() : selectAllInView())}
        />
        <SortHeader sortKey="fileName" label={t('queue.col.file')} />
        <SortHeader sortKey="size" label={t('queue.col.size')} />
        <SortHeader sortKey="state" label={t('queue.col.state')} />
        {tab === 'failed' ? (
          <span className="span-3">{t('queue.col.error')}</span>
        ) : (
          <>
            <span>{t('queue.col.progress')}</span>
            <span>{t('queue.col.speed')}</span>
            <span>{t('queue.col.eta')}</span>
          </>
        )}
        <span>{t('queue.col.videoId', terms)}</span>
        <span>{t('queue.col.vodStatus')}</span>
        <span />
      </div>
      {/* Focusable, so Ctrl/Cmd+A and Escape reach the list from the keyboard too. */}
      <div className="tbody" ref={scroller} data-testid="job-scroller" tabIndex={0}>
        {total === 0 ? (
          <p className="empty-state" data-testid="queue-empty">{t(`queue.empty.${tab}`)}</p>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((v) => {
              const job = rowAt(v.index);
              return job ? (
                <JobRow
                  key={job.id}
                  job={job}
                  index={v.index}
                  top={v.start}
                  selected={selectAll || selection.has(job.id)}
                  onSelect={onSelect}
                />
              ) : (
                <div key={`loading-${v.index}`} className="tr job-grid loading" style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}>
                  <span />
                  <span className="muted">{t('common.loading')}</span>
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

interface RowProps {
  job: JobView;
  index: number;
  top: number;
  selected: boolean;
  onSelect: (index: number, id: number, e: MouseEvent<HTMLInputElement>) => void;
}

const JobRow = memo(function JobRow({ job, index, top, selected, onSelect }: RowProps) {
  const { t } = useTranslation();
  const failed = job.state === 'failed' || job.state === 'canceled';
  return (
    <div
      className={`tr job-grid${selected ? ' selected' : ''}${failed ? ' failed' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      data-testid="queue-row"
      data-job-id={job.id}
      data-state={job.state}
      data-title={job.meta.title}
      data-kind={job.kind}
      role="row"
      aria-selected={selected}
      onClick={(e) => onRowClick(index, job.id, selected, e)}
    >
      <input
        type="checkbox"
        data-testid="queue-row-select"
        aria-label={t('queue.selectRow', { name: job.meta.title })}
        checked={selected}
        onClick={(e) => onSelect(index, job.id, e)}
        onChange={() => undefined}
      />
      <span className="cell-file">
        <button type="button" className="link title-link ellipsis" data-testid="job-title" title={t('queue.openDetails')} onClick={() => openDetails(job.id)}>
          {job.meta.title}
        </button>
        <span className="ellipsis muted small" title={job.path}>
          {/* Which way the bytes move: both kinds share one queue. */}
          <span className={`direction ${job.kind}`} data-testid="job-direction" title={t(`download.direction.${job.kind}`)}>
            {job.kind === 'download' ? '↓' : '↑'}<span className="sr-only"> {t(`download.direction.${job.kind}`)}</span>
          </span>
          {job.kind === 'download' && job.download ? `${job.fileName} · ${job.download.itemKey}` : job.fileName}
        </span>
      </span>
      <span className="num">{formatBytes(job.size)}</span>
      <span className="cell-state">
        <span className={`state state-${job.state}`} data-testid="job-state">{t(`state.${job.state}`)}</span>
        {job.state === 'waiting' && job.error && (
          // Why it waits (offline, throttled, disk full…): it goes on by itself, but the operator may act.
          <WaitingReason error={job.error} />
        )}
      </span>
      {job.error && failed ? <ErrorCell error={job.error} /> : <LiveCells job={job} />}
      <span className="videoid">
        {job.videoId ? (
          <>
            <span className="mono ellipsis" data-testid="job-videoid" title={job.videoId}>{job.videoId}</span>
            <CopyButton text={job.videoId} />
          </>
        ) : (
          <span className="muted">—</span>
        )}
      </span>
      <span data-testid="job-vodstatus" data-status={job.vodStatus ?? ''}>
        {job.vodStatus ? <span className={`vod vod-${job.vodStatus}`}>{t(`vod.${job.vodStatus}`, { defaultValue: job.vodStatus })}</span> : <span className="muted">—</span>}
      </span>
      <RowActions job={job} />
    </div>
  );
});

/** Why a job waits, in the operator's language when its code is known; the engine's words on hover. */
function WaitingReason({ error }: { error: NonNullable<JobView['error']> }) {
  const text = useJobErrorText()(error);
  return (
    <span className="ellipsis small muted" data-testid="job-waiting-reason" title={[text, error.message, error.hint].filter(Boolean).join('\n')}>
      {text ?? error.message}
    </span>
  );
}

/** On failed rows the error takes the place of progress, speed and ETA. */
function ErrorCell({ error }: { error: NonNullable<JobView['error']> }) {
  // The hint in the operator's language (problems.ts maps the code); the engine's English one otherwise.
  const hint = useJobErrorText()(error);
  // Engine messages sometimes begin with their own code; don't print it twice.
  const message = error.message.startsWith(error.code) ? error.message.slice(error.code.length).replace(/^[:\s]+/, '') : error.message;
  return (
    <span className="error-cell" data-testid="job-error" title={[hint ?? error.hint, `${error.code}: ${message}`, error.requestId && `RequestId: ${error.requestId}`].filter(Boolean).join('\n')}>
      {/* What to do first; the code and the service's words after (in full in the drawer and on hover). */}
      {(hint ?? error.hint) && <span className="ellipsis small error-text" data-testid="job-error-hint">{hint ?? error.hint}</span>}
      <span className="ellipsis small muted"><span className="mono code">{error.code}</span> {message}</span>
    </span>
  );
}

/** Progress bar, speed and ETA: the only cells that re-render on a progress batch. */
function LiveCells({ job }: { job: JobView }) {
  const live = useJobProgress(job.id);
  const moving = MOVING.includes(job.state);
  const done = job.state === 'ready' || job.state === 'review' || job.state === 'uploaded' || job.state === 'downloaded' ? job.size : (live && moving ? live.bytesDone : job.bytesDone);
  const pct = percent(done, job.size);
  return (
    <>
      <span className="progress-cell" data-testid="job-progress" data-percent={Math.floor(pct)}>
        <span className="bar"><span className={`fill${job.state === 'paused' ? ' paused' : ''}${job.state === 'failed' ? ' failed' : ''}`} style={{ width: `${pct}%` }} /></span>
        <span className="small num">{pct.toFixed(pct >= 99.95 || pct === 0 ? 0 : 1)}%</span>
      </span>
      <span className="num small" data-testid="job-speed">{moving && live ? formatSpeed(live.speed) : '—'}</span>
      <span className="num small" data-testid="job-eta">{moving && live ? formatDuration(live.etaSeconds) : '—'}</span>
    </>
  );
}

function RowActions({ job }: { job: JobView }) {
  const { t } = useTranslation();
  const run = (c: QueueCommand) => void runCommand(c, [job.id]);
  const s = job.state;
  return (
    <span className="row-actions">
      {(s === 'queued' || MOVING.includes(s)) && (
        <button type="button" className="small-button" data-testid="row-pause" onClick={() => run('pause')}>{t('queue.action.pause')}</button>
      )}
      {(s === 'queued' || s === 'paused') && (
        <button type="button" className="small-button quiet" data-testid="row-top" onClick={() => void moveToTop([job.id])} title={t('queue.moveToTopHint')} aria-label={t('queue.moveToTop')}>
          ⤒
        </button>
      )}
      {s === 'paused' && (
        <button type="button" className="small-button" data-testid="row-resume" onClick={() => run('resume')}>{t('queue.action.resume')}</button>
      )}
      {(s === 'failed' || s === 'canceled') && (
        <button type="button" className="small-button" data-testid="row-retry" onClick={() => run('retry')}>{t('queue.action.retry')}</button>
      )}
      {s === 'failed' && job.error?.code === 'FileChanged' && (
        <button type="button" className="small-button" data-testid="row-restart" onClick={() => run('restart')} title={t('queue.restartHint')}>
          {t('queue.action.restart')}
        </button>
      )}
      {s === 'review' && (
        // The engine's retry of a job awaiting review asks VOD for its status again.
        <button type="button" className="small-button" data-testid="row-check-again" onClick={() => run('retry')} title={t('queue.checkAgainHint')}>{t('queue.action.checkAgain')}</button>
      )}
      {s !== 'ready' && s !== 'review' && s !== 'canceled' && s !== 'uploaded' && s !== 'downloaded' && (
        <button type="button" className="small-button quiet" data-testid="row-cancel" onClick={() => run('cancel')} title={t('queue.action.cancel')} aria-label={t('queue.action.cancel')}>
          ×
        </button>
      )}
    </span>
  );
}

function QueueFooter() {
  const { t, i18n } = useTranslation();
  const totals = useApp((s) => s.totals);
  if (!totals) return <footer className="queue-footer" data-testid="queue-footer" />;
  const by = totals.byState;
  const active = countForTab(totals, 'active');
  return (
    <footer className="queue-footer" data-testid="queue-footer">
      <span data-testid="footer-files">{t('footer.files', { count: totals.jobs })}</span>
      <span>{t('footer.active', { count: active })}</span>
      {countForTab(totals, 'processing') > 0 && (
        <span data-testid="footer-processing">{t('footer.processing', { count: countForTab(totals, 'processing') })}</span>
      )}
      <span>{t('footer.pending', { count: countForTab(totals, 'pending') })}</span>
      <span>{t('footer.done', { count: (by.ready ?? 0) + (by.downloaded ?? 0) })}</span>
      {(by.review ?? 0) > 0 && <span data-testid="footer-review">{t('footer.review', { count: by.review ?? 0 })}</span>}
      {(by.failed ?? 0) > 0 && <span className="error-text">{t('footer.failed', { count: by.failed ?? 0 })}</span>}
      {(by.waiting ?? 0) > 0 && <span className="warn-text">{t('footer.waiting', { count: by.waiting ?? 0 })}</span>}
      {(by.canceled ?? 0) > 0 && <span data-testid="footer-canceled">{t('footer.canceled', { count: by.canceled ?? 0 })}</span>}
      {totals.windowOpensAt !== undefined && (
        <span className="warn-text" data-testid="footer-window" data-opens-at={totals.windowOpensAt}>
          {t('footer.window', {
            time: new Date(totals.windowOpensAt).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' }),
          })}
        </span>
      )}
      <span className="spacer" />
      {active > 0 && totals.concurrency && (
        <span data-testid="footer-concurrency" title={t('footer.concurrencyTitle')}>
          {t('footer.concurrency', { parts: totals.concurrency.parts, files: totals.concurrency.files })}
        </span>
      )}
      <span data-testid="footer-bytes">{formatBytes(totals.bytesDone)} / {formatBytes(totals.bytesTotal)}</span>
      <span className="bar wide"><span className="fill" style={{ width: `${percent(totals.bytesDone, totals.bytesTotal)}%` }} /></span>
      <span data-testid="footer-speed">{formatSpeed(totals.speed)}</span>
    </footer>
  );
}

// "正在上传 / 上传完成": the queue in four tabs, each a virtualized table paged from
// queryJobs, so 100,000 jobs scroll like 10. Live numbers (progress, speed, ETA) come
// from the transient progress store, one subscription per visible row.

import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { JobSortKey, JobView, QueueTab } from '../../../shared/types';
import { formatBytes, formatDuration, formatSpeed, percent } from '../../../shared/format';
import { useApp } from '../store/app';
import { exportResults } from '../store/results-export';
import { useJobProgress } from '../store/progress';
import {
  clickSelect, countForTab, ensureRows, moveToTop, openDetails, rowAt, runCommand, runOnSelection, selectLoaded,
  setSearch, setSort, setTab, type QueueCommand,
} from '../store/queue';
import { CopyButton } from './CopyButton';
import { JobDetails } from './JobDetails';

const ROW_HEIGHT = 52;
const TABS: QueueTab[] = ['pending', 'active', 'done', 'failed'];
const MOVING: JobView['state'][] = ['creating', 'uploading', 'completing', 'waiting'];

export function QueueView() {
  const { t } = useTranslation();
  const tab = useApp((s) => s.tab);
  const totals = useApp((s) => s.totals);
  const selection = useApp((s) => s.selection);
  const search = useApp((s) => s.search);
  const detailsJobId = useApp((s) => s.detailsJobId);
  const [searchDraft, setSearchDraft] = useState(search);

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
        {TABS.map((name) => (
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
          <button type="button" data-testid="queue-export-csv" title={t('queue.exportHint')} onClick={() => void exportResults('csv')}>CSV</button>
          <button type="button" data-testid="queue-export-json" title={t('queue.exportHint')} onClick={() => void exportResults('json')}>JSON</button>
        </span>
        {selection.size > 0 ? (
          <>
            <span className="muted" data-testid="queue-selected-count">{t('queue.selected', { count: selection.size })}</span>
            <SelectionButton command="pause" />
            <SelectionButton command="resume" />
            <SelectionButton command="retry" />
            <SelectionButton command="cancel" />
            {tab === 'pending' && (
              <button type="button" data-testid="queue-top-selected" title={t('queue.moveToTopHint')} onClick={() => void moveToTop([...selection])}>
                {t('queue.moveToTop')}
              </button>
            )}
            <button type="button" className="link" onClick={() => selectLoaded(false)}>{t('queue.clearSelection')}</button>
          </>
        ) : (
          <>
            <button type="button" data-testid="queue-pause-all" onClick={() => void runCommand('pause', 'all')}>{t('queue.pauseAll')}</button>
            <button type="button" data-testid="queue-resume-all" onClick={() => void runCommand('resume', 'all')}>{t('queue.resumeAll')}</button>
            {tab === 'failed' && (
              <button type="button" data-testid="queue-retry-all" onClick={() => void runCommand('retry', 'all')}>{t('queue.retryAll')}</button>
            )}
            <button type="button" className="danger-quiet" data-testid="queue-cancel-all" onClick={cancelAll}>{t('queue.cancelAll')}</button>
          </>
        )}
      </div>
      <JobTable />
      <QueueFooter />
      {detailsJobId !== null && <JobDetails id={detailsJobId} />}
    </section>
  );
}

function SelectionButton({ command }: { command: QueueCommand }) {
  const { t } = useTranslation();
  return (
    <button type="button" data-testid={`queue-${command}-selected`} onClick={() => void runOnSelection(command)}>
      {t(`queue.action.${command}`)}
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
  clickSelect(index, id, e.currentTarget.checked, e.shiftKey);
}

function JobTable() {
  const { t } = useTranslation();
  const total = useApp((s) => s.total);
  const tab = useApp((s) => s.tab);
  // Subscribing to pages re-renders the table when a page arrives (cheap: only visible rows render).
  useApp((s) => s.pages);
  const selection = useApp((s) => s.selection);
  const scroller = useRef<HTMLDivElement>(null);
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
    <div className="table job-table" data-testid="job-table">
      <div className="thead job-grid">
        <input
          type="checkbox"
          data-testid="queue-select-loaded"
          aria-label={t('queue.selectLoaded')}
          checked={selection.size > 0}
          onChange={(e) => selectLoaded(e.target.checked)}
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
        <span>{t('queue.col.videoId')}</span>
        <span>{t('queue.col.vodStatus')}</span>
        <span />
      </div>
      <div className="tbody" ref={scroller} data-testid="job-scroller">
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
                  selected={selection.has(job.id)}
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
        <span className="ellipsis muted small" title={job.path}>{job.fileName}</span>
      </span>
      <span className="num">{formatBytes(job.size)}</span>
      <span className="cell-state">
        <span className={`state state-${job.state}`} data-testid="job-state">{t(`state.${job.state}`)}</span>
        {job.state === 'waiting' && job.error && (
          // Why it waits (offline, throttled, disk full…): it goes on by itself, but the operator may act.
          <span className="ellipsis small muted" data-testid="job-waiting-reason" title={[job.error.message, job.error.hint].filter(Boolean).join('\n')}>
            {job.error.message}
          </span>
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
        {job.vodStatus ? <span className={`vod vod-${job.vodStatus}`}>{t(`vod.${job.vodStatus}`)}</span> : <span className="muted">—</span>}
      </span>
      <RowActions job={job} />
    </div>
  );
});

/** On failed rows the error takes the place of progress, speed and ETA. */
function ErrorCell({ error }: { error: NonNullable<JobView['error']> }) {
  // Engine messages sometimes begin with their own code; don't print it twice.
  const message = error.message.startsWith(error.code) ? error.message.slice(error.code.length).replace(/^[:\s]+/, '') : error.message;
  return (
    <span className="error-cell" data-testid="job-error" title={[`${error.code}: ${message}`, error.hint, error.requestId && `RequestId: ${error.requestId}`].filter(Boolean).join('\n')}>
      <span className="ellipsis error-text small"><span className="mono code">{error.code}</span> {message}</span>
      {error.hint && <span className="ellipsis small hint" data-testid="job-error-hint">{error.hint}</span>}
    </span>
  );
}

/** Progress bar, speed and ETA: the only cells that re-render on a progress batch. */
function LiveCells({ job }: { job: JobView }) {
  const live = useJobProgress(job.id);
  const moving = MOVING.includes(job.state);
  const done = job.state === 'ready' || job.state === 'uploaded' ? job.size : (live && moving ? live.bytesDone : job.bytesDone);
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
      {s !== 'ready' && s !== 'canceled' && s !== 'uploaded' && (
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
      <span>{t('footer.pending', { count: countForTab(totals, 'pending') })}</span>
      <span>{t('footer.done', { count: by.ready ?? 0 })}</span>
      {(by.failed ?? 0) > 0 && <span className="error-text">{t('footer.failed', { count: by.failed ?? 0 })}</span>}
      {(by.waiting ?? 0) > 0 && <span className="warn-text">{t('footer.waiting', { count: by.waiting ?? 0 })}</span>}
      {totals.windowOpensAt !== undefined && (
        <span className="warn-text" data-testid="footer-window" data-opens-at={totals.windowOpensAt}>
          {t('footer.window', {
            time: new Date(totals.windowOpensAt).toLocaleTimeString(i18n.language, { hour: '2-digit', minute: '2-digit' }),
          })}
        </span>
      )}
      <span className="spacer" />
      <span data-testid="footer-bytes">{formatBytes(totals.bytesDone)} / {formatBytes(totals.bytesTotal)}</span>
      <span className="bar wide"><span className="fill" style={{ width: `${percent(totals.bytesDone, totals.bytesTotal)}%` }} /></span>
      <span data-testid="footer-speed">{formatSpeed(totals.speed)}</span>
    </footer>
  );
}

// "媒资库 / Library": the active account's videos already in VOD. Filters make a
// SearchMedia query; the list is virtualized and loads the next page (a cursor) only as
// it scrolls near the end, so 100,000 matches cost what the operator looked at. Rows
// select as the other lists do (click, Ctrl/Cmd, Shift, Ctrl/Cmd+A, Escape); the
// selection, or every match, is edited, deleted, transcoded, downloaded or its URLs
// exported through the dialogs of LibraryDialogs.tsx.

import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useEffect, useRef, useState, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { formatBytes, formatDuration } from '../../../shared/format';
import type { LibraryVideo } from '../../../shared/library';
import { VOD_STATUSES } from '../../../shared/types';
import { useApp, type LibraryFilters } from '../store/app';
import {
  clearLibrarySelection, clickSelectVideo, ensureLibraryFor, ensureLibraryRows, librarySelectedCount, openLibraryDialog, openVideoDetails,
  resetLibraryFilters, retryLibraryPage, searchLibrary, selectAllLoaded, selectAllMatching,
} from '../store/library';
import { listKeyHandler, rowClickOptions } from '../store/selection';
import { categoryPath, CategoryPicker } from './CategoryPicker';
import { LibraryDialogs } from './LibraryDialogs';
import { VideoDetails } from './VideoDetails';
import { TagInput } from './TagInput';
import { useProviderTerms } from '../store/profiles';

const ROW_HEIGHT = 48;

export function LibraryView() {
  const activeProfileId = useApp((s) => s.activeProfileId);
  const detailsId = useApp((s) => s.libraryDetailsId);
  const dialog = useApp((s) => s.libraryDialog);

  // A new account is a new library: search it from the start.
  useEffect(() => {
    if (activeProfileId) ensureLibraryFor(activeProfileId);
  }, [activeProfileId]);

  return (
    <section className="view library-view" data-testid="library-view">
      <LibraryFilterBar />
      <LibraryToolbar />
      <VideoTable />
      {detailsId !== null && <VideoDetails videoId={detailsId} />}
      {dialog !== null && <LibraryDialogs dialog={dialog} />}
    </section>
  );
}

function LibraryFilterBar() {
  const { t } = useTranslation();
  const terms = useProviderTerms();
  const applied = useApp((s) => s.libraryFilters);
  const catalog = useApp((s) => s.catalog);
  const [draft, setDraft] = useState<LibraryFilters>(applied);
  useEffect(() => setDraft(applied), [applied]);
  const set = (patch: Partial<LibraryFilters>) => setDraft((d) => ({ ...d, ...patch }));
  const categories = catalog?.categories ?? [];
  const apps = catalog?.apps ?? [];

  return (
    <form
      className="library-filters"
      data-testid="library-filters"
      onSubmit={(e) => {
        e.preventDefault();
        void searchLibrary(draft);
      }}
    >
      <label className="field grow">
        <span>{t('library.filter.title')}</span>
        <input type="search" data-testid="library-filter-title" value={draft.title} placeholder={t('library.filter.titlePlaceholder')} onChange={(e) => set({ title: e.target.value })} />
      </label>
      <div className="field" data-testid="library-filter-category">
        <span>{t('library.filter.category', terms)}</span>
        {categories.length > 0 ? (
          <CategoryPicker categories={categories} value={draft.cateId} noneLabel={t('library.filter.any')} onChange={(cateId) => set({ cateId })} />
        ) : (
          <input
            data-testid="library-filter-category-id"
            inputMode="numeric"
            placeholder={t('library.filter.categoryId', terms)}
            value={draft.cateId ?? ''}
            onChange={(e) => set({ cateId: /^\d+$/.test(e.target.value.trim()) ? Number(e.target.value.trim()) : undefined })}
          />
        )}
      </div>
      <div className="field tags-filter">
        <span>{t('library.filter.tags')}</span>
        <TagInput tags={draft.tags} onChange={(tags) => set({ tags })} placeholder={t('library.filter.tagsPlaceholder')} />
      </div>
      <StatusFilter value={draft.statuses} onChange={(statuses) => set({ statuses })} />
      <label className="field">
        <span>{t('library.filter.createdFrom')}</span>
        <input type="date" data-testid="library-filter-from" value={draft.createdFrom} onChange={(e) => set({ createdFrom: e.target.value })} />
      </label>
      <label className="field">
        <span>{t('library.filter.createdTo')}</span>
        <input type="date" data-testid="library-filter-to" value={draft.createdTo} onChange={(e) => set({ createdTo: e.target.value })} />
      </label>
      <label className="field">
        <span>{t('library.filter.storage', terms)}</span>
        <input data-testid="library-filter-storage" className="mono" spellCheck={false} value={draft.storageLocation} placeholder={t('library.filter.any')} onChange={(e) => set({ storageLocation: e.target.value })} />
      </label>
      <label className="field">
        <span>{t('library.filter.app', terms)}</span>
        <select data-testid="library-filter-app" value={draft.appId} onChange={(e) => set({ appId: e.target.value })}>
          <option value="">{t('library.filter.any')}</option>
          {apps.map((a) => <option key={a.appId} value={a.appId}>{a.name || a.appId}</option>)}
        </select>
      </label>
      <label className="field">
        <span>{t('library.filter.sort')}</span>
        <select data-testid="library-sort" value={draft.sort} onChange={(e) => set({ sort: e.target.value as LibraryFilters['sort'] })}>
          <option value="CreationTime:Desc">{t('library.sort.newest')}</option>
          <option value="CreationTime:Asc">{t('library.sort.oldest')}</option>
        </select>
      </label>
      <div className="filter-actions">
        <button type="submit" className="primary" data-testid="library-search">{t('library.search')}</button>
        <button type="button" className="link" data-testid="library-reset" onClick={() => void resetLibraryFilters()}>{t('library.reset')}</button>
      </div>
    </form>
  );
}

const TENCENT_STATUSES = ['Normal', 'Blocked'] as const;

/** VOD statuses as checkboxes in a popover; none ticked means any status. */
function StatusFilter({ value, onChange }: { value: string[]; onChange: (v: string[]) => void }) {
  const { t } = useTranslation();
  // Tencent's SearchMedia filters by Normal and the two blocked states only (docs/tencent-vod-notes.md "Library").
  const statuses = useProviderTerms().context === 'tencent' ? TENCENT_STATUSES : VOD_STATUSES;
  const label = value.length === 0 ? t('library.filter.any') : value.map((s) => t(`vod.${s}`, { defaultValue: s })).join(', ');
  const root = useRef<HTMLDetailsElement>(null);
  // A click elsewhere or Escape closes it, as the category picker does.
  useEffect(() => {
    const close = (e: Event) => {
      const el = root.current;
      if (el?.open && (e.type === 'keydown' ? (e as KeyboardEvent).key === 'Escape' : !el.contains(e.target as Node))) el.open = false;
    };
    document.addEventListener('mousedown', close);
    document.addEventListener('keydown', close);
    return () => {
      document.removeEventListener('mousedown', close);
      document.removeEventListener('keydown', close);
    };
  }, []);
  return (
    <div className="field">
      <span>{t('library.filter.status')}</span>
      <details ref={root} className="status-filter" data-testid="library-filter-status">
        <summary className="select-like"><span className="ellipsis">{label}</span><span className="caret" aria-hidden>▼</span></summary>
        <div className="popover">
          {statuses.map((s) => (
            <label key={s} className="check">
              <input
                type="checkbox"
                data-testid={`library-status-${s}`}
                checked={value.includes(s)}
                onChange={(e) => onChange(e.target.checked ? [...value, s] : value.filter((v) => v !== s))}
              />
              {t(`vod.${s}`)}
            </label>
          ))}
        </div>
      </details>
    </div>
  );
}

function LibraryToolbar() {
  const { t, i18n } = useTranslation();
  const terms = useProviderTerms();
  const total = useApp((s) => s.libraryTotal);
  const loaded = useApp((s) => s.libraryRows.length);
  const searched = useApp((s) => s.librarySearched);
  const selectAll = useApp((s) => s.librarySelectAll);
  const count = useApp(librarySelectedCount);
  const resolving = useApp((s) => s.libraryResolving);
  const busy = useApp((s) => s.libraryBusy);
  const fmt = (n: number) => n.toLocaleString(i18n.language);
  return (
    <div className="toolbar">
      <span data-testid="library-total" data-total={total} data-loaded={loaded} data-searched={searched}>
        {searched ? t('library.total', { count: total, formatted: fmt(total) }) : t('common.loading')}
        {searched && loaded < total && <span className="muted"> · {t('library.loaded', { formatted: fmt(loaded) })}</span>}
      </span>
      {count > 0 && (
        <span className="muted" data-testid="library-selected-count" data-count={count} data-all={selectAll}>
          {selectAll ? t('library.selectedAll', { count, formatted: fmt(count) }) : t('library.selected', { count, formatted: fmt(count) })}
        </span>
      )}
      {resolving && (
        <span className="muted" data-testid="library-resolving">{t('library.resolving', { loaded: fmt(resolving.loaded), total: fmt(resolving.total) })}</span>
      )}
      <span className="spacer" />
      {total > 0 && !selectAll && (
        <button type="button" className="link" data-testid="library-select-matching" onClick={selectAllMatching}>
          {t('library.selectMatching', { count: total, formatted: fmt(total) })}
        </button>
      )}
      {count > 0 && (
        <>
          <button type="button" data-testid="library-edit" disabled={busy} onClick={() => openLibraryDialog('edit')}>{t('library.action.edit')}</button>
          <button type="button" data-testid="library-download" disabled={busy} onClick={() => openLibraryDialog('download')}>{t('library.action.download')}</button>
          <button type="button" data-testid="library-urls" disabled={busy} onClick={() => openLibraryDialog('urls')}>{t('library.action.urls')}</button>
          <button type="button" data-testid="library-transcode" disabled={busy} onClick={() => openLibraryDialog('transcode')}>{t('library.action.transcode', terms)}</button>
          <button type="button" className="danger-quiet" data-testid="library-delete" disabled={busy} onClick={() => openLibraryDialog('delete')}>{t('library.action.delete')}</button>
          <button type="button" className="link" data-testid="library-clear-selection" onClick={clearLibrarySelection}>{t('queue.clearSelection')}</button>
        </>
      )}
    </div>
  );
}

function onSelect(index: number, id: string, e: MouseEvent<HTMLInputElement>): void {
  clickSelectVideo(index, id, { on: e.currentTarget.checked, shift: e.shiftKey, toggle: true });
}

function onRowClick(index: number, id: string, selected: boolean, e: MouseEvent<HTMLDivElement>): void {
  const opts = rowClickOptions(selected, e);
  if (opts) clickSelectVideo(index, id, opts);
}

const onListKey = listKeyHandler({
  selectAll: selectAllLoaded,
  clear: clearLibrarySelection,
  hasSelection: () => useApp.getState().librarySelection.size > 0 || useApp.getState().librarySelectAll,
});

function VideoTable() {
  const { t } = useTranslation();
  const terms = useProviderTerms();
  const rows = useApp((s) => s.libraryRows);
  const next = useApp((s) => s.libraryNext);
  const loading = useApp((s) => s.libraryLoading);
  const searched = useApp((s) => s.librarySearched);
  const error = useApp((s) => s.libraryError);
  const selection = useApp((s) => s.librarySelection);
  const selectAll = useApp((s) => s.librarySelectAll);
  const filters = useApp((s) => s.libraryFilters);
  const scroller = useRef<HTMLDivElement>(null);
  const header = useRef<HTMLInputElement>(null);
  // One row more than loaded while more exist: it says "loading" and triggers the next page.
  const count = rows.length + (next ? 1 : 0);
  const virtualizer = useVirtualizer({
    count,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const last = items[items.length - 1]?.index ?? 0;

  useEffect(() => {
    if (rows.length > 0) ensureLibraryRows(last);
  }, [last, rows.length]);

  useEffect(() => {
    scroller.current?.scrollTo({ top: 0 });
  }, [filters]);

  const some = selectAll || selection.size > 0;
  const all = selectAll || (rows.length > 0 && selection.size >= rows.length);
  useEffect(() => {
    if (header.current) header.current.indeterminate = some && !all;
  }, [some, all]);

  return (
    <div className="table library-table" data-testid="library-table" role="grid" aria-multiselectable="true" aria-label={t('nav.library')} onKeyDown={onListKey}>
      <div className="thead library-grid">
        <input
          ref={header}
          type="checkbox"
          data-testid="library-select-loaded"
          aria-label={t('library.selectLoaded')}
          title={t('library.selectLoaded')}
          checked={all}
          disabled={rows.length === 0}
          onChange={() => (some ? clearLibrarySelection() : selectAllLoaded())}
        />
        <span>{t('library.col.title')}</span>
        <span>{t('library.col.status')}</span>
        <span>{t('library.col.duration')}</span>
        <span>{t('library.col.size')}</span>
        <span>{t('library.col.category', terms)}</span>
        <span>{t('library.col.created')}</span>
        <span>{t('library.col.job')}</span>
      </div>
      <div className="tbody" ref={scroller} data-testid="library-scroller" tabIndex={0}>
        {error && rows.length === 0 ? (
          <p className="empty-state error-text" data-testid="library-error">
            {error} <button type="button" className="link" onClick={retryLibraryPage}>{t('library.retry')}</button>
          </p>
        ) : count === 0 ? (
          <p className="empty-state" data-testid="library-empty">{searched && !loading ? t('library.empty') : t('common.loading')}</p>
        ) : (
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((v) => {
              const video = rows[v.index];
              return video ? (
                <VideoRow key={video.videoId} video={video} index={v.index} top={v.start} selected={selectAll || selection.has(video.videoId)} />
              ) : (
                <div key="more" className="tr library-grid loading" data-testid="library-more" style={{ transform: `translateY(${v.start}px)`, height: ROW_HEIGHT }}>
                  <span />
                  {error ? (
                    <span className="error-text">{error} <button type="button" className="link" onClick={retryLibraryPage}>{t('library.retry')}</button></span>
                  ) : (
                    <span className="muted">{t('common.loading')}</span>
                  )}
                </div>
              );
            })}
          </div>
        )}
      </div>
    </div>
  );
}

const VideoRow = memo(function VideoRow({ video, index, top, selected }: { video: LibraryVideo; index: number; top: number; selected: boolean }) {
  const { t, i18n } = useTranslation();
  const categories = useApp((s) => s.catalog?.categories);
  const category = video.cateName ?? (categories ? categoryPath(categories, video.cateId) : undefined) ?? (video.cateId !== undefined ? String(video.cateId) : '—');
  return (
    <div
      className={`tr library-grid${selected ? ' selected' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      data-testid="library-row"
      data-video-id={video.videoId}
      data-title={video.title}
      data-status={video.status}
      role="row"
      aria-selected={selected}
      onClick={(e) => onRowClick(index, video.videoId, selected, e)}
    >
      <input
        type="checkbox"
        data-testid="library-row-select"
        aria-label={t('queue.selectRow', { name: video.title })}
        checked={selected}
        onClick={(e) => onSelect(index, video.videoId, e)}
        onChange={() => undefined}
      />
      <span className="cell-file">
        <button type="button" className="link ellipsis title-link" data-testid="library-row-title" title={video.title} onClick={() => openVideoDetails(video.videoId)}>
          {video.title}
        </button>
        <span className="mono muted small ellipsis">{video.videoId}</span>
      </span>
      <span className={`vod vod-${video.status}`} data-testid="library-row-status">{t(`vod.${video.status}`, { defaultValue: video.status })}</span>
      <span className="num small">{video.duration !== undefined ? formatDuration(video.duration) : '—'}</span>
      <span className="num small">{video.size !== undefined ? formatBytes(video.size) : '—'}</span>
      <span className="ellipsis small" title={category}>{category}</span>
      <span className="num small">{new Date(video.createdAt).toLocaleString(i18n.language, { dateStyle: 'short', timeStyle: 'short' })}</span>
      <span className="small">{video.jobId !== undefined ? `#${video.jobId}` : ''}</span>
    </div>
  );
});

// "添加上传文件" → edit details → "开始上传": the staging view, like Alibaba's PC upload
// tool, with per-file and batch editing, live validation and drag and drop.

import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef, useState, type DragEvent, type MouseEvent, type MutableRefObject } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../bridge';
import { formatBytes, mediaSummary } from '../../../shared/format';
import { useApp, type StagedFile } from '../store/app';
import {
  addPaths, clearRejected, editStaged, pickAndAdd, pickManifest, problemsOf, removeStaged, selectAllStaged,
  clickStaged, setUploadAgain, startUpload,
} from '../store/staging';
import { listKeyHandler, rowClickOptions } from '../store/selection';
import { notify } from '../store/ui';
import { categoryPath } from './CategoryPicker';
import { EditPanel } from './EditPanel';
import { FolderBrowser } from './FolderBrowser';
import { useProblemText, useSkipText } from './problems';

const ROW_HEIGHT = 46;

export function UploadView() {
  const { t } = useTranslation();
  const staged = useApp((s) => s.staged);
  const selection = useApp((s) => s.stagedSelection);
  const rejected = useApp((s) => s.rejected);
  const scanning = useApp((s) => s.scanning);
  const submitting = useApp((s) => s.submitting);
  const browser = useApp((s) => s.folderBrowser);
  const activeProfileId = useApp((s) => s.activeProfileId);
  // The catalog could not load at all (a refused key, no network): uploads would fail the
  // same way. A catalog only partly refused (upload-only RAM user) loads, with `refused`.
  const catalogError = useApp((s) => s.catalogError);
  const probing = useApp((s) => s.probing);
  const [dragging, setDragging] = useState(false);
  const jump = useRef<(() => void) | null>(null);

  const invalidCount = useMemo(() => staged.filter((f) => problemsOf(f).length > 0).length, [staged]);
  const notMediaCount = useMemo(() => staged.filter((f) => f.probe?.ok === false).length, [staged]);
  const duplicateCount = useMemo(() => staged.filter((f) => f.duplicate && !f.uploadAgain).length, [staged]);
  const canStart = staged.length > 0 && invalidCount === 0 && !submitting && activeProfileId !== null && catalogError === null;
  const blocked = activeProfileId !== null && catalogError !== null ? t('accountCheck.catalogBlocked') : undefined;

  const onDrop = (e: DragEvent) => {
    e.preventDefault();
    setDragging(false);
    const bridge = getBridge();
    const files = [...e.dataTransfer.files];
    if (files.length === 0) return;
    if (!bridge.pathForFile) {
      notify(t('staging.dropNeedsDesktop'), 'error');
      return;
    }
    const paths = files.map((f) => bridge.pathForFile?.(f)).filter((p): p is string => Boolean(p));
    void addPaths(paths);
  };

  return (
    <section
      className={`view upload-view${dragging ? ' dragging' : ''}`}
      data-testid="upload-view"
      onDragOver={(e) => {
        e.preventDefault();
        setDragging(true);
      }}
      onDragLeave={(e) => {
        if (e.currentTarget === e.target) setDragging(false);
      }}
      onDrop={onDrop}
    >
      <div className="toolbar">
        <button type="button" className="primary" data-testid="add-files" onClick={() => void pickAndAdd('files')}>
          {t('staging.addFiles')}
        </button>
        <button type="button" data-testid="add-folder" onClick={() => void pickAndAdd('folder')}>
          {t('staging.addFolder')}
        </button>
        <button type="button" data-testid="import-list" title={t('staging.importListHint')} onClick={() => void pickManifest()}>
          {t('staging.importList')}
        </button>
        {selection.size > 0 && (
          <button type="button" data-testid="remove-selected" onClick={() => removeStaged(new Set(selection))}>
            {t('staging.removeSelected', { count: selection.size })}
          </button>
        )}
        {scanning && <span className="muted" data-testid="scanning">{t('staging.scanning')}</span>}
        {probing && (
          <span className="muted small" data-testid="probe-progress">
            {t('stagingList.probeProgress', { done: probing.done.toLocaleString(), total: probing.total.toLocaleString() })}
          </span>
        )}
        <span className="spacer" />
        {staged.length > 0 && (
          invalidCount > 0 ? (
            // Jumps to the next file that needs attention (and selects it, so its details open).
            <button type="button" className="link error-text" data-testid="staged-summary" title={t('stagingList.jumpToProblem')} onClick={() => jump.current?.()}>
              {t('staging.invalidSummary', { count: invalidCount })}
            </button>
          ) : (
            <span className="muted" data-testid="staged-summary">
              {t('staging.readySummary', { count: staged.length, size: formatBytes(staged.reduce((n, f) => n + f.size, 0)) })}
            </span>
          )
        )}
        {duplicateCount > 0 && (
          <span className="warn-text" data-testid="staged-duplicate-summary">{t('staging.duplicatesSummary', { count: duplicateCount })}</span>
        )}
        {notMediaCount > 0 && (
          <span className="warn-text" data-testid="staged-media-summary">{t('staging.notMediaSummary', { count: notMediaCount })}</span>
        )}
        <button type="button" data-testid="add-paused" disabled={!canStart} title={blocked} onClick={() => void startUpload(true)}>
          {t('staging.addPaused')}
        </button>
        <button type="button" className="primary" data-testid="start-upload" disabled={!canStart} title={blocked} onClick={() => void startUpload(false)}>
          {t('staging.start')}
        </button>
      </div>
      {activeProfileId === null && <p className="banner" data-testid="no-profile">{t('staging.noProfile')}</p>}
      {blocked && staged.length > 0 && <p className="banner wrap" data-testid="start-blocked">{blocked}</p>}

      <div className="split">
        <div className="split-main">
          {staged.length === 0 ? (
            <div className="drop-zone" data-testid="drop-zone">
              <p className="drop-title">{t('staging.emptyTitle')}</p>
              <p className="muted">{t('staging.emptyHint')}</p>
            </div>
          ) : (
            <StagedTable files={staged} selection={selection} jump={jump} />
          )}
          {rejected.length > 0 && <RejectedList />}
        </div>
        <EditPanel />
      </div>
      {browser && <FolderBrowser mode={browser} />}
    </section>
  );
}

/** The folder all staged files share; each row shows its own path below it ("in season1/ep"). */
function commonFolder(paths: readonly string[]): string {
  if (paths.length === 0) return '';
  const dirs = paths.map((p) => p.split(/[\\/]/).slice(0, -1));
  let n = dirs[0].length;
  for (const d of dirs) {
    let i = 0;
    while (i < n && i < d.length && d[i] === dirs[0][i]) i++;
    n = i;
  }
  return dirs[0].slice(0, n).join('/');
}

function subFolderOf(path: string, root: string): string {
  const dir = path.split(/[\\/]/).slice(0, -1).join('/');
  return dir.length > root.length ? dir.slice(root.length).replace(/^\//, '') : '';
}

function StagedTable({ files, selection, jump }: { files: StagedFile[]; selection: ReadonlySet<string>; jump: MutableRefObject<(() => void) | null> }) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const lastJump = useRef(-1);
  const virtualizer = useVirtualizer({
    count: files.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const root = useMemo(() => commonFolder(files.map((f) => f.path)), [files]);
  // "n need attention": each press goes to the next such file after the last one shown.
  jump.current = () => {
    const n = files.length;
    for (let k = 1; k <= n; k++) {
      const i = (lastJump.current + k) % n;
      if (problemsOf(files[i]).length > 0) {
        lastJump.current = i;
        virtualizer.scrollToIndex(i, { align: 'center' });
        clickStaged(i, { on: true, shift: false, toggle: false });
        return;
      }
    }
  };
  const allSelected = selection.size > 0 && selection.size === files.length;

  return (
    <div
      className="table staged-table"
      data-testid="staged-table"
      role="grid"
      aria-multiselectable="true"
      aria-label={t('staging.listLabel')}
      onKeyDown={onStagedKey}
    >
      <div className="thead staged-grid">
        <input
          type="checkbox"
          data-testid="staged-select-all"
          aria-label={t('staging.selectAll')}
          checked={allSelected}
          ref={(el) => {
            if (el) el.indeterminate = selection.size > 0 && !allSelected;
          }}
          onChange={(e) => selectAllStaged(e.target.checked)}
        />
        <span>{t('staging.colFile')}</span>
        <span>{t('staging.colTitle')}</span>
        <span>{t('stagingList.colCategoryGroup')}</span>
        <span>{t('staging.colTags')}</span>
        <span>{t('staging.colCheck')}</span>
        <span />
      </div>
      {/* Focusable, so Ctrl/Cmd+A and Escape reach the list from the keyboard too. */}
      <div className="tbody" ref={scroller} data-testid="staged-scroller" tabIndex={0}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => (
            <StagedRow
              key={files[v.index].path}
              file={files[v.index]}
              index={v.index}
              top={v.start}
              selected={selection.has(files[v.index].path)}
              folder={subFolderOf(files[v.index].path, root)}
            />
          ))}
        </div>
      </div>
    </div>
  );
}

/** Module-level, so memoized rows keep the same handlers across table renders. */
function onStagedCheck(index: number, e: MouseEvent<HTMLInputElement>): void {
  clickStaged(index, { on: e.currentTarget.checked, shift: e.shiftKey, toggle: true });
}

function onStagedRowClick(index: number, selected: boolean, e: MouseEvent<HTMLDivElement>): void {
  const opts = rowClickOptions(selected, e);
  if (opts) clickStaged(index, opts);
}

const onStagedKey = listKeyHandler({
  selectAll: () => selectAllStaged(true),
  clear: () => selectAllStaged(false),
  hasSelection: () => useApp.getState().stagedSelection.size > 0,
});

interface RowProps {
  file: StagedFile;
  index: number;
  top: number;
  selected: boolean;
  /** The file's folder below the folder all staged files share ('' = that folder). */
  folder: string;
}

const StagedRow = memo(function StagedRow({ file, index, top, selected, folder }: RowProps) {
  const { t } = useTranslation();
  const problemText = useProblemText();
  const categories = useApp((s) => s.catalog?.categories);
  const groups = useApp((s) => s.catalog?.templateGroups);
  const groupId = file.meta.templateGroupId;
  const group = groupId === undefined ? t('stagingList.groupDefault') : groups?.find((g) => g.id === groupId)?.name ?? groupId;
  const problems = problemsOf(file);
  // A category typed by id (the account may not list the tree) shows as its id.
  const cate = (categories ? categoryPath(categories, file.meta.cateId) : undefined) ?? (file.meta.cateId !== undefined ? `#${file.meta.cateId}` : undefined);
  return (
    <div
      className={`tr staged-grid${selected ? ' selected' : ''}${problems.length ? ' has-error' : ''}`}
      style={{ transform: `translateY(${top}px)`, height: ROW_HEIGHT }}
      data-testid="staged-row"
      data-path={file.path}
      data-valid={problems.length === 0}
      data-duplicate={file.duplicate ? (file.uploadAgain ? 'upload-again' : 'skip') : undefined}
      role="row"
      aria-selected={selected}
      onClick={(e) => onStagedRowClick(index, selected, e)}
    >
      <input
        type="checkbox"
        data-testid="staged-select"
        aria-label={t('staging.selectFile', { name: file.fileName })}
        checked={selected}
        onClick={(e) => onStagedCheck(index, e)}
        onChange={() => undefined}
      />
      <span className="cell-file">
        <span className="ellipsis" title={file.path}>{file.fileName}</span>
        <span className="muted small ellipsis" title={file.probe?.ok ? mediaSummary(file.probe) : undefined}>
          {folder && <span className="staged-folder mono" data-testid="staged-folder" title={t('stagingList.folder', { folder })}>{folder}/ · </span>}
          {formatBytes(file.size)} · {t(`kind.${file.kind}`)} · <MediaInfo file={file} />
        </span>
      </span>
      <input
        className={`cell-title${problems.some((p) => p.field === 'title') ? ' invalid' : ''}`}
        data-testid="staged-title"
        aria-label={t('staging.colTitle')}
        value={file.meta.title}
        onChange={(e) => editStaged([file.path], { title: e.target.value })}
      />
      <span className="cell-file" title={`${t('staging.colCategory')}: ${cate ?? '—'}\n${t('stagingList.colGroup')}: ${group}`}>
        <span className="ellipsis" data-testid="staged-category">{cate ?? <span className="muted">—</span>}</span>
        <span className="muted small ellipsis" data-testid="staged-group">{group}</span>
      </span>
      <span className="ellipsis" data-testid="staged-tags">
        {file.meta.tags.length ? file.meta.tags.join(', ') : <span className="muted">—</span>}
      </span>
      <span className="staged-status" data-testid="staged-check">
        {problems.length === 0 ? (
          file.duplicate ? (
            <DuplicateMark file={file} />
          ) : file.probe?.ok === false ? (
            <span className="warn-badge" data-testid="staged-media-warning" title={`${t('staging.notMediaHint')}\n${file.probe.problem}`}>
              ⚠ {t('staging.notMedia')}
            </span>
          ) : (
            <span className="ok-text">{t('staging.ok')}</span>
          )
        ) : (
          <span className="error-text" title={problems.map(problemText).join('\n')}>
            {problemText(problems[0])}{problems.length > 1 ? ` (+${problems.length - 1})` : ''}
          </span>
        )}
      </span>
      <button
        type="button"
        className="icon-button"
        data-testid="staged-remove"
        aria-label={t('staging.remove', { name: file.fileName })}
        onClick={() => removeStaged(new Set([file.path]))}
      >
        ×
      </button>
    </div>
  );
});

/**
 * A file the account already has: when and as which VideoId (or which job of the queue),
 * skipped on Start; "Upload again" sends it as a new video, and can be taken back.
 */
function DuplicateMark({ file }: { file: StagedFile }) {
  const { t, i18n } = useTranslation();
  const d = file.duplicate!;
  const what = d.kind === 'uploaded'
    ? t('staging.dupUploaded', { date: d.uploadedAt !== undefined ? new Date(d.uploadedAt).toLocaleDateString(i18n.language) : '?', videoId: d.videoId ?? '?' })
    : d.jobId !== undefined ? t('staging.dupQueued', { job: d.jobId }) : t('staging.dupCopy', { name: d.previousPath ?? '' });
  const hint = [what, d.title ? t('staging.dupTitle', { title: d.title }) : '', d.previousPath ? t('staging.dupWasAt', { path: d.previousPath }) : '']
    .filter(Boolean).join('\n');
  return (
    <span className="dup-mark" data-testid="staged-duplicate">
      <span className={`ellipsis small ${file.uploadAgain ? 'muted' : 'warn-text'}`} title={hint} data-testid="staged-duplicate-text">
        {file.uploadAgain ? t('staging.willUploadAgain') : what}
      </span>
      <button
        type="button"
        className="link"
        data-testid="staged-upload-again"
        title={file.uploadAgain ? undefined : t('staging.uploadAgainHint')}
        onClick={() => setUploadAgain(file.path, !file.uploadAgain)}
      >
        {file.uploadAgain ? t('staging.skipAgain') : t('staging.uploadAgain')}
      </button>
    </span>
  );
}

/**
 * ffprobe's reading: "0:02 · 320×240 · h264/aac", "checking…", or a warning sign (the
 * warning itself is in the Status column, where there is room for it).
 */
function MediaInfo({ file }: { file: StagedFile }) {
  const { t } = useTranslation();
  const p = file.probe;
  if (!p) return <span data-testid="staged-media" data-probe="pending">{t('staging.probing')}</span>;
  if (!p.ok) return <span className="warn-text" data-testid="staged-media" data-probe="warning">⚠</span>;
  return <span data-testid="staged-media" data-probe="ok">{mediaSummary(p) || t('staging.mediaUnknown')}</span>;
}

function RejectedList() {
  const { t } = useTranslation();
  const rejected = useApp((s) => s.rejected);
  const skipText = useSkipText();
  return (
    <div className="rejected" data-testid="rejected-list">
      <div className="rejected-head">
        <strong>{t('staging.rejectedTitle', { count: rejected.length })}</strong>
        <span className="muted small">{t('staging.rejectedHint')}</span>
        <span className="spacer" />
        <button type="button" className="link" data-testid="rejected-clear" onClick={clearRejected}>{t('common.dismiss')}</button>
      </div>
      <ul>
        {rejected.slice(0, 200).map((r, i) => (
          // Not keyed by path alone: list rows without a path all carry the list's own path.
          <li key={`${i}:${r.path}`} data-testid="rejected-row" data-path={r.path} data-row={r.row}>
            <span className="ellipsis mono" title={r.path}>{r.path}</span>
            <span className="error-text wrap" data-testid="rejected-reason" title={r.reason}>{r.row !== undefined && <strong>{t('staging.listRow', { row: r.row })} </strong>}{skipText(r)}</span>
          </li>
        ))}
        {rejected.length > 200 && <li className="muted">{t('staging.rejectedMore', { count: rejected.length - 200 })}</li>}
      </ul>
    </div>
  );
}

// "添加上传文件" → edit details → "开始上传": the staging view, like Alibaba's PC upload
// tool, with per-file and batch editing, live validation and drag and drop.

import { useVirtualizer } from '@tanstack/react-virtual';
import { memo, useMemo, useRef, useState, type DragEvent, type MouseEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { getBridge } from '../bridge';
import { formatBytes, mediaSummary } from '../../../shared/format';
import { useApp, type StagedFile } from '../store/app';
import {
  addPaths, clearRejected, editStaged, pickAndAdd, pickManifest, problemsOf, removeStaged, selectAllStaged,
  selectStagedRange, setUploadAgain, startUpload, toggleStaged,
} from '../store/staging';
import { notify } from '../store/ui';
import { categoryPath } from './CategoryPicker';
import { EditPanel } from './EditPanel';
import { FolderBrowser } from './FolderBrowser';
import { useProblemText } from './problems';

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
  const [dragging, setDragging] = useState(false);

  const invalidCount = useMemo(() => staged.filter((f) => problemsOf(f).length > 0).length, [staged]);
  const notMediaCount = useMemo(() => staged.filter((f) => f.probe?.ok === false).length, [staged]);
  const duplicateCount = useMemo(() => staged.filter((f) => f.duplicate && !f.uploadAgain).length, [staged]);
  const canStart = staged.length > 0 && invalidCount === 0 && !submitting && activeProfileId !== null;

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
        <span className="spacer" />
        {staged.length > 0 && (
          <span className={invalidCount > 0 ? 'error-text' : 'muted'} data-testid="staged-summary">
            {invalidCount > 0
              ? t('staging.invalidSummary', { count: invalidCount })
              : t('staging.readySummary', { count: staged.length, size: formatBytes(staged.reduce((n, f) => n + f.size, 0)) })}
          </span>
        )}
        {duplicateCount > 0 && (
          <span className="warn-text" data-testid="staged-duplicate-summary">{t('staging.duplicatesSummary', { count: duplicateCount })}</span>
        )}
        {notMediaCount > 0 && (
          <span className="warn-text" data-testid="staged-media-summary">{t('staging.notMediaSummary', { count: notMediaCount })}</span>
        )}
        <button type="button" data-testid="add-paused" disabled={!canStart} onClick={() => void startUpload(true)}>
          {t('staging.addPaused')}
        </button>
        <button type="button" className="primary" data-testid="start-upload" disabled={!canStart} onClick={() => void startUpload(false)}>
          {t('staging.start')}
        </button>
      </div>
      {activeProfileId === null && <p className="banner" data-testid="no-profile">{t('staging.noProfile')}</p>}

      <div className="split">
        <div className="split-main">
          {staged.length === 0 ? (
            <div className="drop-zone" data-testid="drop-zone">
              <p className="drop-title">{t('staging.emptyTitle')}</p>
              <p className="muted">{t('staging.emptyHint')}</p>
            </div>
          ) : (
            <StagedTable files={staged} selection={selection} />
          )}
          {rejected.length > 0 && <RejectedList />}
        </div>
        <EditPanel />
      </div>
      {browser && <FolderBrowser mode={browser} />}
    </section>
  );
}

function StagedTable({ files, selection }: { files: StagedFile[]; selection: ReadonlySet<string> }) {
  const { t } = useTranslation();
  const scroller = useRef<HTMLDivElement>(null);
  const anchor = useRef<number | null>(null);
  const virtualizer = useVirtualizer({
    count: files.length,
    getScrollElement: () => scroller.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 10,
  });
  const allSelected = selection.size > 0 && selection.size === files.length;

  const onSelect = (index: number, e: MouseEvent<HTMLInputElement>) => {
    const on = e.currentTarget.checked;
    if (e.shiftKey && anchor.current !== null) selectStagedRange(anchor.current, index);
    else toggleStaged(files[index].path, on);
    anchor.current = index;
  };

  return (
    <div className="table staged-table" data-testid="staged-table">
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
        <span>{t('staging.colCategory')}</span>
        <span>{t('staging.colTags')}</span>
        <span>{t('staging.colCheck')}</span>
        <span />
      </div>
      <div className="tbody" ref={scroller}>
        <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {virtualizer.getVirtualItems().map((v) => (
            <StagedRow
              key={files[v.index].path}
              file={files[v.index]}
              index={v.index}
              top={v.start}
              selected={selection.has(files[v.index].path)}
              onSelect={onSelect}
            />
          ))}
        </div>
      </div>
    </div>
  );
}

interface RowProps {
  file: StagedFile;
  index: number;
  top: number;
  selected: boolean;
  onSelect: (index: number, e: MouseEvent<HTMLInputElement>) => void;
}

const StagedRow = memo(function StagedRow({ file, index, top, selected, onSelect }: RowProps) {
  const { t } = useTranslation();
  const problemText = useProblemText();
  const categories = useApp((s) => s.catalog?.categories);
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
    >
      <input
        type="checkbox"
        data-testid="staged-select"
        aria-label={t('staging.selectFile', { name: file.fileName })}
        checked={selected}
        onClick={(e) => onSelect(index, e)}
        onChange={() => undefined}
      />
      <span className="cell-file">
        <span className="ellipsis" title={file.path}>{file.fileName}</span>
        <span className="muted small ellipsis" title={file.probe?.ok ? mediaSummary(file.probe) : undefined}>
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
      <span className="ellipsis" data-testid="staged-category" title={cate}>{cate ?? <span className="muted">—</span>}</span>
      <span className="ellipsis" data-testid="staged-tags">
        {file.meta.tags.length ? file.meta.tags.join(', ') : <span className="muted">—</span>}
      </span>
      <span className="ellipsis" data-testid="staged-check">
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
          <span className="error-text" title={problems.map(problemText).join('\n')}>{problemText(problems[0])}</span>
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
            <span className="error-text">{r.row !== undefined && <strong>{t('staging.listRow', { row: r.row })} </strong>}{r.reason}</span>
          </li>
        ))}
        {rejected.length > 200 && <li className="muted">{t('staging.rejectedMore', { count: rejected.length - 200 })}</li>}
      </ul>
    </div>
  );
}

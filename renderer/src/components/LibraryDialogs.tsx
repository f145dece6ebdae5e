// The Library view's dialogs over its selection: bulk edit, delete (typed confirmation
// beyond a few videos), transcode again, download into the queue, and export URLs.
// Each operation ends with one result per video (ok, or why not in the operator's
// language) in the same dialog.

import { useEffect, useMemo, useState, type ReactNode } from 'react';
import { useTranslation } from 'react-i18next';
import type { DownloadWhat, LibraryVideoDetails } from '../../../shared/library';
import type { RejectedFile } from '../../../shared/types';
import { editedTitle, isEmptyEdit, type BulkEdit, type TagsEdit, type TitleEdit } from '../../../shared/library-edit';
import { formatBytes } from '../../../shared/format';
import { parseTags } from '../../../shared/validation';
import { getBridge } from '../bridge';
import { setState, useApp, type LibraryDialog, type LibraryResultRow } from '../store/app';
import {
  closeLibraryDialog, exportUrls, librarySelectedCount, runBulkEdit, runDelete, runTranscode, startDownload,
} from '../store/library';
import { CategoryPicker } from './CategoryPicker';
import { TemplateGroupOptions } from './EditPanel';
import { FolderBrowser } from './FolderBrowser';
import { previewName, type PreviewItem } from '../store/download-names';
import { useJobErrorText, useProblemText, useSkipText } from './problems';
import { useProviderTerms } from '../store/profiles';

/** More videos than this need the count typed to be deleted. */
export const TYPED_CONFIRM_OVER = 5;

export function LibraryDialogs({ dialog }: { dialog: LibraryDialog }) {
  useEffect(() => {
    const esc = (e: KeyboardEvent) => {
      // The folder browser above a dialog closes first.
      if (e.key === 'Escape' && !useApp.getState().folderBrowser && !useApp.getState().libraryBusy) closeLibraryDialog();
    };
    document.addEventListener('keydown', esc);
    return () => document.removeEventListener('keydown', esc);
  }, []);
  return (
    <div className="modal-backdrop">
      <div className="modal library-dialog" role="dialog" aria-modal="true" aria-labelledby="library-dialog-title" data-testid={`library-dialog-${dialog}`}>
        {dialog === 'edit' && <EditDialog />}
        {dialog === 'delete' && <DeleteDialog />}
        {dialog === 'transcode' && <TranscodeDialog />}
        {(dialog === 'download' || dialog === 'urls') && <FetchDialog mode={dialog} />}
      </div>
    </div>
  );
}

function DialogHead({ title, explain }: { title: string; explain?: string }) {
  return (
    <header className="modal-head">
      <h2 id="library-dialog-title">{title}</h2>
      {explain && <p className="muted small">{explain}</p>}
    </header>
  );
}

function useSelectionCount(): number {
  return useApp(librarySelectedCount);
}

/** The footer while no results are shown: Cancel, and the dialog's own action. */
function DialogFoot({ children }: { children?: ReactNode }) {
  const { t } = useTranslation();
  const busy = useApp((s) => s.libraryBusy);
  const results = useApp((s) => s.libraryResults);
  const resolving = useApp((s) => s.libraryResolving);
  return (
    <footer className="modal-foot">
      <button type="button" data-testid="library-dialog-close" disabled={busy} onClick={closeLibraryDialog}>
        {results ? t('library.close') : t('common.cancel')}
      </button>
      <span className="spacer" />
      {resolving && <span className="muted small">{t('library.resolving', { loaded: resolving.loaded, total: resolving.total })}</span>}
      {busy && !resolving && <span className="muted small" data-testid="library-working">{t('library.working')}</span>}
      {!results && children}
    </footer>
  );
}

// --- results ---------------------------------------------------------------------

function ResultsList() {
  const { t, i18n } = useTranslation();
  const results = useApp((s) => s.libraryResults);
  const errorText = useJobErrorText();
  const problemText = useProblemText();
  if (!results) return null;
  const failed = results.rows.filter((r) => !r.ok).length;
  // The library's own outcomes, then the upload rules' problems, then the engine's error texts; the service's words last.
  const reason = (r: LibraryResultRow): string => {
    if (r.problem) return problemText(r.problem);
    const code = r.code ?? '';
    const text = i18n.exists(`library.reason.${code}`) ? t(`library.reason.${code}`)
      : i18n.exists(`problem.${code}`) ? problemText({ field: 'title', code, message: r.message ?? '' })
        : errorText({ code }) ?? r.message ?? code;
    return r.outcomeUnknown ? `${text} ${t('library.results.unknown')}` : text;
  };
  return (
    <section className="op-results" data-testid="library-results" data-operation={results.operation} data-ok={results.rows.length - failed} data-failed={failed}>
      <p className={failed > 0 ? 'warn-text' : 'ok-text'} data-testid="library-results-summary">
        {t(`library.results.${results.operation}`, { ok: results.rows.length - failed, failed })}
      </p>
      <ul>
        {results.rows.map((r) => (
          <li key={r.videoId} data-testid="library-result" data-video-id={r.videoId} data-ok={r.ok} data-code={r.code}>
            <span className={r.ok ? 'ok-text' : 'error-text'}>{r.ok ? t('library.results.ok') : t('library.results.failed')}</span>
            <span className="ellipsis" title={r.newTitle !== undefined ? `${r.title} → ${r.newTitle}` : r.title}>
              {r.title}{r.newTitle !== undefined && r.ok && <span className="muted"> → {r.newTitle}</span>}
            </span>
            <span className="small muted">{r.ok ? '' : <>{reason(r)}{r.code && <span className="mono"> ({r.code})</span>}</>}</span>
          </li>
        ))}
      </ul>
    </section>
  );
}

// --- edit --------------------------------------------------------------------------

type TitleMode = 'keep' | TitleEdit['mode'];
type TagsMode = 'keep' | TagsEdit['mode'];

function EditDialog() {
  const { t } = useTranslation();
  const terms = useProviderTerms();
  const count = useSelectionCount();
  const catalog = useApp((s) => s.catalog);
  const busy = useApp((s) => s.libraryBusy);
  const results = useApp((s) => s.libraryResults);
  const sample = useApp((s) => (s.librarySelectAll ? s.libraryRows[0] : s.libraryRows.find((r) => s.librarySelection.has(r.videoId))));
  const [titleMode, setTitleMode] = useState<TitleMode>('keep');
  const [title, setTitle] = useState('');
  const [find, setFind] = useState('');
  const [replace, setReplace] = useState('');
  const [description, setDescription] = useState<string | undefined>(undefined);
  const [cateId, setCateId] = useState<number | undefined>(undefined);
  const [tagsMode, setTagsMode] = useState<TagsMode>('keep');
  const [tags, setTags] = useState('');
  const [coverUrl, setCoverUrl] = useState<string | undefined>(undefined);

  const edit = useMemo<BulkEdit>(() => {
    const e: BulkEdit = {};
    if (titleMode === 'set' || titleMode === 'template') e.title = { mode: titleMode, value: title };
    if (titleMode === 'replace' && find !== '') e.title = { mode: 'replace', find, with: replace };
    if (description !== undefined) e.description = description;
    if (cateId !== undefined) e.cateId = cateId;
    if (tagsMode !== 'keep') e.tags = { mode: tagsMode, tags: parseTags(tags) };
    if (coverUrl !== undefined && coverUrl.trim()) e.coverUrl = coverUrl.trim();
    return e;
  }, [titleMode, title, find, replace, description, cateId, tagsMode, tags, coverUrl]);
  const preview = sample && edit.title ? editedTitle(sample, edit.title) : undefined;

  return (
    <>
      <DialogHead title={t('library.edit.heading', { count })} explain={t('library.edit.explain')} />
      <div className="modal-body">
        {results ? <ResultsList /> : (
          <div className="form-grid">
            <label className="field">
              <span>{t('edit.title')}</span>
              <select data-testid="bulk-title-mode" value={titleMode} onChange={(e) => setTitleMode(e.target.value as TitleMode)}>
                <option value="keep">{t('library.edit.keep')}</option>
                <option value="set">{t('library.edit.titleSet')}</option>
                <option value="template">{t('library.edit.titleTemplate')}</option>
                <option value="replace">{t('library.edit.titleReplace')}</option>
              </select>
            </label>
            {(titleMode === 'set' || titleMode === 'template') && (
              <label className="field">
                <span>{titleMode === 'template' ? t('library.edit.templateLabel') : t('library.edit.newTitle')}</span>
                <input data-testid="bulk-title" value={title} placeholder={titleMode === 'template' ? '{title} (2024)' : ''} onChange={(e) => setTitle(e.target.value)} />
                {titleMode === 'template' && <span className="muted small">{t('library.edit.templateHint', terms)}</span>}
              </label>
            )}
            {titleMode === 'replace' && (
              <div className="field-row">
                <label className="field"><span>{t('library.edit.find')}</span><input data-testid="bulk-title-find" value={find} onChange={(e) => setFind(e.target.value)} /></label>
                <label className="field"><span>{t('library.edit.replaceWith')}</span><input data-testid="bulk-title-replace" value={replace} onChange={(e) => setReplace(e.target.value)} /></label>
              </div>
            )}
            {preview !== undefined && (
              <p className="muted small" data-testid="bulk-title-preview">{t('library.edit.preview', { before: sample!.title, after: preview })}</p>
            )}
            <label className="field">
              <span>
                <input type="checkbox" data-testid="bulk-description-on" checked={description !== undefined} onChange={(e) => setDescription(e.target.checked ? '' : undefined)} />
                {' '}{t('library.edit.setDescription')}
              </span>
              {description !== undefined && <textarea data-testid="bulk-description" rows={3} value={description} onChange={(e) => setDescription(e.target.value)} />}
            </label>
            <div className="field">
              <span>{t('edit.category')}</span>
              {catalog && catalog.categories.length > 0 ? (
                <CategoryPicker categories={catalog.categories} value={cateId} noneLabel={t('library.edit.keep')} onChange={setCateId} />
              ) : (
                <input inputMode="numeric" data-testid="bulk-category-id" placeholder={t('library.edit.keep')} value={cateId ?? ''} onChange={(e) => setCateId(/^\d+$/.test(e.target.value.trim()) ? Number(e.target.value.trim()) : undefined)} />
              )}
              {cateId === undefined && <span className="muted small">{t('library.edit.categoryKeep')}</span>}
            </div>
            <label className="field">
              <span>{t('edit.tags')}</span>
              <select data-testid="bulk-tags-mode" value={tagsMode} onChange={(e) => setTagsMode(e.target.value as TagsMode)}>
                <option value="keep">{t('library.edit.keep')}</option>
                <option value="add">{t('library.edit.tagsAdd')}</option>
                <option value="remove">{t('library.edit.tagsRemove')}</option>
                <option value="set">{t('library.edit.tagsSet')}</option>
              </select>
              {tagsMode !== 'keep' && <input data-testid="bulk-tags" value={tags} placeholder={t('library.edit.tagsPlaceholder')} onChange={(e) => setTags(e.target.value)} />}
            </label>
            <label className="field">
              <span>
                <input type="checkbox" data-testid="bulk-cover-on" checked={coverUrl !== undefined} onChange={(e) => setCoverUrl(e.target.checked ? '' : undefined)} />
                {' '}{t('library.edit.setCover', terms)}
              </span>
              {coverUrl !== undefined && <input data-testid="bulk-cover" className="mono" placeholder="https://…" value={coverUrl} onChange={(e) => setCoverUrl(e.target.value)} />}
            </label>
          </div>
        )}
      </div>
      <DialogFoot>
        <button type="button" className="primary" data-testid="bulk-apply" disabled={busy || isEmptyEdit(edit)} onClick={() => void runBulkEdit(edit)}>
          {t('library.edit.apply', { count })}
        </button>
      </DialogFoot>
    </>
  );
}

// --- delete ------------------------------------------------------------------------

function DeleteDialog() {
  const { t } = useTranslation();
  const terms = useProviderTerms();
  const count = useSelectionCount();
  const busy = useApp((s) => s.libraryBusy);
  const results = useApp((s) => s.libraryResults);
  const [sourceOnly, setSourceOnly] = useState(false);
  const [typed, setTyped] = useState('');
  const needsTyping = count > TYPED_CONFIRM_OVER;
  const confirmed = !needsTyping || typed.trim() === String(count);
  return (
    <>
      <DialogHead title={t('library.delete.heading', { count })} explain={t('library.delete.explain')} />
      <div className="modal-body">
        {results ? <ResultsList /> : (
          <div className="form-grid">
            <label className="check">
              <input type="radio" name="delete-what" data-testid="delete-whole" checked={!sourceOnly} onChange={() => setSourceOnly(false)} />
              {t('library.delete.whole')}
            </label>
            <label className="check">
              <input type="radio" name="delete-what" data-testid="delete-source-only" checked={sourceOnly} onChange={() => setSourceOnly(true)} />
              {t('library.delete.sourceOnly')}
            </label>
            <p className="warn-text small">{sourceOnly ? t('library.delete.sourceOnlyWarn', terms) : t('library.delete.wholeWarn')}</p>
            {needsTyping && (
              <label className="field">
                <span>{t('library.delete.typeCount', { count })}</span>
                <input data-testid="delete-confirm-input" inputMode="numeric" autoComplete="off" value={typed} onChange={(e) => setTyped(e.target.value)} />
              </label>
            )}
          </div>
        )}
      </div>
      <DialogFoot>
        <button type="button" className="danger" data-testid="delete-confirm" disabled={busy || !confirmed} onClick={() => void runDelete(sourceOnly)}>
          {sourceOnly ? t('library.delete.confirmSource', { count }) : t('library.delete.confirm', { count })}
        </button>
      </DialogFoot>
    </>
  );
}

// --- transcode ---------------------------------------------------------------------

function TranscodeDialog() {
  const { t } = useTranslation();
  const terms = useProviderTerms();
  const count = useSelectionCount();
  const busy = useApp((s) => s.libraryBusy);
  const results = useApp((s) => s.libraryResults);
  const catalog = useApp((s) => s.catalog);
  const groups = (catalog?.templateGroups ?? []).filter((g) => !g.noTranscode);
  const refused = catalog?.refused.some((r) => r.part === 'templateGroups');
  const [groupId, setGroupId] = useState(groups.find((g) => g.isDefault)?.id ?? groups[0]?.id ?? '');
  return (
    <>
      <DialogHead title={t('library.transcode.heading', { count, ...terms })} explain={t('library.transcode.explain', terms)} />
      <div className="modal-body">
        {results ? <ResultsList /> : (
          <label className="field">
            <span>{t('edit.templateGroup', terms)}</span>
            {refused || groups.length === 0 ? (
              <input data-testid="transcode-group-id" className="mono" value={groupId} placeholder={t('edit.templateIdPlaceholder', { defaultValue: '' })} onChange={(e) => setGroupId(e.target.value.trim())} />
            ) : (
              <select data-testid="transcode-group" value={groupId} onChange={(e) => setGroupId(e.target.value)}>
                <TemplateGroupOptions groups={groups} />
              </select>
            )}
          </label>
        )}
      </div>
      <DialogFoot>
        <button type="button" className="primary" data-testid="transcode-confirm" disabled={busy || !groupId} onClick={() => void runTranscode(groupId)}>
          {t('library.transcode.confirm', { count, ...terms })}
        </button>
      </DialogFoot>
    </>
  );
}

// --- download and URL export ---------------------------------------------------------

const DEFINITIONS = ['FD', 'LD', 'SD', 'HD', 'OD', '2K', '4K'];
const FORMATS = ['mp4', 'm3u8', 'flv', 'mp3'];
/** The extension of a file name, lower case; '' when it has none. */
function extOf(fileName: string | undefined): string {
  const m = fileName ? /\.([^./\\]+)$/.exec(fileName) : null;
  return m ? m[1].toLowerCase() : '';
}

/** The free space of the folder typed (asked a moment after typing stops); undefined when unknown. */
function useFreeSpace(dir: string): number | undefined {
  const [free, setFree] = useState<number | undefined>(undefined);
  useEffect(() => {
    setFree(undefined);
    if (!dir.trim()) return;
    let current = true;
    const timer = window.setTimeout(() => {
      getBridge().browseDirectory(dir.trim()).then((l) => current && setFree(l.freeBytes), () => undefined);
    }, 300);
    return () => {
      current = false;
      window.clearTimeout(timer);
    };
  }, [dir]);
  return free;
}

function FetchDialog({ mode }: { mode: 'download' | 'urls' }) {
  const { t } = useTranslation();
  const terms = useProviderTerms();
  const count = useSelectionCount();
  const busy = useApp((s) => s.libraryBusy);
  const browser = useApp((s) => s.folderBrowser);
  const sample = useApp((s) => (s.librarySelectAll ? s.libraryRows[0] : s.libraryRows.find((r) => s.librarySelection.has(r.videoId))));
  const [source, setSource] = useState(true);
  const [streams, setStreams] = useState(false);
  const [definitions, setDefinitions] = useState<string[]>([]);
  const [formats, setFormats] = useState<string[]>([]);
  const [cover, setCover] = useState(false);
  const [snapshots, setSnapshots] = useState(false);
  const [sprites, setSprites] = useState(false);
  const [outDir, setOutDir] = useState('');
  const [template, setTemplate] = useState('');
  const [sampleDetails, setSampleDetails] = useState<LibraryVideoDetails | undefined>(undefined);
  const sampleId = sample?.videoId;
  // The first video's source name and streams, so the preview shows a real extension.
  useEffect(() => {
    if (!sampleId || mode !== 'download') return;
    let current = true;
    getBridge().getVideoDetails([sampleId]).then((d) => current && setSampleDetails(d[0]), () => undefined);
    return () => {
      current = false;
    };
  }, [sampleId, mode]);
  const [sidecar, setSidecar] = useState(false);
  const [rejected, setRejected] = useState<RejectedFile[]>([]);
  const skipText = useSkipText();
  const free = useFreeSpace(mode === 'download' ? outDir : '');
  // The sources' size when every selected video is loaded (streams' sizes are known only per video).
  const sourceBytes = useApp((s) => (s.librarySelectAll && s.libraryNext ? undefined
    : (s.librarySelectAll ? s.libraryRows : s.libraryRows.filter((r) => s.librarySelection.has(r.videoId)))
      .reduce<number | undefined>((n, r) => (n === undefined || r.size === undefined ? undefined : n + r.size), 0)));

  const what: DownloadWhat = {
    ...(source ? { source: true } : {}),
    ...(streams ? { streams: { ...(definitions.length ? { definitions } : {}), ...(formats.length ? { formats } : {}) } } : {}),
    ...(cover ? { cover: true } : {}),
    ...(snapshots ? { snapshots: true } : {}),
    ...(sprites && mode === 'download' ? { sprites: true } : {}),
  };
  const nothing = Object.keys(what).length === 0;
  /** Electron's native folder dialog; web mode (no native dialog) browses the server's folders. */
  const browse = async () => {
    const paths = await getBridge().pickPaths('folder').catch(() => null);
    if (paths === null) setState({ folderBrowser: 'download' });
    else if (paths[0]) setOutDir(paths[0]);
  };
  const toggle = (list: string[], set: (l: string[]) => void, v: string, on: boolean) => set(on ? [...list, v] : list.filter((x) => x !== v));
  // Tencent's "definitions" are its transcode templates (100030 …): offered as the first video has them.
  const definitionChoices = terms.context === 'tencent' ? [...new Set((sampleDetails?.streams ?? []).map((st) => st.definition))] : DEFINITIONS;
  const firstStream = sampleDetails?.streams.find((st) => (definitions.length === 0 || definitions.includes(st.definition))
    && (formats.length === 0 || formats.includes(st.format)));
  const sampleItem: PreviewItem = source || !streams
    ? { kind: 'source', ext: extOf(sampleDetails?.source?.fileName) || 'mp4' }
    : { kind: 'stream', definition: firstStream?.definition ?? definitions[0] ?? 'HD', format: firstStream?.format ?? formats[0] ?? 'mp4', ext: firstStream?.format ?? formats[0] ?? 'mp4' };

  return (
    <>
      <DialogHead
        title={mode === 'download' ? t('download.heading', { count }) : t('library.urls.heading', { count })}
        explain={mode === 'download' ? t('download.explain') : t('library.urls.explain')}
      />
      <div className="modal-body form-grid">
        <fieldset className="what" data-testid="fetch-what">
          <legend>{t('download.what')}</legend>
          <label className="check"><input type="checkbox" data-testid="what-source" checked={source} onChange={(e) => setSource(e.target.checked)} />{t('download.source')}</label>
          <label className="check"><input type="checkbox" data-testid="what-streams" checked={streams} onChange={(e) => setStreams(e.target.checked)} />{t('download.streams')}</label>
          {streams && (
            <div className="sub-options">
              <span className="muted small">{t('download.definitions', terms)}</span>
              {definitionChoices.map((d) => (
                <label key={d} className="check inline"><input type="checkbox" data-testid={`what-def-${d}`} checked={definitions.includes(d)} onChange={(e) => toggle(definitions, setDefinitions, d, e.target.checked)} />{d}</label>
              ))}
              <span className="muted small">{t('download.formats')}</span>
              {FORMATS.map((f) => (
                <label key={f} className="check inline"><input type="checkbox" data-testid={`what-format-${f}`} checked={formats.includes(f)} onChange={(e) => toggle(formats, setFormats, f, e.target.checked)} />{f}</label>
              ))}
              <span className="muted small">{t('download.allWhenNone')}</span>
            </div>
          )}
          <label className="check"><input type="checkbox" data-testid="what-cover" checked={cover} onChange={(e) => setCover(e.target.checked)} />{t('download.cover')}</label>
          <label className="check"><input type="checkbox" data-testid="what-snapshots" checked={snapshots} onChange={(e) => setSnapshots(e.target.checked)} />{t('download.snapshots')}</label>
          {mode === 'download' && (
            <label className="check"><input type="checkbox" data-testid="what-sprites" checked={sprites} onChange={(e) => setSprites(e.target.checked)} />{t('download.sprites')}</label>
          )}
        </fieldset>
        {mode === 'download' && (
          <>
            <label className="field">
              <span>{t('download.outDir')}</span>
              <span className="field-row">
                <input data-testid="download-dir" className="mono grow" spellCheck={false} value={outDir} onChange={(e) => setOutDir(e.target.value)} />
                <button type="button" data-testid="download-browse" onClick={() => void browse()}>{t('download.browse')}</button>
              </span>
              {free !== undefined && (
                <span className={`small ${source && sourceBytes !== undefined && sourceBytes > free ? 'warn-text' : 'muted'}`} data-testid="download-free" data-free={free}>
                  {t('download.free', { free: formatBytes(free) })}
                  {source && sourceBytes !== undefined && ` ${t('download.sourcesNeed', { size: formatBytes(sourceBytes) })}`}
                </span>
              )}
            </label>
            <label className="field">
              <span>{t('download.nameTemplate')}</span>
              <input data-testid="download-template" className="mono" spellCheck={false} value={template} placeholder={t('download.templateDefault')} onChange={(e) => setTemplate(e.target.value)} />
              <span className="muted small">{t('download.templateHint')}</span>
              {sample && (
                <span className="small" data-testid="download-preview">{t('download.preview', { name: previewName(template, sample, sampleItem) })}</span>
              )}
            </label>
            <label className="check">
              <input type="checkbox" data-testid="download-sidecar" checked={sidecar} onChange={(e) => setSidecar(e.target.checked)} />
              {t('download.sidecar')}
            </label>
            {rejected.length > 0 && (
              <section className="op-results" data-testid="download-rejected">
                <p className="warn-text">{t('download.rejected', { count: rejected.length })}</p>
                <ul>{rejected.map((r) => <li key={r.path}><span className="mono small ellipsis">{r.path}</span><span className="small">{skipText(r)}</span></li>)}</ul>
              </section>
            )}
          </>
        )}
      </div>
      <footer className="modal-foot">
        <button type="button" data-testid="library-dialog-close" disabled={busy} onClick={closeLibraryDialog}>{t('common.cancel')}</button>
        <span className="spacer" />
        {busy && <span className="muted small" data-testid="library-working">{t('library.working')}</span>}
        {mode === 'urls' ? (
          <>
            <button type="button" data-testid="urls-csv" disabled={busy || nothing} onClick={() => void exportUrls(what, 'csv')}>CSV</button>
            <button type="button" data-testid="urls-json" disabled={busy || nothing} onClick={() => void exportUrls(what, 'json')}>JSON</button>
          </>
        ) : (
          <button
            type="button"
            className="primary"
            data-testid="download-start"
            disabled={busy || nothing || !outDir.trim()}
            onClick={() => {
              setRejected([]);
              void startDownload({ what, outDir: outDir.trim(), nameTemplate: template.trim() || undefined, sidecar }).then((reply) => {
                if (reply && reply.rejected.length > 0) setRejected(reply.rejected);
              });
            }}
          >
            {t('download.start', { count })}
          </button>
        )}
      </footer>
      {browser === 'download' && <FolderBrowser mode="download" onFolder={setOutDir} />}
    </>
  );
}

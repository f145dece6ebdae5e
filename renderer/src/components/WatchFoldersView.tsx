// Watch folders: the app's `vodup watch`. A form adds a folder with the details every
// file it takes gets; each folder's card lists what it took (file, job, state, live
// through watchFoldersChanged) and what it could not take.

import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { WatchFolderView } from '../../../shared/ipc';
import { MAX_TAGS } from '../../../shared/limits';
import { formatProblems, parseTags, validateTags, validateTitle } from '../../../shared/validation';
import { getBridge } from '../bridge';
import { setState, useApp } from '../store/app';
import { openDetails } from '../store/queue';
import { errorText, notifyKey, showView } from '../store/ui';
import { CategoryPicker, categoryPath } from './CategoryPicker';
import { FolderBrowser } from './FolderBrowser';
import { profileLabel } from './ProfilesView';
import { TagInput } from './TagInput';
import { TemplateGroupOptions } from './EditPanel';

interface Draft {
  path: string;
  settleSeconds: string;
  title: string;
  cateId?: number;
  templateGroupId: string;
  tags: string[];
  description: string;
}

/** The latest takes a card shows until the operator asks for all (the service keeps 200). */
const TAKES_SHOWN = 10;

const EMPTY: Draft = { path: '', settleSeconds: '30', title: '', tags: [], templateGroupId: '', description: '' };

/** The folders, kept current by the watchFoldersChanged event (and re-read after a reconnect). */
function useWatchFolders(): WatchFolderView[] | null {
  const [folders, setFolders] = useState<WatchFolderView[] | null>(null);
  useEffect(() => {
    const bridge = getBridge();
    let live = true;
    const load = () => void bridge.listWatchFolders().then((f) => live && setFolders(f), () => undefined);
    const off = bridge.onWatchFoldersChanged((f) => live && setFolders(f));
    const offConn = bridge.onConnectionChanged?.((s) => s === 'connected' && load());
    load();
    return () => {
      live = false;
      off();
      offConn?.();
    };
  }, []);
  return folders;
}

export function WatchFoldersView() {
  const { t } = useTranslation();
  const folders = useWatchFolders();
  return (
    <section className="view watch-view" data-testid="watch-view">
      <div className="toolbar">
        <h2>{t('watch.heading')}</h2>
        <span className="muted small watch-explain">{t('watch.explain')}</span>
      </div>
      <div className="watch-layout">
        <AddWatchFolder />
        <div className="watch-list" data-testid="watch-list">
          {folders === null && <p className="muted pad">{t('common.loading')}</p>}
          {folders?.length === 0 && <p className="muted pad" data-testid="watch-empty">{t('watch.none')}</p>}
          {folders?.map((f) => <WatchFolderCard key={f.id} folder={f} />)}
        </div>
      </div>
    </section>
  );
}

function AddWatchFolder() {
  const { t } = useTranslation();
  const catalog = useApp((s) => s.catalog);
  const activeProfileId = useApp((s) => s.activeProfileId);
  const profiles = useApp((s) => s.profiles);
  const browser = useApp((s) => s.folderBrowser);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));

  const settle = /^\d{1,5}$/.test(draft.settleSeconds.trim()) ? Number(draft.settleSeconds) : null;
  // The title is a template: checked with a sample name, as the service does.
  const titleProblems = draft.title.trim() ? validateTitle(draft.title.split('{name}').join('sample')) : [];
  const tagProblems = validateTags(draft.tags);
  const account = profiles.find((p) => p.id === activeProfileId);
  const refusedCategories = catalog?.refused.some((r) => r.part === 'categories') ?? false;
  const groups = catalog?.templateGroups ?? [];
  const canAdd = draft.path.trim() !== '' && settle !== null && titleProblems.length === 0 && tagProblems.length === 0 && !!account && !busy;

  const browse = async () => {
    const paths = await getBridge().pickPaths('folder').catch(() => null);
    if (paths === null) setState({ folderBrowser: 'watch' });
    else if (paths[0]) set({ path: paths[0] });
  };

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    if (!canAdd || settle === null) return;
    setBusy(true);
    setError(null);
    try {
      await getBridge().addWatchFolder({
        path: draft.path.trim(),
        settleSeconds: settle,
        title: draft.title.trim() || undefined,
        description: draft.description.trim() || undefined,
        cateId: draft.cateId,
        tags: draft.tags,
        templateGroupId: draft.templateGroupId || undefined,
      });
      notifyKey('watch.added', { path: draft.path.trim() }, 'info');
      setDraft(EMPTY);
    } catch (err) {
      setError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="watch-form side-panel" data-testid="watch-form" onSubmit={(e) => void submit(e)}>
      <h3>{t('watch.addHeading')}</h3>
      <p className={`small ${account ? 'muted' : 'warn-text'}`} data-testid="watch-account">
        {account ? t('watch.account', { name: profileLabel(account, t) }) : t('watch.noAccount')}
      </p>
      <label className="field">
        <span>{t('watch.folder')}</span>
        <span className="with-button">
          <input
            data-testid="watch-path"
            className="mono"
            spellCheck={false}
            placeholder={t('watch.folderPlaceholder')}
            value={draft.path}
            onChange={(e) => set({ path: e.target.value })}
          />
          <button type="button" data-testid="watch-browse" onClick={() => void browse()}>{t('watch.browse')}</button>
        </span>
      </label>
      <label className="field">
        <span>{t('watch.settle')}</span>
        <span className="with-unit">
          <input data-testid="watch-settle" inputMode="numeric" value={draft.settleSeconds} onChange={(e) => set({ settleSeconds: e.target.value })} />
          <span className="muted">{t('watch.seconds')}</span>
        </span>
        <span className="muted small">{settle === null ? <span className="error-text">{t('watch.settleInvalid')}</span> : t('watch.settleHint')}</span>
      </label>
      <label className="field">
        <span>{t('edit.title')}</span>
        <input data-testid="watch-title" placeholder={t('watch.titlePlaceholder')} value={draft.title} onChange={(e) => set({ title: e.target.value })} />
        <span className={`small ${titleProblems.length > 0 ? 'error-text' : 'muted'}`}>
          {titleProblems.length > 0 ? formatProblems(titleProblems) : t('watch.titleHint')}
        </span>
      </label>
      <div className="field">
        <span>{t('edit.category')}</span>
        {refusedCategories || !catalog ? (
          <input
            data-testid="watch-category-id"
            className="mono"
            placeholder={t('edit.categoryIdPlaceholder')}
            value={draft.cateId ?? ''}
            onChange={(e) => {
              const digits = e.target.value.replace(/\D/g, '');
              set({ cateId: digits ? Number(digits) : undefined });
            }}
          />
        ) : (
          <CategoryPicker categories={catalog.categories} value={draft.cateId} onChange={(id) => set({ cateId: id })} />
        )}
      </div>
      <label className="field">
        <span>{t('edit.templateGroup')}</span>
        {groups.length === 0 ? (
          <input
            data-testid="watch-template-id"
            className="mono"
            spellCheck={false}
            placeholder={t('edit.templateGroupIdPlaceholder')}
            value={draft.templateGroupId}
            onChange={(e) => set({ templateGroupId: e.target.value.trim() })}
          />
        ) : (
          <select data-testid="watch-template" value={draft.templateGroupId} onChange={(e) => set({ templateGroupId: e.target.value })}>
            <option value="">{t('edit.serviceDefault')}</option>
            <TemplateGroupOptions groups={groups} />
          </select>
        )}
      </label>
      <div className="field">
        <span>{t('edit.tags')}<em className="count">{draft.tags.length}/{MAX_TAGS}</em></span>
        <TagInput tags={draft.tags} onChange={(tags) => set({ tags: parseTags(tags) })} invalid={tagProblems.length > 0} />
        {tagProblems.length > 0 && <span className="error-text small">{formatProblems(tagProblems)}</span>}
      </div>
      <label className="field">
        <span>{t('edit.description')}</span>
        <textarea data-testid="watch-description" rows={2} value={draft.description} onChange={(e) => set({ description: e.target.value })} />
      </label>
      {error && <p className="error-text" role="alert" data-testid="watch-error">{error}</p>}
      <div className="form-actions watch-actions">
        <button type="submit" className="primary" data-testid="watch-add" disabled={!canAdd}>{t('watch.add')}</button>
      </div>
      {browser === 'watch' && <FolderBrowser mode="watch" onFolder={(p) => set({ path: p })} />}
    </form>
  );
}

function WatchFolderCard({ folder }: { folder: WatchFolderView }) {
  const { t, i18n } = useTranslation();
  const catalog = useApp((s) => s.catalog);
  const profiles = useApp((s) => s.profiles);
  const [confirming, setConfirming] = useState(false);
  const [allTakes, setAllTakes] = useState(false);
  const takes = allTakes ? folder.taken : folder.taken.slice(0, TAKES_SHOWN);
  const account = profiles.find((p) => p.id === folder.profileId);
  const group = catalog?.templateGroups.find((g) => g.id === folder.templateGroupId);
  const category = catalog ? categoryPath(catalog.categories, folder.cateId) : undefined;
  const status = folder.lost !== undefined ? 'lost' : folder.paused ? 'paused' : 'watching';
  const time = (at: number) => new Date(at).toLocaleString(i18n.language, { dateStyle: 'short', timeStyle: 'medium' });

  const act = (p: Promise<unknown>) => void p.catch((err) => notifyKey('watch.failed', { message: errorText(err) }, 'error'));

  return (
    <article className="card watch-card" data-testid="watch-folder" data-path={folder.path} data-status={status}>
      <div className="card-head">
        <strong className="mono watch-path" title={folder.path}>{folder.path}</strong>
        <span className={`state watch-${status}`} data-testid="watch-status">{t(`watch.status.${status}`)}</span>
        <span className="spacer" />
        <button type="button" data-testid="watch-pause" onClick={() => act(getBridge().setWatchFolderPaused(folder.id, !folder.paused))}>
          {t(folder.paused ? 'watch.resume' : 'watch.pause')}
        </button>
        {confirming ? (
          <>
            <button type="button" className="danger-quiet" data-testid="watch-remove-confirm" onClick={() => act(getBridge().removeWatchFolder(folder.id))}>
              {t('watch.removeConfirm')}
            </button>
            <button type="button" onClick={() => setConfirming(false)}>{t('common.cancel')}</button>
          </>
        ) : (
          <button type="button" data-testid="watch-remove" onClick={() => setConfirming(true)}>{t('watch.remove')}</button>
        )}
      </div>
      {folder.lost !== undefined && (
        <p className="error-text small" data-testid="watch-lost">
          {t('watch.lostHint')}
          <span className="muted"> ({folder.lost})</span>
        </p>
      )}
      <dl className="facts">
        <dt>{t('app.account')}</dt>
        <dd>{account ? profileLabel(account, t) : t('watch.accountGone')}</dd>
        <dt>{t('edit.title')}</dt>
        <dd>{folder.title ? (folder.title.includes('{name}') ? folder.title : `${folder.title} {name}`) : t('watch.titleFromName')}</dd>
        <dt>{t('edit.category')}</dt>
        <dd>{folder.cateId === undefined ? t('category.none') : category ?? folder.cateId}</dd>
        <dt>{t('edit.templateGroup')}</dt>
        <dd>{folder.templateGroupId ? group?.name ?? folder.templateGroupId : t('edit.serviceDefault')}</dd>
        {folder.tags.length > 0 && <><dt>{t('edit.tags')}</dt><dd>{folder.tags.join(', ')}</dd></>}
        {folder.description && <><dt>{t('edit.description')}</dt><dd className="wrap">{folder.description}</dd></>}
        <dt>{t('watch.settleShort')}</dt>
        <dd>{t('watch.settleValue', { count: folder.settleSeconds })}</dd>
      </dl>
      <h4 className="watch-sub">{t('watch.taken', { count: folder.taken.length })}</h4>
      {folder.taken.length === 0 ? (
        <p className="muted small" data-testid="watch-taken-none">{t('watch.takenNone')}</p>
      ) : (
        <table className="watch-taken" data-testid="watch-taken">
          <thead>
            <tr><th>{t('watch.col.file')}</th><th>{t('watch.col.job')}</th><th>{t('watch.col.state')}</th><th>{t('watch.col.at')}</th></tr>
          </thead>
          <tbody>
            {takes.map((tk) => (
              <tr key={tk.jobId} data-testid="watch-take" data-job={tk.jobId} data-state={tk.state ?? 'gone'}>
                <td className="mono watch-file" title={tk.path}>{relative(folder.path, tk.path)}</td>
                <td>
                  {tk.state ? (
                    <button type="button" className="link" data-testid="watch-open-job" title={t('watch.openJob')} onClick={() => openJob(tk.jobId)}>#{tk.jobId}</button>
                  ) : `#${tk.jobId}`}
                </td>
                <td>{tk.state ? <span className={`state state-${tk.state}`}>{t(`state.${tk.state}`)}</span> : <span className="muted">{t('watch.jobGone')}</span>}</td>
                <td className="muted small">{time(tk.at)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {folder.taken.length > TAKES_SHOWN && (
        <button type="button" className="link small" data-testid="watch-takes-toggle" onClick={() => setAllTakes(!allTakes)}>
          {allTakes ? t('watch.showLatest', { count: TAKES_SHOWN }) : t('watch.showAll', { count: folder.taken.length })}
        </button>
      )}
      {folder.notices.length > 0 && (
        <details className="watch-notices" data-testid="watch-notices">
          <summary>{t('watch.notices', { count: folder.notices.length })}</summary>
          <ul>
            {folder.notices.map((n, i) => (
              <li key={`${n.at}-${i}`} data-kind={n.kind}>
                <span className="mono">{relative(folder.path, n.path)}</span>: {t(`watch.notice.${n.kind}`)}
                <details className="watch-detail"><summary>{t('watch.details')}</summary>{n.message}</details>
              </li>
            ))}
          </ul>
        </details>
      )}
    </article>
  );
}

/** The job in the upload list, its details open. */
function openJob(id: number): void {
  showView('queue');
  openDetails(id);
}

/** A file's path below its watch folder (the folder itself stays whole). */
function relative(root: string, p: string): string {
  return p.startsWith(root) && p.length > root.length ? p.slice(root.length).replace(/^[\\/]/, '') : p;
}

// Catalog details for the staged files that are selected: one file, or a whole batch
// at once. A field whose value differs across the selection shows "multiple values";
// setting it sets it for every selected file.

import { useMemo } from 'react';
import { useTranslation } from 'react-i18next';
import { useProviderTerms } from '../store/profiles';
import { MAX_DESCRIPTION_CHARS, MAX_TITLE_CHARS } from '../../../shared/limits';
import type { CatalogPart, CatalogRefusal, JobMeta, TemplateGroup } from '../../../shared/types';
import { baseName } from '../../../shared/format';
import {
  charCount, validateDescription, validateStorageLocation, validateTags, validateTitle, validateUserData,
} from '../../../shared/validation';
import { useApp, type StagedFile } from '../store/app';
import { coverProblems, editStaged, pickCover, setCover } from '../store/staging';
import { CategoryPicker } from './CategoryPicker';
import { useProblemText } from './problems';
import { TagInput } from './TagInput';

const MIXED = Symbol('mixed');
type Common<T> = T | typeof MIXED;

function common<T>(files: readonly StagedFile[], pick: (m: JobMeta) => T, same: (a: T, b: T) => boolean = Object.is): Common<T> {
  const first = pick(files[0].meta);
  return files.every((f) => same(pick(f.meta), first)) ? first : MIXED;
}

const sameTags = (a: readonly string[], b: readonly string[]) => a.length === b.length && a.every((x, i) => x === b[i]);

/** Under a field typed by id: why there is no list (the service's own code). */
function RefusedNote({ refusal }: { refusal: CatalogRefusal }) {
  const { t } = useTranslation();
  return (
    <span className="muted small" data-testid={`refused-${refusal.part}`} title={refusal.message}>
      {t(`edit.refused.${refusal.part}`, { code: refusal.code })}
    </span>
  );
}

/** The account's template groups as options, "no transcoding" and the default labelled (edit panel, watch folders). */
export function TemplateGroupOptions({ groups }: { groups: readonly TemplateGroup[] }) {
  const { t } = useTranslation();
  return (
    <>
      {groups.map((g) => (
        <option key={g.id} value={g.id}>
          {g.noTranscode ? t('edit.noTranscode', { name: g.name }) : g.name}
          {g.isDefault ? ` ${t('edit.defaultMark')}` : ''}
        </option>
      ))}
    </>
  );
}

export function EditPanel() {
  const { t } = useTranslation();
  const terms = useProviderTerms();
  const problemText = useProblemText();
  const staged = useApp((s) => s.staged);
  const selection = useApp((s) => s.stagedSelection);
  const catalog = useApp((s) => s.catalog);
  const catalogLoading = useApp((s) => s.catalogLoading);
  const catalogError = useApp((s) => s.catalogError);
  const files = useMemo(() => staged.filter((f) => selection.has(f.path)), [staged, selection]);

  if (files.length === 0) {
    return (
      <aside className="edit-panel empty" data-testid="edit-panel">
        <h3>{t('edit.heading')}</h3>
        <p className="muted">{staged.length === 0 ? t('edit.nothingStaged') : t('edit.selectHint')}</p>
      </aside>
    );
  }

  const set = (patch: Partial<JobMeta>) => editStaged(selection, patch);
  const single = files.length === 1 ? files[0] : null;
  const description = common(files, (m) => m.description ?? '');
  const cateId = common(files, (m) => m.cateId);
  const templateGroupId = common(files, (m) => m.templateGroupId ?? '');
  const workflowId = common(files, (m) => m.workflowId ?? '');
  const storageLocation = common(files, (m) => m.storageLocation ?? '');
  const appId = common(files, (m) => m.appId ?? '');
  const tags = common(files, (m) => m.tags, sameTags);
  const coverPath = common(files, (m) => m.coverPath ?? '');
  const userData = common(files, (m) => m.userData ?? '');

  const titleProblems = single ? validateTitle(single.meta.title) : [];
  const descriptionProblems = description === MIXED ? [] : validateDescription(description);
  const tagProblems = tags === MIXED ? [] : validateTags(tags);
  const coverIssues = coverPath === MIXED ? [] : coverProblems(coverPath);
  const userDataProblems = userData === MIXED ? [] : validateUserData(userData);
  const storageProblems = storageLocation === MIXED ? [] : validateStorageLocation(storageLocation);
  const groups = catalog?.templateGroups ?? [];
  // Parts this account may not list: typed by id instead (a RAM user allowed to upload only).
  const refused = new Map<CatalogPart, CatalogRefusal>((catalog?.refused ?? []).map((r) => [r.part, r]));
  const typedValue = <T,>(v: Common<T | undefined>): string => (v === MIXED || v === undefined ? '' : String(v));
  const typedPlaceholder = (v: Common<unknown>, example: string): string => (v === MIXED ? t('edit.mixed') : example);
  const mixedOption = <option value="" disabled>{t('edit.mixed')}</option>;

  return (
    <aside className="edit-panel" data-testid="edit-panel">
      <h3>{single ? t('edit.headingOne') : t('edit.headingMany', { count: files.length })}</h3>
      {single && <p className="muted small ellipsis" title={single.path}>{single.path}</p>}
      {catalogError && <p className="error-text" data-testid="catalog-error">{t('edit.catalogError', { message: catalogError })}</p>}
      {catalogLoading && <p className="muted small">{t('edit.catalogLoading')}</p>}

      {single && (
        <label className="field">
          <span>{t('edit.title')} <em className="count">{charCount(single.meta.title)}/{MAX_TITLE_CHARS}</em></span>
          <input
            data-testid="edit-title"
            className={titleProblems.length ? 'invalid' : ''}
            value={single.meta.title}
            onChange={(e) => set({ title: e.target.value })}
          />
          {titleProblems.map((p) => <span key={p.code} className="error-text">{problemText(p)}</span>)}
        </label>
      )}

      <div className="field">
        <span>{t('edit.category', terms)}</span>
        {refused.has('categories') ? (
          <>
            <input
              data-testid="edit-category-id"
              inputMode="numeric"
              className="mono"
              placeholder={typedPlaceholder(cateId, t('edit.categoryIdPlaceholder'))}
              value={typedValue(cateId)}
              onChange={(e) => {
                const digits = e.target.value.replace(/\D/g, '');
                set({ cateId: digits ? Number(digits) : undefined });
              }}
            />
            <RefusedNote refusal={refused.get('categories')!} />
          </>
        ) : (
          <CategoryPicker
            categories={catalog?.categories ?? []}
            value={cateId === MIXED ? undefined : cateId}
            mixed={cateId === MIXED}
            onChange={(id) => set({ cateId: id })}
            disabled={!catalog}
          />
        )}
      </div>

      <label className="field">
        <span>{t('edit.templateGroup', terms)}</span>
        {refused.has('templateGroups') ? (
          <>
            <input
              data-testid="edit-template-id"
              className="mono"
              spellCheck={false}
              disabled={workflowId !== MIXED && workflowId !== ''}
              placeholder={typedPlaceholder(templateGroupId, t('edit.templateGroupIdPlaceholder'))}
              value={typedValue(templateGroupId)}
              onChange={(e) => set({ templateGroupId: e.target.value.trim() || undefined })}
            />
            <RefusedNote refusal={refused.get('templateGroups')!} />
          </>
        ) : (
          <select
            data-testid="edit-template"
            value={templateGroupId === MIXED ? '' : templateGroupId}
            disabled={!catalog || (workflowId !== MIXED && workflowId !== '')}
            onChange={(e) => set({ templateGroupId: e.target.value || undefined })}
          >
            {templateGroupId === MIXED && mixedOption}
            {groups.length === 0 && <option value="">{t('edit.serviceDefault')}</option>}
            <TemplateGroupOptions groups={groups} />
          </select>
        )}
        {workflowId !== MIXED && workflowId !== '' && <span className="muted small">{t('edit.workflowOverrides')}</span>}
      </label>

      <label className="field">
        <span>{t('edit.workflow')}</span>
        {refused.has('workflows') ? (
          <>
            <input
              data-testid="edit-workflow-id"
              className="mono"
              spellCheck={false}
              placeholder={typedPlaceholder(workflowId, t('edit.workflowIdPlaceholder'))}
              value={typedValue(workflowId)}
              onChange={(e) => set({ workflowId: e.target.value.trim() || undefined })}
            />
            <RefusedNote refusal={refused.get('workflows')!} />
          </>
        ) : (
          <select
            data-testid="edit-workflow"
            value={workflowId === MIXED ? '' : workflowId}
            disabled={!catalog}
            onChange={(e) => set({ workflowId: e.target.value || undefined })}
          >
            {workflowId === MIXED ? mixedOption : null}
            <option value="">{t('edit.noWorkflow')}</option>
            {(catalog?.workflows ?? []).map((w) => <option key={w.id} value={w.id}>{w.name}</option>)}
          </select>
        )}
      </label>

      <div className="field">
        <span>{t('edit.tags')}</span>
        <TagInput
          tags={tags === MIXED ? [] : tags}
          placeholder={tags === MIXED ? t('edit.tagsMixed') : undefined}
          invalid={tagProblems.length > 0}
          onChange={(next) => set({ tags: next })}
        />
        {tagProblems.map((p, i) => <span key={`${p.code}-${i}`} className="error-text" data-testid="tags-error">{problemText(p)}</span>)}
        <span className="muted small">{t('edit.tagsHint')}</span>
      </div>

      <label className="field">
        <span>
          {t('edit.description')}{' '}
          {description !== MIXED && <em className="count">{charCount(description)}/{MAX_DESCRIPTION_CHARS}</em>}
        </span>
        <textarea
          data-testid="edit-description"
          rows={3}
          className={descriptionProblems.length ? 'invalid' : ''}
          placeholder={description === MIXED ? t('edit.mixed') : ''}
          value={description === MIXED ? '' : description}
          onChange={(e) => set({ description: e.target.value })}
        />
        {descriptionProblems.map((p) => <span key={p.code} className="error-text">{problemText(p)}</span>)}
      </label>

      <div className="field" data-testid="edit-cover">
        <span>{t('edit.cover')}</span>
        <span className="cover-row">
          {coverPath === MIXED ? (
            <span className="muted" data-testid="edit-cover-name">{t('edit.mixed')}</span>
          ) : coverPath ? (
            <span className="cover-chip ellipsis" data-testid="edit-cover-name" title={coverPath}>
              <span className="icon image" aria-hidden />{baseName(coverPath)}
            </span>
          ) : (
            <span className="muted" data-testid="edit-cover-name">{t('edit.coverNone')}</span>
          )}
          <span className="spacer" />
          {coverPath !== '' && (
            <button type="button" className="small-button quiet" data-testid="edit-cover-remove" onClick={() => setCover(undefined)}>
              {t('edit.coverRemove')}
            </button>
          )}
          <button type="button" className="small-button" data-testid="edit-cover-pick" onClick={() => void pickCover()}>
            {coverPath === '' ? t('edit.coverChoose') : t('edit.coverChange')}
          </button>
        </span>
        {coverIssues.map((p) => <span key={p.code} className="error-text" data-testid="cover-error">{problemText(p)}</span>)}
        <span className="muted small">{t('edit.coverHint')}</span>
      </div>

      <details className="advanced" open={userData !== '' || (storageLocation !== MIXED && storageLocation !== '') || (refused.has('apps') && appId !== '') || undefined}>
        <summary data-testid="edit-advanced">{t('edit.advanced')}</summary>
        <label className="field">
          <span>{t('edit.storage')}</span>
          {/* Typed: VOD has no API that lists storage locations (see AliyunVodProvider.getCatalog). */}
          <input
            data-testid="edit-storage"
            spellCheck={false}
            className={`mono${storageProblems.length ? ' invalid' : ''}`}
            placeholder={storageLocation === MIXED ? t('edit.mixed') : t('edit.storagePlaceholder')}
            value={storageLocation === MIXED ? '' : storageLocation}
            onChange={(e) => set({ storageLocation: e.target.value.trim() || undefined })}
          />
          {storageProblems.map((p) => <span key={p.code} className="error-text" data-testid="storage-error">{problemText(p)}</span>)}
          <span className="muted small">{t('edit.storageHint')}</span>
        </label>
        <label className="field">
          <span>{t('edit.app')}</span>
          {refused.has('apps') ? (
            <>
              <input
                data-testid="edit-app-id"
                className="mono"
                spellCheck={false}
                placeholder={typedPlaceholder(appId, t('edit.appIdPlaceholder'))}
                value={typedValue(appId)}
                onChange={(e) => set({ appId: e.target.value.trim() || undefined })}
              />
              <RefusedNote refusal={refused.get('apps')!} />
            </>
          ) : (
            <select
              data-testid="edit-app"
              value={appId === MIXED ? '' : appId}
              disabled={!catalog}
              onChange={(e) => set({ appId: e.target.value || undefined })}
            >
              <option value="">{t('edit.serviceDefault')}</option>
              {(catalog?.apps ?? []).map((a) => <option key={a.appId} value={a.appId}>{a.name} ({a.appId})</option>)}
            </select>
          )}
        </label>
        <label className="field">
          <span>{t('edit.userData')}</span>
          <textarea
            data-testid="edit-userdata"
            rows={4}
            spellCheck={false}
            className={`mono${userDataProblems.length ? ' invalid' : ''}`}
            placeholder={userData === MIXED ? t('edit.mixed') : '{"Extend": {"source": "archive"}}'}
            value={userData === MIXED ? '' : userData}
            onChange={(e) => set({ userData: e.target.value })}
          />
          {userDataProblems.map((p) => <span key={p.code} className="error-text" data-testid="userdata-error">{problemText(p)}</span>)}
          <span className="muted small">{t('edit.userDataHint')}</span>
        </label>
      </details>
    </aside>
  );
}

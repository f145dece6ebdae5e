// Accounts ("AccessKey 登录"): list, create/edit, delete, set active, test connection.
// The secret is write-only: the renderer never receives it, only `hasSecret`.

import { useRef, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import { STORAGE_REGIONS } from '../../../shared/limits';
import type { ConnectionResult, ProfileInput, ProfileView } from '../../../shared/types';
import { parseSubAppId } from '../../../shared/validation';
import { getBridge } from '../bridge';
import { useApp } from '../store/app';
import { activateProfile, deleteProfile, saveProfile, testProfile } from '../store/profiles';
import { errorText } from '../store/ui';
import { useJobErrorText } from './problems';

type Editing = { mode: 'new' } | { mode: 'edit'; profile: ProfileView } | null;

/** Tencent VOD's regions (the API is global; the region scopes the signature and storage). */
const TENCENT_REGIONS = [
  'ap-guangzhou', 'ap-shanghai', 'ap-beijing', 'ap-chengdu', 'ap-chongqing', 'ap-nanjing', 'ap-hongkong',
  'ap-singapore', 'ap-bangkok', 'ap-jakarta', 'ap-mumbai', 'ap-seoul', 'ap-tokyo', 'na-siliconvalley', 'na-ashburn', 'eu-frankfurt',
] as const;

export function ProfilesView() {
  const { t } = useTranslation();
  const profiles = useApp((s) => s.profiles);
  const activeId = useApp((s) => s.activeProfileId);
  const [editing, setEditing] = useState<Editing>(null);

  return (
    <section className="view profiles-view" data-testid="profiles-view">
      <div className="toolbar">
        <h2>{t('profiles.heading')}</h2>
        <span className="spacer" />
        <button type="button" className="primary" data-testid="profile-new" onClick={() => setEditing({ mode: 'new' })}>
          {t('profiles.new')}
        </button>
      </div>
      <div className="split">
        <div className="split-main profile-list">
          {profiles.length === 0 && <p className="empty-state">{t('profiles.none')}</p>}
          {profiles.map((p) => (
            <ProfileCard
              key={p.id}
              profile={p}
              active={p.id === activeId}
              onEdit={() => setEditing({ mode: 'edit', profile: p })}
            />
          ))}
        </div>
        {editing && (
          <ProfileForm
            key={editing.mode === 'edit' ? editing.profile.id : 'new'}
            profile={editing.mode === 'edit' ? editing.profile : undefined}
            onDone={() => setEditing(null)}
          />
        )}
      </div>
    </section>
  );
}

export function profileLabel(p: ProfileView, t: (k: string) => string): string {
  return p.kind === 'sandbox' ? t('profiles.sandboxName') : p.name;
}

function ProfileCard({ profile, active, onEdit }: { profile: ProfileView; active: boolean; onEdit: () => void }) {
  const { t } = useTranslation();
  const test = useApp((s) => s.tests[profile.id]);
  const sandbox = profile.kind === 'sandbox';
  const tencent = profile.kind === 'tencent';
  const remove = () => {
    if (window.confirm(t('profiles.confirmDelete', { name: profile.name }))) void deleteProfile(profile.id);
  };
  return (
    <article className={`card profile${active ? ' active' : ''}`} data-testid="profile-row" data-profile-id={profile.id} data-profile-name={profile.name} data-kind={profile.kind}>
      <header className="card-head">
        <strong data-testid="profile-name">{profileLabel(profile, t)}</strong>
        {active && <span className="pill accent" data-testid="profile-active">{t('profiles.active')}</span>}
        <span className="spacer" />
        {!active && (
          <button type="button" data-testid="profile-activate" onClick={() => void activateProfile(profile.id)}>{t('profiles.use')}</button>
        )}
        <button type="button" data-testid="profile-test" disabled={test?.pending} onClick={() => void testProfile(profile.id)}>
          {test?.pending ? t('profiles.testing') : t('profiles.test')}
        </button>
        {!sandbox && <button type="button" data-testid="profile-edit" onClick={onEdit}>{t('common.edit')}</button>}
        {!sandbox && <button type="button" className="danger-quiet" data-testid="profile-delete" onClick={remove}>{t('common.delete')}</button>}
      </header>
      <dl className="facts">
        {sandbox ? (
          <>
            <dt>{t('profiles.kind')}</dt>
            <dd>{t('profiles.sandboxExplain')}</dd>
          </>
        ) : (
          <>
            <dt>{t('profiles.provider')}</dt>
            <dd data-testid="profile-provider">{t(tencent ? 'profiles.providerTencent' : 'profiles.providerAliyun')}</dd>
            <dt>{t(tencent ? 'profiles.secretId' : 'profiles.accessKeyId')}</dt>
            <dd className="mono" data-testid="profile-akid">{profile.accessKeyId}</dd>
            <dt>{t(tencent ? 'profiles.secretKey' : 'profiles.secret')}</dt>
            <dd>{profile.hasSecret ? t('profiles.secretSaved') : <span className="error-text">{t('profiles.secretMissing')}</span>}</dd>
          </>
        )}
        <dt>{t('profiles.region')}</dt>
        <dd>{t(`region.${profile.region}`, { defaultValue: profile.region })}</dd>
        {tencent && (
          <>
            <dt>{t('profiles.subAppId')}</dt>
            <dd className={profile.subAppId === undefined ? 'muted' : 'mono'} data-testid="profile-subappid">
              {profile.subAppId === undefined ? t('profiles.subAppIdDefault') : profile.subAppId}
            </dd>
          </>
        )}
        {profile.endpoint && (
          <>
            <dt>{t('profiles.endpoint')}</dt>
            <dd className="mono" data-testid="profile-endpoint">{profile.endpoint}</dd>
          </>
        )}
        {profile.hasSecurityToken && (
          <>
            <dt>{t(tencent ? 'profiles.sessionToken' : 'profiles.stsToken')}</dt>
            <dd>{t('profiles.secretSaved')}</dd>
          </>
        )}
      </dl>
      {test && !test.pending && <TestResultView result={test} tencent={tencent} />}
    </article>
  );
}

/** A connection test's answer: the service's code and words, and what to do in the operator's language. */
function TestResultView({ result, tencent = false }: { result: Partial<ConnectionResult>; tencent?: boolean }) {
  const { t } = useTranslation();
  const aliyunHint = useConnectionHint();
  const hint = (code: string | undefined): string => {
    const own = tencent ? tencentHintKey(code) : undefined;
    return own ? t(`profiles.testHintTencent.${own}`) : aliyunHint(code);
  };
  return (
    <div className={`test-result ${result.ok ? 'ok' : 'bad'}`} data-testid="profile-test-result" data-ok={String(Boolean(result.ok))} role="status">
      {result.ok ? (
        <span data-testid="profile-test-message">{t(result.catalogDenied ? 'profiles.testOkCatalogDenied' : tencent ? 'profiles.testOkTencent' : 'profiles.testOk')}</span>
      ) : (
        <>
          <strong>{t('profiles.testFailed')}</strong>
          <span className="wrap" data-testid="profile-test-hint">{hint(result.code)}</span>
          {result.code && <span className="mono code" data-testid="profile-test-code">{result.code}</span>}
          <span className="muted small wrap" data-testid="profile-test-message">{result.message}</span>
          {result.requestId && <span className="muted small mono">RequestId: {result.requestId}</span>}
        </>
      )}
    </div>
  );
}

/**
 * What to do about a refused connection test. On the Accounts page the test's own hints
 * fit best ("enter the secret again"); elsewhere (the banner) the job-error text, which
 * says where to go. Each falls back to the other.
 */
export function useConnectionHint(where: 'accounts' | 'elsewhere' = 'accounts'): (code: string | undefined) => string {
  const { t } = useTranslation();
  const jobText = useJobErrorText();
  return (code) => {
    const own = hintKey(code);
    if (where === 'accounts' && own !== 'other') return t(`profiles.testHint.${own}`);
    return jobText({ code }) ?? t(`profiles.testHint.${own}`);
  };
}

/** What an operator can do about the common failures of a connection test. */
function hintKey(code: string | undefined): string {
  const c = (code ?? '').toLowerCase();
  if (c.startsWith('invalidaccesskeyid')) return 'accessKeyId';
  if (c === 'signaturedoesnotmatch') return 'secret';
  if (c.startsWith('forbidden') || c.includes('nopermission')) return 'permission';
  if (c.includes('token')) return 'token';
  if (!c) return 'network';
  return 'other';
}

/** Tencent API 3.0's AuthFailure codes (docs/tencent-vod-notes.md "Errors") → a hint. */
function tencentHintKey(code: string | undefined): string | undefined {
  const c = (code ?? '').toLowerCase();
  if (c === 'authfailure.secretidnotfound' || c === 'authfailure.invalidsecretid') return 'accessKeyId';
  if (c === 'authfailure.signaturefailure') return 'secret';
  if (c === 'authfailure.unauthorizedoperation' || c.startsWith('unauthorizedoperation')) return 'permission';
  if (c === 'authfailure.tokenfailure') return 'token';
  if (c === 'authfailure.signatureexpire') return 'clock';
  return undefined;
}

function ProfileForm({ profile, onDone }: { profile?: ProfileView; onDone: () => void }) {
  const { t } = useTranslation();
  const [name, setName] = useState(profile?.name ?? '');
  // The provider is chosen when the account is added; an edit keeps it.
  const [kind, setKind] = useState<'aliyun' | 'tencent'>(profile?.kind === 'tencent' ? 'tencent' : 'aliyun');
  const tencent = kind === 'tencent';
  const [accessKeyId, setAccessKeyId] = useState(profile?.accessKeyId ?? '');
  const [secret, setSecret] = useState('');
  const [token, setToken] = useState('');
  const [region, setRegion] = useState(profile?.region ?? 'cn-shanghai');
  const [endpoint, setEndpoint] = useState(profile?.endpoint ?? '');
  const [subAppId, setSubAppId] = useState(profile?.subAppId === undefined ? '' : String(profile.subAppId));
  const [error, setError] = useState<string | null>(null);
  const [saving, setSaving] = useState(false);
  // Test before save: the refused answer, shown with "Save anyway" until a field changes.
  const [refusal, setRefusal] = useState<ConnectionResult | null>(null);
  const insistRef = useRef(false);

  const problems: Record<string, string> = {};
  if (!name.trim()) problems.name = t('profiles.err.name');
  if (!accessKeyId.trim()) problems.accessKeyId = t(tencent ? 'profiles.errTencent.accessKeyId' : 'profiles.err.accessKeyId');
  if (!profile?.hasSecret && !secret) problems.secret = t(tencent ? 'profiles.errTencent.secret' : 'profiles.err.secret');
  if (endpoint.trim() && !/^https?:\/\/\S+$/i.test(endpoint.trim())) problems.endpoint = t('profiles.err.endpoint');
  if (tencent && parseSubAppId(subAppId).problem) problems.subAppId = t('profiles.errTencent.subAppId');
  const [touched, setTouched] = useState(false);

  const submit = async (e: FormEvent | null, insist = false) => {
    e?.preventDefault();
    setTouched(true);
    if (Object.keys(problems).length > 0) return;
    const input: ProfileInput = {
      name: name.trim(),
      kind,
      accessKeyId: accessKeyId.trim(),
      region,
    };
    if (profile) input.id = profile.id;
    if (secret) input.accessKeySecret = secret;
    if (token.trim()) input.securityToken = token.trim();
    if (endpoint.trim()) input.endpoint = endpoint.trim();
    if (tencent && subAppId.trim()) input.subAppId = subAppId.trim();
    setSaving(true);
    setError(null);
    setRefusal(null);
    try {
      if (!insist) {
        // A key the service refuses is not saved unless the operator insists (it may be
        // for a network that is down right now, or a policy granted later).
        const result = await getBridge().testProfileInput(input);
        if (!result.ok) {
          setRefusal(result);
          return;
        }
      }
      await saveProfile(input);
      onDone();
    } catch (err) {
      setError(errorText(err));
    } finally {
      setSaving(false);
    }
  };

  const show = (k: string) => touched && problems[k] ? <span className="error-text">{problems[k]}</span> : null;

  return (
    <form className="side-panel profile-form" data-testid="profile-form" onSubmit={(e) => void submit(e)} noValidate>
      <h3>{profile ? t('profiles.editHeading') : t('profiles.newHeading')}</h3>
      <label className="field">
        <span>{t('profiles.name')}</span>
        <input data-testid="profile-input-name" value={name} onChange={(e) => setName(e.target.value)} autoFocus />
        {show('name')}
      </label>
      <label className="field">
        <span>{t('profiles.provider')}</span>
        <select
          data-testid="profile-input-provider"
          value={kind}
          disabled={Boolean(profile)}
          onChange={(e) => {
            const next = e.target.value === 'tencent' ? 'tencent' : 'aliyun';
            setKind(next);
            setRegion(next === 'tencent' ? 'ap-guangzhou' : 'cn-shanghai');
          }}
        >
          <option value="aliyun">{t('profiles.providerAliyun')}</option>
          <option value="tencent">{t('profiles.providerTencent')}</option>
        </select>
      </label>
      <label className="field">
        <span>{t(tencent ? 'profiles.secretId' : 'profiles.accessKeyId')}</span>
        <input data-testid="profile-input-akid" value={accessKeyId} autoComplete="off" spellCheck={false} onChange={(e) => setAccessKeyId(e.target.value)} />
        {show('accessKeyId')}
      </label>
      <label className="field">
        <span>{t(tencent ? 'profiles.secretKey' : 'profiles.secret')}</span>
        <input
          data-testid="profile-input-secret"
          type="password"
          autoComplete="new-password"
          value={secret}
          placeholder={profile?.hasSecret ? t('profiles.secretKeep') : ''}
          onChange={(e) => setSecret(e.target.value)}
        />
        {profile?.hasSecret && !secret && <span className="ok-text small" data-testid="profile-secret-saved">{t('profiles.secretSaved')}</span>}
        {show('secret')}
      </label>
      <label className="field">
        <span>{t('profiles.region')}</span>
        <select data-testid="profile-input-region" value={region} onChange={(e) => setRegion(e.target.value)}>
          {(tencent ? TENCENT_REGIONS : STORAGE_REGIONS).map((r) => <option key={r} value={r}>{t(`region.${r}`, { defaultValue: r })} ({r})</option>)}
        </select>
      </label>
      {tencent && (
        <label className="field">
          <span>{t('profiles.subAppId')}</span>
          <input
            data-testid="profile-input-subappid"
            value={subAppId}
            inputMode="numeric"
            spellCheck={false}
            placeholder={t('profiles.optional')}
            onChange={(e) => setSubAppId(e.target.value)}
          />
          <span className="muted small">{t('profiles.subAppIdHint')}</span>
          {show('subAppId')}
        </label>
      )}
      <details className="advanced" open={Boolean(profile?.endpoint || profile?.hasSecurityToken)}>
        <summary>{t(tencent ? 'profiles.advancedTencent' : 'profiles.advanced')}</summary>
        <label className="field">
          <span>{t(tencent ? 'profiles.sessionToken' : 'profiles.stsToken')}</span>
          <input
            data-testid="profile-input-token"
            type="password"
            autoComplete="off"
            value={token}
            placeholder={profile?.hasSecurityToken ? t('profiles.secretKeep') : t('profiles.optional')}
            onChange={(e) => setToken(e.target.value)}
          />
        </label>
        <label className="field">
          <span>{t('profiles.endpoint')}</span>
          <input
            data-testid="profile-input-endpoint"
            value={endpoint}
            spellCheck={false}
            placeholder={tencent ? 'https://vod.tencentcloudapi.com' : `https://vod.${region}.aliyuncs.com`}
            onChange={(e) => setEndpoint(e.target.value)}
          />
          <span className="muted small">{t(tencent ? 'profiles.endpointHintTencent' : 'profiles.endpointHint')}</span>
          {show('endpoint')}
        </label>
      </details>
      {error && <p className="error-text" data-testid="profile-form-error">{error}</p>}
      {saving && !insistRef.current && <p className="muted small" data-testid="profile-save-testing">{t('accountCheck.testing')}</p>}
      {refusal && (
        <div data-testid="profile-save-refused">
          <p className="error-text">{t('accountCheck.refused')}</p>
          <TestResultView result={refusal} tencent={tencent} />
        </div>
      )}
      <div className="form-actions">
        <button type="button" onClick={onDone}>{t('common.cancel')}</button>
        {refusal && (
          <button
            type="button"
            data-testid="profile-save-anyway"
            disabled={saving}
            onClick={() => {
              insistRef.current = true;
              void submit(null, true).finally(() => { insistRef.current = false; });
            }}
          >
            {t('accountCheck.saveAnyway')}
          </button>
        )}
        <button type="submit" className="primary" data-testid="profile-save" disabled={saving}>{t('common.save')}</button>
      </div>
    </form>
  );
}

// Settings → Network: the proxy (system / none / manual URL) with a test button, and which
// OSS endpoint uploads use. Saved on its own (updateNetworkSettings); the proxy URL arrives
// with its password masked and is sent back so — main keeps the stored password.

import { useEffect, useState } from 'react';
import { useTranslation } from 'react-i18next';
import type { NetworkSettingsView, OssEndpointMode, ProxyMode, ProxyTestResult } from '../../../shared/types';
import { proxyUrlProblem } from '../../../shared/validation';
import { getBridge } from '../bridge';
import { errorText, notify } from '../store/ui';

interface Draft {
  proxyMode: ProxyMode;
  proxyUrl: string;
  ossEndpoint: OssEndpointMode;
}

function toDraft(v: NetworkSettingsView): Draft {
  return { proxyMode: v.proxyMode, proxyUrl: v.proxyUrl, ossEndpoint: v.ossEndpoint };
}

export function NetworkSettings() {
  const { t } = useTranslation();
  const [saved, setSaved] = useState<NetworkSettingsView | null>(null);
  const [draft, setDraft] = useState<Draft | null>(null);
  const [busy, setBusy] = useState<'save' | 'test' | null>(null);
  const [result, setResult] = useState<ProxyTestResult | null>(null);
  const [savedOnce, setSavedOnce] = useState(false);

  useEffect(() => {
    let live = true;
    void getBridge().getNetworkSettings().then((v) => {
      if (!live) return;
      setSaved(v);
      setDraft(toDraft(v));
    }, (err: unknown) => notify(errorText(err), 'error'));
    return () => {
      live = false;
    };
  }, []);

  if (!draft || !saved) return null;

  const manual = draft.proxyMode === 'manual';
  const urlBad = manual && proxyUrlProblem(draft.proxyUrl) !== undefined;
  const changed = draft.proxyMode !== saved.proxyMode || draft.proxyUrl !== saved.proxyUrl || draft.ossEndpoint !== saved.ossEndpoint;
  const patch = { proxyMode: draft.proxyMode, ossEndpoint: draft.ossEndpoint, ...(manual ? { proxyUrl: draft.proxyUrl } : {}) };

  const save = async () => {
    setBusy('save');
    try {
      const v = await getBridge().updateNetworkSettings(patch);
      setSaved(v);
      setDraft(toDraft(v));
      setSavedOnce(true);
    } catch (err) {
      notify(errorText(err), 'error');
    } finally {
      setBusy(null);
    }
  };

  const test = async () => {
    setBusy('test');
    setResult(null);
    try {
      setResult(await getBridge().testProxy(patch));
    } catch (err) {
      notify(errorText(err), 'error');
    } finally {
      setBusy(null);
    }
  };

  return (
    <fieldset data-testid="settings-network">
      <legend>{t('settings.network')}</legend>
      <label className="field settings-field">
        <span>{t('settings.proxy')}</span>
        <select
          data-testid="settings-proxy-mode"
          value={draft.proxyMode}
          onChange={(e) => setDraft({ ...draft, proxyMode: e.target.value as ProxyMode })}
        >
          <option value="system">{t('settings.proxySystem')}</option>
          <option value="none">{t('settings.proxyNone')}</option>
          <option value="manual">{t('settings.proxyManual')}</option>
        </select>
        <span className="muted small">
          {draft.proxyMode === 'system'
            ? (saved.systemProxyAvailable ? t('settings.proxySystemHintOs') : t('settings.proxySystemHint'))
            : draft.proxyMode === 'none' ? t('settings.proxyNoneHint') : t('settings.proxyManualHint')}
        </span>
      </label>
      {manual && (
        <label className="field settings-field">
          <span>{t('settings.proxyUrl')}</span>
          <input
            data-testid="settings-proxy-url"
            className={urlBad && draft.proxyUrl !== '' ? 'invalid' : ''}
            placeholder="http://proxy.example.com:8080"
            autoComplete="off"
            spellCheck={false}
            value={draft.proxyUrl}
            onChange={(e) => setDraft({ ...draft, proxyUrl: e.target.value })}
          />
          <span className={urlBad && draft.proxyUrl !== '' ? 'error-text small' : 'muted small'}>
            {urlBad && draft.proxyUrl !== '' ? t('settings.proxyUrlInvalid') : t('settings.proxyUrlHint')}
          </span>
        </label>
      )}
      <div className="form-actions">
        <button type="button" data-testid="settings-proxy-test" onClick={() => void test()} disabled={busy !== null || urlBad}>
          {busy === 'test' ? t('settings.proxyTesting') : t('settings.proxyTest')}
        </button>
      </div>
      {result && (
        <div className={result.outcome === 'ok' ? 'ok-text' : 'error-text'} data-testid="settings-proxy-result" role="status">
          <p>{t(`settings.proxyResult.${result.outcome}`, { ms: result.latencyMs ?? 0, status: result.status ?? '' })}</p>
          <p className="muted small">{result.route} → {result.target}</p>
          {/* The engine's own words (English), for the details of a failure. */}
          {result.outcome !== 'ok' && <p className="muted small">{result.message}</p>}
        </div>
      )}
      <label className="field settings-field">
        <span>{t('settings.ossEndpoint')}</span>
        <select
          data-testid="settings-oss-endpoint"
          value={draft.ossEndpoint}
          onChange={(e) => setDraft({ ...draft, ossEndpoint: e.target.value as OssEndpointMode })}
        >
          <option value="default">{t('settings.ossDefault')}</option>
          <option value="accelerate">{t('settings.ossAccelerate')}</option>
          <option value="internal">{t('settings.ossInternal')}</option>
        </select>
        <span className="muted small">{t(`settings.ossHint.${draft.ossEndpoint}`)}</span>
      </label>
      <div className="form-actions">
        {savedOnce && !changed && busy === null && <span className="ok-text" data-testid="settings-network-saved">{t('settings.saved')}</span>}
        <button type="button" onClick={() => setDraft(toDraft(saved))} disabled={!changed}>{t('settings.revert')}</button>
        <button type="button" className="primary" data-testid="settings-network-save" onClick={() => void save()} disabled={!changed || busy !== null || urlBad}>
          {t('common.save')}
        </button>
      </div>
    </fieldset>
  );
}

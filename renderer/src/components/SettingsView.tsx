// Engine settings. Shown in the units operators think in (MiB parts, MB/s caps);
// stored by the engine in its own units (bytes per second).

import { useEffect, useState, type FormEvent } from 'react';
import { useTranslation } from 'react-i18next';
import type { EngineSettings } from '../../../shared/types';
import { checkWindow, parseTimeOfDay } from '../../../shared/upload-window';
import { useApp } from '../store/app';
import { saveSettings } from '../store/settings';
import { NetworkSettings } from './NetworkSettings';

const MB = 1024 * 1024;

interface Draft {
  filesInFlight: string;
  partsInFlight: string;
  partSizeMiB: string;
  bandwidthMBs: string;
  autoResume: boolean;
  keepRunningInTray: boolean;
  windowStart: string;
  windowEnd: string;
}

function toDraft(s: EngineSettings): Draft {
  return {
    filesInFlight: String(s.filesInFlight),
    partsInFlight: String(s.partsInFlight),
    partSizeMiB: String(s.partSizeMiB),
    bandwidthMBs: String(Math.round((s.bandwidthLimit / MB) * 100) / 100),
    autoResume: s.autoResume,
    keepRunningInTray: s.keepRunningInTray,
    windowStart: s.windowStart,
    windowEnd: s.windowEnd,
  };
}

function sameDraft(a: Draft, b: Draft): boolean {
  return (Object.keys(a) as (keyof Draft)[]).every((k) => a[k] === b[k]);
}

function intIn(text: string, min: number, max: number): number | null {
  if (!/^\d+$/.test(text.trim())) return null;
  const n = Number(text);
  return n >= min && n <= max ? n : null;
}

export function SettingsView() {
  const { t } = useTranslation();
  const settings = useApp((s) => s.settings);
  const saving = useApp((s) => s.settingsSaving);
  const savedAt = useApp((s) => s.settingsSavedAt);
  const shell = useApp((s) => s.appInfo?.shell);
  const [draft, setDraft] = useState<Draft | null>(settings ? toDraft(settings) : null);

  useEffect(() => {
    if (settings && !draft) setDraft(toDraft(settings));
  }, [settings, draft]);

  if (!draft) return <section className="view"><p className="muted pad">{t('common.loading')}</p></section>;

  const files = intIn(draft.filesInFlight, 1, 64);
  const parts = intIn(draft.partsInFlight, 1, 256);
  const partSize = intIn(draft.partSizeMiB, 0, 5 * 1024);
  const bw = /^\d+(\.\d+)?$/.test(draft.bandwidthMBs.trim()) ? Number(draft.bandwidthMBs) : null;
  // checkWindow (shared with the engine and the CLI) decides; the renderer only picks
  // the localized wording for the two ways a window can be wrong.
  const windowBad = checkWindow({ start: draft.windowStart, end: draft.windowEnd }) !== undefined;
  const windowError = !windowBad ? undefined
    : parseTimeOfDay(draft.windowStart) !== undefined && parseTimeOfDay(draft.windowStart) === parseTimeOfDay(draft.windowEnd)
      ? t('settings.windowSame') : t('settings.windowIncomplete');
  const valid = files !== null && parts !== null && partSize !== null && bw !== null && !windowBad;
  const partSizeSmall = partSize !== null && partSize > 0 && partSize * MB < 100 * 1024;

  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (!valid) return;
    void saveSettings({
      filesInFlight: files,
      partsInFlight: parts,
      partSizeMiB: partSize,
      bandwidthLimit: Math.round(bw * MB),
      autoResume: draft.autoResume,
      keepRunningInTray: draft.keepRunningInTray,
      windowStart: draft.windowStart,
      windowEnd: draft.windowEnd,
    });
  };

  const field = (key: keyof Draft, label: string, hint: string, ok: boolean, testid: string, unit?: string) => (
    <label className="field settings-field">
      <span>{label}</span>
      <span className="with-unit">
        <input
          data-testid={testid}
          inputMode="decimal"
          className={ok ? '' : 'invalid'}
          value={draft[key] as string}
          onChange={(e) => setDraft({ ...draft, [key]: e.target.value })}
        />
        {unit && <span className="muted">{unit}</span>}
      </span>
      <span className={ok ? 'muted small' : 'error-text small'}>{hint}</span>
    </label>
  );

  return (
    <section className="view settings-view" data-testid="settings-view">
      <form className="settings-form" onSubmit={submit}>
        <h2>{t('settings.heading')}</h2>
        <fieldset>
          <legend>{t('settings.transfer')}</legend>
          {field('filesInFlight', t('settings.filesInFlight'), t('settings.filesInFlightHint'), files !== null, 'settings-files')}
          {field('partsInFlight', t('settings.partsInFlight'), t('settings.partsInFlightHint'), parts !== null, 'settings-parts')}
          {field('partSizeMiB', t('settings.partSize'), t('settings.partSizeHint'), partSize !== null, 'settings-partsize', 'MiB')}
          {partSizeSmall && <p className="error-text small">{t('settings.partSizeTooSmall')}</p>}
          {field('bandwidthMBs', t('settings.bandwidth'), t('settings.bandwidthHint'), bw !== null, 'settings-bandwidth', 'MB/s')}
          <div className="field settings-field" role="group" aria-labelledby="settings-window-label">
            <span id="settings-window-label">{t('settings.window')}</span>
            {/* Visible "from … to" words, and a clear button shown only while a time is set:
                the empty time boxes ("--:--") read as values otherwise, and a greyed button
                beside them as a setting. */}
            <span className="with-unit window-times">
              <span className="muted">{t('settings.windowFrom')}</span>
              <input
                type="time"
                data-testid="settings-window-start"
                aria-label={t('settings.windowStart')}
                className={windowBad && parseTimeOfDay(draft.windowStart) === undefined ? 'invalid' : ''}
                value={draft.windowStart}
                onChange={(e) => setDraft({ ...draft, windowStart: e.target.value })}
              />
              <span className="muted">{t('settings.windowTo')}</span>
              <input
                type="time"
                data-testid="settings-window-end"
                aria-label={t('settings.windowEnd')}
                className={windowBad && parseTimeOfDay(draft.windowEnd) === undefined ? 'invalid' : ''}
                value={draft.windowEnd}
                onChange={(e) => setDraft({ ...draft, windowEnd: e.target.value })}
              />
              {draft.windowStart || draft.windowEnd ? (
                <button
                  type="button"
                  data-testid="settings-window-clear"
                  onClick={() => setDraft({ ...draft, windowStart: '', windowEnd: '' })}
                >
                  {t('settings.windowAnyTime')}
                </button>
              ) : <span className="status-chip" data-testid="settings-window-any">{t('settings.windowOff')}</span>}
            </span>
            {windowError && <span className="error-text small" data-testid="settings-window-error" role="alert">{windowError}</span>}
            <span className="muted small">
              {draft.windowStart || draft.windowEnd ? t('settings.windowHint') : t('settings.windowNone')}
            </span>
          </div>
        </fieldset>
        <fieldset>
          <legend>{t('settings.behaviour')}</legend>
          <label className="check">
            <input
              type="checkbox"
              data-testid="settings-autoresume"
              checked={draft.autoResume}
              onChange={(e) => setDraft({ ...draft, autoResume: e.target.checked })}
            />
            <span>{t('settings.autoResume')}</span>
          </label>
          <label className="check">
            <input
              type="checkbox"
              data-testid="settings-tray"
              checked={draft.keepRunningInTray}
              onChange={(e) => setDraft({ ...draft, keepRunningInTray: e.target.checked })}
            />
            <span>{t('settings.tray')}</span>
          </label>
          {shell === 'web' && <p className="muted small">{t('settings.trayWeb')}</p>}
        </fieldset>
        <div className="form-actions">
          {savedAt && !saving && settings && sameDraft(draft, toDraft(settings)) && <span className="ok-text" data-testid="settings-saved">{t('settings.saved')}</span>}
          <button type="button" onClick={() => settings && setDraft(toDraft(settings))}>{t('settings.revert')}</button>
          <button type="submit" className="primary" data-testid="settings-save" disabled={!valid || saving || partSizeSmall}>
            {t('common.save')}
          </button>
        </div>
      </form>
      {/* Its own form: saved through its own call, and a proxy URL never mixes with the transfer fields. */}
      <div className="settings-form">
        <NetworkSettings />
      </div>
    </section>
  );
}

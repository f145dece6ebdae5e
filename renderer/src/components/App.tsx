// The window: header (navigation, active account, language), the current view, notices.

import { useTranslation } from 'react-i18next';
import { useApp, type Language, type View } from '../store/app';
import { activateProfile } from '../store/profiles';
import { countForTab } from '../store/queue';
import { dismissNotice, setLanguage, showView } from '../store/ui';
import { ProfilesView, profileLabel, useConnectionHint } from './ProfilesView';
import { LibraryView } from './LibraryView';
import { QueueView } from './QueueView';
import { SettingsView } from './SettingsView';
import { UploadView } from './UploadView';
import { WatchFoldersView } from './WatchFoldersView';

const VIEWS: View[] = ['upload', 'queue', 'library', 'watch', 'profiles', 'settings'];

export function App() {
  const { t } = useTranslation();
  const view = useApp((s) => s.view);
  return (
    <div className="app">
      <header className="app-header">
        <span className="brand">{t('app.name')}</span>
        <nav className="nav" aria-label={t('app.navigation')}>
          {VIEWS.map((v) => (
            <button
              key={v}
              type="button"
              className={`nav-item${view === v ? ' active' : ''}`}
              aria-current={view === v ? 'page' : undefined}
              data-testid={`nav-${v}`}
              onClick={() => showView(v)}
            >
              {t(`nav.${v}`)}
              {v === 'queue' && <ActiveBadge />}
            </button>
          ))}
        </nav>
        <span className="spacer" />
        <ProfileSwitch />
        <LanguageSwitch />
      </header>
      <ConnectionBanner />
      <AccountBanner />
      <main className="app-main">
        {view === 'upload' && <UploadView />}
        {view === 'queue' && <QueueView />}
        {view === 'library' && <LibraryView />}
        {view === 'watch' && <WatchFoldersView />}
        {view === 'profiles' && <ProfilesView />}
        {view === 'settings' && <SettingsView />}
      </main>
      <Notices />
    </div>
  );
}

function ConnectionBanner() {
  const { t } = useTranslation();
  const connection = useApp((s) => s.connection);
  if (connection === 'connected') return null;
  return <p className="banner connection" role="alert" data-testid="connection-banner">{t('app.reconnecting')}</p>;
}

/**
 * The account in use does not work: its catalog could not load (a refused key, an
 * unreachable endpoint), or its last connection test failed. A catalog only partly
 * refused (an upload-only RAM user, Catalog.refused) is not broken.
 */
function AccountBanner() {
  const { t } = useTranslation();
  const active = useApp((s) => s.profiles.find((p) => p.id === s.activeProfileId));
  const catalogError = useApp((s) => s.catalogError);
  const catalogErrorCode = useApp((s) => s.catalogErrorCode);
  const test = useApp((s) => (s.activeProfileId ? s.tests[s.activeProfileId] : undefined));
  const hint = useConnectionHint('elsewhere');
  if (!active) return null;
  const failedTest = test && !test.pending && !test.ok ? test : undefined;
  if (!catalogError && !failedTest) return null;
  const text = failedTest
    ? `${hint(failedTest.code)}${failedTest.code ? ` (${failedTest.code})` : ''}`
    : `${hint(catalogErrorCode ?? undefined)} — ${catalogError}`;
  return (
    <p className="banner warn account-banner" role="alert" data-testid="account-banner">
      <span className="wrap">{t('accountCheck.brokenActive', { name: profileLabel(active, t), hint: text })}</span>
      <button type="button" className="link" data-testid="account-banner-open" onClick={() => showView('profiles')}>{t('accountCheck.brokenActiveAction')}</button>
    </p>
  );
}

function ActiveBadge() {
  const n = useApp((s) => countForTab(s.totals, 'active'));
  return n > 0 ? <span className="badge accent" data-testid="nav-active-count">{n}</span> : null;
}

function ProfileSwitch() {
  const { t } = useTranslation();
  const profiles = useApp((s) => s.profiles);
  const activeId = useApp((s) => s.activeProfileId);
  const sandbox = profiles.find((p) => p.id === activeId)?.kind === 'sandbox';
  return (
    <label className="header-field">
      {sandbox && <span className="sandbox-badge" data-testid="header-sandbox" title={t('profiles.sandboxExplain')}>{t('accountCheck.sandboxBadge')}</span>}
      <span className="muted">{t('app.account')}</span>
      <select
        data-testid="header-profile"
        value={activeId ?? ''}
        onChange={(e) => {
          if (e.target.value) void activateProfile(e.target.value);
        }}
      >
        {activeId === null && <option value="">{t('app.noAccount')}</option>}
        {profiles.map((p) => <option key={p.id} value={p.id}>{profileLabel(p, t)}</option>)}
      </select>
    </label>
  );
}

function LanguageSwitch() {
  const { t } = useTranslation();
  const language = useApp((s) => s.language);
  return (
    <label className="header-field">
      <span className="sr-only">{t('app.language')}</span>
      <select data-testid="lang-switch" value={language} onChange={(e) => void setLanguage(e.target.value as Language)}>
        <option value="zh-CN">中文</option>
        <option value="en">English</option>
      </select>
    </label>
  );
}

function Notices() {
  const { t } = useTranslation();
  const notices = useApp((s) => s.notices);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div key={n.id} className={`notice ${n.kind}`} data-testid={`notice-${n.kind}`} role={n.kind === 'error' ? 'alert' : 'status'}>
          <span>{n.key ? t(n.key, n.params) : n.text}</span>
          <button type="button" className="icon-button" aria-label={t('common.dismiss')} onClick={() => dismissNotice(n.id)}>×</button>
        </div>
      ))}
    </div>
  );
}

// Start-up: language, first loads, and the bridge events that feed the store.

import { getBridge } from '../bridge';
import { setState } from './app';
import { loadProfiles } from './profiles';
import { applyProgress } from './progress';
import { onJobsChanged, onTotals, refreshQueue } from './queue';
import { loadSettings } from './settings';
import { errorText, initialLanguage, notify, setLanguage } from './ui';

export async function boot(): Promise<void> {
  const bridge = getBridge();
  bridge.onJobsChanged(onJobsChanged);
  bridge.onProgress((batch) => {
    applyProgress(batch.jobs);
    onTotals(batch.totals);
  });
  bridge.onProfilesChanged(() => void loadProfiles());
  // Web mode: events sent while the socket was down are lost, so re-read what is shown.
  bridge.onConnectionChanged?.((state) => {
    setState({ connection: state });
    if (state === 'connected') void Promise.allSettled([loadProfiles(), refreshQueue()]);
  });

  let locale: string | undefined;
  try {
    const appInfo = await bridge.getAppInfo();
    setState({ appInfo });
    locale = appInfo.locale;
  } catch (err) {
    notify(errorText(err), 'error');
  }
  await setLanguage(initialLanguage(locale), false);

  const results = await Promise.allSettled([loadProfiles(), loadSettings(), refreshQueue()]);
  for (const r of results) if (r.status === 'rejected') notify(errorText(r.reason), 'error');
}

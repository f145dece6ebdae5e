// Settings slice actions.

import type { EngineSettings } from '../../../shared/types';
import { getBridge } from '../bridge';
import { setState } from './app';
import { errorText, notify } from './ui';

export async function loadSettings(): Promise<void> {
  setState({ settings: await getBridge().getSettings() });
}

export async function saveSettings(patch: Partial<EngineSettings>): Promise<boolean> {
  setState({ settingsSaving: true });
  try {
    const settings = await getBridge().updateSettings(patch);
    setState({ settings, settingsSaving: false, settingsSavedAt: Date.now() });
    return true;
  } catch (err) {
    setState({ settingsSaving: false });
    notify(errorText(err), 'error');
    return false;
  }
}

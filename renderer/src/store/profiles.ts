// Profiles slice actions.

import type { ProfileInput } from '../../../shared/types';
import { getBridge } from '../bridge';
import { getState, setState, useApp } from './app';
import { loadCatalog } from './catalog';
import { errorText, notify } from './ui';

export async function loadProfiles(): Promise<void> {
  const bridge = getBridge();
  const [profiles, active] = await Promise.all([bridge.listProfiles(), bridge.getActiveProfile()]);
  const changed = getState().activeProfileId !== (active?.id ?? null);
  setState({ profiles, activeProfileId: active?.id ?? null, profilesLoaded: true });
  if (changed) void loadCatalog();
}

export async function saveProfile(input: ProfileInput): Promise<string> {
  const saved = await getBridge().saveProfile(input);
  const wasActive = getState().activeProfileId === saved.id;
  // An edit's earlier test result speaks of the old key.
  const { [saved.id]: _old, ...tests } = getState().tests;
  setState({ tests });
  await loadProfiles();
  // The active account edited: its catalog (and whether it works at all) may have changed.
  if (wasActive) void loadCatalog();
  return saved.id;
}

export async function deleteProfile(id: string): Promise<void> {
  try {
    await getBridge().deleteProfile(id);
    await loadProfiles();
  } catch (err) {
    notify(errorText(err), 'error');
  }
}

export async function activateProfile(id: string): Promise<void> {
  try {
    await getBridge().setActiveProfile(id);
    await loadProfiles();
  } catch (err) {
    notify(errorText(err), 'error');
  }
}

export async function testProfile(id: string): Promise<void> {
  setState({ tests: { ...getState().tests, [id]: { pending: true } } });
  try {
    const result = await getBridge().testProfile(id);
    setState({ tests: { ...getState().tests, [id]: { ...result, pending: false } } });
    // The active account works again (the network is back): load the catalog it could not, which unblocks Start.
    const { activeProfileId, catalogError } = getState();
    if (result.ok && id === activeProfileId && catalogError !== null) void loadCatalog(true);
  } catch (err) {
    // The call itself failed (not the service): show it the same way.
    setState({ tests: { ...getState().tests, [id]: { pending: false, ok: false, message: errorText(err) } } });
  }
}

/**
 * The i18next context of the active account's provider: 'tencent' makes labels speak
 * Tencent's terms (FileId, class, task flow) through keys like `queue.col.videoId_tencent`;
 * undefined keeps Alibaba's (the key without suffix).
 */
export function useProviderTerms(): { context?: 'tencent' } {
  const kind = useApp((s) => s.profiles.find((p) => p.id === s.activeProfileId)?.kind);
  return kind === 'tencent' ? { context: 'tencent' } : {};
}

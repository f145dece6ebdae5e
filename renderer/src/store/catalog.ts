// Catalog slice actions: categories, template groups, workflows, storage, apps of the
// active profile's account.

import { getBridge } from '../bridge';
import { getState, setState } from './app';
import { errorText } from './ui';
import { applyCatalogDefaults } from './staging';

let generation = 0;

export async function loadCatalog(refresh = false): Promise<void> {
  const mine = ++generation;
  setState({ catalogLoading: true, catalogError: null, catalogErrorCode: null });
  try {
    const catalog = await getBridge().getCatalog(refresh ? { refresh: true } : undefined);
    // A newer load (profile switched meanwhile) wins.
    if (mine !== generation) return;
    setState({ catalog, catalogLoading: false });
    applyCatalogDefaults();
  } catch (err) {
    if (mine !== generation) return;
    const code = (err as { code?: unknown } | null)?.code;
    setState({ catalog: null, catalogLoading: false, catalogError: errorText(err), catalogErrorCode: typeof code === 'string' ? code : null });
  }
}

export function defaultTemplateGroupId(): string | undefined {
  const groups = getState().catalog?.templateGroups ?? [];
  return groups.find((g) => g.isDefault)?.id;
}

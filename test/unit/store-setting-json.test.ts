// Rows of the settings table that are not engine settings (the app's watch folders):
// kept as JSON beside the engine's settings without disturbing them.

import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openQueueStore, type QueueStore } from '../../main/engine/store';
import { DEFAULT_SETTINGS } from '../../shared/types';
import { tempDir } from '../helpers/files';

let store: QueueStore | undefined;
afterEach(() => store?.close());

describe('settings rows of the app', () => {
  it('keep JSON across a reopen, beside the engine settings, and refuse an engine setting\'s key', async () => {
    const dbPath = path.join(await tempDir('vodup-setting-json-'), 'queue.db');
    store = openQueueStore(dbPath);
    expect(store.readSettingJson('watchFolders')).toBeUndefined();
    store.writeSettingJson('watchFolders', [{ id: 'a', tags: ['x'] }]);
    store.saveSettings({ filesInFlight: 5 });
    store.writeSettingJson('watchFolders', [{ id: 'b', tags: [] }]);
    store.close();

    store = openQueueStore(dbPath);
    expect(store.readSettingJson('watchFolders')).toEqual([{ id: 'b', tags: [] }]);
    expect(store.getSettings()).toEqual({ ...DEFAULT_SETTINGS, filesInFlight: 5 });
    expect(() => store!.writeSettingJson('filesInFlight', 9)).toThrow(/engine setting/);
    expect(() => store!.readSettingJson('partSizeMiB')).toThrow(/engine setting/);
    expect(store.getSettings().filesInFlight).toBe(5);
  });
});

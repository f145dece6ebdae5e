// "Export results": the current tab's jobs, every tab's, or the selection's, as CSV or JSON, made by main (the same
// exporter as `vodup export`) and saved through a Blob download. An <a download> works
// alike in the browser (web mode) and in Electron, where the download asks where to save.

import type { ExportFormat, ExportOptions } from '../../../shared/types';
import { getBridge } from '../bridge';
import { getState } from './app';
import { errorText, notify, notifyKey } from './ui';

const MIME: Record<ExportFormat, string> = {
  csv: 'text/csv;charset=utf-8',
  json: 'application/json;charset=utf-8',
};

/** Long enough for any browser to have started reading the Blob; it is freed after. */
const REVOKE_AFTER_MS = 60_000;

export function saveFile(fileName: string, content: string, type: string): void {
  // The string holds the CSV's BOM as U+FEFF; Blob encodes it as UTF-8 (EF BB BF).
  const url = URL.createObjectURL(new Blob([content], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = fileName;
  a.style.display = 'none';
  document.body.append(a);
  a.click();
  a.remove();
  window.setTimeout(() => URL.revokeObjectURL(url), REVOKE_AFTER_MS);
}

/** What goes in the file: the current tab, every tab, or the selected rows. */
export type ExportScope = 'tab' | 'all' | 'selection';

export async function exportResults(format: ExportFormat, scope: ExportScope = 'tab'): Promise<void> {
  const { tab, selection } = getState();
  const opts: ExportOptions = { format };
  // A selection emptied since it was chosen means the tab again, never an empty file.
  if (scope === 'selection' && selection.size > 0) opts.ids = [...selection];
  else if (scope !== 'all') opts.tab = tab;
  try {
    const { fileName, content } = await getBridge().exportResults(opts);
    saveFile(fileName, content, MIME[format]);
    notifyKey('queue.exported', { fileName });
  } catch (err) {
    notify(errorText(err), 'error');
  }
}

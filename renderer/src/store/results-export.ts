// "Export results": the current tab's jobs as CSV or JSON, made by main (the same
// exporter as `vodup export`) and saved through a Blob download. An <a download> works
// alike in the browser (web mode) and in Electron, where the download asks where to save.

import type { ExportFormat } from '../../../shared/types';
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

export async function exportResults(format: ExportFormat): Promise<void> {
  try {
    const { fileName, content } = await getBridge().exportResults({ format, tab: getState().tab });
    saveFile(fileName, content, MIME[format]);
    notifyKey('queue.exported', { fileName });
  } catch (err) {
    notify(errorText(err), 'error');
  }
}

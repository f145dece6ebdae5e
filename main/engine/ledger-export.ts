// The ledger as a file (`vodup ledger export`): one row per VideoId this app uploaded,
// with the file it came from. Same CSV rules as the results export (results-export.ts:
// RFC 4180 quoting, formula neutralisation, UTF-8 BOM for Excel).

import type { LedgerRow } from '../../shared/types';
import { csvField, UTF8_BOM } from './results-export';

/** Header names and JSON keys: a contract with whoever imports the file; add at the end only. */
export const LEDGER_COLUMNS = [
  'account', 'video_id', 'title', 'path', 'size_bytes', 'sample_hash', 'crc64_hex', 'uploaded_at', 'job_id',
] as const;

type Row = Record<(typeof LEDGER_COLUMNS)[number], string | number | null>;

function ledgerRow(r: LedgerRow): Row {
  return {
    account: r.account, video_id: r.videoId, title: r.title, path: r.path, size_bytes: r.size,
    sample_hash: r.sampleHash, crc64_hex: r.crc64 ?? null, uploaded_at: new Date(r.uploadedAt).toISOString(),
    job_id: r.jobId ?? null,
  };
}

export function ledgerExport(rows: readonly LedgerRow[], format: 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(rows.map(ledgerRow), null, 1)}\n`;
  const line = (values: readonly (string | number | null)[]) => `${values.map(csvField).join(',')}\r\n`;
  return UTF8_BOM + line(LEDGER_COLUMNS) + rows.map((r) => {
    const row = ledgerRow(r);
    return line(LEDGER_COLUMNS.map((c) => row[c]));
  }).join('');
}

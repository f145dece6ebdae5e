// The results export over the real SQLite queue store on a temp file.

import fs from 'fs';
import os from 'os';
import path from 'path';
import { Writable } from 'stream';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  EXPORT_COLUMNS, EXPORT_PAGE_ROWS, UTF8_BOM, csvField, exportFileName, exportResults, writeResults,
} from '../../main/engine/results-export';
import { openQueueStore, type NewJobRecord, type QueueStore } from '../../main/engine/store';

let dir: string;
let store: QueueStore;
let clock = Date.UTC(2026, 0, 31, 8, 0, 0);

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-export-'));
  store = openQueueStore(path.join(dir, 'queue.db'), { now: () => clock });
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const job = (name: string, title: string, size: number): NewJobRecord => ({
  path: `/media/in/${name}`, fileName: name, size, mtimeMs: 1, meta: { title, tags: [] },
});

/** Minimal RFC 4180 reader for the assertions (quoted fields may hold , " CR LF). */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') { field += '"'; i++; } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ',') { row.push(field); field = ''; } else if (c === '\r' && text[i + 1] === '\n') {
      row.push(field); rows.push(row); row = []; field = ''; i++;
    } else field += c;
  }
  return rows;
}

/** A ready job (uploaded 2 000 000 bytes in 4 s), a failed one, a queued one. */
function seed(): { ready: number; failed: number; queued: number } {
  const [ready, failed, queued] = store.insertJobs([
    job('新闻 2026.mp4', '新闻, "晚间" 版', 2_000_000),
    job('bad.mov', 'Line one\nline two', 10),
    job('later.mp4', 'Later', 5),
  ]);
  clock += 1000;
  store.transition(ready, 'creating');
  store.transition(ready, 'uploading', { videoId: 'vid-ready' });
  clock += 4000;
  store.transition(ready, 'completing');
  store.transition(ready, 'uploaded', { crc64: '1234567890123456789', vodStatus: 'UploadSucc' });
  store.transition(ready, 'ready', { vodStatus: 'Normal' });
  store.transition(failed, 'creating');
  store.transition(failed, 'failed', {
    error: { code: 'InvalidTemplateGroupId.NotFound', message: 'The template group, "tg-1", does not exist.', retryable: false },
  });
  return { ready, failed, queued };
}

describe('CSV', () => {
  it('quotes fields with commas, quotes, CR or LF per RFC 4180, and leaves others bare', () => {
    expect(csvField('plain 中文')).toBe('plain 中文');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('cr\rhere')).toBe('"cr\rhere"');
    expect(csvField(null)).toBe('');
    expect(csvField(42)).toBe('42');
    expect(csvField(-3)).toBe('-3');
  });

  it('neutralises text a spreadsheet would run as a formula', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('+1 clip')).toBe("'+1 clip");
    expect(csvField('-clip')).toBe("'-clip");
    expect(csvField('@SUM(A1)')).toBe("'@SUM(A1)");
    expect(csvField('clip = 1')).toBe('clip = 1');
  });

  it('exports every job with the stable header, a BOM, and values that read back exactly', async () => {
    const ids = seed();
    const text = await exportResults(store, { format: 'csv' });
    expect(text.startsWith(UTF8_BOM)).toBe(true);
    const rows = parseCsv(text.slice(1));
    expect(rows[0]).toEqual([...EXPORT_COLUMNS]);
    expect(rows).toHaveLength(4);
    const byId = new Map(rows.slice(1).map((r) => [Number(r[0]), Object.fromEntries(EXPORT_COLUMNS.map((c, i) => [c, r[i]]))]));
    expect(byId.get(ids.ready)).toMatchObject({
      file_name: '新闻 2026.mp4', title: '新闻, "晚间" 版', video_id: 'vid-ready', state: 'ready', vod_status: 'Normal',
      size_bytes: '2000000', crc64_hex: (1234567890123456789n).toString(16), created_at: '2026-01-31T08:00:00.000Z',
      started_at: '2026-01-31T08:00:01.000Z', finished_at: '2026-01-31T08:00:05.000Z',
      upload_seconds: '4', average_bytes_per_second: '500000', error_code: '', error_message: '',
    });
    expect(byId.get(ids.failed)).toMatchObject({
      title: 'Line one\nline two', state: 'failed', video_id: '', average_bytes_per_second: '',
      error_code: 'InvalidTemplateGroupId.NotFound', error_message: 'The template group, "tg-1", does not exist.',
    });
    expect(byId.get(ids.queued)).toMatchObject({ state: 'queued', started_at: '', upload_seconds: '' });
  });

  it('exports only the chosen tab', async () => {
    const ids = seed();
    const failed = parseCsv((await exportResults(store, { format: 'csv', tab: 'failed' })).slice(1));
    expect(failed.slice(1).map((r) => Number(r[0]))).toEqual([ids.failed]);
    const done = parseCsv((await exportResults(store, { format: 'csv', tab: 'done' })).slice(1));
    expect(done.slice(1).map((r) => Number(r[0]))).toEqual([ids.ready]);
  });
});

describe('metadata columns and selection', () => {
  it('adds category, template group and tags after the older columns, and exports only selected jobs', async () => {
    const [a, b, c] = store.insertJobs([
      { ...job('a.mp4', 'A', 1), meta: { title: 'A', tags: ['news', '晚间'], cateId: 1000123, templateGroupId: 'tg-hd' } },
      job('b.mp4', 'B', 2),
      { ...job('c.mp4', 'C', 3), meta: { title: 'C', tags: ['one'] } },
    ]);
    // The old contract is a prefix: readers of earlier files keep their column positions.
    expect(EXPORT_COLUMNS.slice(-6, -3)).toEqual(['category_id', 'template_group_id', 'tags']);
    expect(EXPORT_COLUMNS.slice(-3)).toEqual(['kind', 'item_key', 'provider']);
    expect(EXPORT_COLUMNS.indexOf('error_message')).toBe(15);

    const rows = parseCsv((await exportResults(store, { format: 'csv', ids: [a, c] })).slice(1));
    const byId = new Map(rows.slice(1).map((r) => [Number(r[0]), Object.fromEntries(EXPORT_COLUMNS.map((col, i) => [col, r[i]]))]));
    expect([...byId.keys()]).toEqual([a, c]);
    expect(byId.get(a)).toMatchObject({ category_id: '1000123', template_group_id: 'tg-hd', tags: 'news,晚间' });
    expect(byId.get(c)).toMatchObject({ category_id: '', template_group_id: '', tags: 'one' });

    const json = JSON.parse(await exportResults(store, { format: 'json', ids: [b] })) as Record<string, unknown>[];
    expect(json).toHaveLength(1);
    expect(json[0].provider).toBe('aliyun');
    expect(json[0]).toMatchObject({ job_id: b, category_id: null, template_group_id: null, tags: null });
    expect(exportFileName({ format: 'csv', ids: [b] }, new Date(2026, 0, 31, 14, 25, 0))).toBe('vod-results-selected-20260131-142500.csv');
  });
});

describe('JSON', () => {
  it('is an array of objects keyed by the same columns, with numbers and nulls typed', async () => {
    const ids = seed();
    const rows = JSON.parse(await exportResults(store, { format: 'json' })) as Record<string, unknown>[];
    expect(rows.map((r) => r.job_id)).toEqual([ids.ready, ids.failed, ids.queued]);
    expect(Object.keys(rows[0])).toEqual([...EXPORT_COLUMNS]);
    expect(rows[0]).toMatchObject({ size_bytes: 2_000_000, upload_seconds: 4, title: '新闻, "晚间" 版' });
    expect(rows[2]).toMatchObject({ video_id: null, error_code: null });
  });

  it('is an empty array for an empty tab', async () => {
    expect(JSON.parse(await exportResults(store, { format: 'json', tab: 'done' }))).toEqual([]);
  });
});

describe('paging', () => {
  it('streams more than one page with every job once, in id order, through a writable', async () => {
    const n = EXPORT_PAGE_ROWS * 2 + 7;
    store.insertJobs(Array.from({ length: n }, (_, i) => job(`c-${i}.mp4`, `C ${i}`, i + 1)));
    let text = '';
    let writes = 0;
    const sink = new Writable({
      highWaterMark: 1024, // small, so the export must wait for 'drain'
      write(chunk: Buffer, _enc, cb) {
        text += chunk.toString('utf8');
        writes++;
        setImmediate(cb);
      },
    });
    await writeResults(store, { format: 'csv' }, sink);
    const rows = parseCsv(text.slice(1)).slice(1);
    expect(rows).toHaveLength(n);
    expect(rows.map((r) => Number(r[0]))).toEqual(Array.from({ length: n }, (_, i) => i + 1));
    expect(writes).toBeGreaterThan(3); // header, three pages
  });
});

it('names the file after the tab and the local time', () => {
  expect(exportFileName({ format: 'csv', tab: 'done' }, new Date(2026, 0, 31, 14, 5, 9))).toBe('vod-results-done-20260131-140509.csv');
  expect(exportFileName({ format: 'json' }, new Date(2026, 11, 1, 0, 0, 0))).toBe('vod-results-all-20261201-000000.json');
});

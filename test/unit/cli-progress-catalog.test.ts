// The CLI's plain progress lines (when to write one, what it counts) and the catalog
// listing with some parts refused, driven directly.

import { afterEach, describe, expect, it } from 'vitest';
import { renderCatalog } from '../../main/cli/commands/catalog';
import { ProgressLines } from '../../main/cli/progress-lines';
import type { Catalog, JobView, ProgressBatch } from '../../shared/types';

const MB = 1024 * 1024;

function job(id: number, over: Partial<JobView>): JobView {
  return {
    id, kind: 'upload', path: `/in/${id}.mp4`, fileName: `${id}.mp4`, size: 10 * MB, state: 'uploading', meta: { title: String(id), tags: [] },
    bytesDone: 0, priority: 0, attempts: 0, createdAt: 0, updatedAt: 0, ...over,
  };
}

const batch: ProgressBatch = { at: 0, jobs: [], totals: { jobs: 9, byState: {}, bytesTotal: 0, bytesDone: 0, speed: 0 } };

describe('ProgressLines', () => {
  let lines: ProgressLines | undefined;
  afterEach(() => lines?.close());

  it('writes a line only when bytes moved or waiting reasons changed, for the command\'s own jobs', () => {
    const jobs = new Map<number, JobView>([[1, job(1, {})], [2, job(2, { state: 'queued' })], [3, job(3, { size: 99 * MB })]]);
    let now = 0;
    const out: string[] = [];
    lines = new ProgressLines({ intervalMs: 60_000, write: (l) => out.push(l), lookup: (id) => jobs.get(id), scope: new Set([1, 2]), now: () => now });

    lines.update(batch); // the baseline: nothing moved yet
    now = 10_000;
    lines.tick();
    expect(out).toEqual([]);

    jobs.set(1, job(1, { bytesDone: 5 * MB }));
    lines.tick();
    // Job 3 is not the command's: 5 of 20 MB, 5 MB in 10 s.
    expect(out).toEqual(['Progress  25%  5.00 MB / 20.0 MB  512 KB/s  ETA 0:30  0 of 2 files done']);

    now = 20_000;
    lines.tick();
    expect(out).toHaveLength(1); // nothing moved, nothing said

    jobs.set(2, job(2, { state: 'waiting', error: { code: 'NetworkUnreachable', message: 'x', retryable: true } }));
    lines.tick();
    expect(out[1]).toMatch(/ {2}waiting: 1 NetworkUnreachable$/);

    jobs.set(1, job(1, { state: 'ready', bytesDone: 10 * MB }));
    now = 30_000;
    lines.tick();
    expect(out[2]).toMatch(/^Progress {2}50% .* {2}1 of 2 files done {2}waiting: 1 NetworkUnreachable$/);
  });

  it('says how many parts and files adaptive concurrency runs at once', () => {
    let now = 0;
    const out: string[] = [];
    lines = new ProgressLines({ intervalMs: 60_000, write: (l) => out.push(l), lookup: () => undefined, now: () => now });
    const at = (bytesDone: number): ProgressBatch => ({ at: 0, jobs: [], totals: { ...batch.totals, bytesTotal: 20 * MB, bytesDone, concurrency: { parts: 12, files: 24 } } });
    lines.update(at(0));
    now = 10_000;
    lines.update(at(5 * MB));
    lines.tick();
    expect(out).toEqual(['Progress  25%  5.00 MB / 20.0 MB  512 KB/s  12 parts / 24 files at once  ETA 0:30  0 of 9 files done']);
  });
});

describe('renderCatalog', () => {
  it('prints what was read and says which parts were refused', () => {
    const catalog: Catalog = {
      categories: [],
      templateGroups: [{ id: 'g1', name: 'Default', isDefault: true, noTranscode: false, locked: false }],
      workflows: [],
      apps: [{ appId: 'app-1000000', name: 'Default' }],
      refused: [
        { part: 'categories', code: 'Forbidden.RAM', message: 'no' },
        { part: 'apps', code: 'Forbidden.RAM', message: 'no' },
      ],
    };
    expect(renderCatalog(catalog)).toEqual([
      'Categories (--category <CateId>):',
      '  not readable with this AccessKey (Forbidden.RAM): give ids by hand.',
      '',
      'Transcode template groups (--template-group <id>):',
      '  g1  Default  (default)',
      '',
      'Workflows (--workflow <id>):',
      '  (none)',
      '',
      'Applications (--app-id <id>):',
      '  not readable with this AccessKey (Forbidden.RAM): give ids by hand; without --app-id uploads go to the default application.',
    ]);
  });
});

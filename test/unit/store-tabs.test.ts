import fs from 'fs';
import os from 'os';
import path from 'path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { TAB_STATES, type JobState } from '../../shared/types';
import { openQueueStore, type QueueStore } from '../../main/engine/store';
import { ipcArgs } from '../../shared/ipc';

// Views by what the file is doing, select-all of a view resolved in SQL, and "Clear
// finished", on a real SQLite queue.

let dir: string;
let store: QueueStore;
let clock = 1_000_000;

const ROUTE: Partial<Record<JobState, JobState[]>> = {
  queued: [],
  paused: ['paused'],
  uploading: ['creating', 'uploading'],
  uploaded: ['creating', 'uploading', 'completing', 'uploaded'],
  ready: ['creating', 'uploading', 'completing', 'uploaded', 'ready'],
  review: ['creating', 'uploading', 'completing', 'uploaded', 'review'],
  failed: ['creating', 'failed'],
  canceled: ['canceled'],
};

/** One job per entry, `count` of each state, titled by state and number. */
function seed(counts: Partial<Record<JobState, number>>): Map<JobState, number[]> {
  const byState = new Map<JobState, number[]>();
  for (const [state, count] of Object.entries(counts) as [JobState, number][]) {
    const ids = store.insertJobs(Array.from({ length: count }, (_, i) => ({
      path: `/in/${state}-${i}.mp4`, fileName: `${state}-${i}.mp4`, size: 1000, mtimeMs: 0, meta: { title: `${state} ${i}`, tags: [] },
    })));
    for (const id of ids) {
      for (const step of ROUTE[state]!) {
        store.transition(id, step, step === 'uploading' ? { videoId: `VID-${id}` } : {});
      }
    }
    byState.set(state, ids);
  }
  return byState;
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-store-tabs-'));
  store = openQueueStore(path.join(dir, 'q.db'), { now: () => ++clock });
});

afterEach(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('queue tabs', () => {
  it('puts a complete object in Processing, failures and cancels in tabs of their own', () => {
    const by = seed({ queued: 2, paused: 1, uploading: 1, uploaded: 3, ready: 1, review: 1, failed: 1, canceled: 4 });
    const tab = (t: keyof typeof TAB_STATES) => store.queryJobs({ tab: t, offset: 0, limit: 100, sort: 'id' }).rows.map((r) => r.id);
    expect(tab('pending')).toEqual([...by.get('queued')!, ...by.get('paused')!]);
    expect(tab('active')).toEqual(by.get('uploading'));
    expect(tab('processing')).toEqual(by.get('uploaded'));
    expect(tab('done')).toEqual([...by.get('ready')!, ...by.get('review')!]);
    expect(tab('failed')).toEqual(by.get('failed'));
    expect(tab('canceled')).toEqual(by.get('canceled'));
  });
});

describe('select-all of a view', () => {
  it('resolves every job of the tab (and its search) in SQL, far beyond a loaded page', () => {
    const by = seed({ queued: 1500, paused: 500, failed: 3 });
    const pending = [...by.get('queued')!, ...by.get('paused')!].sort((a, b) => a - b);
    expect(store.idsInView('pending', undefined, ['queued', 'paused'])).toEqual(pending);
    // The command's own states narrow the tab: resume acts on the paused ones only.
    expect(store.idsInView('pending', undefined, ['paused'])).toEqual(by.get('paused'));
    // A state outside the tab is never reached through it.
    expect(store.idsInView('pending', undefined, ['failed'])).toEqual([]);
    // The view's search: "paused 1" matches paused 1, 10…19, 100…199.
    const searched = store.idsInView('pending', 'paused 1', ['queued', 'paused']);
    expect(searched).toHaveLength(1 + 10 + 100);
    expect(searched.every((id) => store.getJob(id)!.meta.title.startsWith('paused 1'))).toBe(true);
  });
});

describe('Clear finished', () => {
  it('takes done and canceled jobs out of the views and totals, keeps the rows, and a retried job comes back', () => {
    const by = seed({ queued: 2, uploaded: 1, ready: 3, review: 1, failed: 1, canceled: 2 });
    expect(store.totals().jobs).toBe(10);
    const cleared = store.clearFinished();
    expect(cleared.sort((a, b) => a - b)).toEqual([...by.get('ready')!, ...by.get('review')!, ...by.get('canceled')!].sort((a, b) => a - b));
    const t = store.totals();
    expect(t.jobs).toBe(4);
    expect(t.byState).toEqual({ queued: 2, uploaded: 1, failed: 1 });
    expect(t.bytesTotal).toBe(4000);
    expect(store.queryJobs({ tab: 'done', offset: 0, limit: 10 }).total).toBe(0);
    expect(store.queryJobs({ tab: 'canceled', offset: 0, limit: 10 }).rows).toEqual([]);
    expect(store.queryJobs({ offset: 0, limit: 100 }).total).toBe(4);
    // The rows stay: history and VideoIds are not lost.
    expect(store.getJob(by.get('ready')![0])!.videoId).toBeDefined();
    // Commands on "all" do not reach cleared rows; a second clear finds nothing new.
    expect(store.idsInStates(['canceled'])).toEqual([]);
    expect(store.clearFinished()).toEqual([]);
    // A canceled job put back in line is in view again.
    const back = by.get('canceled')![0];
    store.transition(back, 'queued');
    expect(store.queryJobs({ tab: 'pending', offset: 0, limit: 10 }).rows.map((r) => r.id)).toContain(back);
    expect(store.totals().byState.queued).toBe(3);
  });
});

describe('the IPC contract for selections', () => {
  it('takes ids, "all", or a tab with its search, and nothing else', () => {
    expect(ipcArgs.cancel.parse([{ tab: 'pending', search: 'clip' }])).toEqual([{ tab: 'pending', search: 'clip' }]);
    expect(ipcArgs.pause.parse([{ tab: 'processing' }])).toEqual([{ tab: 'processing' }]);
    expect(ipcArgs.retry.parse([[1, 2]])).toEqual([[1, 2]]);
    expect(ipcArgs.resume.safeParse([{ tab: 'history' }]).success).toBe(false);
    expect(ipcArgs.resume.safeParse([{ tab: 'pending', states: ['ready'] }]).success).toBe(false);
    expect(ipcArgs.clearFinished.parse([])).toEqual([]);
  });
});

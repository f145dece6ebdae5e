import fs from 'fs';
import os from 'os';
import path from 'path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { JOB_STATES, TAB_STATES, type JobSortKey, type JobState, type QueueTab } from '../../shared/types';
import { isRunnable } from '../../main/engine/job-state';
import { openQueueStore, type JobRecord, type QueueStore } from '../../main/engine/store';

// Queries are checked against an oracle: the same filter and order computed in plain
// JavaScript over every record, so each case tests the SQL rather than a hand-made list.

const N = 3000;
let dir: string;
let store: QueueStore;
let clock = 1_000_000;
let all: JobRecord[];

/** The path through the state machine to each state, from queued. */
const ROUTE: Record<JobState, JobState[]> = {
  queued: [],
  creating: ['creating'],
  uploading: ['creating', 'uploading'],
  completing: ['creating', 'uploading', 'completing'],
  uploaded: ['creating', 'uploading', 'completing', 'uploaded'],
  ready: ['creating', 'uploading', 'completing', 'uploaded', 'ready'],
  review: ['creating', 'uploading', 'completing', 'uploaded', 'review'],
  paused: ['paused'],
  waiting: ['creating', 'waiting'],
  failed: ['creating', 'failed'],
  canceled: ['canceled'],
  // A download's own states (its jobs are downloads, with a VideoId from the start).
  downloading: ['downloading'],
  verifying: ['downloading', 'verifying'],
  downloaded: ['downloading', 'verifying', 'downloaded'],
};
const DOWNLOAD_ONLY: readonly JobState[] = ['downloading', 'verifying', 'downloaded'];
const targetOf = (i: number): JobState => JOB_STATES[(i * 31) % JOB_STATES.length];

function fileNameOf(i: number): string {
  // Mixed case, and LIKE's wildcards in a few names, to test case folding and escaping.
  if (i % 97 === 0) return `Take_${i}%.MOV`;
  return i % 2 === 0 ? `clip-${i}.mp4` : `Clip-${i}.MP4`;
}

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-store-query-'));
  store = openQueueStore(path.join(dir, 'q.db'), { now: () => ++clock });
  const ids = store.insertJobs(Array.from({ length: N }, (_, i) => ({
    path: `/in/${fileNameOf(i)}`,
    fileName: fileNameOf(i),
    size: (i * 7919) % 100_003,
    mtimeMs: 0,
    priority: i % 4,
    meta: { title: i % 50 === 0 ? `Needle story ${i}` : `Title ${i}`, tags: [] },
    ...(DOWNLOAD_ONLY.includes(targetOf(i)) ? { kind: 'download' as const, videoId: `VID-${i}-needle` } : {}),
  })));
  ids.forEach((id, i) => {
    const target = targetOf(i);
    for (const step of ROUTE[target]) {
      store.transition(id, step, step === 'uploading' ? { videoId: `VID-${i}-needle` } : step === 'waiting' ? { nextAttemptAt: 5_000 + i } : {});
    }
  });
  all = store.jobsInStates(JOB_STATES);
});

afterAll(() => {
  store.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

function compare(sort: JobSortKey, desc: boolean): (a: JobRecord, b: JobRecord) => number {
  const dir = desc ? -1 : 1;
  const by = (x: number | string, y: number | string): number => (x < y ? -1 : x > y ? 1 : 0);
  switch (sort) {
    case 'priority': return (a, b) => dir * (by(a.priority, b.priority) || -by(a.id, b.id));
    case 'id': return (a, b) => dir * by(a.id, b.id);
    case 'fileName': return (a, b) => dir * (by(a.fileName.toLowerCase(), b.fileName.toLowerCase()) || by(a.id, b.id));
    case 'size': return (a, b) => dir * (by(a.size, b.size) || by(a.id, b.id));
    case 'state': return (a, b) => dir * (by(JOB_STATES.indexOf(a.state), JOB_STATES.indexOf(b.state)) || by(a.id, b.id));
    case 'updatedAt': return (a, b) => dir * (by(a.updatedAt, b.updatedAt) || by(a.id, b.id));
  }
}

function oracle(tab: QueueTab | undefined, search: string | undefined, sort: JobSortKey, desc: boolean): number[] {
  const s = search?.toLowerCase();
  return all
    .filter((r) => !tab || TAB_STATES[tab].includes(r.state))
    .filter((r) => !s || [r.meta.title, r.fileName, r.videoId ?? ''].some((f) => f.toLowerCase().includes(s)))
    .sort(compare(sort, desc))
    .map((r) => r.id);
}

describe('queryJobs', () => {
  it('has every state represented in the fixture', () => {
    expect(new Set(all.map((r) => r.state)).size).toBe(JOB_STATES.length);
    expect(all).toHaveLength(N);
  });

  const tabs: (QueueTab | undefined)[] = [undefined, 'pending', 'active', 'done', 'failed'];
  const sorts: JobSortKey[] = ['priority', 'id', 'fileName', 'size', 'state', 'updatedAt'];

  for (const tab of tabs) {
    for (const sort of sorts) {
      it(`tab ${tab ?? 'all'}, sort ${sort}, both directions, pages`, () => {
        for (const desc of [false, true]) {
          const want = oracle(tab, undefined, sort, desc);
          const first = store.queryJobs({ tab, sort, descending: desc, offset: 0, limit: 50 });
          expect(first.total).toBe(want.length);
          expect(first.rows.map((r) => r.id)).toEqual(want.slice(0, 50));
          const mid = Math.floor(want.length / 2);
          expect(store.queryJobs({ tab, sort, descending: desc, offset: mid, limit: 37 }).rows.map((r) => r.id))
            .toEqual(want.slice(mid, mid + 37));
          expect(store.queryJobs({ tab, sort, descending: desc, offset: want.length, limit: 10 }).rows).toEqual([]);
        }
      });
    }
  }

  it('defaults to run order: priority high first, then first come', () => {
    const page = store.queryJobs({ tab: 'pending', offset: 0, limit: N });
    expect(page.rows.map((r) => r.id)).toEqual(oracle('pending', undefined, 'priority', true));
    for (let i = 1; i < page.rows.length; i++) {
      const [a, b] = [page.rows[i - 1], page.rows[i]];
      expect(a.priority > b.priority || (a.priority === b.priority && a.id < b.id)).toBe(true);
    }
    expect(new Set(page.rows.map((r) => r.priority)).size).toBeGreaterThan(1);
  });

  it('pages cover the whole tab once, in order', () => {
    const want = oracle('active', undefined, 'size', true);
    const got: number[] = [];
    for (let offset = 0; offset < want.length; offset += 100) {
      got.push(...store.queryJobs({ tab: 'active', sort: 'size', descending: true, offset, limit: 100 }).rows.map((r) => r.id));
    }
    expect(got).toEqual(want);
  });

  it('searches title, file name and VideoId, case-insensitively, with wildcards taken literally', () => {
    for (const [search, tab] of [['needle', undefined], ['NEEDLE', 'done'], ['clip-12', undefined], ['VID-10', 'active'], ['_1', undefined], ['%', undefined], ['Take_9', 'pending']] as const) {
      const want = oracle(tab, search, 'id', false);
      const page = store.queryJobs({ tab, search, sort: 'id', offset: 0, limit: 5000 });
      expect(page.total, `search ${search}`).toBe(want.length);
      expect(page.rows.map((r) => r.id)).toEqual(want);
    }
    // "%" matches only names that contain a percent sign, not everything.
    const pct = store.queryJobs({ search: '%', offset: 0, limit: 5000 });
    expect(pct.total).toBeGreaterThan(0);
    expect(pct.total).toBeLessThan(N / 50);
    expect(store.queryJobs({ search: '   ', offset: 0, limit: 1 }).total).toBe(N);
    expect(store.queryJobs({ search: 'no such thing', offset: 0, limit: 10 })).toEqual({ total: 0, rows: [] });
  });

  it('returns views: bytesDone, meta, VideoId', () => {
    const [row] = store.queryJobs({ tab: 'done', offset: 0, limit: 1 }).rows;
    expect(row).toMatchObject({ state: 'ready', videoId: expect.stringMatching(/^VID-/), meta: { title: expect.any(String), tags: [] } });
    expect(typeof row.finishedAt).toBe('number');
  });

  it('refuses bad queries clearly', () => {
    expect(() => store.queryJobs({ offset: -1, limit: 10 })).toThrow(/offset must be a whole number/);
    expect(() => store.queryJobs({ offset: 0, limit: 1_000_000 })).toThrow(/at most 10000/);
    expect(() => store.queryJobs({ tab: 'archive' as never, offset: 0, limit: 1 })).toThrow(/Unknown queue tab "archive"/);
    expect(() => store.queryJobs({ sort: 'colour' as never, offset: 0, limit: 1 })).toThrow(/Unknown sort key "colour"/);
  });
});

describe('totals and state lists', () => {
  it('totals count jobs and bytes by state', () => {
    const t = store.totals();
    expect(t.jobs).toBe(N);
    for (const s of JOB_STATES) expect(t.byState[s] ?? 0, s).toBe(all.filter((r) => r.state === s).length);
    expect(t.bytesTotal).toBe(all.reduce((n, r) => n + r.size, 0));
    expect(t.bytesDone).toBe(0);
    expect(t.speed).toBe(0);
  });

  it('idsInStates and jobsInStates', () => {
    const want = all.filter((r) => r.state === 'failed' || r.state === 'paused').map((r) => r.id).sort((a, b) => a - b);
    expect(store.idsInStates(['failed', 'paused'])).toEqual(want);
    expect(store.idsInStates(['failed', 'paused'], 3)).toEqual(want.slice(0, 3));
    expect(store.idsInStates([])).toEqual([]);
    const uploading = store.jobsInStates(['uploading']);
    expect(uploading.map((r) => r.id)).toEqual(all.filter((r) => r.state === 'uploading').sort(compare('priority', true)).map((r) => r.id));
  });
});

describe('nextRunnable', () => {
  it('returns queued jobs and due waiting jobs by priority, then id', () => {
    for (const now of [0, 5_000 + 600, 1e12]) {
      const want = all.filter((r) => isRunnable(r, now)).sort(compare('priority', true)).map((r) => r.id);
      expect(store.nextRunnable(N, now).map((r) => r.id), `now=${now}`).toEqual(want);
      expect(store.nextRunnable(7, now).map((r) => r.id)).toEqual(want.slice(0, 7));
      // The scheduler's light form: the same jobs in the same order, with their kind.
      expect(store.nextRunnableKeys(N, now)).toEqual(store.nextRunnable(N, now).map((r) => ({ id: r.id, kind: r.kind })));
    }
  });

  it('honours priority and next_attempt_at on a small queue', () => {
    const d = fs.mkdtempSync(path.join(os.tmpdir(), 'vod-store-next-'));
    const s = openQueueStore(path.join(d, 'q.db'));
    try {
      const mk = (priority: number) => s.insertJobs([{ path: `/p${priority}`, fileName: 'a.mp4', size: 1, mtimeMs: 0, priority, meta: { title: 't', tags: [] } }])[0];
      const low = mk(0);
      const high = mk(10);
      const waitingSoon = mk(20);
      const waitingLater = mk(30);
      const waitingNoTime = mk(5);
      const paused = mk(99);
      s.transition(paused, 'paused');
      for (const [id, at] of [[waitingSoon, 100], [waitingLater, 200], [waitingNoTime, undefined]] as const) {
        s.transition(id, 'creating');
        s.transition(id, 'waiting', { nextAttemptAt: at });
      }
      expect(s.nextRunnable(10, 50).map((r) => r.id)).toEqual([high, waitingNoTime, low]);
      expect(s.nextRunnable(10, 100).map((r) => r.id)).toEqual([waitingSoon, high, waitingNoTime, low]);
      expect(s.nextRunnable(10, 250).map((r) => r.id)).toEqual([waitingLater, waitingSoon, high, waitingNoTime, low]);
      expect(s.nextRunnable(2, 250).map((r) => r.id)).toEqual([waitingLater, waitingSoon]);
      expect(s.nextWakeAt()).toBe(100);
      s.setPriority([low], 50);
      expect(s.nextRunnable(1, 0).map((r) => r.id)).toEqual([low]);
    } finally {
      s.close();
      fs.rmSync(d, { recursive: true, force: true });
    }
  });
});

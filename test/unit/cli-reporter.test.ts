import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createReporter } from '../../main/cli/reporter';
import type { JobState, JobView, ProgressBatch } from '../../shared/types';

// The CLI's live progress block counts the files of the command, not the queue's history.

function job(id: number, state: JobState, size: number, bytesDone = 0): JobView {
  return {
    id, kind: 'upload', path: `/in/f${id}.mp4`, fileName: `f${id}.mp4`, size, state, meta: { title: `f${id}`, tags: [] },
    bytesDone, priority: 0, attempts: 0, createdAt: 0, updatedAt: 0,
  };
}

/** A stream that says it is a terminal, so the reporter draws its progress block. */
function fakeTerminal(): { stream: NodeJS.WriteStream; text: () => string } {
  const pass = new PassThrough();
  let out = '';
  pass.on('data', (d: Buffer) => (out += d.toString()));
  Object.assign(pass, { isTTY: true, columns: 200, rows: 24 });
  return { stream: pass as unknown as NodeJS.WriteStream, text: () => out };
}

/** A queue with a long history: 40 files, 4 GB, 39 ready. */
const QUEUE_TOTALS = { jobs: 40, byState: { ready: 39, uploading: 1 }, bytesTotal: 4e9, bytesDone: 3.9e9, speed: 0 };

function batch(jobs: ProgressBatch['jobs']): ProgressBatch {
  return { at: 0, jobs, totals: { ...QUEUE_TOTALS, speed: jobs.reduce((n, j) => n + j.speed, 0) } };
}

describe('CLI progress block', () => {
  it('counts the command\'s own files: bytes in flight, done files and speed', () => {
    const term = fakeTerminal();
    const views = new Map<number, JobView>([[41, job(41, 'uploading', 1000)], [42, job(42, 'ready', 3000, 3000)]]);
    const reporter = createReporter({ json: false, stdout: new PassThrough() as unknown as NodeJS.WriteStream, stderr: term.stream, lookup: (id) => views.get(id) });
    reporter.track([...views.values()]);
    reporter.progress(batch([{ id: 41, bytesDone: 500, speed: 100 }]));
    reporter.close();
    const overall = term.text().split('\n').find((l) => l.includes('Overall'));
    // 3,000 + 500 of 4,000 bytes; one of the two files ready; not 97% of the queue's 40.
    expect(overall).toContain('Overall  88%');
    expect(overall).toContain('1 of 2 files ready');
    expect(overall).not.toContain('of 40 files');
  });

  it('follows the tracked files as they change', () => {
    const term = fakeTerminal();
    const views = new Map<number, JobView>([[41, job(41, 'uploading', 1000)]]);
    const reporter = createReporter({ json: false, stdout: new PassThrough() as unknown as NodeJS.WriteStream, stderr: term.stream, lookup: (id) => views.get(id) });
    reporter.track([...views.values()]);
    reporter.jobsChanged([job(41, 'uploaded', 1000, 1000), job(7, 'ready', 5000, 5000)]);
    reporter.progress(batch([]));
    reporter.close();
    const overall = term.text().split('\n').find((l) => l.includes('Overall'));
    // Job 7 is someone else's: it does not join this command's totals.
    expect(overall).toContain('Overall  100%');
    expect(overall).toContain('0 of 1 files ready');
  });

  it('shows the queue\'s totals when the command tracks no files', () => {
    const term = fakeTerminal();
    const reporter = createReporter({ json: false, stdout: new PassThrough() as unknown as NodeJS.WriteStream, stderr: term.stream, lookup: () => undefined });
    reporter.progress(batch([]));
    reporter.close();
    expect(term.text()).toContain('39 of 40 files ready');
  });
});

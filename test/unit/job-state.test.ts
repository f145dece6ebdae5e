import { describe, expect, it } from 'vitest';
import { JOB_STATES, TERMINAL_STATES, type JobState } from '../../shared/types';
import {
  IllegalTransitionError, JOB_KIND_STATES, JOB_TRANSITIONS, allowedTransitions, assertTransition, canTransition, isActive,
  isRunnable, isTerminal,
} from '../../main/engine/job-state';

// The whole table written out independently of the implementation: a change to the
// state machine must be made in both places on purpose.
const ALLOWED: Record<JobState, JobState[]> = {
  queued: ['creating', 'uploading', 'completing', 'uploaded', 'downloading', 'paused', 'waiting', 'failed', 'canceled'],
  creating: ['queued', 'uploading', 'paused', 'waiting', 'failed', 'canceled'],
  uploading: ['queued', 'completing', 'paused', 'waiting', 'failed', 'canceled'],
  completing: ['queued', 'uploading', 'uploaded', 'paused', 'waiting', 'failed', 'canceled'],
  uploaded: ['queued', 'ready', 'review', 'paused', 'waiting', 'failed', 'canceled'],
  ready: [],
  review: ['uploaded'],
  paused: ['queued', 'failed', 'canceled'],
  waiting: ['queued', 'creating', 'uploading', 'completing', 'uploaded', 'downloading', 'paused', 'failed', 'canceled'],
  failed: ['queued', 'canceled'],
  canceled: ['queued'],
  downloading: ['queued', 'verifying', 'paused', 'waiting', 'failed', 'canceled'],
  verifying: ['queued', 'downloaded', 'paused', 'waiting', 'failed', 'canceled'],
  downloaded: [],
};

describe('job state machine', () => {
  it('allows exactly the transitions of the table, and refuses every other pair', () => {
    for (const from of JOB_STATES) {
      for (const to of JOB_STATES) {
        const want = ALLOWED[from].includes(to);
        expect(canTransition(from, to), `${from} → ${to}`).toBe(want);
        if (want) expect(() => assertTransition(from, to)).not.toThrow();
        else expect(() => assertTransition(from, to)).toThrow(IllegalTransitionError);
      }
      expect(allowedTransitions(from).sort()).toEqual([...ALLOWED[from]].sort());
    }
  });

  it('documents a reason for every allowed transition', () => {
    for (const from of JOB_STATES) {
      for (const [to, why] of Object.entries(JOB_TRANSITIONS[from])) {
        expect(why, `${from} → ${to}`).toMatch(/\w{3,}/);
      }
    }
  });

  it('lets the operator pause, fail and cancel from every non-terminal state', () => {
    for (const s of JOB_STATES.filter((x) => !isTerminal(x))) {
      if (s !== 'paused') expect(canTransition(s, 'paused'), s).toBe(true);
      expect(canTransition(s, 'canceled'), s).toBe(true);
      expect(canTransition(s, 'failed'), s).toBe(true);
    }
  });

  it('samples refused pairs with a clear message', () => {
    const refused: [JobState, JobState][] = [
      ['ready', 'queued'], ['ready', 'uploading'], ['queued', 'ready'], ['creating', 'completing'],
      ['paused', 'uploading'], ['failed', 'uploading'], ['canceled', 'failed'], ['uploading', 'ready'],
      ['uploaded', 'uploaded'], ['queued', 'queued'], ['review', 'ready'], ['review', 'queued'], ['uploading', 'review'],
      ['waiting', 'waiting'],
    ];
    for (const [from, to] of refused) expect(canTransition(from, to), `${from} → ${to}`).toBe(false);

    const e = (() => {
      try {
        assertTransition('paused', 'uploading', 42);
      } catch (err) {
        return err as IllegalTransitionError;
      }
      throw new Error('expected a refusal');
    })();
    expect(e).toBeInstanceOf(IllegalTransitionError);
    expect(e.from).toBe('paused');
    expect(e.to).toBe('uploading');
    expect(e.jobId).toBe(42);
    expect(e.message).toContain('Job 42 cannot go from "paused" to "uploading"');
    expect(e.message).toContain('queued');
    expect(() => assertTransition('ready', 'queued')).toThrow(/"ready" is final/);
  });

  it('classifies states', () => {
    expect(JOB_STATES.filter(isTerminal).sort()).toEqual([...TERMINAL_STATES].sort());
    expect(JOB_STATES.filter(isActive).sort()).toEqual(['completing', 'creating', 'downloading', 'uploaded', 'uploading', 'verifying']);
    for (const s of JOB_STATES) expect(isActive(s) && isTerminal(s)).toBe(false);
  });

  it('isRunnable: queued always, waiting once its retry time has come, nothing else', () => {
    const now = 1_000_000;
    expect(isRunnable({ state: 'queued' }, now)).toBe(true);
    expect(isRunnable({ state: 'waiting', nextAttemptAt: now + 1 }, now)).toBe(false);
    expect(isRunnable({ state: 'waiting', nextAttemptAt: now }, now)).toBe(true);
    expect(isRunnable({ state: 'waiting', nextAttemptAt: now - 5000 }, now)).toBe(true);
    expect(isRunnable({ state: 'waiting' }, now)).toBe(true);
    for (const s of JOB_STATES.filter((x) => x !== 'queued' && x !== 'waiting')) {
      expect(isRunnable({ state: s, nextAttemptAt: 0 }, now), s).toBe(false);
    }
  });

  it('keeps each kind to its own states: an upload never downloads, a download is never polled', () => {
    expect(canTransition('queued', 'downloading', 'upload')).toBe(false);
    expect(canTransition('queued', 'creating', 'download')).toBe(false);
    expect(canTransition('waiting', 'uploaded', 'download')).toBe(false);
    expect(canTransition('queued', 'downloading', 'download')).toBe(true);
    expect(canTransition('verifying', 'downloaded', 'download')).toBe(true);
    expect(() => assertTransition('queued', 'downloading', 7, 'upload')).toThrow(/Job 7 is an upload; "downloading" is not one of its states/);
    // Every state of the machine belongs to a kind, and the shared ones to both.
    const union = new Set([...JOB_KIND_STATES.upload, ...JOB_KIND_STATES.download]);
    expect([...union].sort()).toEqual([...JOB_STATES].sort());
    for (const s of ['queued', 'paused', 'waiting', 'failed', 'canceled'] as const) {
      expect(JOB_KIND_STATES.upload.includes(s) && JOB_KIND_STATES.download.includes(s), s).toBe(true);
    }
    // Within a kind, every allowed transition goes to a state of that kind.
    for (const kind of ['upload', 'download'] as const) {
      for (const from of JOB_KIND_STATES[kind]) {
        for (const to of allowedTransitions(from, kind)) expect(JOB_KIND_STATES[kind], `${kind}: ${from} → ${to}`).toContain(to);
      }
    }
  });
});

import { describe, expect, it } from 'vitest';
import { JOB_STATES, TERMINAL_STATES, type JobState } from '../../shared/types';
import {
  IllegalTransitionError, JOB_TRANSITIONS, allowedTransitions, assertTransition, canTransition, isActive,
  isRunnable, isTerminal,
} from '../../main/engine/job-state';

// The whole table written out independently of the implementation: a change to the
// state machine must be made in both places on purpose.
const ALLOWED: Record<JobState, JobState[]> = {
  queued: ['creating', 'uploading', 'completing', 'uploaded', 'paused', 'waiting', 'failed', 'canceled'],
  creating: ['queued', 'uploading', 'paused', 'waiting', 'failed', 'canceled'],
  uploading: ['queued', 'completing', 'paused', 'waiting', 'failed', 'canceled'],
  completing: ['queued', 'uploading', 'uploaded', 'paused', 'waiting', 'failed', 'canceled'],
  uploaded: ['queued', 'ready', 'review', 'paused', 'waiting', 'failed', 'canceled'],
  ready: [],
  review: ['uploaded'],
  paused: ['queued', 'failed', 'canceled'],
  waiting: ['queued', 'creating', 'uploading', 'completing', 'uploaded', 'paused', 'failed', 'canceled'],
  failed: ['queued', 'canceled'],
  canceled: ['queued'],
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
    expect(JOB_STATES.filter(isActive).sort()).toEqual(['completing', 'creating', 'uploaded', 'uploading']);
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
});

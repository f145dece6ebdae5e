import { expect } from 'vitest';
import { EngineError } from '../../main/engine/errors';

/** The EngineError that `fn` throws; fails the test when it throws nothing or something else. */
export function thrownEngineError(fn: () => unknown): EngineError {
  try {
    fn();
  } catch (err) {
    expect(err).toBeInstanceOf(EngineError);
    return err as EngineError;
  }
  throw new Error('expected an error');
}

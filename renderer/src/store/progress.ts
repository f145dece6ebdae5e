// Transient progress (zustand "transient updates"): each batch (≤ 4/s) replaces a
// small map here; every visible row subscribes to its own entry with a selector, so
// a batch re-renders only the rows whose numbers moved, never the whole list.

import { createStore, useStore } from 'zustand';
import type { JobProgress } from '../../../shared/types';

interface ProgressState {
  byId: Record<number, JobProgress>;
}

export const progressStore = createStore<ProgressState>()(() => ({ byId: {} }));

export function applyProgress(jobs: readonly JobProgress[]): void {
  if (jobs.length === 0) return;
  const byId = { ...progressStore.getState().byId };
  for (const p of jobs) byId[p.id] = p;
  progressStore.setState({ byId });
}

/** Drops entries of jobs that stopped moving, so the map stays the size of the active set. */
export function forgetProgress(ids: readonly number[]): void {
  const cur = progressStore.getState().byId;
  if (!ids.some((id) => id in cur)) return;
  const byId = { ...cur };
  for (const id of ids) delete byId[id];
  progressStore.setState({ byId });
}

export function useJobProgress(id: number): JobProgress | undefined {
  return useStore(progressStore, (s) => s.byId[id]);
}

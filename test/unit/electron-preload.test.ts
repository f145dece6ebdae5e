// The preload with the electron module mocked: it exposes exactly the contract as
// window.vod, calls through ipcRenderer.invoke on the contract's channels, keeps
// main's error codes, and its subscriptions return working unsubscribes.

import { EventEmitter } from 'node:events';
import { describe, expect, it, vi } from 'vitest';

const exposed: Record<string, unknown> = {};
const renderer = Object.assign(new EventEmitter(), { invoke: vi.fn() });
vi.mock('electron', () => ({
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => (exposed[key] = api) },
  ipcRenderer: renderer,
  webUtils: { getPathForFile: (f: { fakePath?: string }) => f.fakePath ?? '' },
}));

await import('../../preload/preload');
const { EVENT_SUBSCRIBERS, IPC_METHODS, eventChannel } = await import('../../shared/ipc');
type VodBridge = import('../../shared/ipc').VodBridge;
const vod = exposed.vod as VodBridge;

describe('preload', () => {
  it('exposes exactly the contract under window.vod, and nothing else', () => {
    expect(Object.keys(exposed)).toEqual(['vod']);
    expect(Object.keys(vod).sort()).toEqual([...IPC_METHODS, ...Object.keys(EVENT_SUBSCRIBERS), 'pathForFile'].sort());
    expect(Object.values(vod).every((v) => typeof v === 'function')).toBe(true);
    expect(vod).not.toHaveProperty('invoke');
  });

  it('invokes the contract channel with the arguments and unwraps the reply', async () => {
    renderer.invoke.mockResolvedValueOnce({ ok: true, result: { total: 0, rows: [] } });
    await expect(vod.queryJobs({ offset: 0, limit: 50 })).resolves.toEqual({ total: 0, rows: [] });
    expect(renderer.invoke).toHaveBeenLastCalledWith('vod:queryJobs', { offset: 0, limit: 50 });
  });

  it('rejects with main\'s message and code', async () => {
    renderer.invoke.mockResolvedValueOnce({ ok: false, error: { message: 'Invalid arguments for getJob', code: 'InvalidArguments' } });
    await expect(vod.getJob(1)).rejects.toMatchObject({ message: 'Invalid arguments for getJob', code: 'InvalidArguments' });
  });

  it('delivers events without the IPC event object and unsubscribes', () => {
    const got: unknown[] = [];
    const off = vod.onJobsChanged((jobs) => got.push(jobs));
    renderer.emit(eventChannel('jobsChanged'), { sender: 'secret-ish' }, [{ id: 1 }]);
    off();
    renderer.emit(eventChannel('jobsChanged'), {}, [{ id: 2 }]);
    expect(got).toEqual([[{ id: 1 }]]);
    expect(renderer.listenerCount(eventChannel('jobsChanged'))).toBe(0);
  });

  it('gives the path of a dropped file, or null', () => {
    expect(vod.pathForFile!({ fakePath: '/videos/a.mp4' })).toBe('/videos/a.mp4');
    expect(vod.pathForFile!({})).toBeNull();
  });
});

import { describe, expect, it } from 'vitest';
import { createDispatcher } from '../../main/app/dispatch';
import { IPC_METHODS, type BridgeCalls } from '../../shared/ipc';

/** A controller that records what reaches it (the dispatcher is what is under test). */
function recordingCalls(): { calls: BridgeCalls; seen: { method: string; args: unknown[] }[] } {
  const seen: { method: string; args: unknown[] }[] = [];
  const calls = Object.fromEntries(IPC_METHODS.map((m) => [m, async (...args: unknown[]) => {
    seen.push({ method: m, args });
    return `${m}-result`;
  }])) as unknown as BridgeCalls;
  return { calls, seen };
}

describe('dispatcher', () => {
  it('passes validated arguments through and returns the result', async () => {
    const { calls, seen } = recordingCalls();
    const dispatch = createDispatcher(calls);
    await expect(dispatch('pause', [[1, 2]])).resolves.toBe('pause-result');
    await expect(dispatch('getCatalog', [])).resolves.toBe('getCatalog-result');
    await expect(dispatch('retry', [[3], { restartChanged: true }])).resolves.toBe('retry-result');
    const watch = { path: '/drop', settleSeconds: 0, title: 'Show {name}', cateId: 7, tags: ['a'], templateGroupId: 'g' };
    await expect(dispatch('addWatchFolder', [watch])).resolves.toBe('addWatchFolder-result');
    const download = { videoIds: ['0f1e2d3c4b5a69788796a5b4c3d2e1f0'], what: { source: true, streams: { definitions: ['HD'] } }, outDir: '/dl', nameTemplate: '{title}.{ext}', sidecar: true };
    await expect(dispatch('addDownloads', [download])).resolves.toBe('addDownloads-result');
    await expect(dispatch('searchLibrary', [{ title: 'news', statuses: ['Normal'], cursor: 'abc', pageSize: 100 }])).resolves.toBe('searchLibrary-result');
    expect(seen).toEqual([
      { method: 'pause', args: [[1, 2]] }, { method: 'getCatalog', args: [] }, { method: 'retry', args: [[3], { restartChanged: true }] },
      { method: 'addWatchFolder', args: [watch] }, { method: 'addDownloads', args: [download] },
      { method: 'searchLibrary', args: [{ title: 'news', statuses: ['Normal'], cursor: 'abc', pageSize: 100 }] },
    ]);
  });

  it('refuses unknown methods, including Object.prototype names', async () => {
    const { calls, seen } = recordingCalls();
    const dispatch = createDispatcher(calls);
    for (const m of ['nope', 'constructor', '__proto__', 'toString', 42]) {
      await expect(dispatch(m, [])).rejects.toMatchObject({ code: 'UnknownMethod' });
    }
    expect(seen).toEqual([]);
  });

  it('rejects bad payloads before the controller sees them, naming the method', async () => {
    const { calls, seen } = recordingCalls();
    const dispatch = createDispatcher(calls);
    const bad: [string, unknown][] = [
      ['getJob', ['1']],
      ['getJob', [-1]],
      ['pause', ['everything']],
      ['updateSettings', [{ filesInFlight: 0 }]],
      ['saveProfile', [{ name: 'x', kind: 'aliyun', accessKeyId: 'a', region: 'r', admin: true }]],
      ['scanPaths', 'not-an-array'],
      ['listProfiles', [1]],
      ['retry', [[3], { restart: true }]],
      ['retry', [[3], { restartChanged: 'yes' }]],
      ['addWatchFolder', [{ path: '/drop', settleSeconds: -1, tags: [] }]],
      ['addWatchFolder', [{ path: '/drop', settleSeconds: 30, tags: [], profileId: 'other' }]],
      ['addWatchFolder', [{ path: '', settleSeconds: 30, tags: [] }]],
      ['setWatchFolderPaused', ['id', 'yes']],
      ['removeWatchFolder', [42]],
      // The media library (issue 9): pages of at most 100, real-looking VideoIds, no empty bulk.
      ['searchLibrary', [{ pageSize: 101 }]],
      ['searchLibrary', [{ sort: 'Title:Asc' }]],
      ['getVideoDetails', [Array(101).fill('a1')]],
      ['editVideos', [[]]],
      ['editVideos', [[{ videoId: 'a1', title: 'x', status: 'Normal' }]]],
      ['deleteVideos', [['a1 OR 1=1']]],
      ['deleteVideos', [['a1'], { force: true }]],
      ['transcodeVideos', [['a1'], '']],
      ['exportVideoUrls', [['a1'], { source: true }, 'xml']],
      ['addDownloads', [{ videoIds: ['a1'], what: { source: true }, outDir: '' }]],
      ['addDownloads', [{ videoIds: ['a1'], what: { everything: true }, outDir: '/tmp' }]],
    ];
    for (const [m, args] of bad) {
      await expect(dispatch(m, args)).rejects.toMatchObject({ code: 'InvalidArguments', message: expect.stringContaining(m) });
    }
    expect(seen).toEqual([]);
  });
});

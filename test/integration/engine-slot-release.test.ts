// A request slot carries bytes (main/engine/adaptive.ts): once a part's body is all sent,
// its request only waits for the answer, and the slot passes to the next part, so the link
// does not idle for a round trip at every part's end (docs/ARCHITECTURE.md §3). Against the
// sandbox with a delayed UploadPart answer (the `partAnswerMs` fault): more parts are open
// than the adaptive level lets send (its most is MEMORY_BOUND), never more than the parts
// setting, and the object is still byte-exact. Counts, not timings. (The sandbox's own
// "receiving" count is no measure of the slots: on loopback a whole part fits in the
// kernel's socket buffer, so the client has sent it before the server has read it.)

import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../main/engine';
import { MEMORY_BOUND } from '../../main/engine/adaptive';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox } from '../../main/sandbox';
import { waitForJob } from '../fixtures/engine-wait';
import { randomFile, tempDir } from '../helpers/files';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

describe('part slots', () => {
  it('pass to the next part while a sent part waits for its answer, within the parts setting', async () => {
    const sb = await startSandbox({ transcodeMs: 100 });
    const dir = await tempDir();
    const provider = new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
    const partsInFlight = MEMORY_BOUND + 4;
    const engine = await openEngine({ dbPath: path.join(dir, 'queue.db'), providerFor: () => provider, settings: { partsInFlight, partSizeMiB: 1 } });
    cleanups.push(async () => {
      await engine.shutdown();
      await sb.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });
    sb.faults.set({ partAnswerMs: 300 });
    const file = await randomFile(dir, 'clip.mp4', 48 * MiB);

    const [job] = (await engine.addJobs([{ path: file, meta: { title: 'Slots', tags: [] } }])).added;
    const done = await waitForJob(engine, job.id, (j) => ['uploaded', 'ready', 'failed'].includes(j.state));
    expect(done.state, done.error?.message).not.toBe('failed');

    const most = sb.stats().uploadPartsMax;
    // Without the early hand-over, open requests could never exceed the slots (≤ MEMORY_BOUND).
    expect(most.open).toBeGreaterThan(MEMORY_BOUND);
    expect(most.open).toBeLessThanOrEqual(partsInFlight);
    const video = sb.video(done.videoId!)!;
    expect((await sb.readObject(video.bucket, video.objectKey))?.equals(fs.readFileSync(file))).toBe(true);
  });
});

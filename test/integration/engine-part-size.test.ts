// The part size of a new upload is chosen by the engine (main/engine/part-size.ts) when
// the operator set none, stored with the job before the upload is initiated, and kept by
// a resumed upload whatever the settings or the measured rate are then.

import Database from 'better-sqlite3';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openEngine } from '../../main/engine';
import { AUTO_MIN_PART_MIB, choosePartSizeMiB } from '../../main/engine/part-size';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { startSandbox } from '../../main/sandbox';
import { fileCrc, randomFile, tempDir } from '../helpers/files';

const MiB = 1024 * 1024;
const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  while (cleanups.length > 0) await cleanups.pop()!();
});

function stored(dbPath: string, id: number): { partSize: number | null; parts: number[] } {
  const db = new Database(dbPath, { readonly: true });
  try {
    const row = db.prepare('SELECT part_size AS partSize FROM jobs WHERE id = ?').get(id) as { partSize: number | null };
    const parts = (db.prepare('SELECT size FROM parts WHERE job_id = ? ORDER BY part_number').all(id) as { size: number }[]).map((p) => p.size);
    return { partSize: row.partSize, parts };
  } finally {
    db.close();
  }
}

describe('automatic part size', () => {
  it('is chosen before the upload is initiated, stored, and kept by the upload resumed in another run with other settings', async () => {
    const sb = await startSandbox({ transcodeMs: 100, faults: { bandwidth: 8 * MiB } });
    const dir = await tempDir();
    cleanups.push(async () => {
      await sb.close();
      await fsp.rm(dir, { recursive: true, force: true });
    });
    const provider = new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
    const dbPath = path.join(dir, 'queue.db');
    const size = 24 * MiB + 5;
    const p = await randomFile(dir, 'auto.mp4', size);

    // Automatic (partSizeMiB 0), 2 parts in flight: no rate measured yet, so the even
    // finish decides — 24 MiB / (2 × 8) rounds up to the 4 MiB floor: 7 parts.
    const first = await openEngine({ dbPath, providerFor: () => provider, settings: { partSizeMiB: 0, partsInFlight: 2 } });
    const { added } = await first.addJobs([{ path: p, meta: { title: 'auto', tags: [] } }]);
    const id = added[0].id;
    // An acknowledged part in the queue (bytesDone counts bytes sent too, and a part whose
    // body is sent but whose answer has not come is not one yet: shutdown drops it).
    await expect.poll(() => stored(dbPath, id).parts.length, { timeout: 30_000 }).toBeGreaterThan(0);
    await first.shutdown();
    const chosen = stored(dbPath, id);
    expect(chosen.partSize).toBe(AUTO_MIN_PART_MIB * MiB);
    expect(chosen.parts.length).toBeGreaterThan(0);
    for (const s of chosen.parts) expect(s).toBe(AUTO_MIN_PART_MIB * MiB);

    // The next run would choose otherwise (an explicit 1 MiB setting); the upload keeps
    // the parts it began with, and OSS's parts are reused, not sent again.
    expect(choosePartSizeMiB({ size, settingMiB: 1, level: 2 })).toBe(1);
    const before = sb.stats().requests['oss:UploadPart'] ?? 0;
    const second = await openEngine({ dbPath, providerFor: () => provider, settings: { partSizeMiB: 1, partsInFlight: 2 } });
    cleanups.push(() => second.shutdown());
    await second.whenIdle();
    const done = second.getJob(id)!;
    expect(done.state, done.error?.message).toBe('ready');
    expect(BigInt('0x' + done.crc64!)).toBe(await fileCrc(p));
    const after = stored(dbPath, id);
    expect(after.partSize).toBe(AUTO_MIN_PART_MIB * MiB);
    expect(after.parts).toEqual([...Array(6).fill(4 * MiB), size - 6 * 4 * MiB]);
    // At most the 7 parts minus those acknowledged in the first run were sent again.
    expect((sb.stats().requests['oss:UploadPart'] ?? 0) - before).toBeLessThanOrEqual(7 - chosen.parts.length);
    expect(sb.stats().createUploadVideo).toBe(1);
    expect(sb.stats().requests['oss:InitiateMultipartUpload']).toBe(1);
  });
});

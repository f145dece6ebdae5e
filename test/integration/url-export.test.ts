// writeUrlList with the real provider and sandbox: bounded concurrency, rows in the
// selection's order whatever order the answers come in, back-pressure, errors as rows.

import { PassThrough } from 'stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { URL_COLUMNS, writeUrlList } from '../../main/engine/library/url-export';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import { NO_TRANSCODE_GROUP_ID, startSandbox, type Sandbox } from '../../main/sandbox';
import type { DownloadWhat, MediaUrl } from '../../shared/library';

describe('writeUrlList', () => {
  let sb: Sandbox;
  let provider: AliyunVodProvider;
  const ids: string[] = [];

  beforeAll(async () => {
    sb = await startSandbox({ transcodeMs: 10 });
    provider = new AliyunVodProvider({ accessKeyId: sb.accessKeyId, accessKeySecret: sb.accessKeySecret, region: sb.region, endpoint: sb.url });
    for (let i = 0; i < 40; i++) ids.push((await sb.createSyntheticVideo({ size: 1000 + i, templateGroupId: NO_TRANSCODE_GROUP_ID })).videoId);
  });
  afterAll(async () => {
    await sb.close();
  });

  it('keeps at most `concurrency` videos in flight and writes rows in the selection order', async () => {
    let inFlight = 0;
    let peak = 0;
    let started = 0;
    // The real provider, counted; the later a video is asked, the sooner its answer comes.
    const port = {
      mediaUrls: async (id: string, what: DownloadWhat): Promise<MediaUrl[]> => {
        inFlight++;
        peak = Math.max(peak, inFlight);
        const n = started++;
        try {
          const urls = await provider.mediaUrls(id, what);
          await new Promise((r) => setTimeout(r, Math.max(0, 20 - (n % 5) * 5)));
          return urls;
        } finally {
          inFlight--;
        }
      },
    };
    const out = new PassThrough();
    let text = '';
    out.on('data', (c: Buffer) => { text += c.toString('utf8'); });
    const seen: string[] = [];
    const summary = await writeUrlList(port, [...ids, 'ffffffffffffffffffffffffffffffff'], {
      what: { source: true }, format: 'ndjson', concurrency: 4, onVideo: (id) => seen.push(id),
    }, out);
    expect(peak).toBe(4);
    expect(summary).toEqual({ videos: 41, urls: 40, failed: 1 });
    const rows = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(rows.map((r) => r.video_id)).toEqual([...ids, 'ffffffffffffffffffffffffffffffff']);
    expect(seen).toEqual(rows.map((r) => r.video_id));
    expect(Object.keys(rows[0])).toEqual([...URL_COLUMNS]);
    expect(rows[0]).toMatchObject({ key: 'source', kind: 'source', size_bytes: 1000, encrypted: false, error_code: null });
    expect(rows[40]).toMatchObject({ url: null, error_code: 'InvalidVideo.NotFound' });
  });

  it('waits for a slow reader (back-pressure) and still writes every row', async () => {
    const out = new PassThrough({ highWaterMark: 256 });
    const chunks: Buffer[] = [];
    const done = writeUrlList(provider, ids.slice(0, 10), { what: { source: true }, format: 'csv', concurrency: 3 }, out);
    // Nobody reads yet: the writer fills the stream to its high-water mark and must wait there.
    const deadline = Date.now() + 20_000;
    while (!out.writableNeedDrain) {
      if (Date.now() > deadline) throw new Error('the writer never filled the stream');
      await new Promise((r) => setTimeout(r, 10));
    }
    const buffered = out.writableLength;
    expect(buffered).toBeLessThan(4096);
    out.on('data', (c: Buffer) => chunks.push(c));
    const summary = await done;
    expect(summary.urls).toBe(10);
    const lines = Buffer.concat(chunks).toString('utf8').trimEnd().split('\r\n');
    expect(lines).toHaveLength(11);
    expect(lines[0]).toBe(`\uFEFF${URL_COLUMNS.join(',')}`);
  });
});

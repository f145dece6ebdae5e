// `vodup download` as an operator runs it: 20 videos (sources and two stream
// definitions), kill -9 twice at seeded points, URLs that live a second, then the same
// command again and `vodup run`. Every file ends byte-exact under its name, no job is
// added twice, and no range that was checkpointed before a kill is fetched again.

import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { openQueueStore } from '../../main/engine/store';
import { AliyunVodProvider } from '../../main/engine/vod/aliyun-provider';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, startCli, useCliSandbox, waitFor } from '../fixtures/cli-harness';

const MiB = 1024 * 1024;
const VIDEOS = 20;
const ITEMS = ['source', 'stream:HD:mp4', 'stream:SD:mp4'];

const cli = useCliSandbox('cli-download', { store: 'disk', transcodeMs: 50 });
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

/** mulberry32: the kill points follow from the printed seed, so a failure can be replayed. */
function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface StatusLine { path: string; jobId: number; videoId: string; state: string }

/** The one-byte GET that learns an object's size, ETag and CRC-64 before its ranges. */
const isProbe = (g: { start: number; end: number }): boolean => g.start === 0 && g.end === 0;

describe('vodup download', () => {
  it('survives two kill -9 and expiring URLs: 60 files byte-exact, no job twice, no checkpointed range fetched again', async () => {
    const seed = Number(process.env.DL_SEED ?? Date.now() % 100_000);
    const random = rng(seed);
    // 20 videos with synthetic sources of 0.75–1.25 MiB (one or two ranges each, as their
    // streams); the default template group makes LD, SD, HD.
    const videos = await Promise.all(Array.from({ length: VIDEOS }, (_, i) => sandbox.createSyntheticVideo({
      size: Math.floor(0.75 * MiB + random() * MiB / 2), title: `video ${String(i + 1).padStart(2, '0')}`, fileName: `take${i + 1}.mp4`,
    })));
    const ids = videos.map((v) => v.videoId);
    const provider = new AliyunVodProvider({ accessKeyId: sandbox.accessKeyId, accessKeySecret: sandbox.accessKeySecret, region: sandbox.region, endpoint: sandbox.url });
    // Wait for the transcodes (the streams exist once each video is Normal).
    for (const id of ids) {
      await expect.poll(() => sandbox.video(id)?.status, { timeout: 10_000, interval: 20 }).toBe('Normal');
    }
    // Where each item lives in the sandbox (for byte checks and the GET log): from the URLs VOD gives.
    const objectOf = new Map<string, { bucket: string; key: string }>();
    for (const id of ids) {
      for (const item of await provider.mediaUrls(id, { source: true, streams: { definitions: ['HD', 'SD'] } })) {
        const [bucket, ...key] = new URL(item.url).pathname.split('/').slice(2).map(decodeURIComponent);
        objectOf.set(`${id}/${item.key}`, { bucket, key: key.join('/') });
      }
    }
    expect(objectOf.size).toBe(VIDEOS * ITEMS.length);
    let total = 0;
    for (const o of objectOf.values()) total += sandbox.objectInfo(o.bucket, o.key)!.size;

    const out = path.join(home, 'downloads');
    const db = path.join(home, 'queue.db');
    const env = cliEnv(sandbox, home);
    const tuning = ['--part-size', '1', '--parallel', '4', '--files', '3', '--bwlimit', '20', '--db', db];
    const download = ['download', ...ids, '--what', 'source,streams:HD,streams:SD', '--out', out, '--sidecar', '--json', ...tuning];
    // URLs live a second, and the first five GETs find theirs run out for sure (a fast
    // run may otherwise finish every file inside its URL's second).
    sandbox.faults.set({ urlTtlSeconds: 1, expiredUrlGets: 5 });

    /** Which (object, offset) ranges the queue holds as checkpointed, read from the queue itself. */
    const checkpointed = (): Set<string> => {
      const store = openQueueStore(db);
      try {
        const held = new Set<string>();
        for (const j of store.queryJobs({ offset: 0, limit: 1000 }).rows) {
          const d = store.downloads.get(j.id)!;
          const o = objectOf.get(`${d.videoId}/${d.itemKey}`)!;
          for (const r of store.downloads.listRanges(j.id)) held.add(`${o.key}@${r.index * (d.rangeSize ?? MiB)}`);
        }
        return held;
      } finally {
        store.close();
      }
    };

    // Two runs killed with SIGKILL at seeded points of the transfer (printed, to replay).
    const fractions = [0.1 + random() * 0.25, 0.45 + random() * 0.25];
    console.log(`cli-download: seed ${seed} (DL_SEED), kill points at ${fractions.map((f) => `${Math.round(f * 100)}%`).join(' and ')} of ${total} bytes`);
    const marks: { at: number; held: Set<string> }[] = [];
    for (const fraction of fractions) {
      const run = startCli(download, env);
      // The kill point: this share of the bytes served, and a checkpoint more than at the last
      // kill (range checkpoints follow their group fsync, which a loaded machine delays).
      const heldBefore = marks.length > 0 ? marks[marks.length - 1].held.size : 0;
      const outcome = await waitFor(() => sandbox.stats().bytesSent >= fraction * total && checkpointed().size > heldBefore, run.child, 25);
      expect(outcome, 'the download finished before the kill point').toBe('met');
      run.child.kill('SIGKILL');
      expect((await run.result).signal).toBe('SIGKILL');
      marks.push({ at: sandbox.servedGets().length, held: checkpointed() });
      expect(marks[marks.length - 1].held.size).toBeGreaterThan(0);
    }

    // The same command continues it; nothing is added twice.
    const resumed = await runCli(download, env);
    expect(resumed.code, resumed.stderr).toBe(0);
    expect(resumed.stderr).toContain(`${VIDEOS * ITEMS.length} item(s) already in the queue`);
    expect(resumed.stderr).toContain(`Done: ${VIDEOS * ITEMS.length} file(s) downloaded.`);
    const lines = jsonLines<StatusLine>(resumed.stdout);
    expect(lines).toHaveLength(VIDEOS * ITEMS.length);
    expect(lines.every((l) => l.state === 'downloaded')).toBe(true);

    // `vodup run` finds nothing left; the same command once more fetches nothing.
    const run = await runCli(['run', '--db', db], env);
    expect(run.code, run.stderr).toBe(0);
    expect(run.stdout).toContain('Nothing to run');
    const before = sandbox.servedGets().length;
    const again = await runCli(download, env);
    expect(again.code, again.stderr).toBe(0);
    expect(sandbox.servedGets().length).toBe(before);

    const status = jsonLines<StatusLine>((await runCli(['status', '--json', '--db', db], env)).stdout);
    expect(status).toHaveLength(VIDEOS * ITEMS.length);

    // Every file byte-exact, with its sidecar; no temporary file left.
    const store = openQueueStore(db);
    try {
      for (const j of store.queryJobs({ offset: 0, limit: 1000 }).rows) {
        const d = store.downloads.get(j.id)!;
        const o = objectOf.get(`${d.videoId}/${d.itemKey}`)!;
        const want = await sandbox.readObject(o.bucket, o.key);
        expect(fs.readFileSync(j.path).equals(want!), `${j.path} (${d.itemKey})`).toBe(true);
        expect(JSON.parse(fs.readFileSync(`${j.path}.json`, 'utf8'))).toMatchObject({ videoId: d.videoId, item: d.itemKey });
      }
      // URLs ran out during the runs and were resolved again (never stored: each run asks anew).
      const renewed = store.queryJobs({ offset: 0, limit: 1000 }).rows.filter((j) => store.listEvents(j.id).some((e) => e.type === 'url-resolved'));
      expect(renewed.length).toBeGreaterThan(0);
      expect(sandbox.stats().injected.expiredUrls).toBe(5);
      expect(sandbox.faults.get().expiredUrlGets).toBe(0);
    } finally {
      store.close();
    }
    expect(fs.readdirSync(out).filter((n) => n.endsWith('.vodpart'))).toEqual([]);
    expect(fs.readdirSync(out).filter((n) => !n.endsWith('.json'))).toHaveLength(VIDEOS * ITEMS.length);
    expect(fs.existsSync(path.join(out, 'video 01.mp4'))).toBe(true);
    expect(fs.existsSync(path.join(out, 'video 01-HD.mp4'))).toBe(true);

    // Nothing checkpointed before a kill was fetched after it.
    const gets = sandbox.servedGets();
    for (const m of marks) {
      const refetched = gets.slice(m.at).filter((g) => !isProbe(g) && m.held.has(`${g.key}@${g.start}`));
      expect(refetched, 'ranges fetched again after being checkpointed').toEqual([]);
    }
    sandbox.faults.reset();
  });
});

describe('vodup download --from', () => {
  it('downloads the sources of an upload run from its results export, each verified, and says what it could not take', async () => {
    const src = path.join(home, 'from-src');
    fs.mkdirSync(src, { recursive: true });
    const files = ['one.mp4', 'two.mov'].map((n, i) => {
      const p = path.join(src, n);
      fs.writeFileSync(p, Buffer.alloc(300_000 + i, i + 1).map((b, j) => (b + j * 7) & 0xff));
      return p;
    });
    const db = path.join(home, 'from.db');
    const env = cliEnv(sandbox, home);
    const up = await runCli(['upload', ...files, '--no-probe', '--no-wait-ready', '--db', db], env);
    expect(up.code, up.stderr).toBe(0);
    const results = path.join(home, 'results.csv');
    expect((await runCli(['export', '--db', db, '--out', results], env)).code).toBe(0);
    // A results file with a row that has no VideoId (a failed upload) is fine: it is skipped.
    fs.appendFileSync(results, '99,/in/x.mp4,x.mp4,X,,failed\r\n');

    const out = path.join(home, 'from-out');
    const res = await runCli(['download', '--from', results, '--what', 'source', '--out', out, '--db', db, '--json'], env);
    expect(res.code, res.stderr).toBe(0);
    const lines = jsonLines<StatusLine>(res.stdout);
    expect(lines.map((l) => l.state)).toEqual(['downloaded', 'downloaded']);
    for (const f of files) {
      const got = path.join(out, path.basename(f, path.extname(f)) + path.extname(f));
      expect(fs.readFileSync(got).equals(fs.readFileSync(f)), got).toBe(true);
    }
    // Uploads and downloads share the queue: `vodup status` lists both kinds.
    const status = jsonLines<StatusLine>((await runCli(['status', '--json', '--db', db], env)).stdout);
    expect(status).toHaveLength(4);

    // A file that is not a results export, and a VideoId VOD does not know: exit 2, said why.
    const bad = await runCli(['download', '--from', files[0], '--what', 'source', '--out', out, '--db', db], env);
    expect(bad.code).toBe(2);
    const unknown = await runCli(['download', '0123456789abcdef0123456789abcdef', '--what', 'source', '--out', out, '--db', db], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('0123456789abcdef0123456789abcdef');
  });
});

describe('vodup download and a full disk', () => {
  it('waits out a disk that fills up mid-download, saying so, and then finishes (exit 0 only then)', async () => {
    // A real full disk: the download folder is a 4 MiB tmpfs that a filler file fills up.
    const mnt = fs.mkdtempSync(path.join(home, 'tmpfs-'));
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', mnt]);
    const filler = path.join(mnt, 'filler');
    try {
      const v = await sandbox.createSyntheticVideo({ size: 3 * MiB + 3, title: 'tight', fileName: 'tight.mp4' });
      const env = cliEnv(sandbox, home);
      const run = startCli(['download', v.videoId, '--what', 'source', '--out', path.join(mnt, 'out'),
        '--part-size', '1', '--parallel', '1', '--bwlimit', '2', '--db', path.join(home, 'full.db')], env);
      let out = '';
      run.child.stdout!.on('data', (d: Buffer) => (out += String(d)));
      const start = sandbox.stats().bytesSent;
      expect(await waitFor(() => sandbox.stats().bytesSent >= start + MiB + 1, run.child)).toBe('met');
      const fh = fs.openSync(filler, 'w');
      try {
        for (;;) fs.writeSync(fh, Buffer.alloc(64 * 1024));
      } catch (e) {
        expect((e as NodeJS.ErrnoException).code).toBe('ENOSPC');
      } finally {
        fs.closeSync(fh);
      }
      // It says what it waits for, and does not end with the download undone.
      expect(await waitFor(() => /waiting .*DiskFull: The disk holding .* is full/.test(out), run.child)).toBe('met');
      fs.rmSync(filler);
      const res = await run.result;
      expect(res.code, res.stderr).toBe(0);
      expect(out).toContain('Done: 1 file(s) downloaded.');
      const got = fs.readFileSync(path.join(mnt, 'out', 'tight.mp4'));
      expect(got.equals((await sandbox.readObject(v.bucket, v.key))!)).toBe(true);
    } finally {
      execFileSync('umount', ['-l', mnt]);
    }
  });
});

// `vodup` with VOD_PROVIDER=tencent against the sandbox's Tencent personality (the
// official tencentcloud-sdk-nodejs-vod and cos-nodejs-sdk-v5 in the CLI, a real queue):
// a 300 MB file under 5xx, resets and 10 s temporary keys arrives byte-exact, its key
// renewed through ApplyUploadUGC and never re-opened; kill -9 three times mid-upload and
// `vodup run` finishes with one FileId and no acknowledged part sent twice; when
// ApplyUploadUGC refuses, a key that runs out mid-upload is applied for again (one
// FileId); a lost CommitUpload answer leaves one FileId; a wrong key is refused; a
// VodSessionKey that runs out before CommitUpload starts over under a new ApplyUpload,
// with a `reopened` event that says why.
//
// VODUP_TENCENT_BIG_MB sets the large file's size (default 300 MB, the case).
import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import { openQueueStore } from '../../main/engine/store';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, startCli, useCliSandbox, waitFor } from '../fixtures/cli-harness';

const MiB = 1024 * 1024;
const BIG_MB = Number(process.env.VODUP_TENCENT_BIG_MB ?? 300);

const cli = useCliSandbox('cli-tencent', { store: 'disk', transcodeMs: 100 });
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

function tencentEnv(sb: Sandbox, queue: string, overrides: Record<string, string | undefined> = {}, at = home): NodeJS.ProcessEnv {
  return cliEnv(sb, at, {
    VOD_ACCESS_KEY_ID: undefined, VOD_ACCESS_KEY_SECRET: undefined, VOD_REGION: undefined,
    VODUP_HOME: path.join(at, queue),
    VOD_PROVIDER: 'tencent',
    TENCENTCLOUD_SECRET_ID: sb.tencent.secretId,
    TENCENTCLOUD_SECRET_KEY: sb.tencent.secretKey,
    TENCENTCLOUD_REGION: sb.tencent.region,
    VOD_ENDPOINT: sb.tencent.endpoint,
    ...overrides,
  });
}

/** A file of `size` random bytes written in 8 MiB slices (no 300 MB buffer in memory); answers its CRC-64. */
function writeBig(p: string, size: number): string {
  fs.mkdirSync(path.dirname(p), { recursive: true });
  const fd = fs.openSync(p, 'w');
  let crc = 0n;
  try {
    for (let at = 0; at < size; at += 8 * MiB) {
      const slice = crypto.randomBytes(Math.min(8 * MiB, size - at));
      crc = crc64(slice, crc);
      fs.writeSync(fd, slice);
    }
  } finally {
    fs.closeSync(fd);
  }
  return crc.toString(10);
}

interface StatusLine { path: string; state: string; videoId: string | null }

async function statusOf(env: NodeJS.ProcessEnv): Promise<StatusLine[]> {
  const status = await runCli(['status', '--json'], env);
  expect(status.code, status.stderr).toBe(0);
  return jsonLines<StatusLine>(status.stdout);
}

/** Acknowledged UploadPart requests per upload and part number (main/sandbox/tencent/cos-api.ts). */
function acks(sb: Sandbox): Map<string, number> {
  const out = new Map<string, number>();
  for (const [k, n] of Object.entries(sb.stats().requests)) if (k.startsWith('cos:acked:')) out.set(k.slice('cos:acked:'.length), n);
  return out;
}

describe('vodup with VOD_PROVIDER=tencent', () => {
  it(`uploads ${BIG_MB} MB under 5% 5xx, resets and 10 s temporary keys, byte-exact, one FileId, the key renewed and never re-opened`, async () => {
    const file = path.join(home, 'big', 'feature.mp4');
    const size = BIG_MB * 1_000_000 + 12_345;
    const crc = writeBig(file, size);
    const env = tencentEnv(sandbox, 'q-big');
    const before = sandbox.stats();
    // 10 s keys; a 50 MB/s cap makes the upload last at least 6 s, past the moment (half
    // the key's life, the lease's margin for short keys) the first key must be renewed.
    sandbox.faults.set({ errorRate: 0.05, resetRate: 0.05, resetAfterBytes: 256 * 1024, credentialTtlSeconds: 10, bandwidth: 50_000_000 });
    let res;
    try {
      // 2 MiB parts: ~150 part requests, so at 5 % both faults are all but certain to fire.
      res = await runCli(['upload', file, '--part-size', '2', '--parallel', '4', '--json'], env);
    } finally {
      sandbox.faults.reset();
    }
    expect(res.code, res.stderr).toBe(0);
    const after = sandbox.stats();
    const delta = (k: string) => (after.requests[k] ?? 0) - (before.requests[k] ?? 0);
    // The faults fired.
    expect(after.injected.errors + after.injected.resets).toBeGreaterThan(before.injected.errors + before.injected.resets);
    expect(after.injected.errors).toBeGreaterThan(before.injected.errors);
    // One session: ApplyUpload once, never re-opened from byte 0; its key renewed through ApplyUploadUGC.
    expect(delta('tc:ApplyUpload')).toBe(1);
    expect(delta('tc:ApplyUploadUGC:renewed')).toBeGreaterThanOrEqual(1);
    console.log(`${BIG_MB} MB: key renewed ${delta('tc:ApplyUploadUGC:renewed')} times; injected ${after.injected.errors - before.injected.errors} 5xx, ${after.injected.resets - before.injected.resets} resets`);
    // Every byte went once, plus what the resets cut and the injected 5xx refused (whole parts at most).
    expect(after.bytesReceived - before.bytesReceived).toBeLessThan(size * 2);
    const [job] = await statusOf(env);
    expect(job.state).toBe('ready');
    expect(job.videoId).toMatch(/^\d{19}$/);
    expect(await storedCrc(job.videoId!)).toEqual({ size, crc });
    expect((after.requests['tc:CommitUpload'] ?? 0) - (before.requests['tc:CommitUpload'] ?? 0)).toBeGreaterThanOrEqual(1);
  });

  it('survives kill -9 three times mid-upload: `vodup run` ends with one FileId and no acknowledged part sent twice', async () => {
    const folder = path.join(home, 'crash');
    const file = path.join(folder, 'reel.mov');
    const size = 24 * MiB + 777;
    const crc = writeBig(file, size);
    const env = tencentEnv(sandbox, 'q-crash');
    const tuning = ['--part-size', '1', '--parallel', '3'];
    const seed = Number(process.env.VODUP_KILL_SEED ?? Date.now() % 100_000);
    let rnd = seed;
    const random = (): number => {
      rnd = (rnd * 16807) % 2147483647;
      return rnd / 2147483647;
    };
    const killPoints: number[] = [];
    const appliesBefore = sandbox.stats().requests['tc:ApplyUpload'] ?? 0;
    let kills = 0;
    for (let round = 0; kills < 3; round++) {
      expect(round, 'the upload finished before three kills').toBeLessThan(6);
      const run = startCli(round === 0 ? ['upload', folder, ...tuning, '--json'] : ['run', ...tuning, '--json'], env);
      const start = sandbox.stats().bytesReceived;
      const after = Math.floor((0.5 + random() * 5) * MiB);
      const outcome = await waitFor(() => sandbox.stats().bytesReceived >= start + after, run.child);
      if (outcome !== 'met') {
        const res = await run.result;
        expect(res.code, res.stderr).toBe(0);
        continue;
      }
      run.child.kill('SIGKILL');
      expect((await run.result).signal).toBe('SIGKILL');
      kills++;
      killPoints.push(sandbox.stats().bytesReceived - start);
    }
    // The kill points, for reproducing a failure (VODUP_KILL_SEED).
    console.log(`kill -9 seed ${seed}: killed after ${killPoints.join(', ')} bytes`);

    const final = await runCli(['run', ...tuning, '--json'], env);
    expect(final.code, final.stderr).toBe(0);
    const [job] = await statusOf(env);
    expect(job.state).toBe('ready');
    // One session: ApplyUpload once (the 30-minute key outlived the kills), one FileId.
    expect((sandbox.stats().requests['tc:ApplyUpload'] ?? 0) - appliesBefore).toBe(1);
    expect(crc64(await storedObject(job.videoId!)).toString(10)).toBe(crc);
    // No part COS acknowledged was sent again.
    const counts = [...acks(sandbox).entries()];
    expect(counts.length).toBeGreaterThanOrEqual(24);
    expect(counts.filter(([, n]) => n > 1)).toEqual([]);
  });

  it('ApplyUploadUGC refuses to renew: a key that runs out mid-upload is applied for again and finishes under the new session only', async () => {
    const file = path.join(home, 'expiry', 'long.mp4');
    const size = 12 * MiB + 5;
    const crc = writeBig(file, size);
    const env = tencentEnv(sandbox, 'q-expiry');
    const applies = (): number => sandbox.stats().requests['tc:ApplyUpload'] ?? 0;
    const before = { applies: applies(), media: sandbox.tencent.mediaIds().length, commits: sandbox.stats().requests['tc:CommitUpload'] ?? 0, refused: sandbox.stats().errors['tc:ugc:10007'] ?? 0 };
    // 4 s keys on a 2 MB/s link: the first session's key runs out long before 12 MiB are
    // sent, and the client-upload endpoint will not renew it (as the real one may not).
    sandbox.faults.set({ credentialTtlSeconds: 4, bandwidth: 2_000_000 });
    sandbox.tencent.setUgcMode('refuse');
    const run = startCli(['upload', file, '--part-size', '1', '--parallel', '2', '--json'], env);
    let reopened;
    try {
      reopened = await waitFor(() => applies() >= before.applies + 2, run.child);
    } finally {
      sandbox.faults.reset();
      sandbox.tencent.setUgcMode('renew');
    }
    expect(reopened).toBe('met');
    expect((sandbox.stats().errors['tc:ugc:10007'] ?? 0) - before.refused).toBeGreaterThanOrEqual(1);
    const res = await run.result;
    expect(res.code, res.stderr).toBe(0);
    const [job] = await statusOf(env);
    expect(job.state).toBe('ready');
    expect(crc64(await storedObject(job.videoId!)).toString(10)).toBe(crc);
    // One FileId, committed once: the expired session was never committed.
    expect(sandbox.tencent.mediaIds().length - before.media).toBe(1);
    expect((sandbox.stats().requests['tc:CommitUpload'] ?? 0) - before.commits).toBe(1);
  });

  it('a lost CommitUpload answer leaves one FileId', async () => {
    const file = path.join(home, 'commit', 'short.mp4');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    const bytes = crypto.randomBytes(300_000);
    fs.writeFileSync(file, bytes);
    const env = tencentEnv(sandbox, 'q-commit');
    const before = sandbox.stats();
    const mediaBefore = sandbox.tencent.mediaIds().length;
    const run = startCli(['upload', file, '--json'], env);
    // Once the object is going to COS, ApplyUpload has answered: lose the next API answer (CommitUpload's).
    const cosOps = (): number => (sandbox.stats().requests['cos:PutObject'] ?? 0) + (sandbox.stats().requests['cos:InitiateMultipartUpload'] ?? 0);
    const cosBefore = (before.requests['cos:PutObject'] ?? 0) + (before.requests['cos:InitiateMultipartUpload'] ?? 0);
    expect(await waitFor(() => cosOps() > cosBefore, run.child)).toBe('met');
    sandbox.faults.set({ lostAnswerRate: 1 });
    try {
      expect(await waitFor(() => sandbox.stats().injected.lostAnswers > before.injected.lostAnswers, run.child)).toBe('met');
    } finally {
      sandbox.faults.reset();
    }
    const res = await run.result;
    expect(res.code, res.stderr).toBe(0);
    const [job] = await statusOf(env);
    expect(job.state).toBe('ready');
    expect((sandbox.stats().requests['tc:CommitUpload'] ?? 0) - (before.requests['tc:CommitUpload'] ?? 0)).toBeGreaterThanOrEqual(2);
    expect(sandbox.tencent.mediaIds().length - mediaBefore).toBe(1);
    expect((await storedObject(job.videoId!)).equals(bytes)).toBe(true);
  });

  it('refuses a wrong SecretKey before queueing, saying what to check', async () => {
    const file = path.join(home, 'wrong', 'x.mp4');
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, crypto.randomBytes(1000));
    const res = await runCli(['upload', file], tencentEnv(sandbox, 'q-wrong', { TENCENTCLOUD_SECRET_KEY: 'not-the-key' }));
    expect(res.code).not.toBe(0);
    expect(res.stderr).toContain('Tencent Cloud VOD refused the SecretId');
    expect(res.stderr).toContain('AuthFailure.SignatureFailure');
    expect(res.stderr).toContain('The SecretKey does not match the SecretId');
  });
});


/** The bytes COS holds for a FileId's media (its storage path, without the leading "/" the COS client drops). */
async function storedObject(fileId: string): Promise<Buffer> {
  const media = sandbox.tencent.media(fileId);
  expect(media, `no media ${fileId}`).toBeDefined();
  const bytes = await sandbox.readObject(sandbox.tencent.bucket, media!.storagePath.replace(/^\/+/, ''));
  expect(bytes, 'no object').toBeDefined();
  return bytes!;
}

/** Size and CRC-64 of a FileId's stored object, read through the sandbox's file URL in a stream (no 300 MB buffer). */
async function storedCrc(fileId: string): Promise<{ size: number; crc: string }> {
  const media = sandbox.tencent.media(fileId);
  expect(media, `no media ${fileId}`).toBeDefined();
  const key = media!.storagePath.replace(/^\/+/, '');
  const res = await fetch(`${sandbox.url}/__files/${encodeURIComponent(sandbox.tencent.bucket)}/${key.split('/').map(encodeURIComponent).join('/')}`);
  expect(res.status).toBe(200);
  let size = 0;
  let crc = 0n;
  for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
    size += chunk.length;
    crc = crc64(Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length), crc);
  }
  return { size, crc: crc.toString(10) };
}

describe('a VodSessionKey that runs out before CommitUpload (a long pause)', () => {
  // A 3 s session lifetime stands for the service's (undocumented) one.
  const paused = useCliSandbox('cli-tencent-pause', { store: 'disk', transcodeMs: 100, tencentSessionTtlSeconds: 3 });

  it('starts over with a new ApplyUpload, says why in a `reopened` event, and ends with one FileId', async () => {
    const sb = paused.sandbox;
    const at = paused.home;
    const file = path.join(at, 'slow', 'late.mp4');
    const size = 2 * MiB + 11;
    const crc = writeBig(file, size);
    const env = tencentEnv(sb, 'q-pause', {}, at);
    const applies = (): number => sb.stats().requests['tc:ApplyUpload'] ?? 0;
    // 500 kB/s: the object is complete only after its session ran out, so CommitUpload refuses it.
    sb.faults.set({ bandwidth: 500_000 });
    const run = startCli(['upload', file, '--part-size', '1', '--parallel', '2', '--json'], env);
    let second;
    try {
      second = await waitFor(() => applies() >= 2, run.child);
    } finally {
      sb.faults.reset();
    }
    expect(second).toBe('met');
    const res = await run.result;
    expect(res.code, res.stderr).toBe(0);
    expect(sb.stats().errors['tc:InvalidParameterValue.VodSessionKey']).toBeGreaterThanOrEqual(1);
    expect(sb.tencent.mediaIds()).toHaveLength(1);
    const store = openQueueStore(path.join(at, 'q-pause', 'queue.db'));
    try {
      const [job] = store.jobsInStates(['ready']);
      expect(job.videoId).toBe(sb.tencent.mediaIds()[0]);
      const reopened = store.listEvents(job.id, 10_000).filter((e) => e.type === 'reopened');
      expect(reopened.length).toBeGreaterThanOrEqual(1);
      const first = reopened[0].data as { why: string; old: { session?: { vodSessionKey?: string } } };
      expect(first.why).toMatch(/upload session expired before it was committed/);
      expect(first.old.session?.vodSessionKey).toBeTruthy();
      expect(first.old.session?.vodSessionKey).not.toBe((job.uploadSession as { vodSessionKey?: string }).vodSessionKey);
    } finally {
      store.close();
    }
    const media = sb.tencent.media(sb.tencent.mediaIds()[0])!;
    expect(crc64((await sb.readObject(sb.tencent.bucket, media.storagePath.replace(/^\/+/, '')))!).toString(10)).toBe(crc);
  });
});


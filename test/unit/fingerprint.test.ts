// Noticing a file that changes while it uploads: stamps (size, mtime, ctime, identity),
// the operator's words for each change, and the guard that re-reads sampled bytes
// when only ctime or the file's identity changed. Real files in a temp folder.
import { createHash, randomBytes } from 'node:crypto';
import { promises as fsp } from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import {
  ChangeGuard, compareStamps, fingerprint, fingerprintChange, ONE_READ_MAX_BYTES, stampFile, statFile, type FileStamp,
} from '../../main/engine/fingerprint';
import { tempDir } from '../helpers/files';

let dir: string;
beforeEach(async () => {
  dir = await tempDir('vodup-fp-');
});
afterEach(() => fsp.rm(dir, { recursive: true, force: true }));

const base: FileStamp = { size: 100, mtimeNs: 1_700_000_000_123_456_789n, ctimeNs: 1_700_000_000_123_456_789n, dev: 1n, ino: 42n };

/** Waits until the file system clock has moved past `ns` (ctime cannot be set by hand). */
async function ctimeAfter(p: string, ns: bigint): Promise<void> {
  const deadline = Date.now() + 5_000;
  while ((await stampFile(p)).ctimeNs === ns) {
    if (Date.now() > deadline) throw new Error('ctime did not move');
    await fsp.chmod(p, 0o644);
    await fsp.chmod(p, 0o600);
  }
}

describe('compareStamps', () => {
  it('calls a size or mtime change a change, with the sizes or the time', () => {
    expect(compareStamps(base, base)).toEqual({ kind: 'same' });
    expect(compareStamps(base, { ...base, size: 60 })).toEqual({ kind: 'changed', why: 'its size changed from 100 to 60 bytes' });
    expect(compareStamps(base, { ...base, mtimeNs: base.mtimeNs + 2_000_000_000n, ctimeNs: base.ctimeNs + 1n })).toEqual({
      kind: 'changed', why: 'it was modified at 2023-11-14T22:13:22.123Z (it was last modified at 2023-11-14T22:13:20.123Z when the upload started)',
    });
    // Within the same ms (a fine-grained clock): still a change.
    expect(compareStamps(base, { ...base, mtimeNs: base.mtimeNs + 1n })).toEqual({
      kind: 'changed', why: 'it was modified again at 2023-11-14T22:13:20.123Z, after the upload started',
    });
  });

  it('only suspects a ctime or identity change (chmod, rename, save-by-rename): the bytes decide', () => {
    expect(compareStamps(base, { ...base, ctimeNs: base.ctimeNs + 5n }).kind).toBe('suspect');
    expect(compareStamps(base, { ...base, ino: 43n })).toEqual({ kind: 'suspect', why: 'another file was put in its place' });
    expect(compareStamps(base, { ...base, dev: 2n }).kind).toBe('suspect');
  });
});

describe('fingerprint and stamps', () => {
  it('gives the mtime in whole ms exactly as statFile does (what the queue stores)', async () => {
    const p = path.join(dir, 'a.mp4');
    await fsp.writeFile(p, randomBytes(10));
    // A time with sub-ms digits (what a float sum can round differently from the exact ns).
    await fsp.utimes(p, 1_700_000_000.5, 1_700_000_000.123456);
    const fp = await fingerprint(p);
    expect(fp.mtimeMs).toBe((await statFile(p)).mtimeMs);
    expect(fp.size).toBe(10);
    expect(fp.stamp).toEqual(await stampFile(p));
  });

  it('says what changed between two fingerprints', () => {
    const stored = { size: 5, mtimeMs: 1_000, sampleHash: 'a' };
    expect(fingerprintChange(stored, stored)).toBeUndefined();
    expect(fingerprintChange(stored, { ...stored, size: 7 })).toBe('its size changed from 5 to 7 bytes');
    expect(fingerprintChange(stored, { ...stored, sampleHash: 'b' })).toBe('its content changed');
    expect(fingerprintChange(stored, { ...stored, mtimeMs: 2_000 })).toBe(
      'it was modified at 1970-01-01T00:00:02.000Z (it was last modified at 1970-01-01T00:00:01.000Z before)',
    );
  });
});

describe('ChangeGuard', () => {
  const SIZE = 1024 * 1024;

  /** mtime on a whole second, so a test can put it back exactly (utimes has no ns). */
  const MTIME_S = 1_700_000_000;

  async function guarded(): Promise<{ p: string; guard: ChangeGuard; bytes: Buffer }> {
    const p = path.join(dir, 'clip.mp4');
    const bytes = randomBytes(SIZE);
    await fsp.writeFile(p, bytes);
    await fsp.utimes(p, MTIME_S, MTIME_S);
    return { p, guard: new ChangeGuard(p, await fingerprint(p)), bytes };
  }

  it('passes an untouched file, with and without re-reading the samples', async () => {
    const { guard } = await guarded();
    expect(await guard.check()).toBeUndefined();
    expect(await guard.check({ samples: true })).toBeUndefined();
  });

  it('fails on bytes overwritten in the middle (same size, new mtime), and on a file that shrank or grew', async () => {
    const { p, guard } = await guarded();
    const fh = await fsp.open(p, 'r+');
    await fh.write(Buffer.from('new bytes'), 0, 9, SIZE / 2);
    await fh.close();
    await fsp.utimes(p, new Date(), new Date(Date.now() + 10_000)); // a coarse clock must not hide it
    expect(await guard.check()).toMatch(/^it was modified at /);

    const shrunk = await guarded();
    await fsp.truncate(shrunk.p, 1000);
    expect(await shrunk.guard.check()).toBe(`its size changed from ${SIZE} to 1000 bytes`);

    const grown = await guarded();
    await fsp.appendFile(grown.p, 'x');
    expect(await grown.guard.check()).toBe(`its size changed from ${SIZE} to ${SIZE + 1} bytes`);
  });

  it('fails on a touch alone (mtime): the content cannot be known without reading it all', async () => {
    const { p, guard } = await guarded();
    await fsp.utimes(p, new Date(), new Date(Date.now() + 60_000));
    expect(await guard.check()).toMatch(/^it was modified at /);
  });

  it('passes a chmod (ctime only) once the sampled bytes are the same, and does not re-read them after each part', async () => {
    const { p, guard } = await guarded();
    const before = await stampFile(p);
    await ctimeAfter(p, before.ctimeNs);
    expect(await guard.check()).toBeUndefined();
    // The new ctime is the reference now: a sampled-byte change without a new ctime is
    // not looked for by a plain check (cheap), only by { samples: true }.
    expect(await guard.check()).toBeUndefined();
  });

  it('fails on sampled bytes that changed behind a restored mtime (ctime gives it away)', async () => {
    const { p, guard, bytes } = await guarded();
    const st = await stampFile(p);
    const fh = await fsp.open(p, 'r+');
    await fh.write(Buffer.alloc(16, 0xee), 0, 16, 0); // the first sample window
    await fh.close();
    await fsp.utimes(p, MTIME_S, MTIME_S);
    await ctimeAfter(p, st.ctimeNs);
    expect((await stampFile(p)).mtimeNs).toBe(st.mtimeNs);
    expect(await guard.check()).toMatch(/^its content changed \(its status-change time \(ctime\) changed; the sampled bytes differ\)$/);
    expect(bytes.subarray(0, 16).equals(Buffer.alloc(16, 0xee))).toBe(false);
  });

  it('re-reads the samples when asked (before Complete) even when stat looks the same', async () => {
    const { p } = await guarded();
    const before = await fingerprint(p);
    const fh = await fsp.open(p, 'r+');
    await fh.write(Buffer.alloc(16, 0xee), 0, 16, SIZE - 16); // the last sample window
    await fh.close();
    await fsp.utimes(p, MTIME_S, MTIME_S);
    // As on a file system that keeps no ctime: stat now is what the guard began with.
    const guard = new ChangeGuard(p, { ...before, stamp: await stampFile(p) });
    expect(await guard.check()).toBeUndefined();
    expect(await guard.check({ samples: true })).toBe('its content changed (the sampled bytes differ)');
  });

  it('compares every byte with those being sent from memory (checkBytes), even where no sample window looks', async () => {
    const { p, bytes } = await guarded();
    const before = await fingerprint(p);
    // As on a file system that keeps no ctime: stat now is what the guard began with.
    const guard = (): ChangeGuard => new ChangeGuard(p, before);
    expect(await guard().checkBytes(bytes)).toBeUndefined();
    // Bytes that differ from the file (what a changed file read earlier would send).
    const other = Buffer.from(bytes);
    other[150 * 1024] ^= 0xff; // between the first two sample windows of 1 MiB
    expect(await guard().checkBytes(other)).toBe('its content changed (the bytes differ from those being sent)');
    // A written file: stat says so first.
    await fsp.appendFile(p, Buffer.from('x'));
    expect(await guard().checkBytes(bytes)).toMatch(/^its size changed from \d+ to \d+ bytes$/);
  });

  it('passes a file replaced by an identical copy (save-by-rename), and fails one replaced by other bytes', async () => {
    const { p, guard, bytes } = await guarded();
    const st = await stampFile(p);
    const tmp = path.join(dir, '.clip.tmp');
    await fsp.writeFile(tmp, bytes);
    await fsp.utimes(tmp, MTIME_S, MTIME_S);
    await fsp.rename(tmp, p);
    const now = await stampFile(p);
    expect(now.ino).not.toBe(st.ino);
    expect(await guard.check()).toBeUndefined();

    const other = Buffer.from(bytes);
    other.fill(1, 0, 100);
    await fsp.writeFile(tmp, other);
    await fsp.utimes(tmp, MTIME_S, MTIME_S);
    await fsp.rename(tmp, p);
    expect(await guard.check()).toMatch(/^its content changed \(another file was put in its place; the sampled bytes differ\)$/);
  });

  it('says a file that is gone is gone (ENOENT)', async () => {
    const { p, guard } = await guarded();
    await fsp.rm(p);
    await expect(guard.check()).rejects.toMatchObject({ code: 'ENOENT' });
  });
});

describe('fingerprint reads', () => {
  /** The digest as the format defines it: SHA-1 over the size, then 5 windows of 64 KiB evenly spread. */
  function reference(bytes: Buffer): string {
    const h = createHash('sha1');
    h.update(String(bytes.length));
    const W = 64 * 1024;
    const offsets = new Set<number>();
    for (let i = 0; i < 5; i++) offsets.add(Math.max(0, Math.floor(((bytes.length - W) * i) / 4)));
    for (const off of [...offsets].sort((a, b) => a - b)) h.update(bytes.subarray(off, off + Math.min(W, bytes.length)));
    return h.digest('hex');
  }

  it('gives the same digest whether the file is read in one request (small) or window by window (large)', async () => {
    // Either side of ONE_READ_MAX_BYTES, and the sizes where windows overlap or are one.
    for (const size of [0, 1, 1000, 64 * 1024, 256 * 1024, ONE_READ_MAX_BYTES, ONE_READ_MAX_BYTES + 1, 3 * 1024 * 1024 + 7]) {
      const p = path.join(dir, `f-${size}.mp4`);
      const bytes = randomBytes(size);
      await fsp.writeFile(p, bytes);
      const print = await fingerprint(p, { keep: true });
      expect([size, print.size, print.sampleHash]).toEqual([size, size, reference(bytes)]);
      // `keep` answers the bytes of a small file only: they are what its PutObject sends.
      if (size <= ONE_READ_MAX_BYTES) expect(print.data?.equals(bytes)).toBe(true);
      else expect(print.data).toBeUndefined();
      expect((await fingerprint(p)).data).toBeUndefined();
    }
  });
});

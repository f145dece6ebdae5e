// HLS packages through the real `vodup` against the sandbox: a playlist is one job
// whose segments land byte-exact under the video's ObjectPrefix before the playlist
// arrives; a kill -9 mid-package resumes with only the missing segments and one
// VideoId; a playlist with a missing segment is refused with the segment named.
import { execFileSync } from 'child_process';
import fs from 'fs';
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, startCli, useCliSandbox, waitFor, writeRandomFile } from '../fixtures/cli-harness';
// The JSON line the CLI prints per file, as the CLI declares it.
import type { FileRecord as FileLine } from '../../main/cli/reporter';

interface StatusLine { id: number; path: string; state: string; videoId: string | null; bytesDone: number; size: number }

const cli = useCliSandbox('cli-hls', { store: 'disk' });
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

const puts = (): number => sandbox.stats().requests['oss:PutObject'] ?? 0;

/** The segments' bytes as the sandbox stores them under the video's ObjectPrefix. */
async function storedUnderPrefix(videoId: string, relPaths: readonly string[]): Promise<Map<string, Buffer | undefined>> {
  const video = sandbox.video(videoId)!;
  expect(video.objectPrefix).toBe(video.objectKey.slice(0, video.objectKey.lastIndexOf('/') + 1));
  const out = new Map<string, Buffer | undefined>();
  for (const rel of relPaths) out.set(rel, await sandbox.readObject(video.bucket, video.objectPrefix + rel));
  return out;
}

describe('vodup upload of an HLS package', () => {
  it('makes one job of a folder with a playlist and its segments: segments under ObjectPrefix, playlist last, ready', async () => {
    const folder = path.join(home, 'ffmpeg-show');
    fs.mkdirSync(folder, { recursive: true });
    execFileSync('ffmpeg', ['-v', 'error', '-f', 'lavfi', '-i', 'testsrc=duration=4:size=160x120:rate=10', '-g', '10',
      '-hls_time', '1', '-hls_playlist_type', 'vod', '-hls_segment_filename', 'seg%03d.ts', 'out.m3u8'], { cwd: folder });
    const segments = fs.readdirSync(folder).filter((f) => f.endsWith('.ts')).sort();
    expect(segments.length).toBeGreaterThanOrEqual(3);
    const playlistPath = path.join(folder, 'out.m3u8');
    const playlist = fs.readFileSync(playlistPath);
    const total = segments.reduce((n, s) => n + fs.statSync(path.join(folder, s)).size, playlist.length);
    const videosBefore = sandbox.stats().createUploadVideo;
    const putsBefore = puts();

    const res = await runCli(['upload', folder, '--json'], cliEnv(sandbox, home));
    expect(res.code, res.stderr).toBe(0);
    const lines = jsonLines<FileLine>(res.stdout);
    const skipped = lines.filter((l) => l.state === 'skipped');
    expect(skipped.map((l) => path.basename(l.path)).sort()).toEqual(segments);
    expect(skipped.every((l) => l.error?.message.startsWith('Segment of out.m3u8'))).toBe(true);
    const jobs = lines.filter((l) => l.state !== 'skipped');
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ path: playlistPath, state: 'ready', size: total });
    // The job's CRC-64 is the playlist object's (the object at FileName).
    expect(jobs[0].crc64).toBe(crc64(playlist).toString(16).padStart(16, '0'));

    expect(sandbox.stats().createUploadVideo - videosBefore).toBe(1);
    expect(puts() - putsBefore).toBe(segments.length + 1);
    const video = sandbox.video(jobs[0].videoId!)!;
    expect(video.fileName).toBe('out.m3u8');
    // Every segment was in place when the playlist arrived (the sandbox checks), so it plays.
    expect(video.missingSegments).toBeUndefined();
    expect(video.status).toBe('Normal');
    expect((await sandbox.readObject(video.bucket, video.objectKey))!.equals(playlist)).toBe(true);
    for (const [rel, stored] of await storedUnderPrefix(video.videoId, segments)) {
      expect(stored?.equals(fs.readFileSync(path.join(folder, rel))), rel).toBe(true);
    }
  });

  it('keeps sub-folders, uploads a big file as multipart, and refreshes the credential between segments', async () => {
    const folder = path.join(home, 'master');
    const files = new Map<string, Buffer>([
      ['hi/init.mp4', writeRandomFile(path.join(folder, 'hi', 'init.mp4'), 2_000)],
      ['hi/seg0.m4s', writeRandomFile(path.join(folder, 'hi', 'seg0.m4s'), 150_000)],
      ['hi/seg1.m4s', writeRandomFile(path.join(folder, 'hi', 'seg1.m4s'), 3 * 1024 * 1024 + 5)],
      ['lo/seg0.m4s', writeRandomFile(path.join(folder, 'lo', 'seg0.m4s'), 90_000)],
    ]);
    fs.writeFileSync(path.join(folder, 'hi', 'index.m3u8'), '#EXTM3U\n#EXT-X-MAP:URI="init.mp4"\n#EXTINF:2,\nseg0.m4s\n#EXTINF:2,\nseg1.m4s\n#EXT-X-ENDLIST\n');
    fs.writeFileSync(path.join(folder, 'lo', 'index.m3u8'), '#EXTM3U\n#EXTINF:2,\nseg0.m4s\n#EXT-X-ENDLIST\n');
    fs.writeFileSync(path.join(folder, 'main.m3u8'), '#EXTM3U\n#EXT-X-STREAM-INF:BANDWIDTH=900000\nhi/index.m3u8\n#EXT-X-STREAM-INF:BANDWIDTH=300000\nlo/index.m3u8\n');
    for (const v of ['hi/index.m3u8', 'lo/index.m3u8']) files.set(v, fs.readFileSync(path.join(folder, ...v.split('/'))));
    // Credentials that live 2 s and a slow link: the package outlives several of them.
    sandbox.faults.set({ credentialTtlSeconds: 2, bandwidth: 2 * 1024 * 1024 });
    const refreshesBefore = sandbox.stats().requests['vod:RefreshUploadVideo'] ?? 0;
    const initiatesBefore = sandbox.stats().requests['oss:InitiateMultipartUpload'] ?? 0;
    try {
      const res = await runCli(['upload', folder, '--part-size', '1', '--parallel', '2', '--json'], cliEnv(sandbox, home));
      expect(res.code, res.stderr).toBe(0);
      const lines = jsonLines<FileLine>(res.stdout);
      expect(lines.filter((l) => l.state === 'skipped').map((l) => path.relative(folder, l.path)).sort())
        .toEqual([...files.keys()].map((k) => path.join(...k.split('/'))).sort());
      const job = lines.find((l) => l.state !== 'skipped')!;
      expect(job).toMatchObject({ path: path.join(folder, 'main.m3u8'), state: 'ready' });
      const video = sandbox.video(job.videoId!)!;
      expect(video.missingSegments).toBeUndefined();
      for (const [rel, stored] of await storedUnderPrefix(video.videoId, [...files.keys()])) {
        expect(stored?.equals(files.get(rel)!), rel).toBe(true);
      }
      // Only the 3 MiB segment needed more than one 1 MiB part.
      expect((sandbox.stats().requests['oss:InitiateMultipartUpload'] ?? 0) - initiatesBefore).toBe(1);
      expect((sandbox.stats().requests['vod:RefreshUploadVideo'] ?? 0) - refreshesBefore).toBeGreaterThan(0);
    } finally {
      sandbox.faults.reset();
    }
  });

  it('resumes after kill -9 mid-package with only the missing segments and one VideoId', async () => {
    const folder = path.join(home, 'killed');
    const SEGMENTS = 16;
    const SEG_BYTES = 48 * 1024;
    const names = Array.from({ length: SEGMENTS }, (_, i) => `part/seg${String(i).padStart(3, '0')}.ts`);
    const bytes = new Map(names.map((n) => [n, writeRandomFile(path.join(folder, ...n.split('/')), SEG_BYTES)]));
    const playlistPath = path.join(folder, 'show.m3u8');
    fs.writeFileSync(playlistPath, `#EXTM3U\n#EXT-X-TARGETDURATION:2\n${names.map((n) => `#EXTINF:2,\n${n}\n`).join('')}#EXT-X-ENDLIST\n`);
    const env = cliEnv(sandbox, home);
    const videosBefore = sandbox.stats().createUploadVideo;

    // A slow link, so the kill lands with part of the package acknowledged.
    sandbox.faults.set({ bandwidth: 256 * 1024 });
    let afterKill: StatusLine;
    let resumed: number;
    try {
      const first = startCli(['upload', playlistPath, '--parallel', '2', '--json'], env);
      const putsAtStart = puts();
      expect(await waitFor(() => puts() >= putsAtStart + 6, first.child)).toBe('met');
      first.child.kill('SIGKILL');
      expect((await first.result).signal).toBe('SIGKILL');

      const status = await runCli(['status', '--json'], env);
      afterKill = jsonLines<StatusLine>(status.stdout).find((j) => j.path === playlistPath)!;
      expect(afterKill.state).not.toBe('ready');
      // Checkpointed segments are whole ones: bytes done is a multiple of a segment.
      expect(afterKill.bytesDone % SEG_BYTES).toBe(0);
      const acknowledged = afterKill.bytesDone / SEG_BYTES;
      expect(acknowledged).toBeGreaterThan(0);
      expect(acknowledged).toBeLessThan(SEGMENTS);

      sandbox.faults.reset();
      const putsBeforeResume = puts();
      const run = await runCli(['run', '--json'], env);
      expect(run.code, run.stderr).toBe(0);
      resumed = puts() - putsBeforeResume;
      // The segments OSS had not acknowledged to the killed run, and the playlist.
      expect(resumed).toBe(SEGMENTS - acknowledged + 1);
    } finally {
      sandbox.faults.reset();
    }

    const final = jsonLines<StatusLine>((await runCli(['status', '--json'], env)).stdout).find((j) => j.path === playlistPath)!;
    expect(final.state).toBe('ready');
    expect(final.videoId).toBe(afterKill.videoId);
    expect(final.bytesDone).toBe(final.size);
    expect(sandbox.stats().createUploadVideo - videosBefore).toBe(1);
    const video = sandbox.video(final.videoId!)!;
    expect(video.missingSegments).toBeUndefined();
    expect(video.status).toBe('Normal');
    for (const [rel, stored] of await storedUnderPrefix(video.videoId, names)) {
      expect(stored?.equals(bytes.get(rel)!), rel).toBe(true);
    }
  });

  it('uploads a manifest that lists a playlist and its segments as one job; the segment rows are reported, naming the playlist\'s row', async () => {
    const folder = path.join(home, 'listed');
    const segs = ['seg000.ts', 'seg001.ts'];
    const bytes = new Map(segs.map((s) => [s, writeRandomFile(path.join(folder, s), 30_000)]));
    fs.writeFileSync(path.join(folder, 'out.m3u8'), `#EXTM3U\n${segs.map((s) => `#EXTINF:2,\n${s}\n`).join('')}#EXT-X-ENDLIST\n`);
    const manifest = path.join(folder, 'list.csv');
    fs.writeFileSync(manifest, 'path,title\nseg000.ts,First\nout.m3u8,The show\nseg001.ts,Second\n');
    const videosBefore = sandbox.stats().createUploadVideo;

    const res = await runCli(['upload', '--manifest', manifest, '--json'], cliEnv(sandbox, home));
    // Rows not taken as written are input problems (exit 2); the rest uploads.
    expect(res.code, res.stderr).toBe(2);
    const lines = jsonLines<FileLine>(res.stdout);
    const rejected = lines.filter((l) => l.state === 'rejected');
    expect(rejected.map((l) => [path.basename(l.path), l.error?.message])).toEqual([
      ['seg000.ts', `${manifest} row 1: Segment of out.m3u8 (row 2): it is uploaded with that playlist, not as a video of its own.`],
      ['seg001.ts', `${manifest} row 3: Segment of out.m3u8 (row 2): it is uploaded with that playlist, not as a video of its own.`],
    ]);
    const jobs = lines.filter((l) => l.state !== 'rejected');
    expect(jobs.map((l) => [path.basename(l.path), l.state])).toEqual([['out.m3u8', 'ready']]);
    expect(sandbox.stats().createUploadVideo - videosBefore).toBe(1);
    const video = sandbox.video(jobs[0].videoId!)!;
    expect(video.title).toBe('The show');
    expect(video.missingSegments).toBeUndefined();
    for (const [rel, stored] of await storedUnderPrefix(video.videoId, segs)) {
      expect(stored?.equals(bytes.get(rel)!), rel).toBe(true);
    }
  });

  it('refuses a playlist with a missing segment, naming it, and creates no video', async () => {
    const folder = path.join(home, 'broken');
    writeRandomFile(path.join(folder, 'seg000.ts'), 1000);
    fs.writeFileSync(path.join(folder, 'out.m3u8'), '#EXTM3U\n#EXTINF:1,\nseg000.ts\n#EXTINF:1,\nseg001.ts\n#EXT-X-ENDLIST\n');
    const videosBefore = sandbox.stats().createUploadVideo;
    const res = await runCli(['upload', path.join(folder, 'out.m3u8'), '--json'], cliEnv(sandbox, home));
    expect(res.code).toBe(2);
    const line = jsonLines<FileLine>(res.stdout).find((l) => l.path === path.join(folder, 'out.m3u8'))!;
    expect(line.state).toBe('rejected');
    expect(line.error?.message).toContain('"seg001.ts"');
    expect(line.error?.message).toContain(path.join(folder, 'seg001.ts'));
    expect(res.stderr).toContain('seg001.ts');
    expect(sandbox.stats().createUploadVideo).toBe(videosBefore);
  });
});

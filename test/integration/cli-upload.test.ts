// `vodup upload <folder>` end to end: real CLI process, real sandbox over loopback.
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, writeRandomFile, useCliSandbox } from '../fixtures/cli-harness';
// The JSON line the CLI prints per file, as the CLI declares it.
import type { FileRecord as FileLine } from '../../main/cli/reporter';


const cli = useCliSandbox('cli-upload');
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

describe('vodup upload <folder>', () => {
  it('uploads every supported file once with its metadata, skips the rest, and prints one JSON line per file', async () => {
    const folder = path.join(home, 'media');
    const sources = new Map<string, Buffer>([
      [path.join(folder, 'intro.mp4'), writeRandomFile(path.join(folder, 'intro.mp4'), 2 * 1024 * 1024 + 17)],
      [path.join(folder, 'clip two.mov'), writeRandomFile(path.join(folder, 'clip two.mov'), 300_000)],
      [path.join(folder, 'audio', 'theme.mp3'), writeRandomFile(path.join(folder, 'audio', 'theme.mp3'), 50_000)],
    ]);
    writeRandomFile(path.join(folder, 'notes.txt'), 100);

    const res = await runCli(['upload', folder, '--tags', 'news,2026', '--category', '1000004', '--part-size', '1', '--json'], cliEnv(sandbox, home));
    expect(res.stderr).not.toContain(sandbox.accessKeySecret);
    expect(res.code, res.stderr).toBe(0);

    const lines = jsonLines<FileLine>(res.stdout);
    const skipped = lines.filter((l) => l.state === 'skipped');
    expect(skipped.map((l) => path.basename(l.path))).toEqual(['notes.txt']);
    expect(skipped[0].error?.message).toMatch(/\.txt/);

    const done = lines.filter((l) => l.state !== 'skipped');
    expect(done.map((l) => l.path).sort()).toEqual([...sources.keys()].sort());
    for (const line of done) {
      expect(line.state).toBe('ready');
      expect(line.videoId).toMatch(/^[0-9a-f]{32}$/);
      expect(line.size).toBe(sources.get(line.path)!.length);
      expect(line.crc64).toBe(crc64(sources.get(line.path)!).toString(16).padStart(16, '0'));
    }

    // Exactly one video per file, with the metadata asked for.
    expect(sandbox.stats().createUploadVideo).toBe(3);
    const videos = sandbox.videos();
    expect(videos).toHaveLength(3);
    for (const line of done) {
      const video = sandbox.video(line.videoId!)!;
      expect(video.title).toBe(path.basename(line.path, path.extname(line.path)));
      expect(video.tags).toEqual(['news', '2026']);
      expect(video.cateId).toBe(1000004);
      expect(video.status).toBe('Normal');
      const stored = await sandbox.readObject(video.bucket, video.objectKey);
      expect(stored?.equals(sources.get(line.path)!)).toBe(true);
      expect(video.crc64).toBe(crc64(sources.get(line.path)!).toString(10));
    }
  });

  it('titles several files from one --title template', async () => {
    const folder = path.join(home, 'series');
    writeRandomFile(path.join(folder, 'e01.mp4'), 150_000);
    writeRandomFile(path.join(folder, 'e02.mp4'), 150_000);
    const res = await runCli(['upload', folder, '--title', 'Show {name} (HD)', '--json', '--no-wait-ready'], cliEnv(sandbox, home));
    expect(res.code, res.stderr).toBe(0);
    const titles = jsonLines<FileLine>(res.stdout).map((l) => sandbox.video(l.videoId!)!.title).sort();
    expect(titles).toEqual(['Show e01 (HD)', 'Show e02 (HD)']);
  });
});

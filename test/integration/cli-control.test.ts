// `vodup status`, `pause`, `resume`, `cancel`, `retry` on a queue, by job id.
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, writeRandomFile, useCliSandbox } from '../fixtures/cli-harness';

interface StatusLine {
  id: number;
  path: string;
  title: string;
  state: string;
  size: number;
  bytesDone: number;
  videoId: string | null;
}

const cli = useCliSandbox('cli-control');
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

async function statusOf(env: NodeJS.ProcessEnv): Promise<Map<number, StatusLine>> {
  const res = await runCli(['status', '--json'], env);
  expect(res.code, res.stderr).toBe(0);
  return new Map(jsonLines<StatusLine>(res.stdout).map((j) => [j.id, j]));
}

describe('vodup status and job control', () => {
  it('lists every job and changes state by id', async () => {
    const env = cliEnv(sandbox, home);
    const files = ['a.mp4', 'b.mp4', 'c.mp4', 'd.mp4'].map((n) => path.join(home, 'in', n));
    files.forEach((f, i) => writeRandomFile(f, 100_000 + i));

    const add = await runCli(['upload', ...files, '--hold'], env);
    expect(add.code, add.stderr).toBe(0);
    let jobs = await statusOf(env);
    expect([...jobs.values()].map((j) => [j.path, j.title, j.state, j.size])).toEqual(
      files.map((f, i) => [f, path.basename(f, '.mp4'), 'paused', 100_000 + i]),
    );
    const [a, b, c, d] = [...jobs.keys()];

    expect((await runCli(['resume', String(a), String(b), String(c)], env)).code).toBe(0);
    jobs = await statusOf(env);
    expect([a, b, c, d].map((id) => jobs.get(id)!.state)).toEqual(['queued', 'queued', 'queued', 'paused']);

    const pause = await runCli(['pause', String(b), '--json'], env);
    expect(pause.code, pause.stderr).toBe(0);
    expect(jsonLines(pause.stdout)).toEqual([{ id: b, state: 'paused', path: files[1] }]);

    expect((await runCli(['cancel', String(c)], env)).code).toBe(0);
    jobs = await statusOf(env);
    expect([a, b, c, d].map((id) => jobs.get(id)!.state)).toEqual(['queued', 'paused', 'canceled', 'paused']);

    const unknown = await runCli(['pause', '999'], env);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain('#999: no such job');
    const notAnId = await runCli(['pause', 'abc'], env);
    expect(notAnId.code).toBe(2);
    expect(notAnId.stderr).toContain('"abc" is not a job id');

    // Only the queued job uploads; paused and canceled ones stay as they are.
    const run = await runCli(['run', '--json'], env);
    expect(run.code, run.stderr).toBe(0);
    jobs = await statusOf(env);
    expect([a, b, c, d].map((id) => jobs.get(id)!.state)).toEqual(['ready', 'paused', 'canceled', 'paused']);
    expect(jobs.get(a)!.bytesDone).toBe(jobs.get(a)!.size);
    expect(sandbox.stats().createUploadVideo).toBe(1);

    // A canceled job comes back with retry.
    expect((await runCli(['retry', String(c)], env)).code).toBe(0);
    expect((await statusOf(env)).get(c)!.state).toBe('queued');

    const text = await runCli(['status'], env);
    expect(text.code).toBe(0);
    expect(text.stdout.split('\n')[0]).toBe('ID\tSTATE\tVOD\tVIDEOID\tDONE\tSIZE\tPATH\tERROR');
    expect(text.stdout).toContain('4 job(s): ');
  });
});

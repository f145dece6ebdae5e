// `--window`: outside the upload window the command says so and waits; nothing is created.
import path from 'path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { Sandbox } from '../../main/sandbox/index';
import { cliEnv, jsonLines, runCli, startCli, waitFor, writeRandomFile, useCliSandbox } from '../fixtures/cli-harness';

const cli = useCliSandbox('cli-window');
let sandbox: Sandbox;
let home: string;
beforeAll(() => {
  ({ sandbox, home } = cli);
});

const hhmm = (d: Date): string => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;

describe('vodup --window', () => {
  it('refuses a malformed window before doing anything', async () => {
    const res = await runCli(['upload', path.join(home, 'x.mp4'), '--window', '22:00'], cliEnv(sandbox, home));
    expect(res.code).toBe(2);
    expect(res.stderr).toContain('Give it as HH:MM-HH:MM (e.g. 22:00-06:00), or "any".');
  });

  it('outside the window: enqueues, says until when it waits, creates nothing, and a later run without the window uploads it', async () => {
    const file = path.join(home, 'media', 'later.mp4');
    writeRandomFile(file, 200_000);
    const closed = `${hhmm(new Date(Date.now() + 2 * 3600_000))}-${hhmm(new Date(Date.now() + 3 * 3600_000))}`;
    const env = cliEnv(sandbox, home);
    const run = startCli(['upload', file, '--window', closed], env);
    let out = '';
    run.child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
    run.child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
    expect(await waitFor(() => out.includes('Outside the transfer window: waiting until'), run.child)).toBe('met');
    run.child.kill('SIGTERM');
    expect((await run.result).code).toBe(143);
    expect(sandbox.stats().createUploadVideo).toBe(0);

    const status = jsonLines<{ state: string; path: string }>((await runCli(['status', '--json'], env)).stdout);
    expect(status.map((s) => [path.basename(s.path), s.state])).toEqual([['later.mp4', 'queued']]);
    const done = await runCli(['run'], env);
    expect(done.code, done.stderr).toBe(0);
    expect(sandbox.stats().createUploadVideo).toBe(1);
  });
});

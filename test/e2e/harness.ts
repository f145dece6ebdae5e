// Browser end-to-end harness: runs the real `vodup` (web mode on the built-in sandbox)
// as a child process and drives Debian's Chromium with playwright-core. It builds
// nothing: `npm test` runs `npm run build` first.

import { spawn, spawnSync, type ChildProcess } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import { createInterface } from 'readline';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';

const ROOT = path.resolve(__dirname, '../..');
const VODUP = path.join(ROOT, 'bin/vodup.js');
export const SCREENSHOT_DIR = path.join(ROOT, 'test-results/screenshots');

export interface Child<T> {
  info: T;
  stderr: () => string;
  stop: () => Promise<void>;
}

/** Starts `node bin/vodup.js ARGS`, resolves with the JSON of its first stdout line. */
async function startVodup<T>(args: string[]): Promise<Child<T>> {
  if (!fs.existsSync(path.join(ROOT, 'out/main/cli/index.js')) || !fs.existsSync(path.join(ROOT, 'out/renderer/index.html'))) {
    throw new Error('The build is missing: run `npm run build` before the e2e tests.');
  }
  const child: ChildProcess = spawn(process.execPath, [VODUP, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const info = await new Promise<T>((resolve, reject) => {
    const lines = createInterface({ input: child.stdout! });
    lines.once('line', (line) => {
      try {
        resolve(JSON.parse(line) as T);
      } catch {
        reject(new Error(`vodup ${args[0]} printed "${line}" instead of one JSON line. stderr: ${stderr}`));
      }
    });
    child.once('exit', (code) => reject(new Error(`vodup ${args[0]} exited with ${code} before printing its address. stderr: ${stderr}`)));
  });
  return {
    info,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

export interface Server extends Child<{ url: string }> {
  url: string;
  dataDir: string;
}

/** `vodup serve --sandbox` on a fresh data folder. */
export async function startServer(): Promise<Server> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-e2e-'));
  const child = await startVodup<{ url: string }>(['serve', '--sandbox', '--port', '0', '--data', dataDir]);
  return { ...child, url: child.info.url, dataDir };
}

export interface SandboxInfo {
  endpoint: string;
  region: string;
  accessKeyId: string;
  accessKeySecret: string;
  /** A RAM user allowed to upload but not to read the catalog (403 Forbidden.RAM). */
  uploadOnly: { accessKeyId: string; accessKeySecret: string };
}

/** A standalone `vodup sandbox` (for pointing a hand-made profile at a real endpoint). */
export async function startSandbox(): Promise<Child<SandboxInfo>> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-e2e-sandbox-'));
  return startVodup<SandboxInfo>(['sandbox', '--port', '0', '--data', dataDir]);
}

export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    args: [
      '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
      '--disable-background-networking', '--disable-component-update', '--disable-sync',
    ],
  });
}

export async function openApp(browser: Browser, url: string, locale = 'en-US'): Promise<Page> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 }, locale });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  page.on('console', (msg) => {
    if (msg.type() === 'error') problems.push(`console: ${msg.text()}`);
  });
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(url);
  await page.getByTestId('upload-view').waitFor();
  return page;
}

/** Errors the page logged (CSP violations, exceptions): a test should end with none. */
export function pageProblems(page: Page): string[] {
  return (page as Page & { problems?: string[] }).problems ?? [];
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOT_DIR, `${name}.png`) });
}

function ffmpeg(args: string[]): void {
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', ...args], { encoding: 'utf8' });
  if (r.error) throw new Error(`ffmpeg is needed for the e2e media (apt-get install ffmpeg): ${r.error.message}`);
  if (r.status !== 0) throw new Error(`ffmpeg failed: ${r.stderr}`);
}

/** A folder of small real media files (two MP4, a MOV, an MP3) and one .txt VOD must reject. */
export function makeMediaFolder(): { dir: string; media: string[]; rejected: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-e2e-media-'));
  const video = ['-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=duration=2'];
  ffmpeg([...video, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path.join(dir, 'clip-one.mp4')]);
  // Another tone: the encoders are deterministic, and two byte-identical clips are one
  // file to the duplicates check (the second would be skipped as already uploaded).
  const other = ['-f', 'lavfi', '-i', 'testsrc=duration=2:size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=660:duration=2'];
  ffmpeg([...other, '-c:v', 'libx264', '-pix_fmt', 'yuv420p', '-c:a', 'aac', '-shortest', path.join(dir, 'clip-two.mp4')]);
  ffmpeg([...video, '-c:v', 'mpeg4', '-c:a', 'aac', '-shortest', path.join(dir, 'clip-three.mov')]);
  ffmpeg(['-f', 'lavfi', '-i', 'sine=duration=2', '-c:a', 'libmp3lame', path.join(dir, 'tone.mp3')]);
  fs.writeFileSync(path.join(dir, 'notes.txt'), 'not a video');
  return { dir, media: ['clip-one.mp4', 'clip-two.mp4', 'clip-three.mov', 'tone.mp3'], rejected: 'notes.txt' };
}

export type MediaFolder = ReturnType<typeof makeMediaFolder>;

export interface AppSession {
  readonly server: Server;
  readonly browser: Browser;
  readonly page: Page;
  readonly media: MediaFolder;
}

/**
 * One `vodup serve --sandbox`, one Chromium and one page for a describe block, made in
 * its beforeAll (after `prepare` has filled the media folder) and closed in its afterAll.
 */
export function useAppSession(prepare?: (media: MediaFolder) => void): AppSession {
  const s: { server?: Server; browser?: Browser; page?: Page; media?: MediaFolder } = {};
  beforeAll(async () => {
    s.media = makeMediaFolder();
    prepare?.(s.media);
    [s.server, s.browser] = await Promise.all([startServer(), launchBrowser()]);
    s.page = await openApp(s.browser, s.server.url);
  });
  afterAll(async () => {
    await s.browser?.close();
    await s.server?.stop();
  });
  return {
    get server() { return s.server!; },
    get browser() { return s.browser!; },
    get page() { return s.page!; },
    get media() { return s.media!; },
  };
}

/** Makes the built-in Sandbox account the active one. */
export async function activateSandbox(page: Page): Promise<void> {
  await page.getByTestId('nav-profiles').click();
  const sandbox = page.locator('[data-testid="profile-row"][data-kind="sandbox"]');
  await sandbox.waitFor();
  if (await sandbox.getByTestId('profile-activate').count()) await sandbox.getByTestId('profile-activate').click();
  await sandbox.getByTestId('profile-active').waitFor();
}

// The Library view's browser tests share this: a sandbox in the test's own process (so
// the test can seed videos and read back what reached VOD), `vodup serve` with an account
// pointing at it, and Chromium on the app.

import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { startSandbox, type Sandbox } from '../../main/sandbox/index';
import { launchBrowser, openApp, startServer, type Server } from './harness';

export interface LibrarySession {
  readonly sandbox: Sandbox;
  readonly server: Server;
  readonly browser: Browser;
  readonly page: Page;
  /** A fresh folder for the test's files. */
  readonly home: string;
}

export function useLibrarySession(): LibrarySession {
  const s: { sandbox?: Sandbox; server?: Server; browser?: Browser; page?: Page; home?: string } = {};
  beforeAll(async () => {
    s.home = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-e2e-library-'));
    [s.sandbox, s.server, s.browser] = await Promise.all([
      startSandbox({ dataDir: path.join(s.home, 'sandbox'), transcodeMs: 100 }),
      startServer(),
      launchBrowser(),
    ]);
    s.page = await openApp(s.browser, s.server.url);
    await addAccount(s.page, s.sandbox);
  });
  afterAll(async () => {
    await s.browser?.close();
    await s.server?.stop();
    await s.sandbox?.close();
  });
  return {
    get sandbox() { return s.sandbox!; },
    get server() { return s.server!; },
    get browser() { return s.browser!; },
    get page() { return s.page!; },
    get home() { return s.home!; },
  };
}

/** An account named "Library" with the sandbox's key and endpoint, made active. */
async function addAccount(page: Page, sandbox: Sandbox): Promise<void> {
  await page.getByTestId('nav-profiles').click();
  await page.getByTestId('profile-new').click();
  await page.getByTestId('profile-input-name').fill('Library');
  await page.getByTestId('profile-input-akid').fill(sandbox.accessKeyId);
  await page.getByTestId('profile-input-secret').fill(sandbox.accessKeySecret);
  await page.getByTestId('profile-input-region').selectOption(sandbox.region);
  await page.getByTestId('profile-form').locator('summary').click();
  await page.getByTestId('profile-input-endpoint').fill(sandbox.url);
  await page.getByTestId('profile-save').click();
  const card = page.locator('[data-testid="profile-row"][data-profile-name="Library"]');
  await card.waitFor();
  await card.getByTestId('profile-activate').click();
  await card.getByTestId('profile-active').waitFor();
}

/** Many videos at once through the sandbox's admin API (metadata only); answers their count. */
export async function seedVideos(sandbox: Sandbox, body: Record<string, unknown>): Promise<number> {
  const res = await fetch(`${sandbox.url}/__admin/videos/seed`, { method: 'POST', body: JSON.stringify(body) });
  const answer = await res.json() as { count?: number; Message?: string };
  if (!res.ok) throw new Error(`Seeding failed: ${answer.Message ?? res.status}`);
  return answer.count ?? 0;
}

/** Opens the Library view and waits for its first answer. */
export async function openLibrary(page: Page): Promise<void> {
  await page.getByTestId('nav-library').click();
  await page.getByTestId('library-view').waitFor();
  await page.locator('[data-testid="library-total"][data-searched="true"]').waitFor();
}

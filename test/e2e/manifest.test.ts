// In a real browser against `vodup serve --sandbox`: "Import list…" with a CSV (as Excel
// saves it) picked in the web folder browser's list mode. The files are staged with the
// titles, category and tags of their rows, the edit panel shows and changes them, a bad
// row is listed with its number, and both files upload with those titles.
// Screenshot in test-results/screenshots/.

import fs from 'fs';
import path from 'path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pageProblems, screenshot, useAppSession, type MediaFolder } from './harness';

const T = 60_000;

describe('importing a file list in the browser', () => {
  const app = useAppSession((media) => {
      // Two real clips with their details, and a row whose category the account does not have.
      fs.writeFileSync(path.join(media.dir, 'list.csv'), '\uFEFFpath,title,category,tags,description\r\n'
        + 'clip-one.mp4,First episode,1000001,"news,2026",Opening night\r\n'
        + 'clip-two.mp4,Second episode,1000001,"news;sport",\r\n'
        + 'clip-three.mov,Third,Nope,,\r\n');
  });
  let page: Page;
  let media: MediaFolder;
  beforeAll(() => {
    ({ page, media } = app);
  });

  it('stages the list with its details, lists the bad row, and uploads with those titles', async () => {
    await page.getByTestId('nav-upload').click();
    await page.getByTestId('import-list').click();
    const dialog = page.getByTestId('folder-browser');
    await expect.poll(() => dialog.getAttribute('data-mode')).toBe('manifest');
    await page.getByTestId('browser-path').fill(media.dir);
    await page.getByTestId('browser-go').click();
    await expect.poll(() => page.getByTestId('browser-entry').count(), { timeout: T }).toBe(6);
    // Only the list can be chosen here.
    expect(await page.locator('[data-testid="browser-entry"][data-name="clip-one.mp4"] input').isDisabled()).toBe(true);
    expect(await page.getByTestId('browser-use-manifest').isDisabled()).toBe(true);
    await page.locator('[data-testid="browser-entry"][data-name="list.csv"] input').check();
    await page.getByTestId('browser-use-manifest').click();
    await dialog.waitFor({ state: 'detached' });

    const rows = page.getByTestId('staged-row');
    await expect.poll(() => rows.count()).toBe(2);
    const staged = () => rows.evaluateAll((els) => els.map((e) => ({
      title: (e.querySelector('[data-testid="staged-title"]') as HTMLInputElement).value,
      category: e.querySelector('[data-testid="staged-category"]')?.textContent,
      tags: e.querySelector('[data-testid="staged-tags"]')?.textContent,
    })));
    await expect.poll(staged).toEqual([
      { title: 'First episode', category: 'Movies', tags: 'news, 2026' },
      { title: 'Second episode', category: 'Movies', tags: 'news, sport' },
    ]);
    const bad = page.locator('[data-testid="rejected-row"][data-row="3"]');
    expect(await bad.getAttribute('data-path')).toBe(path.join(media.dir, 'clip-three.mov'));
    expect(await bad.textContent()).toContain('row 3: No category is named "Nope" in this account.');
    // The reason is a code with its parameters, said in the operator's language.
    await page.getByTestId('lang-switch').selectOption('zh-CN');
    await expect.poll(() => bad.textContent()).toContain('此账号中没有名为“Nope”的分类。');
    await page.getByTestId('lang-switch').selectOption('en');
    // The background probe runs for imported files as for added ones.
    await expect.poll(() => page.locator('[data-testid="staged-media"][data-probe="ok"]').count(), { timeout: T }).toBe(2);

    // The edit panel shows a row's details and can change them.
    await rows.first().getByTestId('staged-select').check();
    expect(await page.getByTestId('edit-title').inputValue()).toBe('First episode');
    expect(await page.getByTestId('edit-description').inputValue()).toBe('Opening night');
    await page.getByTestId('edit-title').fill('First episode (cut)');
    await expect.poll(() => rows.first().getByTestId('staged-title').inputValue()).toBe('First episode (cut)');
    await screenshot(page, 'manifest-staged');

    await page.getByTestId('start-upload').click();
    await page.getByTestId('queue-view').waitFor();
    await expect.poll(() => page.getByTestId('queue-count-done').textContent(), { timeout: T }).toBe('2');
    await page.getByTestId('queue-tab-done').click();
    const done = () => page.locator('[data-testid="queue-row"][data-state="ready"]')
      .evaluateAll((els) => els.map((e) => e.getAttribute('data-title')).sort());
    await expect.poll(done, { timeout: T }).toEqual(['First episode (cut)', 'Second episode']);
    expect(pageProblems(page)).toEqual([]);
  }, 2 * T);
});

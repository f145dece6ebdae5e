// In a real browser against `vodup serve --sandbox`: a folder uploaded once and added
// again is marked file by file ("Uploaded on … as VideoId …") and skipped on Start;
// "Upload again" on one row uploads that one as a new video. The marks in zh-CN too.

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateSandbox, pageProblems, screenshot, useAppSession, type MediaFolder } from './harness';

const T = 60_000;

async function addFolder(page: Page, dir: string): Promise<void> {
  await page.getByTestId('nav-upload').click();
  await page.getByTestId('add-folder').click();
  await page.getByTestId('folder-browser').waitFor();
  await page.getByTestId('browser-path').fill(dir);
  await page.getByTestId('browser-go').click();
  await expect.poll(() => page.getByTestId('browser-entry').count(), { timeout: 10_000 }).toBe(5);
  await page.getByTestId('browser-add-current').click();
}

describe('duplicates in the browser', () => {
  const app = useAppSession();
  let page: Page;
  let media: MediaFolder;
  beforeAll(() => {
    ({ page, media } = app);
  });

  it('marks and skips a re-added uploaded folder; "Upload again" uploads one', async () => {
    await activateSandbox(page);
    await addFolder(page, media.dir);
    const staged = page.getByTestId('staged-row');
    await expect.poll(() => staged.count()).toBe(media.media.length);
    await page.getByTestId('start-upload').click();
    await page.getByTestId('queue-view').waitFor();
    await expect.poll(() => page.getByTestId('queue-count-done').textContent(), { timeout: T }).toBe('4');

    // Again: every row is marked with its VideoId, and Start skips them all.
    await addFolder(page, media.dir);
    await expect.poll(() => page.locator('[data-testid="staged-row"][data-duplicate="skip"]').count(), { timeout: T }).toBe(4);
    const marks = await page.getByTestId('staged-duplicate-text').allTextContents();
    for (const m of marks) expect(m).toMatch(/^Uploaded on .+ as VideoId [0-9a-f]{32}$/);
    expect(await page.getByTestId('staged-duplicate-summary').textContent()).toBe('4 files already uploaded or queued: skipped on Start');
    await screenshot(page, 'staging-duplicates');
    await page.getByTestId('start-upload').click();
    await expect.poll(() => page.getByTestId('notice-info').allTextContents()).toEqual(
      expect.arrayContaining([expect.stringContaining('4 files skipped')]),
    );
    expect(await staged.count()).toBe(4);

    // "Upload again" on one row: only that one goes, as a new video.
    const one = staged.first();
    await one.getByTestId('staged-upload-again').click();
    await expect.poll(() => one.getAttribute('data-duplicate')).toBe('upload-again');
    await page.getByTestId('start-upload').click();
    // The three skipped stay listed (for "Upload again"); the queue has the new one.
    // (The count of skipped rows is 3 as soon as "Upload again" is pressed: wait for the row to go.)
    await expect.poll(() => staged.count()).toBe(3);
    expect(await page.locator('[data-testid="staged-row"][data-duplicate="skip"]').count()).toBe(3);
    await page.getByTestId('nav-queue').click();
    await expect.poll(() => page.getByTestId('queue-count-done').textContent(), { timeout: T }).toBe('5');

    // zh-CN: the marks of the rows still listed, in Chinese.
    await page.getByTestId('nav-upload').click();
    await page.getByTestId('lang-switch').selectOption('zh-CN');
    const zhMarks = await page.getByTestId('staged-duplicate-text').allTextContents();
    expect(zhMarks).toHaveLength(3);
    for (const m of zhMarks) expect(m).toMatch(/^已于 .+ 上传，VideoId [0-9a-f]{32}$/);
    expect(await page.getByTestId('staged-upload-again').first().textContent()).toBe('再次上传');
    expect(await page.getByTestId('staged-duplicate-summary').textContent()).toBe('3 个文件已上传或已在队列中：开始上传时跳过');
    await screenshot(page, 'staging-duplicates-zh');
    await page.getByTestId('lang-switch').selectOption('en');
    expect(pageProblems(page)).toEqual([]);
  }, 4 * T);
});

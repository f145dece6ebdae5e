// The operator's whole flow in a real browser against `vodup serve --sandbox`:
// Sandbox account → add a folder → batch catalog details → rename one → start →
// pause/resume one → all completed with VideoId and VOD status Normal. Also a held
// job that fails (its file vanished) shows its error in the Failed view, and the
// language switch. Screenshots of each view land in test-results/screenshots/.

import fs from 'fs';
import path from 'path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { pageProblems, screenshot, useAppSession, type MediaFolder } from './harness';

const T = 60_000;

describe('upload flow in the browser', () => {
  const app = useAppSession();
  let page: Page;
  let media: MediaFolder;
  beforeAll(() => {
    ({ page, media } = app);
  });


  it('uploads a folder with batch details, a renamed title and a pause/resume', async () => {
    // --- the Sandbox account is the active one --------------------------------
    await page.getByTestId('nav-profiles').click();
    const sandbox = page.locator('[data-testid="profile-row"][data-kind="sandbox"]');
    await expect.poll(() => sandbox.getByTestId('profile-name').textContent()).toBe('Sandbox (local, no account)');
    if (await sandbox.getByTestId('profile-activate').count()) await sandbox.getByTestId('profile-activate').click();
    await sandbox.getByTestId('profile-active').waitFor();
    await sandbox.getByTestId('profile-test').click();
    await expect.poll(() => sandbox.getByTestId('profile-test-result').getAttribute('data-ok'), { timeout: T }).toBe('true');
    await screenshot(page, 'profiles');

    // --- slow the transfer so queued jobs stay queued while we look at them -----
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-files').fill('1');
    await page.getByTestId('settings-bandwidth').fill('0.02');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-saved').waitFor();
    await screenshot(page, 'settings');

    // --- add the folder through the server-side browser (web mode has no dialog) ---
    await page.getByTestId('nav-upload').click();
    await page.getByTestId('add-folder').click();
    await page.getByTestId('folder-browser').waitFor();
    await page.getByTestId('browser-path').fill(media.dir);
    await page.getByTestId('browser-go').click();
    await expect.poll(() => page.getByTestId('browser-entry').count(), { timeout: 10_000 }).toBe(5);
    await screenshot(page, 'folder-browser');
    await page.getByTestId('browser-add-current').click();

    const staged = page.getByTestId('staged-row');
    await expect.poll(() => staged.count()).toBe(media.media.length);
    const rejected = page.locator(`[data-testid="rejected-row"][data-path="${path.join(media.dir, media.rejected)}"]`);
    await expect.poll(() => rejected.textContent()).toMatch(/\.txt/);
    // Titles default from the file names.
    await expect.poll(() => staged.getByTestId('staged-title').evaluateAll((els) => els.map((e) => (e as HTMLInputElement).value).sort()))
      .toEqual(['clip-one', 'clip-three', 'clip-two', 'tone']);

    // --- batch: category (third level), template group, tags for every file ----
    await page.getByTestId('staged-select-all').check();
    await expect.poll(() => page.getByTestId('edit-panel').locator('h3').textContent()).toContain('4 files');
    await page.getByTestId('category-picker').click();
    const tree = page.getByTestId('category-tree');
    await tree.locator('li', { hasText: 'Movies' }).first().getByRole('button', { name: 'Expand' }).click();
    await tree.locator('li', { hasText: 'Action' }).last().getByRole('button', { name: 'Expand' }).click();
    await tree.locator('[data-testid="category-option"]', { hasText: 'Classics' }).click();
    await expect.poll(() => page.getByTestId('category-picker').textContent()).toContain('Movies / Action / Classics');

    const template = page.getByTestId('edit-template');
    await expect.poll(() => template.locator('option:checked').textContent()).toContain('default');
    await template.selectOption({ label: 'HLS adaptive' });

    const tagField = page.getByTestId('tag-input-field');
    await tagField.fill('news');
    await tagField.press('Enter');
    await tagField.fill('2024,');
    await expect.poll(() => page.getByTestId('tag-chip').count()).toBe(2);
    // Live validation: a 33-character tag is refused inline and blocks the start.
    await tagField.fill('x'.repeat(33));
    await tagField.press('Enter');
    await page.getByTestId('tags-error').first().waitFor();
    expect(await page.getByTestId('start-upload').isDisabled()).toBe(true);
    await page.getByTestId('tag-chip').last().getByRole('button').click();
    await expect.poll(() => page.getByTestId('tags-error').count()).toBe(0);

    await expect.poll(() => staged.getByTestId('staged-tags').allTextContents()).toEqual(Array(4).fill('news, 2024'));
    await expect.poll(() => staged.getByTestId('staged-category').allTextContents())
      .toEqual(Array(4).fill('Movies / Action / Classics'));

    // --- rename one title; an empty title is an inline error that blocks Start --
    const two = page.locator(`[data-testid="staged-row"][data-path="${path.join(media.dir, 'clip-two.mp4')}"]`);
    await two.getByTestId('staged-title').fill('');
    await expect.poll(() => two.getAttribute('data-valid')).toBe('false');
    expect(await page.getByTestId('start-upload').isDisabled()).toBe(true);
    await two.getByTestId('staged-title').fill('The renamed clip 第二');
    await expect.poll(() => two.getAttribute('data-valid')).toBe('true');
    await page.getByTestId('staged-select-all').uncheck();
    await two.getByTestId('staged-select').check();
    // Every staged file was probed as real media (duration · resolution · codecs).
    await expect.poll(() => page.locator('[data-testid="staged-media"][data-probe="ok"]').count(), { timeout: T }).toBe(4);
    expect(await two.getByTestId('staged-media').textContent()).toMatch(/0:02 · 320×240/);
    await screenshot(page, 'staging');

    // --- start: the queue opens on "Uploading" -------------------------------
    await page.getByTestId('start-upload').click();
    await page.getByTestId('queue-view').waitFor();
    await expect.poll(() => page.getByTestId('queue-tab-active').getAttribute('aria-selected')).toBe('true');
    await expect.poll(() => page.locator('[data-testid="queue-row"][data-state="uploading"]').count(), { timeout: T }).toBe(1);
    await screenshot(page, 'uploading');
    // Progress moves while a part is in flight (here a whole file is one part at 20 KB/s),
    // not only when OSS acknowledges it.
    await expect.poll(() => page.getByTestId('job-progress').evaluateAll((els) =>
      els.some((e) => { const p = Number(e.getAttribute('data-percent')); return p > 0 && p < 100; })), { timeout: T }).toBe(true);

    // --- pause a job still waiting for its turn, then resume it ----------------
    await page.getByTestId('queue-tab-pending').click();
    const waitingRow = page.locator('[data-testid="queue-row"][data-state="queued"]').last();
    const pausedId = await waitingRow.getAttribute('data-job-id');
    expect(pausedId).toBeTruthy();
    const pausedRow = page.locator(`[data-testid="queue-row"][data-job-id="${pausedId}"]`);
    await pausedRow.getByTestId('row-pause').click();
    await expect.poll(() => pausedRow.getAttribute('data-state'), { timeout: T }).toBe('paused');
    await screenshot(page, 'pending-paused');
    await pausedRow.getByTestId('row-resume').click();
    await expect.poll(async () => (await pausedRow.count()) === 0 || (await pausedRow.getAttribute('data-state')) !== 'paused', { timeout: T }).toBe(true);

    // --- let the rest run at full speed -------------------------------------
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-files').fill('3');
    await page.getByTestId('settings-bandwidth').fill('0');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-saved').waitFor();
    await page.getByTestId('nav-queue').click();

    // --- every file completed, with its VideoId and VOD status Normal ----------
    await page.getByTestId('queue-tab-done').click();
    await expect.poll(() => page.getByTestId('queue-count-done').textContent(), { timeout: 2 * T }).toBe('4');
    const done = page.getByTestId('queue-row');
    await expect.poll(() => done.count(), { timeout: T }).toBe(4);
    await expect.poll(() => done.getByTestId('job-vodstatus').evaluateAll((els) => els.map((e) => e.getAttribute('data-status'))), { timeout: 2 * T })
      .toEqual(Array(4).fill('Normal'));
    const videoIds = await done.getByTestId('job-videoid').allTextContents();
    expect(videoIds).toHaveLength(4);
    expect(new Set(videoIds).size).toBe(4);
    for (const id of videoIds) expect(id).toMatch(/^[0-9a-zA-Z]{8,}$/);
    expect((await done.evaluateAll((els) => els.map((e) => e.getAttribute('data-title')))).sort())
      .toEqual(['The renamed clip 第二', 'clip-one', 'clip-three', 'tone']);
    await expect.poll(() => page.getByTestId('queue-count-failed').textContent()).toBe('0');
    // Search narrows the completed list.
    await page.getByTestId('queue-search').fill('renamed');
    await expect.poll(() => done.count()).toBe(1);
    await page.getByTestId('queue-search').fill('');
    await expect.poll(() => done.count()).toBe(4);
    await screenshot(page, 'completed');

    // The results export: a CSV that Excel reads as UTF-8, one row per file with its VideoId.
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('queue-export-csv').click()]);
    const csv = fs.readFileSync((await download.path())!, 'utf8');
    expect(csv.startsWith('\uFEFFjob_id,')).toBe(true);
    const csvLines = csv.trim().split('\r\n');
    expect(csvLines).toHaveLength(5);
    for (const id of videoIds) expect(csv).toContain(id);
    expect(csv).toContain('The renamed clip 第二');

    // --- the same view in Chinese -------------------------------------------
    await page.getByTestId('lang-switch').selectOption('zh-CN');
    await expect.poll(() => page.getByTestId('queue-tab-done').textContent()).toContain('已完成');
    await expect.poll(() => page.getByTestId('nav-upload').textContent()).toBe('添加上传文件');
    await screenshot(page, 'completed-zh');
    await page.getByTestId('lang-switch').selectOption('en');
    await expect.poll(() => page.getByTestId('queue-tab-done').textContent()).toContain('Completed');
  });

  it('shows a held job whose file vanished in the Failed view with the reason', async () => {
    const doomed = path.join(media.dir, 'gone.mp4');
    fs.copyFileSync(path.join(media.dir, 'clip-one.mp4'), doomed);
    // Other bytes than clip-one's: a plain copy of an uploaded file would be skipped as a duplicate.
    fs.appendFileSync(doomed, 'another version');
    await page.getByTestId('nav-upload').click();
    await page.getByTestId('add-files').click();
    await page.getByTestId('folder-browser').waitFor();
    await page.getByTestId('browser-path').fill(media.dir);
    await page.getByTestId('browser-go').click();
    await page.locator('[data-testid="browser-entry"][data-name="gone.mp4"] input[type=checkbox]').check();
    await page.getByTestId('browser-add-selected').click();
    await expect.poll(() => page.getByTestId('staged-row').count()).toBe(1);

    // "Add to list, paused": it waits in Pending until resumed.
    await page.getByTestId('add-paused').click();
    await expect.poll(() => page.getByTestId('queue-tab-pending').getAttribute('aria-selected')).toBe('true');
    const row = page.locator('[data-testid="queue-row"][data-title="gone"]');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: T }).toBe('paused');

    fs.rmSync(doomed);
    await row.getByTestId('queue-row-select').check();
    await page.getByTestId('queue-resume-selected').click();

    await page.getByTestId('queue-tab-failed').click();
    const failed = page.locator('[data-testid="queue-row"][data-title="gone"]');
    await expect.poll(() => failed.getAttribute('data-state'), { timeout: T }).toBe('failed');
    const error = await failed.getByTestId('job-error').textContent();
    expect(error).toMatch(/gone\.mp4|no longer|not found|missing|ENOENT/i);
    await screenshot(page, 'failed');
    expect(pageProblems(page)).toEqual([]);
  });
});

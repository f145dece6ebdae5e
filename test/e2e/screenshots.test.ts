// Every main view at 1366×768 in both languages (view-screenshots.ts), with content: an
// empty and a filled Add files page, the folder browser, the upload list and a job's
// details, the library with a video's details and its edit and download dialogs, a watch
// folder that took a file, the accounts and the settings.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { pageProblems, useAppSession } from './harness';
import { SCREEN, shootBothLanguages } from './view-screenshots';

const T = 60_000;

describe('screenshots of the main views', () => {
  const s = useAppSession();

  it('takes every view in English and Chinese', async () => {
    const { browser, server, media } = s;
    const page = await (await browser.newContext({ viewport: SCREEN })).newPage();
    await page.goto(server.url);
    await page.getByTestId('upload-view').waitFor();
    const files: string[] = [];
    const shoot = async (view: string) => files.push(...(await shootBothLanguages(page, view)));

    await shoot('upload-empty');
    await page.getByTestId('add-folder').click();
    await page.getByTestId('browser-path').fill(media.dir);
    await page.getByTestId('browser-go').click();
    await expect.poll(() => page.getByTestId('browser-entry').count(), { timeout: T }).toBe(5);
    await shoot('folder-browser');
    await page.getByTestId('browser-add-current').click();
    await expect.poll(() => page.getByTestId('staged-row').count(), { timeout: T }).toBe(media.media.length);
    // The staging list selects as the upload list does: row click, Shift range, Escape, Ctrl+A.
    const staged = page.getByTestId('staged-row');
    const selected = page.locator('[data-testid="staged-row"][aria-selected="true"]');
    await staged.nth(0).locator('.cell-file').first().click();
    await expect.poll(() => selected.count()).toBe(1);
    await staged.nth(2).locator('.cell-file').first().click({ modifiers: ['Shift'] });
    await expect.poll(() => selected.count()).toBe(3);
    await page.keyboard.press('Escape');
    await expect.poll(() => selected.count()).toBe(0);
    await page.keyboard.press('Control+A');
    await expect.poll(() => selected.count()).toBe(media.media.length);
    expect(await page.evaluate(() => window.getSelection()?.toString() ?? '')).toBe('');
    expect(await page.getByTestId('staged-select-all').isChecked()).toBe(true);
    await shoot('upload-staged');

    await page.getByTestId('start-upload').click();
    await page.getByTestId('queue-view').waitFor();
    await page.getByTestId('queue-tab-done').click();
    await expect.poll(() => page.getByTestId('queue-row').count(), { timeout: 2 * T }).toBe(media.media.length);
    // Rows and counts arrive together: no "1 uploading" in the header beside a list all Done.
    expect(await page.getByTestId('nav-active-count').count()).toBe(0);
    expect(await page.getByTestId('queue-count-done').textContent()).toBe(String(media.media.length));
    await shoot('queue-done');
    await page.getByTestId('job-title').first().click();
    await shoot('job-details');
    await page.keyboard.press('Escape');

    // The same videos in the Library, with its details drawer and its dialogs.
    await page.getByTestId('nav-library').click();
    await expect.poll(() => page.getByTestId('library-row').count(), { timeout: T }).toBe(media.media.length);
    await shoot('library');
    await page.getByTestId('library-row-title').first().click();
    await page.getByTestId('video-details-status').waitFor({ timeout: T });
    await shoot('library-details');
    // Uploaded by this app: the link opens that job in the upload list.
    const jobLink = page.getByTestId('video-details-job');
    const jobId = (await jobLink.textContent())?.match(/#(\d+)/)?.[1];
    expect(jobId).toBeTruthy();
    await jobLink.click();
    await page.locator(`[data-testid="job-details"][data-job-id="${jobId}"]`).waitFor();
    await page.keyboard.press('Escape');
    await page.getByTestId('nav-library').click();
    await page.getByTestId('library-select-matching').click();
    await page.getByTestId('library-edit').click();
    await page.getByTestId('bulk-title-mode').selectOption('template');
    await page.getByTestId('bulk-title').fill('{title} (2024)');
    await shoot('library-edit');
    await page.getByTestId('library-dialog-close').click();
    await page.getByTestId('library-download').click();
    await page.getByTestId('what-streams').check();
    await shoot('library-download');
    await page.getByTestId('library-dialog-close').click();
    await page.getByTestId('library-clear-selection').click();

    const drop = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-e2e-shots-'));
    await page.getByTestId('nav-watch').click();
    await shoot('watch-empty');
    await page.getByTestId('watch-path').fill(drop);
    await page.getByTestId('watch-settle').fill('0');
    await page.getByTestId('watch-add').click();
    fs.copyFileSync(path.join(media.dir, 'clip-two.mp4'), path.join(drop, '.clip.part'));
    fs.renameSync(path.join(drop, '.clip.part'), path.join(drop, 'clip-two.mp4'));
    await expect.poll(() => page.getByTestId('watch-take').getAttribute('data-state'), { timeout: T }).toBe('ready');
    // The header's count heard that change first: not "1 uploading" beside a file taken and Done.
    expect(await page.getByTestId('nav-active-count').count()).toBe(0);
    await shoot('watch-folders');
    await page.getByTestId('watch-browse').click();
    await page.getByTestId('folder-browser').waitFor();
    await shoot('watch-browser');
    await page.getByTestId('browser-cancel').click();

    await page.getByTestId('nav-profiles').click();
    await shoot('accounts');
    await page.getByTestId('profile-new').click();
    await shoot('account-new');
    await page.getByTestId('nav-settings').click();
    await shoot('settings');

    for (const f of files) expect(fs.statSync(f).size).toBeGreaterThan(10_000);
    expect(pageProblems(page)).toEqual([]);
  });
});

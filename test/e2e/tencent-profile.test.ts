// A Tencent Cloud VOD account in the browser: added on the Accounts page (provider
// Tencent, SecretId/SecretKey, the VOD application's SubAppId, the sandbox's endpoint), a folder uploaded with a class
// and a task flow (Procedure) picked in the details panel, and the Completed tab showing
// FileIds under the column Tencent names "FileId"; then the Library on that account lists
// them in Tencent's words and runs a task flow again on one.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageProblems, startSandbox, useAppSession, type Child, type MediaFolder, type SandboxInfo } from './harness';

const T = 20_000;

interface TencentInfo { endpoint: string; secretId: string; secretKey: string; region: string; subAppId: number }

describe('a Tencent account in the browser', () => {
  const app = useAppSession();
  let page: Page;
  let media: MediaFolder;
  let cloud: Child<SandboxInfo & { tencent: TencentInfo }>;
  beforeAll(async () => {
    ({ page, media } = app);
    cloud = await startSandbox() as Child<SandboxInfo & { tencent: TencentInfo }>;
  });
  afterAll(async () => {
    await cloud?.stop();
  });

  it('adds the account, uploads a folder with a class and a procedure, and lists FileIds in Completed', async () => {
    const tc = cloud.info.tencent;
    await page.getByTestId('nav-profiles').click();
    await page.getByTestId('profile-new').click();
    const form = page.getByTestId('profile-form');
    await form.getByTestId('profile-input-provider').selectOption('tencent');
    await expect.poll(() => form.locator('label', { has: page.getByTestId('profile-input-akid') }).textContent()).toContain('SecretId');
    await form.getByTestId('profile-input-name').fill('Tencent sandbox');
    await form.getByTestId('profile-input-akid').fill(tc.secretId);
    await form.getByTestId('profile-input-secret').fill(tc.secretKey);
    await form.getByTestId('profile-input-region').selectOption(tc.region);
    // The VOD application: a wrong one is caught in the form, the sandbox's own is saved.
    await form.getByTestId('profile-input-subappid').fill('12x');
    await form.getByTestId('profile-save').click();
    await expect.poll(() => form.textContent()).toContain('positive whole number');
    await form.getByTestId('profile-input-subappid').fill(String(tc.subAppId));
    await form.locator('summary').click();
    await form.getByTestId('profile-input-endpoint').fill(tc.endpoint);
    await form.getByTestId('profile-save').click();
    const row = page.locator('[data-testid="profile-row"][data-kind="tencent"]');
    await row.waitFor({ timeout: T });
    expect(await row.getByTestId('profile-provider').textContent()).toBe('Tencent Cloud VOD');
    expect(await row.getByTestId('profile-subappid').textContent()).toBe(String(tc.subAppId));
    if (await row.getByTestId('profile-activate').count()) await row.getByTestId('profile-activate').click();
    await row.getByTestId('profile-active').waitFor();

    await page.getByTestId('nav-upload').click();
    await page.getByTestId('add-folder').click();
    await page.getByTestId('folder-browser').waitFor();
    await page.getByTestId('browser-path').fill(media.dir);
    await page.getByTestId('browser-go').click();
    await expect.poll(() => page.getByTestId('browser-entry').count(), { timeout: 10_000 }).toBe(5);
    await page.getByTestId('browser-add-current').click();
    await expect.poll(() => page.getByTestId('staged-row').count(), { timeout: T }).toBe(4);
    await page.getByTestId('staged-select-all').check();
    // Tencent's words in the details panel: a class and a task flow.
    await expect.poll(() => page.getByTestId('edit-panel').textContent()).toContain('Task flow (Procedure)');
    await page.getByTestId('category-picker').click();
    const tree = page.getByTestId('category-tree');
    await tree.locator('li', { hasText: 'Films' }).first().getByRole('button', { name: 'Expand' }).click();
    await tree.locator('[data-testid="category-option"]', { hasText: 'Features' }).click();
    await expect.poll(() => page.getByTestId('category-picker').textContent()).toContain('Features');
    await page.getByTestId('edit-template').selectOption({ label: 'HD-H264' });
    await page.getByTestId('start-upload').click();

    await page.getByTestId('queue-view').waitFor();
    await page.getByTestId('queue-tab-done').click();
    await expect.poll(() => page.getByTestId('queue-count-done').textContent(), { timeout: 2 * T }).toBe('4');
    const done = page.getByTestId('queue-row');
    await expect.poll(() => done.getByTestId('job-videoid').count(), { timeout: T }).toBe(4);
    const fileIds = await done.getByTestId('job-videoid').allTextContents();
    expect(fileIds).toHaveLength(4);
    for (const id of fileIds) expect(id).toMatch(/^\d{19}$/);
    expect(new Set(fileIds).size).toBe(4);
    await expect.poll(() => page.getByTestId('queue-view').textContent()).toContain('FileId');

    // The Library on the Tencent account: the uploaded media in Tencent's words, and a task flow run again on one.
    await page.getByTestId('nav-library').click();
    await page.getByTestId('library-view').waitFor();
    await page.locator('[data-testid="library-total"][data-searched="true"]').waitFor({ timeout: T });
    await expect.poll(() => page.getByTestId('library-row').count(), { timeout: T }).toBe(4);
    const listed = await page.getByTestId('library-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-video-id')));
    expect(new Set(listed)).toEqual(new Set(fileIds));
    await expect.poll(() => page.getByTestId('library-view').textContent()).toContain('Class');
    // Tencent's SearchMedia filters Normal and blocked media only: the status filter offers those two.
    await page.getByTestId('library-filter-status').locator('summary').click();
    expect(await page.locator('[data-testid^="library-status-"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-testid')))).toEqual(['library-status-Normal', 'library-status-Blocked']);
    await page.keyboard.press('Escape');
    await page.getByTestId('library-row-select').first().click();
    await page.getByTestId('library-transcode').click();
    const dialog = page.getByTestId('library-dialog-transcode');
    await expect.poll(() => dialog.textContent()).toContain('Run a task flow again on 1 media');
    expect(await dialog.textContent()).toContain('Task flow (Procedure)');
    await dialog.getByTestId('transcode-group').selectOption('SnapshotOnly');
    await dialog.getByTestId('transcode-confirm').click();
    await expect.poll(() => page.getByTestId('library-results').getAttribute('data-ok'), { timeout: T }).toBe('1');
    expect(pageProblems(page)).toEqual([]);
  });
});

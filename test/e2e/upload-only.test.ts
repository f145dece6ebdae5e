// A RAM user allowed to upload only, in the browser: the edit panel says which lists the
// account may not read and takes their ids typed by hand, and Start is not blocked.
// Against a standalone `vodup sandbox` (its upload-only key pair) reached through a
// hand-made account in `vodup serve`; what reached VOD is read back with the full key.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_TEMPLATE_GROUP_ID } from '../../main/sandbox/catalog';
import { VodClient } from '../../main/engine/vod/vod-client';
import {
  launchBrowser, makeMediaFolder, openApp, pageProblems, screenshot, startSandbox, startServer, type Child,
  type MediaFolder, type SandboxInfo, type Server,
} from './harness';

const T = 60_000;

type UploadOnlySandbox = SandboxInfo & { uploadOnly: { accessKeyId: string; accessKeySecret: string } };

describe('an upload-only account in the browser', () => {
  let server: Server;
  let sandbox: Child<UploadOnlySandbox>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;
  let page: Page;
  let media: MediaFolder;

  beforeAll(async () => {
    media = makeMediaFolder();
    let plain: Child<SandboxInfo>;
    [server, plain, browser] = await Promise.all([startServer(), startSandbox(), launchBrowser()]);
    sandbox = plain as Child<UploadOnlySandbox>;
    page = await openApp(browser, server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([server?.stop(), sandbox?.stop()]);
  });

  it('types category and template group ids by hand and uploads', async () => {
    const info = sandbox.info;
    expect(info.uploadOnly.accessKeyId).toMatch(/^LTAI/);

    // --- an account with the upload-only key, made active ----------------------
    await page.getByTestId('nav-profiles').click();
    await page.getByTestId('profile-new').click();
    await page.getByTestId('profile-input-name').fill('Uploader');
    await page.getByTestId('profile-input-akid').fill(info.uploadOnly.accessKeyId);
    await page.getByTestId('profile-input-secret').fill(info.uploadOnly.accessKeySecret);
    await page.getByTestId('profile-input-region').selectOption(info.region);
    await page.getByTestId('profile-form').locator('summary').click();
    await page.getByTestId('profile-input-endpoint').fill(info.endpoint);
    await page.getByTestId('profile-save').click();
    const card = page.locator('[data-testid="profile-row"][data-profile-name="Uploader"]');
    await card.waitFor();
    await card.getByTestId('profile-activate').click();
    await card.getByTestId('profile-active').waitFor();

    // --- stage the folder ---------------------------------------------------------
    await page.getByTestId('nav-upload').click();
    await page.getByTestId('add-folder').click();
    await page.getByTestId('folder-browser').waitFor();
    await page.getByTestId('browser-path').fill(media.dir);
    await page.getByTestId('browser-go').click();
    await expect.poll(() => page.getByTestId('browser-entry').count(), { timeout: 10_000 }).toBe(5);
    await page.getByTestId('browser-add-current').click();
    const staged = page.getByTestId('staged-row');
    await expect.poll(() => staged.count()).toBe(media.media.length);

    // --- the lists it may not read are typed, with the service's reason -----------
    await page.getByTestId('staged-select-all').check();
    const category = page.getByTestId('edit-category-id');
    await category.waitFor();
    expect(await page.getByTestId('category-picker').count()).toBe(0);
    expect(await page.getByTestId('refused-categories').textContent()).toMatch(/may not list categories \(Forbidden\.RAM\)\. Uploads still work/);
    expect(await page.getByTestId('refused-templateGroups').textContent()).toContain('Forbidden.RAM');
    expect(await page.getByTestId('edit-template').count()).toBe(0);
    expect(await page.getByTestId('catalog-error').count()).toBe(0);

    await category.fill('10x00003');
    await expect.poll(() => category.inputValue()).toBe('1000003');
    await page.getByTestId('edit-template-id').fill(` ${DEFAULT_TEMPLATE_GROUP_ID} `);
    await expect.poll(() => staged.getByTestId('staged-category').allTextContents()).toEqual(Array(media.media.length).fill('#1000003'));
    await screenshot(page, 'edit-panel-upload-only');

    // --- Start is not blocked; every file goes up with the typed ids ---------------
    await expect.poll(() => page.getByTestId('start-upload').isDisabled()).toBe(false);
    await page.getByTestId('start-upload').click();
    await page.getByTestId('queue-view').waitFor();
    await expect.poll(() => page.getByTestId('queue-count-done').textContent(), { timeout: T }).toBe(String(media.media.length));
    await page.getByTestId('queue-tab-done').click();
    const readyRows = page.locator('[data-testid="queue-row"][data-state="ready"]');
    await expect.poll(() => readyRows.count(), { timeout: T }).toBe(media.media.length);
    const ids = await readyRows.getByTestId('job-videoid').allTextContents();
    expect(ids).toHaveLength(media.media.length);

    const vod = new VodClient({ credentials: { accessKeyId: info.accessKeyId, accessKeySecret: info.accessKeySecret, region: info.region, endpoint: info.endpoint } });
    const { VideoList } = await vod.getVideoInfos(ids);
    expect(VideoList?.map((v) => [v.CateId, v.TemplateGroupId])).toEqual(ids.map(() => [1000003, DEFAULT_TEMPLATE_GROUP_ID]));
    expect(pageProblems(page)).toEqual([]);
  });
});

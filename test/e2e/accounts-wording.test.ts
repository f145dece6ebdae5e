// Accounts and wording in zh-CN, in a real browser against a standalone sandbox:
// Save tests the key first and refuses a wrong one unless the operator insists; a
// broken active account shows a banner and Start is disabled with the reason while its
// catalog cannot load; a job failing with a known code (SignatureDoesNotMatch) shows
// the translated hint, the service's own words behind "详情", without the string-to-sign.
// Also: skip reasons in Chinese, the sub-folder of a staged file, the Sandbox badge.

import fs from 'fs';
import path from 'path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser, makeMediaFolder, openApp, pageProblems, screenshot, startSandbox, startServer,
  type Child, type MediaFolder, type SandboxInfo, type Server,
} from './harness';

const T = 60_000;

describe('accounts and wording in zh-CN', () => {
  let server: Server;
  let sandbox: Child<SandboxInfo>;
  let browser: Browser;
  let page: Page;
  let media: MediaFolder;
  let moreDir: string;

  beforeAll(async () => {
    media = makeMediaFolder();
    fs.mkdirSync(path.join(media.dir, 'sub'));
    fs.copyFileSync(path.join(media.dir, 'clip-one.mp4'), path.join(media.dir, 'sub', 'deep.mp4'));
    moreDir = fs.mkdtempSync(path.join(media.dir, '..', 'vodup-e2e-more-'));
    fs.copyFileSync(path.join(media.dir, 'clip-two.mp4'), path.join(moreDir, 'extra.mp4'));
    [server, sandbox, browser] = await Promise.all([startServer(), startSandbox(), launchBrowser()]);
    page = await openApp(browser, server.url, 'zh-CN');
    await page.getByTestId('lang-switch').selectOption('zh-CN');
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([server?.stop(), sandbox?.stop()]);
    for (const d of [media?.dir, moreDir]) if (d) fs.rmSync(d, { recursive: true, force: true });
  });

  const card = (name: string) => page.locator(`[data-testid="profile-row"][data-profile-name="${name}"]`);

  async function fillAccount(secret: string): Promise<void> {
    await page.getByTestId('profile-input-name').fill('Stand');
    await page.getByTestId('profile-input-akid').fill(sandbox.info.accessKeyId);
    await page.getByTestId('profile-input-secret').fill(secret);
    await page.getByTestId('profile-input-region').selectOption(sandbox.info.region);
    const endpoint = page.getByTestId('profile-input-endpoint');
    if (!(await endpoint.isVisible())) await page.getByTestId('profile-form').locator('summary').click();
    await endpoint.fill(sandbox.info.endpoint);
  }

  async function addFolder(dir: string): Promise<void> {
    await page.getByTestId('nav-upload').click();
    await page.getByTestId('add-folder').click();
    await page.getByTestId('browser-path').fill(dir);
    await page.getByTestId('browser-go').click();
    await expect.poll(() => page.getByTestId('browser-path').inputValue()).toBe(dir);
    await page.getByTestId('browser-add-current').click();
    await page.getByTestId('folder-browser').waitFor({ state: 'detached' });
  }

  it('tests a key before saving it and refuses a wrong one unless the operator insists', async () => {
    // The built-in Sandbox is active at first, and the header says so.
    await expect.poll(() => page.getByTestId('header-sandbox').textContent()).toContain('沙箱');

    await page.getByTestId('nav-profiles').click();
    await page.getByTestId('profile-new').click();
    await fillAccount(`${sandbox.info.accessKeySecret}x`);
    await page.getByTestId('profile-save').click();
    const refused = page.getByTestId('profile-save-refused');
    await refused.waitFor({ timeout: T });
    expect(await refused.getByTestId('profile-test-code').textContent()).toBe('SignatureDoesNotMatch');
    expect(await refused.getByTestId('profile-test-hint').textContent()).toContain('AccessKey Secret 与 ID 不匹配，请重新输入');
    // The service's sentence, not the string-to-sign it goes on with.
    expect(await refused.getByTestId('profile-test-message').textContent()).not.toMatch(/string to sign/i);
    expect(await card('Stand').count()).toBe(0);
    await screenshot(page, 'zh-profile-save-refused');

    // The right secret passes the test and is saved.
    await page.getByTestId('profile-input-secret').fill(sandbox.info.accessKeySecret);
    await page.getByTestId('profile-save').click();
    await page.getByTestId('profile-form').waitFor({ state: 'detached', timeout: T });
    await card('Stand').getByTestId('profile-activate').click();
    await card('Stand').getByTestId('profile-active').waitFor();
    expect(await page.getByTestId('header-sandbox').count()).toBe(0);
  });

  it('stages with the sub-folder and Chinese skip reasons, then holds the files', async () => {
    await addFolder(media.dir);
    const staged = page.getByTestId('staged-row');
    await expect.poll(() => staged.count()).toBe(media.media.length + 1);
    const deep = page.locator(`[data-testid="staged-row"][data-path="${path.join(media.dir, 'sub', 'deep.mp4')}"]`);
    expect(await deep.getByTestId('staged-folder').textContent()).toContain('sub/');
    expect(await page.locator(`[data-testid="staged-row"][data-path="${path.join(media.dir, 'tone.mp3')}"]`).getByTestId('staged-folder').count()).toBe(0);
    const skip = page.locator(`[data-testid="rejected-row"][data-path="${path.join(media.dir, media.rejected)}"]`).getByTestId('rejected-reason');
    expect(await skip.textContent()).toContain('“.txt”不是点播支持的视频或音频格式');
    // "1 个文件需要处理" jumps to that file and selects it, so its details open.
    const tone = page.locator(`[data-testid="staged-row"][data-path="${path.join(media.dir, 'tone.mp3')}"]`);
    await tone.getByTestId('staged-title').fill('');
    const summary = page.getByTestId('staged-summary');
    await expect.poll(() => summary.textContent()).toContain('1 个文件');
    await summary.click();
    await expect.poll(() => tone.getByTestId('staged-select').isChecked()).toBe(true);
    expect(await page.locator('[data-testid="staged-select"]:checked').count()).toBe(1);
    await tone.getByTestId('staged-title').fill('tone');
    await page.getByTestId('add-paused').click();
    await page.getByTestId('queue-view').waitFor();
    await expect.poll(() => page.locator('[data-testid="queue-row"][data-state="paused"]').count(), { timeout: T }).toBe(media.media.length + 1);
  });

  it('warns about a broken active account and disables Start with the reason', async () => {
    await page.getByTestId('nav-profiles').click();
    await card('Stand').getByTestId('profile-edit').click();
    await page.getByTestId('profile-input-secret').fill(`${sandbox.info.accessKeySecret}x`);
    await page.getByTestId('profile-save').click();
    await page.getByTestId('profile-save-refused').waitFor({ timeout: T });
    await page.getByTestId('profile-save-anyway').click();
    await page.getByTestId('profile-form').waitFor({ state: 'detached', timeout: T });

    const banner = page.getByTestId('account-banner');
    await banner.waitFor({ timeout: T });
    expect(await banner.textContent()).toMatch(/Stand.*AccessKey Secret 与 AccessKey ID 不匹配/);

    await addFolder(moreDir);
    await expect.poll(() => page.getByTestId('staged-row').count()).toBe(1);
    expect(await page.getByTestId('start-upload').isDisabled()).toBe(true);
    expect(await page.getByTestId('add-paused').isDisabled()).toBe(true);
    expect(await page.getByTestId('start-blocked').textContent()).toContain('无法开始上传');
    expect(await page.getByTestId('start-upload').getAttribute('title')).toContain('无法开始上传');
    await screenshot(page, 'zh-start-blocked');
  });

  it('shows a failed job\'s hint in Chinese and the service\'s words behind details', async () => {
    await page.getByTestId('nav-queue').click();
    await page.getByTestId('queue-tab-pending').click();
    const row = page.locator('[data-testid="queue-row"][data-title="clip-one"]');
    await row.getByTestId('queue-row-select').check();
    await page.getByTestId('queue-resume-selected').click();
    await page.getByTestId('queue-tab-failed').click();
    const failed = page.locator('[data-testid="queue-row"][data-title="clip-one"]');
    await expect.poll(() => failed.getAttribute('data-state'), { timeout: T }).toBe('failed');
    expect(await failed.getByTestId('job-error-hint').textContent()).toContain('AccessKey Secret 与 AccessKey ID 不匹配');

    await failed.getByTestId('job-title').click();
    const drawer = page.getByTestId('job-details');
    const error = drawer.getByTestId('details-job-error');
    await error.waitFor();
    expect(await error.getAttribute('data-code')).toBe('SignatureDoesNotMatch');
    expect(await drawer.getByTestId('details-error-hint').textContent()).toContain('请在“账号管理”中重新输入 Secret');
    // The raw text is behind the 详情 disclosure, and is one sentence.
    const raw = drawer.getByTestId('details-error-message');
    expect(await raw.isVisible()).toBe(false);
    await drawer.getByTestId('details-error-raw').locator('summary').click();
    await expect.poll(() => raw.isVisible()).toBe(true);
    const text = await raw.textContent();
    expect(text).toMatch(/signature/i);
    expect(text).not.toMatch(/string to sign|POST&/i);
    // What was sent, and the action for a failed job.
    expect(await drawer.getByTestId('details-sent-title').textContent()).toBe('clip-one');
    await drawer.getByTestId('details-retry').waitFor();
    await screenshot(page, 'zh-job-error-details');
    expect(pageProblems(page)).toEqual([]);
  });
});

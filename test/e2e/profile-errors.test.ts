// "Test connection" with bad AccessKeys against a real (sandbox) VOD endpoint: the
// operator sees the service's own error code and message, and what to do about it.
// Also: the secret is write-only (never sent back to the page), and profiles can be
// edited and deleted from the UI.

import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  launchBrowser, openApp, pageProblems, screenshot, startSandbox, startServer, type Child,
  type SandboxInfo, type Server,
} from './harness';

const T = 60_000;

describe('account connection errors in the browser', () => {
  let server: Server;
  let sandbox: Child<SandboxInfo>;
  let browser: Browser;
  let page: Page;

  beforeAll(async () => {
    [server, sandbox, browser] = await Promise.all([startServer(), startSandbox(), launchBrowser()]);
    page = await openApp(browser, server.url);
  });

  afterAll(async () => {
    await browser?.close();
    await Promise.all([server?.stop(), sandbox?.stop()]);
  });

  const card = (name: string) => page.locator(`[data-testid="profile-row"][data-profile-name="${name}"]`);

  it('shows InvalidAccessKeyId.NotFound for an unknown AccessKey ID', async () => {
    await page.getByTestId('nav-profiles').click();
    await page.getByTestId('profile-new').click();
    // Required fields are checked before anything is sent.
    await page.getByTestId('profile-save').click();
    await expect.poll(() => page.getByTestId('profile-form').locator('.error-text').count()).toBe(3);

    await page.getByTestId('profile-input-name').fill('Wrong key');
    await page.getByTestId('profile-input-akid').fill('LTAI5tNoSuchKeyAnywhere');
    await page.getByTestId('profile-input-secret').fill('not-the-secret');
    await page.getByTestId('profile-input-region').selectOption(sandbox.info.region);
    await page.getByTestId('profile-form').locator('summary').click();
    await page.getByTestId('profile-input-endpoint').fill(sandbox.info.endpoint);
    await page.getByTestId('profile-save').click();
    // Save tests the key first: refused, so nothing is saved until the operator insists.
    const refused = page.getByTestId('profile-save-refused');
    await refused.waitFor({ timeout: T });
    expect(await refused.getByTestId('profile-test-code').textContent()).toBe('InvalidAccessKeyId.NotFound');
    expect(await card('Wrong key').count()).toBe(0);
    await page.getByTestId('profile-save-anyway').click();

    const wrong = card('Wrong key');
    await wrong.waitFor();
    await expect.poll(() => wrong.getByTestId('profile-endpoint').textContent()).toBe(sandbox.info.endpoint);
    await wrong.getByTestId('profile-test').click();
    const result = wrong.getByTestId('profile-test-result');
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: T }).toBe('false');
    expect(await result.getByTestId('profile-test-code').textContent()).toBe('InvalidAccessKeyId.NotFound');
    expect((await result.getByTestId('profile-test-message').textContent())?.length).toBeGreaterThan(5);
    expect(await result.textContent()).toContain('The AccessKey ID does not exist');
    await screenshot(page, 'profile-test-error');
  });

  it('shows SignatureDoesNotMatch for a right ID with a wrong secret, and keeps the secret write-only', async () => {
    const wrong = card('Wrong key');
    await wrong.getByTestId('profile-edit').click();
    const form = page.getByTestId('profile-form');
    // The stored secret never comes back to the page: the field is empty and says "saved".
    expect(await page.getByTestId('profile-input-secret').inputValue()).toBe('');
    await page.getByTestId('profile-secret-saved').waitFor();
    await page.getByTestId('profile-input-name').fill('Wrong secret');
    await page.getByTestId('profile-input-akid').fill(sandbox.info.accessKeyId);
    await page.getByTestId('profile-input-secret').fill(`${sandbox.info.accessKeySecret}x`);
    await page.getByTestId('profile-save').click();
    await page.getByTestId('profile-save-refused').waitFor({ timeout: T });
    await page.getByTestId('profile-save-anyway').click();
    await form.waitFor({ state: 'detached' });

    const bad = card('Wrong secret');
    await bad.getByTestId('profile-test').click();
    const result = bad.getByTestId('profile-test-result');
    await expect.poll(() => result.getByTestId('profile-test-code').textContent(), { timeout: T }).toBe('SignatureDoesNotMatch');
    expect(await result.textContent()).toContain('does not match');
    expect(await page.content()).not.toContain(sandbox.info.accessKeySecret);

    // The right secret connects.
    await bad.getByTestId('profile-edit').click();
    await page.getByTestId('profile-input-secret').fill(sandbox.info.accessKeySecret);
    await page.getByTestId('profile-save').click();
    await form.waitFor({ state: 'detached' });
    await bad.getByTestId('profile-test').click();
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: T }).toBe('true');
    expect(await page.content()).not.toContain(sandbox.info.accessKeySecret);
  });

  it('passes a RAM user that may upload but not read the catalog, and says to type ids by hand', async () => {
    await page.getByTestId('profile-new').click();
    await page.getByTestId('profile-input-name').fill('Upload only');
    await page.getByTestId('profile-input-akid').fill(sandbox.info.uploadOnly.accessKeyId);
    await page.getByTestId('profile-input-secret').fill(sandbox.info.uploadOnly.accessKeySecret);
    await page.getByTestId('profile-input-region').selectOption(sandbox.info.region);
    await page.getByTestId('profile-form').locator('summary').click();
    await page.getByTestId('profile-input-endpoint').fill(sandbox.info.endpoint);
    await page.getByTestId('profile-save').click();
    const limited = card('Upload only');
    await limited.waitFor();
    await limited.getByTestId('profile-test').click();
    const result = limited.getByTestId('profile-test-result');
    await expect.poll(() => result.getAttribute('data-ok'), { timeout: T }).toBe('true');
    expect(await result.getByTestId('profile-test-message').textContent()).toMatch(/the key works\. This user may not read the catalog .*type their ids by hand/);
    await screenshot(page, 'profile-test-catalog-denied');
    page.once('dialog', (d) => void d.accept());
    await limited.getByTestId('profile-delete').click();
    await limited.waitFor({ state: 'detached' });
  });

  it('deletes a profile after confirmation', async () => {
    page.once('dialog', (d) => void d.accept());
    await card('Wrong secret').getByTestId('profile-delete').click();
    await card('Wrong secret').waitFor({ state: 'detached' });
    expect(await page.getByTestId('profile-row').count()).toBe(1);
    expect(pageProblems(page)).toEqual([]);
  });
});

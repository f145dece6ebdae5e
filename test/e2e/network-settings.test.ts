// Settings → Network in a real browser against `vodup serve --sandbox`: the Test proxy
// button's answer in words (a proxy that wants credentials, then one given them), Save,
// and after a reload the URL comes back with its password masked — the password never
// reaches the page. The proxy is the test's own (test/fixtures/proxy-servers.ts).
// Screenshot in test-results/screenshots/settings-network.png.

import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startHttpProxy, type TestProxy } from '../fixtures/proxy-servers';
import { activateSandbox, pageProblems, screenshot, useAppSession } from './harness';

const PASSWORD = 'e2e-Proxy-pw9';

describe('network settings in the browser', () => {
  const app = useAppSession();
  let page: Page;
  let proxy: TestProxy;
  beforeAll(async () => {
    page = app.page;
    proxy = await startHttpProxy({ auth: { user: 'op', password: PASSWORD } });
  });
  afterAll(async () => {
    await proxy?.close();
  });

  it('tests a proxy, saves it, and shows it back with the password masked', async () => {
    await activateSandbox(page);
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-network').waitFor();
    await page.getByTestId('settings-proxy-mode').selectOption('manual');
    const url = page.getByTestId('settings-proxy-url');
    const result = page.getByTestId('settings-proxy-result');

    await url.fill(`http://127.0.0.1:${proxy.port}`);
    await page.getByTestId('settings-proxy-test').click();
    await expect.poll(() => result.textContent()).toContain('The proxy asks for a user name and password, or refused the ones given (407).');
    expect(proxy.authRefusals).toBeGreaterThan(0);

    await url.fill(`http://op:${PASSWORD}@127.0.0.1:${proxy.port}`);
    await page.getByTestId('settings-proxy-test').click();
    await expect.poll(() => result.textContent()).toMatch(/Reached VOD in \d+ ms \(HTTP \d{3}\)\./);
    expect(await result.textContent()).toContain(`http proxy 127.0.0.1:${proxy.port} (the proxy setting)`);
    expect(proxy.requests.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /']);

    await page.getByTestId('settings-oss-endpoint').selectOption('accelerate');
    expect(await page.getByTestId('settings-network').textContent()).toContain('Transfer acceleration must be enabled for the storage bucket');
    await page.getByTestId('settings-network-save').click();
    await page.getByTestId('settings-network-saved').waitFor();
    await screenshot(page, 'settings-network');

    await page.reload();
    await page.getByTestId('nav-settings').click();
    await expect.poll(() => page.getByTestId('settings-proxy-url').inputValue()).toBe(`http://op:••••@127.0.0.1:${proxy.port}`);
    expect(await page.getByTestId('settings-oss-endpoint').inputValue()).toBe('accelerate');
    expect(await page.content()).not.toContain(PASSWORD);
    // The masked URL tests with the stored password.
    await page.getByTestId('settings-proxy-test').click();
    await expect.poll(() => page.getByTestId('settings-proxy-result').textContent()).toMatch(/Reached VOD in/);
    expect(pageProblems(page)).toEqual([]);
  });
});

// The upload window in a real browser against `vodup serve --sandbox`: a half-set window
// is an inline error that blocks Save; a window that is closed right now keeps a started
// job queued while the footer says when it continues; "Any time" lets it complete.
// The window is computed from the browser's own clock, so the test holds at any hour.
// Screenshot in test-results/screenshots/settings-window.png.

import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { activateSandbox, pageProblems, screenshot, useAppSession, type MediaFolder } from './harness';

const T = 60_000;

describe('upload window in the browser', () => {
  const app = useAppSession();
  let page: Page;
  let media: MediaFolder;
  beforeAll(() => {
    ({ page, media } = app);
  });

  it('refuses a half window, holds a job while the window is closed, and runs it at "Any time"', async () => {
    await activateSandbox(page);

    // --- a half window (start only) is an inline error and Save is disabled ------
    await page.getByTestId('nav-settings').click();
    const start = page.getByTestId('settings-window-start');
    const end = page.getByTestId('settings-window-end');
    const save = page.getByTestId('settings-save');
    expect(await page.getByTestId('settings-window-error').count()).toBe(0);
    await start.fill('22:00');
    await expect.poll(() => page.getByTestId('settings-window-error').textContent()).toMatch(/start and an end/);
    expect(await save.isDisabled()).toBe(true);
    // The same time at both ends is refused too.
    await end.fill('22:00');
    await expect.poll(() => page.getByTestId('settings-window-error').textContent()).toMatch(/same time/);
    expect(await save.isDisabled()).toBe(true);

    // --- a full window that is closed now: it opens in 2 h and closes in 3 h -----
    const win = await page.evaluate(() => {
      const hhmm = (d: Date) => `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
      const now = Date.now();
      const opens = new Date(now + 2 * 3600_000);
      return {
        start: hhmm(opens),
        end: hhmm(new Date(now + 3 * 3600_000)),
        // What the footer should print for the opening time, in this page's locale.
        shown: opens.toLocaleTimeString('en', { hour: '2-digit', minute: '2-digit' }),
      };
    });
    await start.fill(win.start);
    await end.fill(win.end);
    await expect.poll(() => page.getByTestId('settings-window-error').count()).toBe(0);
    expect(await save.isDisabled()).toBe(false);
    await save.click();
    await page.getByTestId('settings-saved').waitFor();
    await screenshot(page, 'settings-window');
    // Saved by the engine, not only in the form: a reload shows the same window.
    await page.reload();
    await page.getByTestId('nav-settings').click();
    await expect.poll(() => page.getByTestId('settings-window-start').inputValue()).toBe(win.start);
    expect(await page.getByTestId('settings-window-end').inputValue()).toBe(win.end);

    // --- add one real clip and start: it stays queued, the footer says why -------
    await page.getByTestId('nav-upload').click();
    await page.getByTestId('add-files').click();
    await page.getByTestId('folder-browser').waitFor();
    await page.getByTestId('browser-path').fill(media.dir);
    await page.getByTestId('browser-go').click();
    await page.locator('[data-testid="browser-entry"][data-name="clip-one.mp4"] input[type=checkbox]').check();
    await page.getByTestId('browser-add-selected').click();
    await expect.poll(() => page.getByTestId('staged-row').count()).toBe(1);
    await expect.poll(() => page.getByTestId('start-upload').isDisabled(), { timeout: T }).toBe(false);
    await page.getByTestId('start-upload').click();
    await page.getByTestId('queue-view').waitFor();

    const footerWindow = page.getByTestId('footer-window');
    await expect.poll(() => footerWindow.count(), { timeout: T }).toBe(1);
    expect(await footerWindow.textContent()).toBe(`Outside the transfer window — continues at ${win.shown}`);
    await page.getByTestId('queue-tab-pending').click();
    const row = page.locator('[data-testid="queue-row"][data-title="clip-one"]');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: T }).toBe('queued');
    expect(await page.getByTestId('queue-count-done').textContent()).toBe('0');
    expect(await page.getByTestId('queue-count-active').textContent()).toBe('0');
    await screenshot(page, 'queue-window-closed');

    // --- "Any time": the window goes, the job runs to completion -----------------
    await page.getByTestId('nav-settings').click();
    await page.getByTestId('settings-window-clear').click();
    await expect.poll(() => page.getByTestId('settings-window-start').inputValue()).toBe('');
    expect(await page.getByTestId('settings-window-end').inputValue()).toBe('');
    await page.getByTestId('settings-save').click();
    await page.getByTestId('settings-saved').waitFor();
    await page.getByTestId('nav-queue').click();
    await page.getByTestId('queue-tab-done').click();
    await expect.poll(() => page.getByTestId('queue-count-done').textContent(), { timeout: 2 * T }).toBe('1');
    await expect.poll(() => page.locator('[data-testid="queue-row"][data-title="clip-one"]').getAttribute('data-state'), { timeout: T })
      .toBe('ready');
    expect(await page.getByTestId('footer-window').count()).toBe(0);
    expect(pageProblems(page)).toEqual([]);
  });
});

// The queue's tabs, selection and keyboard in a real browser against `vodup serve
// --sandbox`: select-all covers all 2,000 rows of a tab (not the ~100 loaded) and a bulk
// cancel reaches every one; a fully sent file waits in "Processing in VOD"; canceled
// jobs have their own filter, apart from failures; "Clear finished" takes them out of
// the lists and totals; rows are selected by click, Shift-click, Ctrl+A and cleared with
// Escape. The 2,000 jobs are staged paused through the engine's own bridge (no upload).
// Screenshots in test-results/screenshots/queue-*.png.

import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { createWebSocketBridge, type SocketLike, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import { WEB_SOCKET_PATH, WEB_TOKEN_PARAM } from '../../shared/ipc';
import { activateSandbox, pageProblems, screenshot, startSandbox, useAppSession, type MediaFolder } from './harness';

const T = 60_000;
const BULK = 2000;

describe('queue tabs, selection and keyboard in the browser', () => {
  const app = useAppSession();
  let page: Page;
  let media: MediaFolder;
  let bridge: WebSocketBridge;
  // A standalone sandbox whose admin API can hold a video in Transcoding.
  let sandbox: Awaited<ReturnType<typeof startSandbox>>;
  beforeAll(async () => {
    ({ page, media } = app);
    sandbox = await startSandbox();
    const url = new URL(app.server.url);
    bridge = createWebSocketBridge({
      url: `ws://${url.host}${WEB_SOCKET_PATH}?${WEB_TOKEN_PARAM}=${url.searchParams.get(WEB_TOKEN_PARAM) ?? ''}`,
      createSocket: (u) => new WebSocket(u, { origin: `http://${url.host}` }) as unknown as SocketLike,
    });
  });
  afterAll(async () => {
    bridge?.close();
    await sandbox?.stop();
  });

  it('selects a whole tab, cancels all 2,000, shows Processing and Canceled, clears finished, and works from the keyboard', async () => {
    await activateSandbox(page);

    // --- stage 2,000 small distinct files paused, and one real clip to upload ------
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-e2e-bulk-'));
    const items = Array.from({ length: BULK }, (_, i) => {
      const name = `bulk-${String(i).padStart(4, '0')}`;
      fs.writeFileSync(path.join(dir, `${name}.mp4`), `not really a video, number ${i}`);
      return { path: path.join(dir, `${name}.mp4`), meta: { title: name, tags: [] } };
    });
    const held = await bridge.addJobs(items, { hold: true });
    expect(held.added).toBe(BULK);
    // The clip goes to the standalone sandbox, through an account pointed at it.
    const { endpoint, region, accessKeyId, accessKeySecret } = sandbox.info;
    const profile = await bridge.saveProfile({ name: 'Standalone sandbox', kind: 'aliyun', endpoint, region, accessKeyId, accessKeySecret });
    await bridge.setActiveProfile(profile.id);
    await bridge.addJobs([{ path: path.join(media.dir, 'clip-one.mp4'), meta: { title: 'clip-one', tags: [] } }]);
    // Keep the clip in VOD's processing (Transcoding) until the test releases it.
    let videoId: string | undefined;
    let clipId = 0;
    await expect.poll(async () => {
      const row = (await bridge.queryJobs({ search: 'clip-one', offset: 0, limit: 1 })).rows[0];
      clipId = row?.id ?? 0;
      videoId = row?.videoId;
      return videoId;
    }, { timeout: T, interval: 50 }).toBeTruthy();
    const setStatus = async (status: string) => {
      const res = await fetch(`${new URL(endpoint).origin}/__admin/videos/${videoId}/status`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ status }),
      });
      expect(res.status).toBe(200);
    };
    await setStatus('Transcoding');

    // --- select-all means the whole tab: 2,000 rows, ~100 loaded ------------------
    await page.getByTestId('nav-queue').click();
    await page.getByTestId('queue-tab-pending').click();
    await expect.poll(() => page.getByTestId('queue-count-pending').textContent(), { timeout: T }).toBe(String(BULK));
    await expect.poll(() => page.getByTestId('queue-row').count()).toBeGreaterThan(0);
    expect(await page.getByTestId('queue-row').count()).toBeLessThan(BULK);
    const header = page.getByTestId('queue-select-all');
    expect(await header.getAttribute('data-state')).toBe('none');
    await header.click();
    await expect.poll(() => header.getAttribute('data-state')).toBe('all');
    expect(await header.isChecked()).toBe(true);
    const count = page.getByTestId('queue-selected-count');
    expect(await count.textContent()).toBe('All 2,000 in Pending selected');
    await page.getByTestId('lang-switch').selectOption('zh-CN');
    await expect.poll(() => count.textContent()).toBe('已选中“待传输”中的全部 2,000 项');
    await screenshot(page, 'queue-select-all-zh');
    await page.getByTestId('lang-switch').selectOption('en');

    // --- a bulk cancel acts on all 2,000 --------------------------------------------
    await page.getByTestId('queue-cancel-selected').click();
    await expect.poll(() => page.getByTestId('queue-count-canceled').textContent(), { timeout: T }).toBe(String(BULK));
    expect(await page.getByTestId('queue-count-pending').textContent()).toBe('0');
    // Canceled jobs do not bury real failures: they are not in Failed.
    expect(await page.getByTestId('queue-count-failed').textContent()).toBe('0');
    const afterCancel = await bridge.getTotals();
    expect(afterCancel.byState.canceled).toBe(BULK);
    expect(afterCancel.byState.paused ?? 0).toBe(0);
    expect(await count.count()).toBe(0); // the selection of a view that emptied is gone

    // --- the fully sent clip waits in "Processing in VOD" at 100 % ------------------
    await page.getByTestId('queue-tab-processing').click();
    const clip = page.locator('[data-testid="queue-row"][data-title="clip-one"]');
    await expect.poll(() => clip.getAttribute('data-state'), { timeout: T }).toBe('uploaded');
    await expect.poll(() => clip.getByTestId('job-vodstatus').getAttribute('data-status'), { timeout: T }).toBe('Transcoding');
    expect(await clip.getByTestId('job-progress').getAttribute('data-percent')).toBe('100');
    expect(await page.getByTestId('queue-count-active').textContent()).toBe('0');
    await screenshot(page, 'queue-processing');
    await setStatus('Normal');
    await expect.poll(() => page.getByTestId('queue-count-done').textContent(), { timeout: T }).toBe('1');

    // --- keyboard and mouse selection in the Canceled filter ------------------------
    await page.getByTestId('queue-tab-canceled').click();
    const rows = page.getByTestId('queue-row');
    await expect.poll(() => rows.count()).toBeGreaterThan(5);
    await rows.nth(0).locator('.cell-state').click();
    await expect.poll(() => count.getAttribute('data-count')).toBe('1');
    expect(await rows.nth(0).getAttribute('aria-selected')).toBe('true');
    await rows.nth(3).locator('.cell-state').click({ modifiers: ['Shift'] });
    await expect.poll(() => count.getAttribute('data-count')).toBe('4');
    expect(await header.getAttribute('data-state')).toBe('some');
    await rows.nth(1).locator('.cell-state').click({ modifiers: ['Control'] });
    await expect.poll(() => count.getAttribute('data-count')).toBe('3');
    expect(await rows.nth(1).getAttribute('aria-selected')).toBe('false');
    // A plain click selects that row alone.
    await rows.nth(2).locator('.cell-state').click();
    await expect.poll(() => count.getAttribute('data-count')).toBe('1');
    await page.keyboard.press('Escape');
    await expect.poll(() => count.count()).toBe(0);
    // Ctrl+A in the list selects all of its rows, not the page's text.
    await page.keyboard.press('Control+A');
    await expect.poll(() => count.textContent()).toBe('All 2,000 in Canceled selected');
    expect(await page.evaluate(() => window.getSelection()?.toString() ?? '')).toBe('');
    expect(await header.getAttribute('data-state')).toBe('all');
    await screenshot(page, 'queue-canceled-selected');
    await page.keyboard.press('Escape');
    await expect.poll(() => count.count()).toBe(0);
    // In the search box Ctrl+A is the text's, as everywhere.
    const search = page.getByTestId('queue-search');
    await search.fill('bulk-000');
    await expect.poll(() => page.getByTestId('queue-row').count()).toBe(10);
    await search.press('Control+A');
    expect(await count.count()).toBe(0);
    expect(await search.evaluate((el: HTMLInputElement) => el.selectionEnd! - el.selectionStart!)).toBe('bulk-000'.length);
    // Select-all with a search is all of what the search finds, and says so.
    await header.click();
    await expect.poll(() => count.textContent()).toBe('All 10 in Canceled selected');
    await page.getByTestId('queue-clear-selection').click();
    await search.fill('');
    await expect.poll(() => page.getByTestId('queue-row').count()).toBeGreaterThan(10);

    // --- Clear finished: completed and canceled rows leave the lists and totals -----
    const clear = page.getByTestId('queue-clear-finished');
    await expect.poll(() => clear.textContent()).toBe(`Clear finished (${BULK + 1})`);
    await clear.click();
    await expect.poll(() => page.getByTestId('queue-count-canceled').textContent(), { timeout: T }).toBe('0');
    expect(await page.getByTestId('queue-count-done').textContent()).toBe('0');
    await page.getByTestId('queue-empty').waitFor();
    await expect.poll(() => page.getByTestId('footer-files').textContent()).toBe('0 files');
    expect(await clear.count()).toBe(0);
    expect((await bridge.getTotals()).jobs).toBe(0);
    // The records stay: the clip keeps its VideoId in the database.
    const kept = await bridge.getJob(clipId);
    expect(kept?.videoId).toBe(videoId);
    expect(pageProblems(page)).toEqual([]);
  });
});

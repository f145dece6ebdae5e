// In a real browser against `vodup serve --sandbox`: a staged file gets a cover image
// (picked in the web folder browser's one-image mode) and UserData (validated as typed),
// uploads, and its details drawer shows the VideoId, the CRC-64 of the file's bytes and
// the event log including the cover being set. "Move to top" reorders held jobs in
// Pending, from the selection and from a row. Screenshots in test-results/screenshots/.

import { spawnSync } from 'child_process';
import fs from 'fs';
import os from 'os';
import path from 'path';
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { crc64 } from '../../main/engine/oss/crc64';
import { pageProblems, screenshot, useAppSession, type MediaFolder } from './harness';

const T = 60_000;

/** A folder with one real PNG (the cover) and a text file that must not be choosable. */
function makeCoverFolder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-e2e-cover-'));
  const r = spawnSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-y', '-f', 'lavfi', '-i', 'color=c=orange:s=160x90', '-frames:v', '1', path.join(dir, 'cover.png')], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`ffmpeg could not make the cover: ${r.stderr || r.error?.message}`);
  fs.writeFileSync(path.join(dir, 'readme.txt'), 'not an image');
  return dir;
}

describe('cover, UserData, details drawer and move to top in the browser', () => {
  const app = useAppSession();
  let page: Page;
  let media: MediaFolder;
  let coverDir: string;
  beforeAll(() => {
    ({ page, media } = app);
    coverDir = makeCoverFolder();
  });

  /** Stages the named files of the media folder through the server-side browser. */
  async function stage(names: string[]): Promise<void> {
    await page.getByTestId('nav-upload').click();
    await page.getByTestId('add-files').click();
    await page.getByTestId('folder-browser').waitFor();
    await page.getByTestId('browser-path').fill(media.dir);
    await page.getByTestId('browser-go').click();
    // The folder's listing comes over the WebSocket: on a loaded machine, more than a second.
    await expect.poll(() => page.getByTestId('browser-entry').count(), { timeout: 10_000 }).toBe(5);
    for (const n of names) await page.locator(`[data-testid="browser-entry"][data-name="${n}"] input`).check();
    await page.getByTestId('browser-add-selected').click();
    await expect.poll(() => page.getByTestId('staged-row').count()).toBe(names.length);
  }

  it('uploads with a cover and UserData, and the details drawer tells the whole story', async () => {
    await stage(['clip-one.mp4']);
    await page.getByTestId('staged-select').check();

    // --- cover: the browser opens in its one-image mode ------------------------
    await expect.poll(() => page.getByTestId('edit-cover-name').textContent()).toMatch(/None/);
    await page.getByTestId('edit-cover-pick').click();
    const browserDialog = page.getByTestId('folder-browser');
    await expect.poll(() => browserDialog.getAttribute('data-mode')).toBe('cover');
    await page.getByTestId('browser-path').fill(coverDir);
    await page.getByTestId('browser-go').click();
    await expect.poll(() => page.getByTestId('browser-entry').count(), { timeout: 10_000 }).toBe(2);
    expect(await page.locator('[data-testid="browser-entry"][data-name="readme.txt"] input').isDisabled()).toBe(true);
    expect(await page.getByTestId('browser-use-cover').isDisabled()).toBe(true);
    await page.locator('[data-testid="browser-entry"][data-name="cover.png"] input').check();
    await page.getByTestId('browser-use-cover').click();
    await browserDialog.waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('edit-cover-name').textContent()).toBe('cover.png');

    // Remove, then choose it again: the remove button really clears it.
    await page.getByTestId('edit-cover-remove').click();
    await expect.poll(() => page.getByTestId('edit-cover-name').textContent()).toMatch(/None/);
    await page.getByTestId('edit-cover-pick').click();
    await page.locator('[data-testid="browser-entry"][data-name="cover.png"] input').check();
    await page.getByTestId('browser-use-cover').click();
    await expect.poll(() => page.getByTestId('edit-cover-name').textContent()).toBe('cover.png');

    // --- UserData: invalid JSON blocks Start, valid JSON frees it ---------------
    const userData = page.getByTestId('edit-userdata');
    await page.getByTestId('edit-advanced').click();
    await userData.fill('{"Extend": {"source": ');
    await page.getByTestId('userdata-error').waitFor();
    expect(await page.getByTestId('start-upload').isDisabled()).toBe(true);
    await screenshot(page, 'edit-panel-userdata-invalid');
    await userData.fill('{"Extend": {"source": "e2e"}}');
    await page.getByTestId('userdata-error').waitFor({ state: 'detached' });
    await expect.poll(() => page.getByTestId('start-upload').isDisabled()).toBe(false);
    await screenshot(page, 'edit-panel-cover-userdata');

    // --- upload, then open the details from the Completed tab -------------------
    await page.getByTestId('start-upload').click();
    await page.getByTestId('queue-view').waitFor();
    await expect.poll(() => page.getByTestId('queue-count-done').textContent(), { timeout: T }).toBe('1');
    await page.getByTestId('queue-tab-done').click();
    const row = page.locator('[data-testid="queue-row"][data-state="ready"]');
    await expect.poll(() => row.getByTestId('job-videoid').textContent(), { timeout: T }).toMatch(/\w+/);
    const videoId = (await row.getByTestId('job-videoid').textContent())!;
    await row.getByTestId('job-title').click();

    const drawer = page.getByTestId('job-details');
    await drawer.waitFor();
    await expect.poll(() => drawer.getByTestId('details-videoid').textContent()).toBe(videoId);
    await expect.poll(() => drawer.getByTestId('details-state').textContent()).toBe('Done');
    const file = path.join(media.dir, 'clip-one.mp4');
    expect(await drawer.getByTestId('details-path').textContent()).toBe(file);
    // The view's CRC-64 is hex; it must be the CRC-64/ECMA of the file's own bytes.
    expect(BigInt(`0x${await drawer.getByTestId('details-crc64').textContent()}`)).toBe(crc64(fs.readFileSync(file)));
    expect(await drawer.getByTestId('details-cover').textContent()).toBe(path.join(coverDir, 'cover.png'));
    const events = drawer.getByTestId('details-event');
    await expect.poll(() => events.evaluateAll((els) => els.map((e) => e.getAttribute('data-type'))), { timeout: T })
      .toEqual(expect.arrayContaining(['created', 'completed', 'cover-set']));
    const coverEvent = drawer.locator('[data-testid="details-event"][data-type="cover-set"]');
    expect(await coverEvent.textContent()).toContain('Cover image set');
    expect(await drawer.locator('[data-testid="details-event"][data-type="created"]').textContent()).toContain(videoId);
    expect(await drawer.locator('[data-testid="details-event"][data-type="completed"]').textContent())
      .toContain((await drawer.getByTestId('details-crc64').textContent())!);
    await screenshot(page, 'job-details-drawer');

    // The drawer in Chinese: event types in plain words there too.
    await page.getByTestId('lang-switch').selectOption('zh-CN');
    await expect.poll(() => coverEvent.textContent()).toContain('已设置封面');
    await screenshot(page, 'job-details-drawer-zh');
    await page.getByTestId('lang-switch').selectOption('en');

    await page.keyboard.press('Escape');
    await drawer.waitFor({ state: 'detached' });
  });

  it('moves held jobs to the top of Pending, from the selection and from a row', async () => {
    await stage(['clip-two.mp4', 'clip-three.mov']);
    await page.getByTestId('add-paused').click();
    await expect.poll(() => page.getByTestId('queue-tab-pending').getAttribute('aria-selected')).toBe('true');
    const titles = () => page.getByTestId('queue-row').evaluateAll((els) => els.map((e) => e.getAttribute('data-title')));
    await expect.poll(titles, { timeout: T }).toEqual(['clip-two', 'clip-three']);

    // Selection: the second row goes first.
    await page.locator('[data-testid="queue-row"][data-title="clip-three"] [data-testid="queue-row-select"]').check();
    await page.getByTestId('queue-top-selected').click();
    await expect.poll(titles, { timeout: T }).toEqual(['clip-three', 'clip-two']);
    await screenshot(page, 'pending-moved-to-top');

    // Row action: and back.
    await page.locator('[data-testid="queue-row"][data-title="clip-two"]').getByTestId('row-top').click();
    await expect.poll(titles, { timeout: T }).toEqual(['clip-two', 'clip-three']);
    expect(pageProblems(page)).toEqual([]);
  });
});

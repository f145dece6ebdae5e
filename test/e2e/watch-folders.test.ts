// Watch folders in the browser: a folder added in the app takes a dropped video once
// (one job, ready), nothing more, and nothing after it is removed; the folder browser
// acts on a typed path. What reached the queue is read from its database.

import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { describe, expect, it } from 'vitest';
import { openQueueStore } from '../../main/engine/store';
import { pageProblems, screenshot, useAppSession } from './harness';

const T = 60_000;

/** As a transfer tool does: written under a hidden name, then renamed (the scan never sees half a file). */
function dropInto(dir: string, from: string, name: string): string {
  const target = path.join(dir, name);
  fs.copyFileSync(from, path.join(dir, `.${name}.part`));
  fs.renameSync(path.join(dir, `.${name}.part`), target);
  return target;
}

async function watch(page: Page, dir: string): Promise<void> {
  await page.getByTestId('watch-path').fill(dir);
  await page.getByTestId('watch-settle').fill('0');
  await page.getByTestId('watch-add').click();
  await page.locator(`[data-testid="watch-folder"][data-path="${dir}"]`).waitFor();
}

describe('watch folders in the app', () => {
  const s = useAppSession();

  it('takes a dropped file once, and nothing once the folder is removed', async () => {
    const { page, media, server } = s;
    const drop = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-e2e-drop-'));
    const other = fs.mkdtempSync(path.join(os.tmpdir(), 'vodup-e2e-drop2-'));
    const queue = openQueueStore(path.join(server.dataDir, 'queue.db'));
    try {
      await page.getByTestId('nav-watch').click();
      await page.getByTestId('watch-empty').waitFor();
      await page.getByTestId('watch-title').fill('Drop {name}');
      await watch(page, drop);
      const card = page.locator(`[data-testid="watch-folder"][data-path="${drop}"]`);
      await card.getByTestId('watch-taken-none').waitFor();

      const clip = dropInto(drop, path.join(media.dir, 'clip-one.mp4'), 'clip-one.mp4');
      const take = card.getByTestId('watch-take');
      await expect.poll(() => take.getAttribute('data-state'), { timeout: T }).toBe('ready');
      // A later scan ran (it noted the text file) and took nothing else.
      fs.writeFileSync(path.join(drop, 'notes.txt'), 'not a video');
      await card.locator('[data-testid="watch-notices"] li[data-kind="ignored"]').waitFor({ state: 'attached', timeout: T });
      expect(await take.count()).toBe(1);
      const jobs = queue.jobsForPath(clip);
      expect(jobs.map((j) => [j.state, j.meta.title])).toEqual([['ready', 'Drop clip-one']]);
      await screenshot(page, 'watch-folders');
      // Its job number opens the job in the upload list.
      await take.getByTestId('watch-open-job').click();
      expect(await page.getByTestId('details-path').textContent()).toBe(clip);
      await page.getByTestId('details-close').click();
      await page.getByTestId('nav-watch').click();

      // Removed: a file dropped there stays out, while another folder still takes its own.
      await card.getByTestId('watch-remove').click();
      await card.getByTestId('watch-remove-confirm').click();
      await expect.poll(() => card.count(), { timeout: T }).toBe(0);
      const late = dropInto(drop, path.join(media.dir, 'clip-two.mp4'), 'clip-two.mp4');
      // The other folder is chosen in the folder browser, by typing its path without Enter.
      await page.getByTestId('watch-browse').click();
      await page.getByTestId('browser-path').fill(other);
      await page.getByTestId('browser-watch-current').click();
      await expect.poll(() => page.getByTestId('watch-path').inputValue(), { timeout: T }).toBe(other);
      await watch(page, other);
      const otherClip = dropInto(other, path.join(media.dir, 'tone.mp3'), 'tone.mp3');
      const otherCard = page.locator(`[data-testid="watch-folder"][data-path="${other}"]`);
      await expect.poll(() => otherCard.getByTestId('watch-take').getAttribute('data-state'), { timeout: T }).toBe('ready');
      expect(queue.jobsForPath(otherClip)).toHaveLength(1);
      expect(queue.jobsForPath(late)).toHaveLength(0);
      expect(queue.jobsForPath(clip)).toHaveLength(1);
      expect(pageProblems(page)).toEqual([]);
    } finally {
      queue.close();
    }
  });

  it('adds the folder typed in the browser\'s path box, not the one still shown', async () => {
    const { page, media } = s;
    await page.getByTestId('nav-upload').click();
    await page.getByTestId('add-folder').click();
    await page.getByTestId('folder-browser').waitFor();
    const shown = await page.getByTestId('browser-path').inputValue();
    expect(shown).not.toBe(media.dir);
    // A path that cannot be read: refused with the reason, the browser stays, nothing staged.
    await page.getByTestId('browser-path').fill(path.join(media.dir, 'no-such-folder'));
    await page.getByTestId('browser-add-current').click();
    await page.getByTestId('browser-error').waitFor();
    expect(await page.getByTestId('staged-row').count()).toBe(0);
    // Typed, no Enter: the button says it opens the typed path, and adds exactly that folder.
    await page.getByTestId('browser-path').fill(media.dir);
    expect(await page.getByTestId('browser-add-current').textContent()).toMatch(/typed path/);
    await page.getByTestId('browser-add-current').click();
    await expect.poll(() => page.getByTestId('folder-browser').count(), { timeout: T }).toBe(0);
    const staged = page.getByTestId('staged-row');
    await expect.poll(() => staged.count(), { timeout: T }).toBe(media.media.length);
    const paths = await staged.evaluateAll((rows) => rows.map((r) => r.getAttribute('data-path')));
    expect(paths.every((p) => p?.startsWith(media.dir + path.sep))).toBe(true);
  });
});

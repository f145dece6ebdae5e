// Downloading from the Library view: two videos uploaded with `vodup upload`, selected,
// their source files downloaded into a folder through the download dialog, each a job
// in the same queue (marked as a download) that ends Downloaded with the very bytes;
// then their URLs saved as a CSV with when each expires.

import fs from 'fs';
import path from 'path';
import { describe, expect, it } from 'vitest';
import { cliEnv, runCli } from '../fixtures/cli-harness';
import { makeMediaFolder, pageProblems, screenshot } from './harness';
import { openLibrary, useLibrarySession } from './library-session';

const T = 60_000;

describe('downloads from the Library view', () => {
  const s = useLibrarySession();

  it('downloads the sources of two videos into a folder and shows them done in the queue', async () => {
    const { page, sandbox, home } = s;
    const media = makeMediaFolder();
    const files = ['clip-one.mp4', 'clip-two.mp4'].map((f) => path.join(media.dir, f));
    const up = await runCli(['upload', ...files, '--json'], cliEnv(sandbox, path.join(home, 'cli')));
    expect(up.code, up.stderr).toBe(0);

    await openLibrary(page);
    await expect.poll(() => page.getByTestId('library-row').count(), { timeout: T }).toBe(2);
    await page.getByTestId('library-select-matching').click();
    await expect.poll(() => page.getByTestId('library-selected-count').getAttribute('data-count')).toBe('2');

    const out = path.join(home, 'downloads');
    fs.mkdirSync(out);
    await page.getByTestId('library-download').click();
    const dialog = page.getByTestId('library-dialog-download');
    expect(await dialog.getByTestId('what-source').isChecked()).toBe(true);
    await dialog.getByTestId('download-dir').fill(out);
    await dialog.getByTestId('download-template').fill('{title}.{ext}');
    expect(await dialog.getByTestId('download-preview').textContent()).toMatch(/clip-(one|two)\.mp4/);
    await screenshot(page, 'library-download-dialog');
    await dialog.getByTestId('download-start').click();

    // The queue opens; both downloads end Downloaded, marked as downloads.
    await page.getByTestId('queue-view').waitFor();
    await page.getByTestId('queue-tab-done').click();
    const done = page.locator('[data-testid="queue-row"][data-kind="download"][data-state="downloaded"]');
    await expect.poll(() => done.count(), { timeout: T }).toBe(2);
    expect(await done.first().getByTestId('job-direction').textContent()).toContain('↓');
    await screenshot(page, 'library-downloads-done');

    for (const f of files) {
      const got = path.join(out, path.basename(f));
      expect(fs.existsSync(got), got).toBe(true);
      expect(fs.readFileSync(got).equals(fs.readFileSync(f))).toBe(true);
    }

    // --- the same selection's URLs, saved as a CSV with their expiry ----------------------
    // The Library kept its rows and selection while the queue was shown.
    await page.getByTestId('nav-library').click();
    expect(await page.getByTestId('library-selected-count').getAttribute('data-all')).toBe('true');
    await page.getByTestId('library-urls').click();
    const [saved] = await Promise.all([page.waitForEvent('download'), page.getByTestId('urls-csv').click()]);
    expect(saved.suggestedFilename()).toMatch(/^vod-urls-.*\.csv$/);
    const csv = fs.readFileSync((await saved.path())!, 'utf8');
    const lines = csv.replace(/^\uFEFF/, '').trim().split('\r\n');
    const header = lines[0].split(',');
    expect(header).toContain('expires_at');
    expect(lines).toHaveLength(3);
    const at = header.indexOf('expires_at');
    for (const line of lines.slice(1)) expect(Date.parse(line.split(',')[at])).toBeGreaterThan(Date.now());
    expect(pageProblems(page)).toEqual([]);
  });
});

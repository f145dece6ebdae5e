// Fixing videos in bulk from the Library view: a title template applied to several
// videos with one result each (the titles in VOD changed, one video VOD refuses to change
// reported as failed with the reason in words), then a delete of more than five that asks
// for their number typed before it runs.

import { describe, expect, it } from 'vitest';
import { pageProblems, screenshot } from './harness';
import { openLibrary, seedVideos, useLibrarySession } from './library-session';

const T = 60_000;

describe('bulk edit and delete in the Library view', () => {
  const s = useLibrarySession();

  it('edits several titles with per-video results, then deletes with a typed confirmation', async () => {
    const { page, sandbox } = s;
    await seedVideos(sandbox, { count: 8, titlePrefix: 'Clip', status: 'Normal' });
    await openLibrary(page);
    const rows = page.getByTestId('library-row');
    await expect.poll(() => rows.count(), { timeout: T }).toBe(8);

    // --- three rows: click, then Shift+click ---------------------------------------------
    // A click on the row (not its title, which opens the details) selects it alone.
    await rows.nth(0).click({ position: { x: 700, y: 10 } });
    await rows.nth(2).click({ modifiers: ['Shift'], position: { x: 700, y: 10 } });
    await expect.poll(() => page.getByTestId('library-selected-count').getAttribute('data-count')).toBe('3');
    const chosen = await page.locator('[data-testid="library-row"][aria-selected="true"]')
      .evaluateAll((els) => els.map((e) => [e.getAttribute('data-video-id')!, e.getAttribute('data-title')!] as const));
    expect(chosen).toHaveLength(3);

    // VOD will refuse to change the second one (ForbiddenVideoIds).
    expect(sandbox.setVideoForbidden(chosen[1][0], true)).toBe(true);
    await page.getByTestId('library-edit').click();
    await page.getByTestId('bulk-title-mode').selectOption('template');
    await page.getByTestId('bulk-title').fill('{title} (fixed)');
    expect(await page.getByTestId('bulk-title-preview').textContent()).toContain(`${chosen[0][1]} (fixed)`);
    await page.getByTestId('bulk-apply').click();
    const results = page.getByTestId('library-results');
    await results.waitFor({ timeout: T });
    expect(await results.getAttribute('data-ok')).toBe('2');
    expect(await results.getAttribute('data-failed')).toBe('1');
    const outcomes = await page.getByTestId('library-result').evaluateAll((els) => els.map((e) => [e.getAttribute('data-video-id'), e.getAttribute('data-ok')]));
    expect(outcomes).toEqual(chosen.map(([id], i) => [id, String(i !== 1)]));
    const refused = page.locator(`[data-testid="library-result"][data-video-id="${chosen[1][0]}"]`);
    expect(await refused.textContent()).toMatch(/not allowed to do this.*\(Forbidden\)/);
    expect(await page.getByTestId('library-results-summary').textContent()).toBe('Edited: 2 done, 1 failed.');
    await screenshot(page, 'library-edit-results');
    await page.getByTestId('library-dialog-close').click();

    // VOD has the new titles, and the rows show them; the refused one is as it was.
    for (const [i, [id, title]] of chosen.entries()) {
      const expected = i === 1 ? title : `${title} (fixed)`;
      expect(sandbox.video(id)?.title).toBe(expected);
      expect(await page.locator(`[data-testid="library-row"][data-video-id="${id}"]`).getAttribute('data-title')).toBe(expected);
    }
    sandbox.setVideoForbidden(chosen[1][0], false);

    // --- delete six: the number must be typed ----------------------------------------------
    await page.getByTestId('library-clear-selection').click();
    await rows.nth(0).click({ position: { x: 700, y: 10 } });
    await rows.nth(5).click({ modifiers: ['Shift'], position: { x: 700, y: 10 } });
    await expect.poll(() => page.getByTestId('library-selected-count').getAttribute('data-count')).toBe('6');
    const doomed = await page.locator('[data-testid="library-row"][aria-selected="true"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-video-id')!));
    await page.getByTestId('library-delete').click();
    const confirm = page.getByTestId('delete-confirm');
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByTestId('delete-confirm-input').fill('5');
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByTestId('delete-confirm-input').fill('6');
    expect(await confirm.isDisabled()).toBe(false);
    await confirm.click();
    await results.waitFor({ timeout: T });
    expect(await results.getAttribute('data-operation')).toBe('delete');
    expect(await results.getAttribute('data-ok')).toBe('6');
    await page.getByTestId('library-dialog-close').click();

    await expect.poll(() => rows.count()).toBe(2);
    expect(await page.getByTestId('library-total').getAttribute('data-total')).toBe('2');
    for (const id of doomed) expect(sandbox.video(id)).toBeUndefined();
    expect(pageProblems(page)).toEqual([]);
  });
});

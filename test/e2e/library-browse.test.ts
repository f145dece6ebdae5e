// The Library view in the browser: an account of 100,000 seeded videos listed with their
// total, one page loaded at first and more only as the list scrolls (the page never holds
// what nobody looked at), filters by title words, tag and status narrowing the search, a video's
// details, and the view's words in Chinese.

import { describe, expect, it } from 'vitest';
import { pageProblems, screenshot } from './harness';
import { openLibrary, seedVideos, useLibrarySession } from './library-session';

const T = 60_000;

describe('the Library view', () => {
  const s = useLibrarySession();

  it('lists, scrolls past the first page, filters and shows details, in English and Chinese', async () => {
    const { page, sandbox } = s;
    expect(await seedVideos(sandbox, { count: 100_000, titlePrefix: 'Episode', tags: ['show'], status: 'Normal' })).toBe(100_000);
    expect(await seedVideos(sandbox, { count: 5, titlePrefix: 'Pilot', tags: ['show'], status: 'Checking' })).toBe(5);
    expect(await seedVideos(sandbox, { count: 12, titlePrefix: 'Trailer', tags: ['promo'], status: 'Normal' })).toBe(12);

    await openLibrary(page);
    const total = page.getByTestId('library-total');
    expect(await total.getAttribute('data-total')).toBe('100017');
    // One page of SearchMedia (100) at first; the rest only when scrolled to.
    expect(await total.getAttribute('data-loaded')).toBe('100');
    expect(await total.textContent()).toContain('100,017 videos match');
    // Newest first: the trailers, seeded last, lead.
    expect(await page.getByTestId('library-row').first().getAttribute('data-title')).toMatch(/^Trailer/);

    // Each scroll to the end brings exactly the next page, in order, no row twice.
    const scroller = page.getByTestId('library-scroller');
    for (const loaded of ['200', '300']) {
      await scroller.evaluate((el) => el.scrollTo({ top: el.scrollHeight }));
      await expect.poll(() => total.getAttribute('data-loaded'), { timeout: T }).toBe(loaded);
    }
    const seen = await page.getByTestId('library-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-video-id')));
    expect(new Set(seen).size).toBe(seen.length);
    await screenshot(page, 'library-scrolled');

    // --- title words -------------------------------------------------------------------
    await page.getByTestId('library-filter-title').fill('trailer');
    await page.getByTestId('library-search').click();
    await expect.poll(() => total.getAttribute('data-total'), { timeout: T }).toBe('12');
    const titles = await page.getByTestId('library-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-title') ?? ''));
    expect(titles).toHaveLength(12);
    expect(titles.every((t) => t.startsWith('Trailer'))).toBe(true);

    // --- a tag instead -------------------------------------------------------------------
    await page.getByTestId('library-filter-title').fill('');
    await page.locator('.tags-filter input').fill('show');
    await page.locator('.tags-filter input').press('Enter');
    await page.getByTestId('library-search').click();
    await expect.poll(() => total.getAttribute('data-total'), { timeout: T }).toBe('100005');

    // --- and a status: those in review -----------------------------------------------------
    await page.getByTestId('library-filter-status').locator('summary').click();
    await page.getByTestId('library-status-Checking').check();
    await page.getByTestId('library-search').click();
    await expect.poll(() => total.getAttribute('data-total'), { timeout: T }).toBe('5');
    expect(await page.getByTestId('library-row').evaluateAll((rows) => rows.map((r) => r.getAttribute('data-status')))).toEqual(Array(5).fill('Checking'));
    expect(await page.locator('[data-testid="library-filter-status"][open]').count()).toBe(0);

    // --- one video's details --------------------------------------------------------------
    const first = page.getByTestId('library-row').first();
    const videoId = await first.getAttribute('data-video-id');
    await first.getByTestId('library-row-title').click();
    const details = page.getByTestId('video-details');
    await details.waitFor();
    expect(await details.getAttribute('data-video-id')).toBe(videoId);
    await expect.poll(() => page.getByTestId('video-details-status').textContent(), { timeout: T }).toBe('In review');
    await page.keyboard.press('Escape');
    await expect.poll(() => details.count()).toBe(0);

    // --- the same view in Chinese ---------------------------------------------------------
    await page.getByTestId('lang-switch').selectOption('zh-CN');
    await expect.poll(() => page.getByTestId('nav-library').textContent()).toBe('媒资库');
    expect(await total.textContent()).toContain('共 5 个视频符合');
    expect(await page.getByTestId('library-row-status').first().textContent()).toBe('审核中');
    expect(await page.getByTestId('library-search').textContent()).toBe('搜索');
    expect(await page.locator('.library-table .thead').textContent()).toContain('创建时间');
    await screenshot(page, 'library-zh');
    await page.getByTestId('lang-switch').selectOption('en');

    expect(pageProblems(page)).toEqual([]);
  });
});

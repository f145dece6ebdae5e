// Screenshots of every main view at 1366×768, in English and Simplified Chinese, for a
// person to look at (layout, clipping, wording). Written to test-results/screenshots/views
// (gitignored) as <view>.<lang>.png by screenshots.test.ts:
//   npm run build && npx vitest run test/e2e/screenshots.test.ts

import fs from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { SCREENSHOT_DIR } from './harness';

export const VIEW_SCREENSHOT_DIR = path.join(SCREENSHOT_DIR, 'views');
export const SCREEN = { width: 1366, height: 768 } as const;
const LANGUAGES = ['en', 'zh-CN'] as const;

/** Takes the page as it is now in each language (switched in the header), back in English after. */
export async function shootBothLanguages(page: Page, view: string): Promise<string[]> {
  fs.mkdirSync(VIEW_SCREENSHOT_DIR, { recursive: true });
  const files: string[] = [];
  for (const lang of LANGUAGES) {
    await page.getByTestId('lang-switch').selectOption(lang);
    // Rendered in that language: the header's first tab is in Chinese or not.
    await page.waitForFunction((l) => document.documentElement.lang === l
      && /[\u4e00-\u9fff]/.test(document.querySelector('[data-testid="nav-upload"]')?.textContent ?? '') === (l === 'zh-CN'), lang);
    const file = path.join(VIEW_SCREENSHOT_DIR, `${view}.${lang}.png`);
    await page.screenshot({ path: file });
    files.push(file);
  }
  await page.getByTestId('lang-switch').selectOption('en');
  return files;
}

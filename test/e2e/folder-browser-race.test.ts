// The folder browser when its listings answer late: the server's reply to the listing
// opened when the browser appears is held back (Playwright stands between the page and
// the server's WebSocket), the operator types another path meanwhile, and only then is
// the reply let through. The typed path must stay in the box and be the folder opened:
// a late answer once overwrote it, and "Go" then opened the folder shown before (three
// CI runs failed on this race; here it is made to happen every time).

import type { Browser, Page, WebSocketRoute } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, makeMediaFolder, pageProblems, startServer, type MediaFolder, type Server } from './harness';

const T = 30_000;

/** Frames the page sent and the replies to them that are being held. */
interface Gate {
  /** Ids of browseDirectory calls the page made, in order. */
  browseIds: number[];
  /** Replies held back (by call id) until released. */
  held: Map<number, string>;
  /** Call ids whose replies are to be held. */
  hold: Set<number>;
  /** Holds the reply to the next browseDirectory call. */
  holdNextBrowse: boolean;
  release(id: number): void;
}

async function gatedPage(browser: Browser, url: string): Promise<{ page: Page; gate: Gate }> {
  const context = await browser.newContext({ viewport: { width: 1360, height: 820 }, locale: 'en-US' });
  let route: WebSocketRoute | undefined;
  const gate: Gate = {
    browseIds: [],
    held: new Map(),
    hold: new Set(),
    holdNextBrowse: false,
    release(id) {
      const frame = this.held.get(id);
      if (frame === undefined) throw new Error(`no reply to call ${id} is held`);
      this.held.delete(id);
      this.hold.delete(id);
      route!.send(frame);
    },
  };
  await context.routeWebSocket(/\/ws(\?|$)/, (ws) => {
    route = ws;
    const server = ws.connectToServer();
    ws.onMessage((msg) => {
      const text = typeof msg === 'string' ? msg : msg.toString('utf8');
      const frame = JSON.parse(text) as { id?: number; method?: string };
      if (frame.method === 'browseDirectory' && typeof frame.id === 'number') {
        gate.browseIds.push(frame.id);
        if (gate.holdNextBrowse) {
          gate.hold.add(frame.id);
          gate.holdNextBrowse = false;
        }
      }
      server.send(msg);
    });
    server.onMessage((msg) => {
      const text = typeof msg === 'string' ? msg : msg.toString('utf8');
      const frame = JSON.parse(text) as { id?: number };
      if (typeof frame.id === 'number' && gate.hold.has(frame.id)) gate.held.set(frame.id, text);
      else ws.send(msg);
    });
  });
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (err) => problems.push(`pageerror: ${err.message}`));
  (page as Page & { problems?: string[] }).problems = problems;
  await page.goto(url);
  await page.getByTestId('upload-view').waitFor();
  return { page, gate };
}

describe('folder browser with late listings', () => {
  let server: Server;
  let browser: Browser;
  let media: MediaFolder;
  beforeAll(async () => {
    media = makeMediaFolder();
    [server, browser] = await Promise.all([startServer(), launchBrowser()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.stop();
  });

  /** A page whose folder browser is open with the reply to its first listing held back. */
  async function browserWithFirstListingHeld(): Promise<{ page: Page; gate: Gate; first: number }> {
    const { page, gate } = await gatedPage(browser, server.url);
    gate.holdNextBrowse = true;
    await page.getByTestId('add-folder').click();
    await page.getByTestId('folder-browser').waitFor();
    await expect.poll(() => gate.held.size, { timeout: T }).toBe(1);
    const [first] = [...gate.held.keys()];
    return { page, gate, first };
  }

  it('keeps the path typed while the first listing was loading, and opens that one', async () => {
    const { page, gate, first } = await browserWithFirstListingHeld();
    const held = JSON.parse(gate.held.get(first)!) as { result?: { path: string } };
    expect(held.result?.path).toBeTruthy();
    expect(held.result!.path).not.toBe(media.dir);

    await page.getByTestId('browser-path').fill(media.dir);
    gate.release(first);
    // "Go" is enabled once the late listing has been taken in; the box still says what was typed.
    await page.getByTestId('browser-go').click();
    await expect.poll(() => page.getByTestId('browser-entry').count(), { timeout: T }).toBe(media.media.length + 1);
    expect(await page.getByTestId('browser-path').inputValue()).toBe(media.dir);
    expect(gate.browseIds.length).toBe(2);
    expect(pageProblems(page)).toEqual([]);
  });

  it('"Add the typed folder" after a late first listing acts on the typed path (an unreadable one is refused)', async () => {
    const { page, gate, first } = await browserWithFirstListingHeld();
    const missing = `${media.dir}/no-such-folder`;
    await page.getByTestId('browser-path').fill(missing);
    gate.release(first);
    await page.getByTestId('browser-add-current').click();
    await page.getByTestId('browser-error').waitFor({ timeout: T });
    expect(await page.getByTestId('browser-path').inputValue()).toBe(missing);
    expect(await page.getByTestId('staged-row').count()).toBe(0);
    expect(pageProblems(page)).toEqual([]);
  });
});

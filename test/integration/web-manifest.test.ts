// "Import list" over web mode's socket: serveWeb with the real app, the renderer's own
// WebSocket bridge, a manifest on disk. A good row comes back as a job to stage, a row
// with bad metadata and a row whose file is missing come back as numbered problems.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serveWeb, type WebServer } from '../../main/web/server';
import { createWebSocketBridge, type SocketLike, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import { randomFile, tempDir } from '../helpers/files';

let server: WebServer;
let bridge: WebSocketBridge;
let mediaDir: string;

beforeAll(async () => {
  const dataDir = await tempDir('vodup-webmanifest-data-');
  mediaDir = await tempDir('vodup-webmanifest-media-');
  const rendererDir = await tempDir('vodup-webmanifest-ui-');
  fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
  server = await serveWeb({ dataDir, rendererDir, port: 0 });
  const base = new URL(server.url);
  const token = base.searchParams.get('token') ?? '';
  bridge = createWebSocketBridge({
    url: `ws://${base.host}/ws?token=${encodeURIComponent(token)}`,
    createSocket: (u) => new WebSocket(u, { origin: `http://${base.host}` }) as unknown as SocketLike,
  });
});

afterAll(async () => {
  bridge?.close();
  await server?.close();
});

describe('readManifest over the web bridge', () => {
  it('returns the good rows with their metadata and numbers the bad and missing ones', async () => {
    await randomFile(mediaDir, 'good.mp4', 1000);
    await randomFile(mediaDir, 'bad.mp4', 1000);
    const list = path.join(mediaDir, 'list.csv');
    fs.writeFileSync(list, '\uFEFFpath,title,category,tags,description\r\n'
      + 'good.mp4,Good one,Movies / Action,"news,体育",Said well\r\n'
      + 'bad.mp4,Bad,Nope,,\r\n'
      + 'gone.mp4,Gone,,,\r\n');
    const reply = await bridge.readManifest(list);
    expect(reply.items).toEqual([{
      path: path.join(mediaDir, 'good.mp4'),
      // A category given by its path of names resolves against the account's tree.
      meta: { title: 'Good one', tags: ['news', '体育'], description: 'Said well', cateId: 1000002 },
    }]);
    expect(reply.problems).toEqual([
      {
        row: 2, path: path.join(mediaDir, 'bad.mp4'), message: 'No category is named "Nope" in this account.',
        code: 'ManifestRowInvalid',
        problems: [{ field: 'cateId', code: 'CategoryUnknown', message: 'No category is named "Nope" in this account.', params: { name: 'Nope' } }],
      },
      { row: 3, path: path.join(mediaDir, 'gone.mp4'), message: expect.stringMatching(/^Not found: .*gone\.mp4/), code: 'FileMissing' },
    ]);
  });

  it('says what is wrong with a list it cannot read, and refuses bad arguments', async () => {
    const json = path.join(mediaDir, 'list.json');
    fs.writeFileSync(json, '{"path": "good.mp4"}');
    await expect(bridge.readManifest(json)).rejects.toMatchObject({
      code: 'InvalidManifest', message: expect.stringContaining('A JSON manifest is an array of objects'),
    });
    await expect(bridge.readManifest(path.join(mediaDir, 'nope.csv'))).rejects.toMatchObject({
      code: 'InvalidManifest', message: expect.stringContaining('the file does not exist'),
    });
    const raw = bridge as unknown as { readManifest(...args: unknown[]): Promise<unknown> };
    await expect(raw.readManifest('')).rejects.toMatchObject({ code: 'InvalidArguments' });
    await expect(raw.readManifest(42)).rejects.toMatchObject({ code: 'InvalidArguments' });
  });
});

// The renderer's WebSocket bridge across a server restart: a call that cannot be
// delivered is rejected with a clear message, the bridge reconnects by itself, and
// listeners registered before the gap keep receiving events after it.

import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import WebSocket from 'ws';
import { serveWeb, type WebServer } from '../../main/web/server';
import { createWebSocketBridge, type SocketLike, type WebSocketBridge } from '../../renderer/src/bridge/ws-bridge';
import type { BridgeConnectionState } from '../../shared/ipc';
import { tempDir } from '../helpers/files';

const open: { servers: WebServer[]; bridge?: WebSocketBridge } = { servers: [] };

afterAll(async () => {
  open.bridge?.close();
  for (const s of open.servers) await s.close();
});

function nextState(bridge: WebSocketBridge, want: BridgeConnectionState): Promise<void> {
  return new Promise((resolve) => {
    const off = bridge.onConnectionChanged!((s) => {
      if (s === want) {
        off();
        resolve();
      }
    });
  });
}

describe('web bridge reconnection', () => {
  it('rejects what it cannot deliver, reconnects, and keeps its listeners', async () => {
    const dataDir = await tempDir('vodup-webbridge-');
    const rendererDir = await tempDir('vodup-webbridge-ui-');
    fs.writeFileSync(path.join(rendererDir, 'index.html'), '<!doctype html>');
    const token = 'a-fixed-token-for-this-test-0123456789';
    const first = await serveWeb({ dataDir, rendererDir, token });
    open.servers.push(first);
    const url = new URL(first.url);
    const port = Number(url.port);

    const bridge = createWebSocketBridge({
      url: `ws://${url.host}/ws?token=${token}`,
      createSocket: (u) => new WebSocket(u, { origin: `http://${url.host}` }) as unknown as SocketLike,
      minDelayMs: 20,
      maxDelayMs: 200,
    });
    open.bridge = bridge;
    expect((await bridge.listProfiles())[0].kind).toBe('sandbox');
    let profileEvents = 0;
    bridge.onProfilesChanged(() => (profileEvents += 1));

    const lost = nextState(bridge, 'reconnecting');
    await first.close();
    await lost;

    // Nothing listens now: the call waits for the next attempt, which fails.
    await expect(bridge.getTotals()).rejects.toMatchObject({ code: 'Disconnected', message: expect.stringMatching(/getTotals/) });

    const back = nextState(bridge, 'connected');
    const second = await serveWeb({ dataDir, rendererDir, token, port });
    open.servers.push(second);
    await back;

    const changed = new Promise<void>((resolve) => bridge.onProfilesChanged(() => resolve()));
    const view = await bridge.saveProfile({ name: 'After restart', kind: 'sandbox', accessKeyId: '', region: 'cn-shanghai' });
    await changed;
    expect(profileEvents).toBe(1);
    expect((await bridge.listProfiles()).map((p) => p.id)).toContain(view.id);
  });
});

// The renderer's one way to main: Electron's preload (`window.vod`) when present,
// else web mode's WebSocket against the page's own origin. The renderer never knows
// which shell carries its calls (docs/ARCHITECTURE.md §2).

import { WEB_SOCKET_PATH, WEB_TOKEN_PARAM, type VodBridge } from '../../../shared/ipc';
import { createWebSocketBridge } from './ws-bridge';

declare global {
  interface Window {
    vod?: VodBridge;
  }
}

let bridge: VodBridge | undefined;

export function getBridge(): VodBridge {
  if (bridge) return bridge;
  if (window.vod) {
    bridge = window.vod;
    return bridge;
  }
  const token = new URLSearchParams(window.location.search).get(WEB_TOKEN_PARAM);
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  // Without a token in the URL the server's cookie (set with the page) authenticates.
  const query = token ? `?${WEB_TOKEN_PARAM}=${encodeURIComponent(token)}` : '';
  bridge = createWebSocketBridge({ url: `${scheme}://${window.location.host}${WEB_SOCKET_PATH}${query}` });
  return bridge;
}

export { createWebSocketBridge, BridgeCallError, type WebSocketBridge } from './ws-bridge';

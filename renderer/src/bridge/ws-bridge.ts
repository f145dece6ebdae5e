// VodBridge over web mode's WebSocket (main/web/server.ts): the renderer cannot tell it
// from Electron's preload. Browser code only.
//
// - Calls made before the socket is open wait for it; calls pending when it drops are
//   rejected with a clear message (the server may or may not have run them).
// - It reconnects by itself with capped, jittered backoff. Event listeners live here,
//   so they keep working across reconnects; onConnectionChanged tells the UI to
//   re-query after a gap, since events sent meanwhile are lost.

import {
  EVENT_SUBSCRIBERS, IPC_METHODS, type BridgeConnectionState, type IpcEvent, type IpcMethod,
  type VodBridge, type WireMessage,
} from '../../../shared/ipc';

/** The part of the browser's WebSocket this client uses (the `ws` package fits too, for tests). */
export interface SocketLike {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((ev: unknown) => void) | null;
  onclose: ((ev: { code: number; reason: string }) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  onmessage: ((ev: { data: unknown }) => void) | null;
}

export interface WebSocketBridgeOptions {
  /** ws(s)://host/ws?token=… */
  url: string;
  createSocket?: (url: string) => SocketLike;
  minDelayMs?: number;
  maxDelayMs?: number;
}

export type WebSocketBridge = VodBridge & {
  /** Stops reconnecting and closes the socket; pending calls are rejected. */
  close(): void;
};

const OPEN = 1;

interface Pending {
  method: IpcMethod;
  frame: string;
  sent: boolean;
  resolve(v: unknown): void;
  reject(e: Error): void;
}

export class BridgeCallError extends Error {
  constructor(message: string, readonly code?: string) {
    super(message);
    this.name = 'BridgeCallError';
  }
}

export function createWebSocketBridge(opts: WebSocketBridgeOptions): WebSocketBridge {
  const createSocket = opts.createSocket ?? ((u: string) => new WebSocket(u) as unknown as SocketLike);
  const minDelay = opts.minDelayMs ?? 250;
  const maxDelay = opts.maxDelayMs ?? 10_000;
  const pending = new Map<number, Pending>();
  const listeners = new Map<IpcEvent, Set<(payload: unknown) => void>>();
  const connectionListeners = new Set<(s: BridgeConnectionState) => void>();
  let nextId = 1;
  let socket: SocketLike | undefined;
  let attempt = 0;
  let closed = false;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const emitConnection = (s: BridgeConnectionState): void => {
    for (const l of [...connectionListeners]) l(s);
  };

  const connect = (): void => {
    const ws = createSocket(opts.url);
    socket = ws;
    ws.onopen = () => {
      attempt = 0;
      for (const p of pending.values()) {
        if (!p.sent) {
          ws.send(p.frame);
          p.sent = true;
        }
      }
      emitConnection('connected');
    };
    ws.onmessage = (ev) => {
      let msg: WireMessage;
      try {
        msg = JSON.parse(String(ev.data)) as WireMessage;
      } catch {
        return;
      }
      if ('event' in msg) {
        for (const l of [...(listeners.get(msg.event) ?? [])]) l(msg.payload);
        return;
      }
      const p = pending.get(msg.id);
      if (!p) return;
      pending.delete(msg.id);
      if ('error' in msg) p.reject(new BridgeCallError(msg.error.message, msg.error.code));
      else p.resolve(msg.result);
    };
    ws.onerror = () => {
      // onclose follows and does the work.
    };
    ws.onclose = (ev) => {
      if (socket !== ws) return;
      socket = undefined;
      const why = ev.reason ? ` (${ev.reason})` : '';
      for (const [id, p] of pending) {
        pending.delete(id);
        p.reject(new BridgeCallError(p.sent
          ? `The connection to the server was lost during "${p.method}"${why}; it may or may not have been done. Check the state, then try again.`
          : `Cannot reach the server for "${p.method}"${why}. Is "vodup serve" still running? Reconnecting…`,
        'Disconnected'));
      }
      if (closed) return;
      emitConnection('reconnecting');
      const delay = Math.min(maxDelay, minDelay * 2 ** attempt) * (0.5 + Math.random() / 2);
      attempt += 1;
      timer = setTimeout(connect, delay);
    };
  };

  const call = (method: IpcMethod, args: unknown[]): Promise<unknown> => {
    if (closed) return Promise.reject(new BridgeCallError('The bridge is closed.', 'Disconnected'));
    // JSON turns a trailing undefined into null, which the schemas refuse.
    let n = args.length;
    while (n > 0 && args[n - 1] === undefined) n -= 1;
    const id = nextId++;
    const frame = JSON.stringify({ id, method, args: args.slice(0, n) });
    return new Promise((resolve, reject) => {
      const p: Pending = { method, frame, sent: false, resolve, reject };
      pending.set(id, p);
      if (socket && socket.readyState === OPEN) {
        socket.send(frame);
        p.sent = true;
      }
    });
  };

  const bridge: Record<string, unknown> = {};
  for (const m of IPC_METHODS) bridge[m] = (...args: unknown[]) => call(m, args);
  for (const [sub, event] of Object.entries(EVENT_SUBSCRIBERS) as [keyof typeof EVENT_SUBSCRIBERS, IpcEvent][]) {
    bridge[sub] = (listener: (payload: unknown) => void) => {
      let set = listeners.get(event);
      if (!set) listeners.set(event, (set = new Set()));
      // A fresh wrapper per subscription, so the same function can subscribe twice.
      const wrapped = (payload: unknown): void => listener(payload);
      set.add(wrapped);
      return () => {
        set.delete(wrapped);
      };
    };
  }
  bridge.onConnectionChanged = (listener: (s: BridgeConnectionState) => void) => {
    const wrapped = (s: BridgeConnectionState): void => listener(s);
    connectionListeners.add(wrapped);
    return () => {
      connectionListeners.delete(wrapped);
    };
  };
  bridge.close = () => {
    closed = true;
    if (timer) clearTimeout(timer);
    socket?.close(1000, 'Bridge closed');
  };

  connect();
  return bridge as unknown as WebSocketBridge;
}

// The preload (docs/ARCHITECTURE.md habit 3): exposes exactly VodBridge as `window.vod`, built
// from the contract's lists, and never ipcRenderer itself. Bundled into one CommonJS
// file (preload/vite.config.mts) because a sandboxed preload cannot require local files.

import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import {
  EVENT_SUBSCRIBERS, IPC_METHODS, callChannel, eventChannel, type IpcReply, type VodBridge,
} from '../shared/ipc';

/** An error that keeps main's code across the bridge (contextBridge copies own props). */
function toError(error: { message: string; code?: string }): Error {
  const err = new Error(error.message);
  if (error.code) (err as Error & { code?: string }).code = error.code;
  return err;
}

export function buildBridge(): VodBridge {
  const api: Record<string, unknown> = {};
  for (const method of IPC_METHODS) {
    api[method] = async (...args: unknown[]): Promise<unknown> => {
      const reply = (await ipcRenderer.invoke(callChannel(method), ...args)) as IpcReply;
      if (!reply.ok) throw toError(reply.error);
      return reply.result;
    };
  }
  for (const [subscriber, event] of Object.entries(EVENT_SUBSCRIBERS)) {
    api[subscriber] = (listener: (payload: unknown) => void): (() => void) => {
      // The renderer never sees the IpcRendererEvent (it carries the sender).
      const wrapped = (_e: IpcRendererEvent, payload: unknown): void => listener(payload);
      ipcRenderer.on(eventChannel(event), wrapped);
      return () => {
        ipcRenderer.removeListener(eventChannel(event), wrapped);
      };
    };
  }
  api.pathForFile = (file: unknown): string | null => {
    try {
      return webUtils.getPathForFile(file as File) || null;
    } catch {
      return null;
    }
  };
  return api as unknown as VodBridge;
}

contextBridge.exposeInMainWorld('vod', buildBridge());

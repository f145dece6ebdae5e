// ipcMain wiring generated from the contract: one handler per IPC_METHODS entry, each
// going through the shared dispatcher (zod validation first), and events forwarded to
// the window. Replies are envelopes (IpcReply) because Electron flattens thrown errors
// into a string and would lose their code.

import type { IpcMain, IpcMainInvokeEvent } from 'electron';
import { EVENT_SUBSCRIBERS, IPC_METHODS, callChannel, eventChannel, type IpcEvent, type IpcReply } from '../../shared/ipc';
import type { AppEvents } from '../app/create-app';
import type { Dispatch } from '../app/dispatch';
import { toErrorPayload } from '../app/ipc-error';
import { originOf } from './permissions';

/** Decides whether a call comes from our own page (not a stray frame or other origin). */
export type SenderCheck = (event: IpcMainInvokeEvent) => boolean;

export function registerIpcHandlers(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, dispatch: Dispatch, trusted: SenderCheck): () => void {
  for (const method of IPC_METHODS) {
    ipcMain.handle(callChannel(method), async (event, ...args: unknown[]): Promise<IpcReply> => {
      if (!trusted(event)) {
        return { ok: false, error: { code: 'Forbidden', message: 'Calls are accepted from the application window only.' } };
      }
      try {
        return { ok: true, result: await dispatch(method, args) };
      } catch (err) {
        return { ok: false, error: toErrorPayload(err) };
      }
    });
  }
  return () => {
    for (const method of IPC_METHODS) ipcMain.removeHandler(callChannel(method));
  };
}

/** Sends every app event to the window while it exists; returns the unsubscribe. */
export function forwardEvents(events: AppEvents, send: (channel: string, payload: unknown) => void): () => void {
  const offs = (Object.keys(EVENT_SUBSCRIBERS) as (keyof typeof EVENT_SUBSCRIBERS)[]).map((sub) => {
    const event: IpcEvent = EVENT_SUBSCRIBERS[sub];
    const subscribe = events[sub] as (l: (payload: unknown) => void) => () => void;
    return subscribe((payload) => send(eventChannel(event), payload ?? null));
  });
  return () => offs.forEach((off) => off());
}

/** A sender is trusted when its top frame shows our page (app:// or the dev server). */
export function senderFromOrigins(origins: readonly string[]): SenderCheck {
  return (event) => {
    const frame = event.senderFrame;
    if (!frame || frame.parent) return false;
    const origin = originOf(frame.url);
    return origin !== undefined && origins.includes(origin);
  };
}

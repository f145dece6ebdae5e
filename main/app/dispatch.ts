// The one generic dispatcher between a shell's transport (Electron ipcMain, the web
// socket) and the controller: refuses unknown methods and validates every argument
// list with its zod schema from shared/ipc.ts before the controller sees it.

import { z } from 'zod';
import { ipcArgs, type BridgeCalls, type IpcMethod } from '../../shared/ipc';
import { IpcError } from './ipc-error';

export type Dispatch = (method: unknown, args: unknown) => Promise<unknown>;

export function isIpcMethod(method: unknown): method is IpcMethod {
  return typeof method === 'string' && Object.prototype.hasOwnProperty.call(ipcArgs, method);
}

export function createDispatcher(calls: BridgeCalls): Dispatch {
  return async (method, args) => {
    if (!isIpcMethod(method)) {
      throw new IpcError('UnknownMethod', `Unknown method ${JSON.stringify(String(method)).slice(0, 80)}.`);
    }
    const parsed = ipcArgs[method].safeParse(args === undefined ? [] : args);
    if (!parsed.success) {
      throw new IpcError('InvalidArguments', `Invalid arguments for ${method}: ${z.prettifyError(parsed.error)}`);
    }
    const fn = calls[method] as (...a: unknown[]) => Promise<unknown>;
    return fn.apply(calls, parsed.data as unknown[]);
  };
}

// Errors as they leave main for a renderer: a message for the user and a stable code.

import type { IpcErrorPayload } from '../../shared/ipc';

export class IpcError extends Error {
  constructor(readonly code: string, message: string) {
    super(message);
    this.name = 'IpcError';
  }
}

/** The one place that decides what of an error crosses the boundary: never a stack. */
export function toErrorPayload(err: unknown): IpcErrorPayload {
  if (err instanceof Error) {
    const code = (err as { code?: unknown }).code;
    return { message: err.message || err.name, ...(typeof code === 'string' && code ? { code } : {}) };
  }
  return { message: String(err) };
}

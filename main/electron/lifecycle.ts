// Quitting without losing work: 'before-quit' is held until the engine has shut down
// (parts in flight settle, the checkpoint is consistent). If that hangs, the app quits
// anyway after a while: the queue is crash-safe and resumes on the next start.

export interface QuittableApp {
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  quit(): void;
}

export interface GracefulQuit {
  /** True from the first quit request on (the window's close handler reads it). */
  readonly quitting: boolean;
}

export function installGracefulQuit(app: QuittableApp, shutdown: () => Promise<void>, opts: { timeoutMs?: number; onError?: (err: unknown) => void } = {}): GracefulQuit {
  const timeoutMs = opts.timeoutMs ?? 20_000;
  const state = { quitting: false, started: false, done: false };
  app.on('before-quit', (event) => {
    state.quitting = true;
    if (state.done) return;
    event.preventDefault();
    if (state.started) return;
    state.started = true;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, timeoutMs);
      timer.unref?.();
    });
    Promise.race([shutdown(), deadline])
      .catch((err: unknown) => opts.onError?.(err))
      .finally(() => {
        clearTimeout(timer);
        state.done = true;
        app.quit();
      });
  });
  return {
    get quitting() {
      return state.quitting;
    },
  };
}

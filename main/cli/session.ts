// One engine for the life of a command, and the signal rules around it:
// the first SIGINT/SIGTERM shuts the engine down gracefully (parts in flight settle,
// the checkpoint stays consistent) and exits 130/143; a second SIGINT exits at once —
// safe, because the queue is crash-safe and `vodup run` resumes it.

import type { EngineSettings } from '../../shared/types';
import { openEngine, UploadEngine, type EngineOptions, type UploadEngineApi } from '../engine/index';
import type { VideoProvider } from '../engine/provider';
import { EXIT } from './errors';

export interface SessionOptions {
  dbPath: string;
  settings?: Partial<EngineSettings>;
  /** Called at most once, on the engine's first need of the cloud. */
  provider: () => VideoProvider;
  /**
   * false: open the queue without starting the scheduler (status, pause, …), so that
   * reading or editing the queue never starts uploads.
   */
  start: boolean;
  /** Told when a signal starts the graceful stop. */
  onStopping?: (signal: NodeJS.Signals) => void;
}

export interface Session {
  engine: UploadEngineApi;
  /** Shuts the engine down and removes the signal handlers. */
  close(): Promise<void>;
}

export async function openSession(opts: SessionOptions): Promise<Session> {
  let provider: VideoProvider | undefined;
  const engineOpts: EngineOptions = {
    dbPath: opts.dbPath,
    settings: opts.settings,
    // The CLI uploads with one account; every profile id maps to it.
    providerFor: () => (provider ??= opts.provider()),
  };
  // openEngine also starts the scheduler; the bare constructor only opens the queue.
  const engine: UploadEngineApi = opts.start ? await openEngine(engineOpts) : new UploadEngine(engineOpts);

  let stopping = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    const code = signal === 'SIGTERM' ? EXIT.sigterm : EXIT.sigint;
    if (stopping) {
      if (signal === 'SIGINT') process.exit(code);
      return;
    }
    stopping = true;
    opts.onStopping?.(signal);
    engine.shutdown().then(
      () => process.exit(code),
      () => process.exit(code),
    );
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  return {
    engine,
    async close() {
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await engine.shutdown();
    },
  };
}

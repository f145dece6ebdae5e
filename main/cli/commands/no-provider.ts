// The account for commands that may run without credentials (status, pause, cancel):
// every call fails with a clear "no credentials" error instead of the command
// refusing to start. The engine treats cloud clean-up on cancel as best effort, so a
// cancel without credentials still cancels locally (OSS purges the upload in ~7 days).

import { EngineError } from '../../engine/errors';
import type { VideoProvider } from '../../engine/provider';

export function unavailableProvider(why: string): VideoProvider {
  const fail = (): Promise<never> =>
    Promise.reject(new EngineError({ kind: 'auth', code: 'NoCredentials', message: why, retryable: false }));
  return {
    createUpload: fail,
    refreshUpload: fail,
    getVideoStatus: fail,
    createImageUpload: fail,
    setCover: fail,
    deleteVideo: fail,
    getCatalog: fail,
    testConnection: fail,
  };
}

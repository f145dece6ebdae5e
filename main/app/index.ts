// The shell-agnostic application (docs/ARCHITECTURE.md §2): what Electron and web mode share.

export { createApp, type App, type AppEvents, type CreateAppOptions } from './create-app';
export { AppController } from './controller';
export { createDispatcher, isIpcMethod, type Dispatch } from './dispatch';
export { IpcError, toErrorPayload } from './ipc-error';
export { createFileSecretBox } from './file-secret-box';
export type { SecretBox } from './secret-box';
export { SANDBOX_PROFILE_ID } from './profiles';
export { CONTENT_SECURITY_POLICY } from './security';

// Secrets at rest in the desktop app: Electron's safeStorage, i.e. the OS keychain
// (macOS Keychain, Windows DPAPI, libsecret/kwallet on Linux). Where it offers no real
// protection — unavailable, or Linux's "basic_text" backend, a hard-coded password —
// the app falls back to the file key box and says so, instead of pretending.

import type { SafeStorage } from 'electron';
import { createFileSecretBox } from '../app/file-secret-box';
import type { SecretBox } from '../app/secret-box';

export function createSafeStorageBox(safeStorage: Pick<SafeStorage, 'encryptString' | 'decryptString'>, kind: string): SecretBox {
  return {
    kind,
    encrypt: (plain) => safeStorage.encryptString(plain),
    decrypt: (blob) => safeStorage.decryptString(blob),
  };
}

export interface SecretBoxChoice {
  box: SecretBox;
  /** Set when the keychain could not be used: why, for the log. */
  warning?: string;
}

/** Call after app 'ready' (safeStorage is not available before). */
export function chooseSecretBox(safeStorage: SafeStorage, platform: NodeJS.Platform, dataDir: string): SecretBoxChoice {
  if (!safeStorage.isEncryptionAvailable()) {
    return {
      box: createFileSecretBox(dataDir),
      warning: 'The OS keychain is not available; profile secrets are encrypted with a key file in the data folder instead.',
    };
  }
  if (platform === 'linux') {
    const backend = safeStorage.getSelectedStorageBackend();
    if (backend === 'basic_text' || backend === 'unknown') {
      return {
        box: createFileSecretBox(dataDir),
        warning: `No desktop keyring (libsecret/kwallet) is running (backend "${backend}"); profile secrets are encrypted with a key file in the data folder instead.`,
      };
    }
    return { box: createSafeStorageBox(safeStorage, `safeStorage (${backend})`) };
  }
  return { box: createSafeStorageBox(safeStorage, platform === 'darwin' ? 'safeStorage (Keychain)' : 'safeStorage (DPAPI)') };
}

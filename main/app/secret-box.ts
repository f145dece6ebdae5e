// How a profile's secrets are kept at rest. Each shell brings its own box: Electron
// uses the OS keychain (safeStorage, main/electron/safe-storage-box.ts), headless
// shells a key file (file-secret-box.ts). The store only ever sees encrypted blobs.

export interface SecretBox {
  encrypt(plain: string): Buffer;
  /** Throws when the blob was sealed by another key (another machine, a lost key file). */
  decrypt(blob: Buffer): string;
  /** What protects the secrets, for diagnostics (never the key itself). */
  readonly kind: string;
}

export class SecretUnreadableError extends Error {
  readonly code = 'SecretUnreadable';
  constructor(profileName: string) {
    super(`The stored secret of profile "${profileName}" cannot be decrypted (it was saved on another machine, by another user, or the key was lost). Edit the profile and enter the AccessKey secret again.`);
    this.name = 'SecretUnreadableError';
  }
}

export function openSecret(box: SecretBox, blob: Buffer, profileName: string): string {
  try {
    return box.decrypt(blob);
  } catch {
    throw new SecretUnreadableError(profileName);
  }
}

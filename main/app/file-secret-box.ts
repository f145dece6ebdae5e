// SecretBox for headless shells (web mode, CLI): AES-256-GCM with a random key kept in
// <dataDir>/secret.key (mode 0600).
//
// The trade-off: a headless Linux box has no OS keychain to lean on, so the key lives
// on the same disk as the database. This keeps secrets out of the database file — a
// copied, backed-up or support-shared queue.db reveals nothing — but anyone who can
// read the data folder as this user can decrypt them. Protect the data folder as you
// would ~/.aliyun/config.json; on desktops the Electron shell uses the OS keychain.

import crypto from 'crypto';
import fs from 'fs';
import path from 'path';
import type { SecretBox } from './secret-box';

const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** Blob format version, so the scheme can change without misreading old blobs. */
const VERSION = 1;

export function createFileSecretBox(dataDir: string): SecretBox {
  const key = loadOrCreateKey(path.join(dataDir, 'secret.key'));
  return {
    kind: 'file-key (AES-256-GCM)',
    encrypt(plain: string): Buffer {
      const iv = crypto.randomBytes(IV_BYTES);
      const cipher = crypto.createCipheriv('aes-256-gcm', key, iv);
      const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
      return Buffer.concat([Buffer.from([VERSION]), iv, cipher.getAuthTag(), body]);
    },
    decrypt(blob: Buffer): string {
      if (blob.length < 1 + IV_BYTES + TAG_BYTES || blob[0] !== VERSION) {
        throw new Error('Not a secret sealed by this application.');
      }
      const iv = blob.subarray(1, 1 + IV_BYTES);
      const tag = blob.subarray(1 + IV_BYTES, 1 + IV_BYTES + TAG_BYTES);
      const decipher = crypto.createDecipheriv('aes-256-gcm', key, iv);
      decipher.setAuthTag(tag);
      return Buffer.concat([decipher.update(blob.subarray(1 + IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    },
  };
}

function loadOrCreateKey(file: string): Buffer {
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  try {
    // 'wx': create only if absent, so two processes starting at once cannot both win.
    const fd = fs.openSync(file, 'wx', 0o600);
    try {
      fs.writeSync(fd, crypto.randomBytes(KEY_BYTES));
    } finally {
      fs.closeSync(fd);
    }
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
  }
  const key = fs.readFileSync(file);
  if (key.length !== KEY_BYTES) {
    throw new Error(`${file} is not a ${KEY_BYTES}-byte key. Move it away to create a new one (stored secrets must then be entered again).`);
  }
  if (process.platform !== 'win32' && (fs.statSync(file).mode & 0o077) !== 0) {
    // Someone loosened it; tighten rather than refuse, the secrets are still ours.
    fs.chmodSync(file, 0o600);
  }
  return key;
}

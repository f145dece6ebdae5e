import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createFileSecretBox } from '../../main/app/file-secret-box';
import { tempDir } from '../helpers/files';

describe('file secret box', () => {
  it('creates its key file with mode 0600 and round-trips a secret', async () => {
    const dir = await tempDir();
    const box = createFileSecretBox(dir);
    const blob = box.encrypt('my-secret-汉字');
    expect(blob.toString('latin1')).not.toContain('my-secret');
    expect(box.decrypt(blob)).toBe('my-secret-汉字');
    const st = fs.statSync(path.join(dir, 'secret.key'));
    expect(st.size).toBe(32);
    if (process.platform !== 'win32') expect(st.mode & 0o777).toBe(0o600);
  });

  it('uses a fresh IV each time, and a second box on the same folder reads the first one\'s blobs', async () => {
    const dir = await tempDir();
    const a = createFileSecretBox(dir);
    const b1 = a.encrypt('same');
    const b2 = a.encrypt('same');
    expect(b1.equals(b2)).toBe(false);
    expect(createFileSecretBox(dir).decrypt(b1)).toBe('same');
  });

  it('refuses a blob sealed with another key or tampered with', async () => {
    const blob = createFileSecretBox(await tempDir()).encrypt('secret');
    const other = createFileSecretBox(await tempDir());
    expect(() => other.decrypt(blob)).toThrow();
    const own = createFileSecretBox(await tempDir());
    const sealed = own.encrypt('secret');
    sealed[sealed.length - 1] ^= 1;
    expect(() => own.decrypt(sealed)).toThrow();
  });

  it('tightens a key file whose permissions were loosened', async () => {
    if (process.platform === 'win32') return;
    const dir = await tempDir();
    createFileSecretBox(dir);
    fs.chmodSync(path.join(dir, 'secret.key'), 0o644);
    createFileSecretBox(dir);
    expect(fs.statSync(path.join(dir, 'secret.key')).mode & 0o777).toBe(0o600);
  });

  it('says what to do when the key file is damaged', async () => {
    const dir = await tempDir();
    fs.writeFileSync(path.join(dir, 'secret.key'), 'short', { mode: 0o600 });
    expect(() => createFileSecretBox(dir)).toThrow(/Move it away/);
  });
});

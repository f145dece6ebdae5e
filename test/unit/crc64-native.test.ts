import path from 'path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { loadNativeCrc64, nativeAddonCandidates, nativeCrc64LoadError } from '../../main/engine/oss/crc64-native';

const ADDON = path.join('native', 'crc64', 'build', 'Release', 'crc64.node');

describe('crc64-native loader', () => {
  afterEach(() => {
    delete process.env.VODUP_CRC64_NATIVE;
    vi.resetModules();
  });

  it('finds the addon from the TS sources (vitest) and loads it', () => {
    const repoRoot = path.resolve(__dirname, '..', '..');
    expect(nativeAddonCandidates(path.join(repoRoot, 'main', 'engine', 'oss'))).toContain(path.join(repoRoot, ADDON));
    expect(nativeAddonCandidates(path.join(repoRoot, 'out', 'main', 'engine', 'oss'))).toContain(path.join(repoRoot, ADDON));
    expect(loadNativeCrc64()).toBeDefined();
    expect(nativeCrc64LoadError()).toBeUndefined();
  });

  it('looks in app.asar.unpacked when running from inside app.asar', () => {
    const inAsar = '/Applications/VOD Bulk Uploader.app/Contents/Resources/app.asar/out/main/engine/oss';
    const candidates = nativeAddonCandidates(inAsar);
    expect(candidates).toContain(`/Applications/VOD Bulk Uploader.app/Contents/Resources/app.asar.unpacked/${ADDON}`);
    expect(candidates.some((c) => c.includes('app.asar/'))).toBe(false);
    // Already unpacked paths are left alone.
    expect(nativeAddonCandidates('/r/app.asar.unpacked/out')).toContain(`/r/app.asar.unpacked/${ADDON}`);
  });

  it('falls back to JS when the addon is disabled, with the same results', async () => {
    process.env.VODUP_CRC64_NATIVE = '0';
    vi.resetModules();
    const nativeMod = await import('../../main/engine/oss/crc64-native');
    const crcMod = await import('../../main/engine/oss/crc64');
    expect(nativeMod.loadNativeCrc64()).toBeUndefined();
    expect(nativeMod.nativeCrc64LoadError()).toMatch(/VODUP_CRC64_NATIVE=0/);
    expect(crcMod.crc64Implementation()).toBe('js');
    expect(crcMod.crc64(Buffer.from('123456789'))).toBe(0x995dc9bbdf1939fan);
    const a = Buffer.from('hello, ');
    const b = Buffer.from('world');
    expect(crcMod.crc64Combine(crcMod.crc64(a), crcMod.crc64(b), b.length)).toBe(crcMod.crc64(Buffer.concat([a, b])));
  });
});

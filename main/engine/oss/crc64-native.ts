// Loads the CRC-64 Node-API addon (native/crc64, built by `npm run build:native`).
// Returns undefined when it is missing or unusable, so crc64.ts falls back to JS:
// the app stays correct without a compiler, only slower.

import fs from 'fs';
import path from 'path';

export interface NativeCrc64 {
  /** Continues a finished CRC (0n = start) over buf, with the fastest code for this CPU. */
  update(crc: bigint, buf: Uint8Array): bigint;
  /** The same, always with the portable slicing-by-8 tables (benchmarks, cross-checks). */
  updateTable(crc: bigint, buf: Uint8Array): bigint;
  /** crc(A‖B) from crc(A), crc(B) and len(B) in bytes. */
  combine(crc1: bigint, crc2: bigint, len2: number | bigint): bigint;
  /** What `update` runs on: carry-less multiply on x86-64 / arm64, or tables. */
  readonly implementation: 'pclmul' | 'pmull' | 'table';
}

const ADDON_RELATIVE = path.join('native', 'crc64', 'build', 'Release', 'crc64.node');
const CHECK_INPUT = Buffer.from('123456789');
const CHECK_VALUE = 0x995dc9bbdf1939fan;

/**
 * Where the addon may be: `native/crc64/...` under each ancestor of this file's
 * folder (the package root is 3 levels up from the TS sources that vitest runs,
 * 4 from the compiled `out/`). Inside a packaged Electron app this file lives in
 * `app.asar`, but a .node cannot be loaded from an archive; electron-builder puts
 * it in `app.asar.unpacked` next to it.
 */
export function nativeAddonCandidates(startDir: string = __dirname): string[] {
  const out: string[] = [];
  let dir = path.resolve(startDir);
  for (;;) {
    out.push(path.join(dir, ADDON_RELATIVE).replace(/(^|[\\/])app\.asar([\\/])/, '$1app.asar.unpacked$2'));
    const parent = path.dirname(dir);
    if (parent === dir) return out;
    dir = parent;
  }
}

let loaded: { addon?: NativeCrc64; error?: string } | undefined;

function load(): { addon?: NativeCrc64; error?: string } {
  // VODUP_CRC64_NATIVE=0 forces the JS implementation, to rule the addon out
  // when diagnosing a hash mismatch on an unusual machine.
  if (process.env.VODUP_CRC64_NATIVE === '0') return { error: 'disabled by VODUP_CRC64_NATIVE=0' };
  const file = nativeAddonCandidates().find((p) => fs.existsSync(p));
  if (!file) return { error: `not built (run npm run build:native): ${ADDON_RELATIVE} not found` };
  try {
    const addon = require(file) as NativeCrc64;
    // A wrong CRC would fail every upload's verification: refuse an addon that
    // does not produce the check value on this CPU rather than trust it.
    const got = [addon.update(0n, CHECK_INPUT), addon.updateTable(0n, CHECK_INPUT)];
    if (got.some((v) => v !== CHECK_VALUE)) {
      return { error: `${file} fails the CRC-64/XZ check value (got ${got.map((v) => v.toString(16)).join(', ')})` };
    }
    return { addon };
  } catch (err) {
    return { error: `${file} could not be loaded: ${(err as Error).message}` };
  }
}

/** The addon, or undefined if it is not built or cannot load here. */
export function loadNativeCrc64(): NativeCrc64 | undefined {
  loaded ??= load();
  return loaded.addon;
}

/** Why the addon is not in use (for diagnostics), or undefined if it is. */
export function nativeCrc64LoadError(): string | undefined {
  loaded ??= load();
  return loaded.error;
}

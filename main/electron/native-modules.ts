// Which compiled better-sqlite3 the Electron shell loads.
//
// A native addon built with V8/NAN (better-sqlite3) is tied to one runtime's ABI
// (NODE_MODULE_VERSION): node_modules holds the build for the Node that ran `npm ci`
// (Node 20: ABI 115), which Electron 41 (ABI 145) refuses ("compiled against a different
// Node.js version"). Rebuilding node_modules for Electron in place would break the
// opposite way: `npm test`, the CLI and web mode run on Node. So a checkout keeps both:
// the package's own build for Node, and an Electron-ABI build apart, under
// .cache/electron-native/ (gitignored), which `npm run app` fetches or builds on first
// start (scripts/ensure-electron.js) and the shell picks with better-sqlite3's
// `nativeBinding` option. A packaged app needs no choice: electron-builder rebuilds the
// packaged copy for Electron (npmRebuild in electron-builder.yml).
//
// The CRC-64 addon (native/crc64) needs none of this: it is plain Node-API
// (NAPI_VERSION 8, node_api.h only), whose ABI is stable across Node and Electron, so
// the build `npm run build:native` makes loads in both (node-gyp links it to the host
// process: -undefined dynamic_lookup on macOS, the delay-load hook on Windows).
//
// No electron import here: scripts/ensure-electron.js requires the compiled module to
// put the build where the shell will look, and the rules are unit-tested under Node.

import path from 'path';

/** Electron-ABI native builds of a checkout, apart from node_modules; gitignored. */
export const ELECTRON_NATIVE_CACHE = path.join('.cache', 'electron-native');

/** The runtime a native build is for. */
export interface NativeTarget {
  /** NODE_MODULE_VERSION: process.versions.modules inside that runtime. */
  abi: string;
  platform: string;
  arch: string;
}

/** Where the Electron-ABI build of better-sqlite3 `sqliteVersion` for `target` lives in a checkout. */
export function electronSqliteBindingPath(repoDir: string, sqliteVersion: string, target: NativeTarget): string {
  const dir = `better-sqlite3-v${sqliteVersion}-electron-v${target.abi}-${target.platform}-${target.arch}`;
  return path.join(repoDir, ELECTRON_NATIVE_CACHE, dir, 'better_sqlite3.node');
}

/** The version of better-sqlite3 in node_modules (the one whose JS half will load the binding). */
export function installedSqliteVersion(): string {
  return (require('better-sqlite3/package.json') as { version: string }).version;
}

export class ElectronBuildMissingError extends Error {
  constructor(readonly file: string, message: string) {
    super(message);
    this.name = 'ElectronBuildMissingError';
  }
}

export interface SqliteBindingQuery {
  /** process.versions.electron; undefined under Node. */
  electronVersion: string | undefined;
  target: NativeTarget;
  /** app.isPackaged. */
  isPackaged: boolean;
  /** The checkout (app.getAppPath() when started with `electron .`). */
  repoDir: string;
  sqliteVersion: string;
  exists: (file: string) => boolean;
}

/**
 * The file to give better-sqlite3 as `nativeBinding`, or undefined for the package's
 * own build (Node, or a packaged app). Throws ElectronBuildMissingError, saying what to
 * run, when Electron starts from a checkout whose Electron build is not there yet.
 */
export function chooseSqliteBinding(q: SqliteBindingQuery): string | undefined {
  if (!q.electronVersion || q.isPackaged) return undefined;
  const file = electronSqliteBindingPath(q.repoDir, q.sqliteVersion, q.target);
  if (q.exists(file)) return file;
  const { abi, platform, arch } = q.target;
  throw new ElectronBuildMissingError(file, [
    `The app cannot open its upload queue: its database engine (better-sqlite3 ${q.sqliteVersion}) has not been built for `
      + `Electron ${q.electronVersion} (ABI ${abi}, ${platform}-${arch}) in this checkout; the copy in node_modules is for Node.`,
    'Start the app with "npm run app": on first start it downloads or builds that engine (internet needed) and keeps it in .cache/electron-native.',
    'To prepare it without starting the app: node scripts/ensure-electron.js. Web mode needs no Electron: npm run start:web.',
  ].join('\n'));
}

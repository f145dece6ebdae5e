'use strict';
// Puts an Electron-ABI build of better-sqlite3 where the Electron shell looks for it
// (main/electron/native-modules.ts explains why it is kept apart from node_modules).
//
// First choice: the prebuilt binary better-sqlite3 publishes for Electron on its GitHub
// releases, fetched with prebuild-install (better-sqlite3's own installer) for
// `--runtime electron`. When there is none for this Electron (better-sqlite3 12.6.2's
// prebuilds stop at Electron 40) or GitHub cannot be reached: a build from source with
// node-gyp against Electron's headers, which needs the same C++ toolchain as
// `npm run build:native`. Both run in a scratch copy of the package, so node_modules
// (Node's build, which `npm test` loads) is never touched.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

/** The files of the better-sqlite3 package that a download or a build needs. */
const PACKAGE_PARTS = ['package.json', 'binding.gyp', 'src', 'deps'];
const BUILT = path.join('build', 'Release', 'better_sqlite3.node');

/** Runs a command, its output shown to the user; resolves to its exit status (null: could not start). */
function runVisible(cmd, args, opts) {
  const r = spawnSync(cmd, args, { ...opts, stdio: 'inherit' });
  return r.error ? null : r.status;
}

/** npm settings that would point a helper at another runtime than the Electron we name. */
const RUNTIME_SETTINGS = /^npm_config_(nodedir|target|runtime|disturl|dist_url|arch|target_arch|platform|build_from_source)$/i;

/**
 * The environment for the helpers: without npm's npm_package_* variables of *our*
 * package (`npm run app` sets them), which prebuild-install would read as its own
 * (npm_package_resolved makes it skip the download), and without npm settings that
 * choose a runtime (a `nodedir` in .npmrc would make node-gyp build against Node's
 * headers despite --target). Proxies and the rest stay.
 */
function helperEnv(env) {
  return Object.fromEntries(Object.entries(env).filter(([k]) => !/^npm_package_/i.test(k) && !RUNTIME_SETTINGS.test(k)));
}

/**
 * Makes sure `target` exists: 'present' if it did, else 'prebuilt' or 'built'.
 * Throws an Error whose message says what was tried and what the user can do.
 *
 * @param {object} o
 * @param {string} o.target        where the shell will look (electronSqliteBindingPath)
 * @param {string} o.electronVersion e.g. "41.7.1"
 * @param {string} o.platform      e.g. "win32", "darwin"
 * @param {string} o.arch          e.g. "x64", "arm64"
 * @param {string} o.sqliteDir     the installed better-sqlite3 package
 * @param {string} o.prebuildInstall path of prebuild-install's bin.js
 * @param {string} o.nodeGyp       path of node-gyp's bin/node-gyp.js
 * @param {(cmd: string, args: string[], opts: object) => number|null} [o.run]
 * @param {(line: string) => void} [o.log]
 * @param {NodeJS.ProcessEnv} [o.env]
 */
function ensureElectronSqlite(o) {
  const run = o.run || runVisible;
  const log = o.log || ((line) => console.log(line));
  if (fs.existsSync(o.target)) return 'present';

  const what = `better-sqlite3 for Electron ${o.electronVersion} (${o.platform}-${o.arch})`;
  const scratch = `${path.dirname(o.target)}.partial`;
  fs.rmSync(scratch, { recursive: true, force: true });
  fs.mkdirSync(scratch, { recursive: true });
  try {
    for (const part of PACKAGE_PARTS) {
      const from = path.join(o.sqliteDir, part);
      if (fs.existsSync(from)) fs.cpSync(from, path.join(scratch, part), { recursive: true });
    }
    const opts = { cwd: scratch, env: helperEnv(o.env || process.env) };
    const built = path.join(scratch, BUILT);

    log(`ensure-electron: fetching ${what} (a prebuilt binary from better-sqlite3's GitHub releases)…`);
    const prebuild = run(process.execPath, [
      o.prebuildInstall, '--runtime=electron', `--target=${o.electronVersion}`, `--platform=${o.platform}`, `--arch=${o.arch}`, '--verbose',
    ], opts);
    let method = prebuild === 0 && fs.existsSync(built) ? 'prebuilt' : undefined;

    let gyp;
    if (!method) {
      log(`ensure-electron: no prebuilt binary could be fetched; building ${what} from source with node-gyp and Electron's headers (a minute or two)…`);
      fs.rmSync(path.join(scratch, 'build'), { recursive: true, force: true });
      gyp = run(process.execPath, [
        o.nodeGyp, 'rebuild', '--release', '--runtime=electron', `--target=${o.electronVersion}`, `--arch=${o.arch}`,
        '--dist-url=https://electronjs.org/headers',
      ], opts);
      if (gyp === 0 && fs.existsSync(built)) method = 'built';
    }
    if (!method) {
      throw new Error([
        `ensure-electron: could not get ${what}.`,
        `  - download of a prebuilt binary: ${prebuild === null ? 'prebuild-install did not start' : `failed (exit ${prebuild})`}`,
        `  - build from source: ${gyp === null ? 'node-gyp did not start' : `failed (exit ${gyp}); its output is above`}`,
        'What to do:',
        '  - check that this machine reaches github.com (prebuilt binaries) and electronjs.org (headers), then run npm run app again;',
        '  - to build from source, install a C++ toolchain and Python 3 (the same ones npm run build:native needs):',
        '      Windows: Visual Studio Build Tools with "Desktop development with C++"; macOS: xcode-select --install;',
        '  - or use web mode, which needs no Electron: npm run start:web',
      ].join('\n'));
    }
    // Renamed into place only when whole: a half-copied binding must never be found.
    fs.mkdirSync(path.dirname(o.target), { recursive: true });
    fs.copyFileSync(built, `${o.target}.tmp`);
    fs.renameSync(`${o.target}.tmp`, o.target);
    log(`ensure-electron: ${what} is ready (${method}): ${o.target}`);
    return method;
  } finally {
    fs.rmSync(scratch, { recursive: true, force: true });
  }
}

/**
 * What the installed Electron binary reports about itself (ELECTRON_RUN_AS_NODE), so the
 * build matches the runtime exactly; undefined if it cannot be asked.
 */
function askElectron(electronBinary) {
  const script = 'process.stdout.write(JSON.stringify({electronVersion:process.versions.electron,abi:process.versions.modules,platform:process.platform,arch:process.arch}))';
  const r = spawnSync(electronBinary, ['-e', script], { env: { ...process.env, ELECTRON_RUN_AS_NODE: '1' }, encoding: 'utf8', timeout: 60_000 });
  if (r.status !== 0 || !r.stdout) return undefined;
  try {
    const info = JSON.parse(r.stdout);
    return info.electronVersion && info.abi ? info : undefined;
  } catch {
    return undefined;
  }
}

module.exports = { ensureElectronSqlite, askElectron, helperEnv };

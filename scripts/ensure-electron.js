#!/usr/bin/env node
'use strict';
// Run by `npm run app` (after `npm run build`) before `electron .`. Makes sure of two
// things a fresh clone lacks:
//  1. The Electron binary. Installs with ELECTRON_SKIP_BINARY_DOWNLOAD=1 (as on machines
//     without internet, where Electron's own download fails and would break `npm ci`)
//     leave node_modules/electron without it; on a user's machine this fetches it now,
//     through Electron's own install script.
//  2. better-sqlite3 built for Electron's ABI, kept apart from node_modules (which stays
//     built for Node, so `npm test` keeps working): see main/electron/native-modules.ts
//     for the choice and scripts/electron-native.js for how it is fetched or built.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');
const { askElectron, ensureElectronSqlite } = require('./electron-native');

const REPO = path.resolve(__dirname, '..');

function electronDir() {
  try {
    return path.dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

function binaryPath(dir) {
  const pathFile = path.join(dir, 'path.txt');
  if (!fs.existsSync(pathFile)) return undefined;
  const bin = path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim());
  return fs.existsSync(bin) ? bin : undefined;
}

const WHAT_NOW = [
  'The desktop app cannot start without it. Either:',
  '  - connect this machine to the internet and run this again (or: rm -rf node_modules/electron && npm install), or',
  '  - use web mode, which needs no Electron:  npm run start:web',
].join('\n');

function ensureBinary(dir) {
  const present = binaryPath(dir);
  if (present) return present;
  console.log('ensure-electron: the Electron binary is missing; downloading it now (about 100 MB)…');
  const env = { ...process.env };
  // install.js does nothing at all while this is set.
  delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
  const result = spawnSync(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, env, stdio: 'inherit' });
  const bin = binaryPath(dir);
  if (result.status !== 0 || !bin) {
    console.error(`\nensure-electron: could not download the Electron binary${result.status ? ` (install.js exited with ${result.status})` : ''}.`);
    console.error(WHAT_NOW);
    process.exit(1);
  }
  console.log('ensure-electron: Electron is ready.');
  return bin;
}

/** Electron's version and ABI: asked from the binary itself, else from the package's files. */
function electronRuntime(dir, bin) {
  const asked = askElectron(bin);
  if (asked) return asked;
  const abiFile = path.join(dir, 'abi_version');
  return {
    electronVersion: require(path.join(dir, 'package.json')).version,
    abi: fs.existsSync(abiFile) ? fs.readFileSync(abiFile, 'utf8').trim() : require('node-abi').getAbi(require(path.join(dir, 'package.json')).version, 'electron'),
    platform: process.platform,
    arch: process.arch,
  };
}

function main() {
  const dir = electronDir();
  if (!dir) {
    console.error('ensure-electron: the "electron" package is not installed. Run npm install first.');
    process.exit(1);
  }
  const bin = ensureBinary(dir);

  let nativeModules;
  try {
    nativeModules = require(path.join(REPO, 'out', 'main', 'electron', 'native-modules.js'));
  } catch {
    console.error('ensure-electron: the app is not built yet. Run npm run build first (npm run app does both).');
    process.exit(1);
  }
  const runtime = electronRuntime(dir, bin);
  const sqliteDir = path.dirname(require.resolve('better-sqlite3/package.json'));
  const target = nativeModules.electronSqliteBindingPath(REPO, nativeModules.installedSqliteVersion(), runtime);
  try {
    ensureElectronSqlite({
      target,
      electronVersion: runtime.electronVersion,
      platform: runtime.platform,
      arch: runtime.arch,
      sqliteDir,
      prebuildInstall: require.resolve('prebuild-install/bin.js', { paths: [sqliteDir] }),
      nodeGyp: require.resolve('node-gyp/bin/node-gyp.js'),
    });
  } catch (err) {
    console.error(`\n${err.message}`);
    process.exit(1);
  }
}

main();

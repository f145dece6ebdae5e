#!/usr/bin/env node
'use strict';
// Makes sure the Electron binary is there before `npm run app`. Installs with
// ELECTRON_SKIP_BINARY_DOWNLOAD=1 (as on machines without internet, where Electron's
// own download fails and would break `npm ci`) leave node_modules/electron without
// it; on a user's machine this fetches it now, through Electron's own install script.
const fs = require('fs');
const path = require('path');
const { spawnSync } = require('child_process');

function electronDir() {
  try {
    return path.dirname(require.resolve('electron/package.json'));
  } catch {
    return undefined;
  }
}

function hasBinary(dir) {
  const pathFile = path.join(dir, 'path.txt');
  if (!fs.existsSync(pathFile)) return false;
  return fs.existsSync(path.join(dir, 'dist', fs.readFileSync(pathFile, 'utf8').trim()));
}

const WHAT_NOW = [
  'The desktop app cannot start without it. Either:',
  '  - connect this machine to the internet and run this again (or: rm -rf node_modules/electron && npm install), or',
  '  - use web mode, which needs no Electron:  npm run start:web',
].join('\n');

const dir = electronDir();
if (!dir) {
  console.error('ensure-electron: the "electron" package is not installed. Run npm install first.');
  process.exit(1);
}
if (hasBinary(dir)) process.exit(0);

console.log('ensure-electron: the Electron binary is missing; downloading it now (about 100 MB)…');
const env = { ...process.env };
// install.js does nothing at all while this is set.
delete env.ELECTRON_SKIP_BINARY_DOWNLOAD;
const result = spawnSync(process.execPath, [path.join(dir, 'install.js')], { cwd: dir, env, stdio: 'inherit' });
if (result.status !== 0 || !hasBinary(dir)) {
  console.error(`\nensure-electron: could not download the Electron binary${result.status ? ` (install.js exited with ${result.status})` : ''}.`);
  console.error(WHAT_NOW);
  process.exit(1);
}
console.log('ensure-electron: Electron is ready.');

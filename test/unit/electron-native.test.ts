// Native modules under Electron (no Electron binary and no internet but the npm
// registry here): which better-sqlite3 build each runtime loads, what a checkout without
// the Electron build says, how scripts/ensure-electron.js gets that build (the download
// and the compiler are scripted; the files, folders and the copy are real), and why the
// CRC-64 addon needs none of it (its binary is Node-API, not tied to one ABI).

import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import {
  chooseSqliteBinding, electronSqliteBindingPath, ElectronBuildMissingError, installedSqliteVersion, type SqliteBindingQuery,
} from '../../main/electron/native-modules';
import { openQueueStore, useSqliteNativeBinding } from '../../main/engine/store/index';
import { tempDir } from '../helpers/files';

/** scripts/electron-native.js (plain CommonJS, run by node before Electron exists). */
interface ElectronNativeScript {
  ensureElectronSqlite(o: {
    target: string; electronVersion: string; platform: string; arch: string; sqliteDir: string; prebuildInstall: string; nodeGyp: string;
    run?: (cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }) => number | null;
    log?: (line: string) => void; env?: NodeJS.ProcessEnv;
  }): 'present' | 'prebuilt' | 'built';
  askElectron(binary: string): { electronVersion: string; abi: string; platform: string; arch: string } | undefined;
  helperEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}
const { ensureElectronSqlite, askElectron, helperEnv } = createRequire(import.meta.url)('../../scripts/electron-native.js') as ElectronNativeScript;

const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const SQLITE_DIR = path.dirname(createRequire(import.meta.url).resolve('better-sqlite3/package.json'));
const NODE_BUILD = path.join(SQLITE_DIR, 'build', 'Release', 'better_sqlite3.node');

function query(over: Partial<SqliteBindingQuery>): SqliteBindingQuery {
  return {
    electronVersion: '41.7.1',
    target: { abi: '145', platform: 'win32', arch: 'x64' },
    isPackaged: false,
    repoDir: 'C:\\src\\vod-bulk-uploader',
    sqliteVersion: '12.6.2',
    exists: () => true,
    ...over,
  };
}

describe('which better-sqlite3 build a runtime loads', () => {
  it('Node (CLI, web mode, tests) loads the package\'s own build', () => {
    expect(chooseSqliteBinding(query({ electronVersion: undefined, exists: () => false }))).toBeUndefined();
    // This very process is Node: nothing to choose.
    expect(chooseSqliteBinding(query({ electronVersion: process.versions.electron }))).toBeUndefined();
  });

  it('Electron from a checkout loads the Electron-ABI build kept in .cache/electron-native', () => {
    const repo = path.join(path.sep, 'src', 'vod');
    const seen: string[] = [];
    const file = chooseSqliteBinding(query({ repoDir: repo, exists: (f) => (seen.push(f), true) }));
    expect(file).toBe(path.join(repo, '.cache', 'electron-native', 'better-sqlite3-v12.6.2-electron-v145-win32-x64', 'better_sqlite3.node'));
    expect(seen).toEqual([file]);
    // Another platform, architecture or Electron ABI is another build.
    expect(electronSqliteBindingPath(repo, '12.6.2', { abi: '145', platform: 'darwin', arch: 'arm64' })).toMatch(/better-sqlite3-v12\.6\.2-electron-v145-darwin-arm64[\\/]better_sqlite3\.node$/);
    expect(electronSqliteBindingPath(repo, '12.6.2', { abi: '146', platform: 'win32', arch: 'x64' })).not.toBe(file);
  });

  it('a packaged app loads its own copy, which electron-builder rebuilt for Electron', () => {
    expect(chooseSqliteBinding(query({ isPackaged: true, exists: () => false }))).toBeUndefined();
  });

  it('Electron from a checkout without that build says what happened and what to run', () => {
    let error: unknown;
    try {
      chooseSqliteBinding(query({ target: { abi: '145', platform: 'darwin', arch: 'arm64' }, repoDir: '/Users/op/vod', exists: () => false }));
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ElectronBuildMissingError);
    const { message, file } = error as ElectronBuildMissingError;
    expect(file).toBe(electronSqliteBindingPath('/Users/op/vod', '12.6.2', { abi: '145', platform: 'darwin', arch: 'arm64' }));
    expect(message).toMatch(/^The app cannot open its upload queue: its database engine \(better-sqlite3 12\.6\.2\) has not been built for Electron 41\.7\.1 \(ABI 145, darwin-arm64\)/);
    expect(message).toContain('"npm run app"');
    expect(message).toContain('node scripts/ensure-electron.js');
    expect(message).toContain('npm run start:web');
  });

  it('the installed package is the one whose version names the build', () => {
    expect(installedSqliteVersion()).toBe(JSON.parse(fs.readFileSync(path.join(SQLITE_DIR, 'package.json'), 'utf8')).version);
  });
});

describe('the queue opens with the chosen binding', () => {
  afterEach(() => useSqliteNativeBinding(undefined));

  it('loads the named file instead of the package\'s own, and names it when it cannot', async () => {
    const dir = await tempDir('vodup-binding-');
    useSqliteNativeBinding(NODE_BUILD);
    const store = openQueueStore(path.join(dir, 'a.db'));
    store.close();

    const missing = path.join(dir, 'electron-build', 'better_sqlite3.node');
    useSqliteNativeBinding(missing);
    expect(() => openQueueStore(path.join(dir, 'b.db'))).toThrow(/Cannot open the queue database .*b\.db: .*electron-build/);

    useSqliteNativeBinding(undefined);
    openQueueStore(path.join(dir, 'c.db')).close();
  });
});

describe('native addons and ABIs', () => {
  it('the CRC-64 addon is Node-API (loads in Node and Electron alike); better-sqlite3 is tied to one ABI', () => {
    const crc = fs.readFileSync(path.join(REPO, 'native', 'crc64', 'build', 'Release', 'crc64.node')).toString('latin1');
    expect(crc).toContain('napi_register_module_v1');
    expect(crc).not.toMatch(/node_register_module_v\d+/);
    const sqlite = fs.readFileSync(NODE_BUILD).toString('latin1');
    expect(sqlite).toContain(`node_register_module_v${process.versions.modules}`);
  });
});

describe('getting the Electron build (scripts/electron-native.js)', () => {
  interface Call { cmd: string; args: string[]; cwd: string; env: NodeJS.ProcessEnv }

  /** A fake better-sqlite3 package, a target in a fake checkout, and a scripted runner. */
  async function setup(outcomes: { prebuild: 'ok' | 'fail'; gyp: 'ok' | 'fail' }) {
    const root = await tempDir('vodup-ensure-');
    const sqliteDir = path.join(root, 'node_modules', 'better-sqlite3');
    fs.mkdirSync(path.join(sqliteDir, 'src'), { recursive: true });
    fs.mkdirSync(path.join(sqliteDir, 'deps'), { recursive: true });
    fs.mkdirSync(path.join(sqliteDir, 'build', 'Release'), { recursive: true });
    fs.writeFileSync(path.join(sqliteDir, 'package.json'), JSON.stringify({ name: 'better-sqlite3', version: '12.6.2', repository: { type: 'git', url: 'git://github.com/WiseLibs/better-sqlite3.git' } }));
    fs.writeFileSync(path.join(sqliteDir, 'binding.gyp'), '{}');
    fs.writeFileSync(path.join(sqliteDir, 'src', 'better_sqlite3.cpp'), '// source');
    fs.writeFileSync(path.join(sqliteDir, 'deps', 'sqlite3.c'), '/* amalgamation */');
    fs.writeFileSync(path.join(sqliteDir, 'build', 'Release', 'better_sqlite3.node'), 'NODE-ABI-115');
    const target = electronSqliteBindingPath(path.join(root, 'repo'), '12.6.2', { abi: '145', platform: 'win32', arch: 'x64' });
    const calls: Call[] = [];
    const log: string[] = [];
    const run = (cmd: string, args: string[], opts: { cwd: string; env: NodeJS.ProcessEnv }): number => {
      calls.push({ cmd, args, cwd: opts.cwd, env: opts.env });
      // The scratch copy holds what a download or a build needs.
      expect(fs.readdirSync(opts.cwd).sort()).toEqual(expect.arrayContaining(['binding.gyp', 'deps', 'package.json', 'src']));
      const which = args[0].includes('prebuild') ? outcomes.prebuild : outcomes.gyp;
      if (which === 'fail') return 1;
      fs.mkdirSync(path.join(opts.cwd, 'build', 'Release'), { recursive: true });
      fs.writeFileSync(path.join(opts.cwd, 'build', 'Release', 'better_sqlite3.node'), args[0].includes('prebuild') ? 'ELECTRON-145-PREBUILT' : 'ELECTRON-145-BUILT');
      return 0;
    };
    const ensure = () => ensureElectronSqlite({
      target, electronVersion: '41.7.1', platform: 'win32', arch: 'x64', sqliteDir,
      prebuildInstall: '/nm/prebuild-install/bin.js', nodeGyp: '/nm/node-gyp/bin/node-gyp.js',
      run, log: (l: string) => log.push(l), env: { PATH: '/bin', npm_package_name: 'vod-bulk-uploader', npm_package_resolved: 'file:.', npm_config_nodedir: '/usr', HTTPS_PROXY: 'http://proxy:8080' },
    });
    return { root, sqliteDir, target, calls, log, ensure };
  }

  it('fetches the prebuilt binary for Electron into the cache, leaving node_modules as it was', async () => {
    const { sqliteDir, target, calls, ensure } = await setup({ prebuild: 'ok', gyp: 'fail' });
    expect(ensure()).toBe('prebuilt');
    expect(fs.readFileSync(target, 'utf8')).toBe('ELECTRON-145-PREBUILT');
    expect(calls).toHaveLength(1);
    expect(calls[0].cmd).toBe(process.execPath);
    expect(calls[0].args).toEqual(['/nm/prebuild-install/bin.js', '--runtime=electron', '--target=41.7.1', '--platform=win32', '--arch=x64', '--verbose']);
    // Not our package's npm variables (prebuild-install would take them as its own) nor a
    // nodedir (node-gyp would build for Node); the proxy stays.
    expect(calls[0].env).toEqual({ PATH: '/bin', HTTPS_PROXY: 'http://proxy:8080' });
    expect(fs.readFileSync(path.join(sqliteDir, 'build', 'Release', 'better_sqlite3.node'), 'utf8')).toBe('NODE-ABI-115');
    expect(fs.existsSync(calls[0].cwd)).toBe(false);
    expect(fs.readdirSync(path.dirname(target))).toEqual(['better_sqlite3.node']);
  });

  it('builds from source against Electron\'s headers when there is no prebuilt binary', async () => {
    const { target, calls, log, ensure } = await setup({ prebuild: 'fail', gyp: 'ok' });
    expect(ensure()).toBe('built');
    expect(fs.readFileSync(target, 'utf8')).toBe('ELECTRON-145-BUILT');
    expect(calls.map((c) => c.args[0])).toEqual(['/nm/prebuild-install/bin.js', '/nm/node-gyp/bin/node-gyp.js']);
    expect(calls[1].args.slice(1)).toEqual(['rebuild', '--release', '--runtime=electron', '--target=41.7.1', '--arch=x64', '--dist-url=https://electronjs.org/headers']);
    expect(log.join('\n')).toMatch(/building better-sqlite3 for Electron 41\.7\.1 \(win32-x64\) from source/);
  });

  it('says what it tried and what to do when neither works, and leaves nothing half-made', async () => {
    const { target, calls, ensure } = await setup({ prebuild: 'fail', gyp: 'fail' });
    expect(ensure).toThrow(/could not get better-sqlite3 for Electron 41\.7\.1 \(win32-x64\)[\s\S]*github\.com[\s\S]*Visual Studio Build Tools[\s\S]*xcode-select --install[\s\S]*npm run start:web/);
    expect(fs.existsSync(target)).toBe(false);
    expect(fs.existsSync(`${path.dirname(target)}.partial`)).toBe(false);
    expect(calls).toHaveLength(2);
  });

  it('does nothing when the build is there already', async () => {
    const { target, calls, ensure } = await setup({ prebuild: 'fail', gyp: 'fail' });
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, 'EARLIER');
    expect(ensure()).toBe('present');
    expect(calls).toEqual([]);
    expect(fs.readFileSync(target, 'utf8')).toBe('EARLIER');
  });

  it('asks the runtime itself for its ABI, and gives up quietly on one that is not Electron', () => {
    expect(askElectron(process.execPath)).toBeUndefined();
    expect(askElectron(path.join(REPO, 'no-such-electron'))).toBeUndefined();
    expect(helperEnv({ npm_package_version: '1', npm_config_proxy: 'p', npm_config_nodedir: '/usr', npm_config_runtime: 'node', X: 'y' }))
      .toEqual({ npm_config_proxy: 'p', X: 'y' });
  });
});

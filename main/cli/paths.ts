// Where the CLI keeps its queue unless told otherwise: one data folder, as the
// desktop app and web mode use, so all three shells can share one queue.

import os from 'os';
import path from 'path';

/** `$VODUP_HOME`, else `~/.vodup`. */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  const home = env.VODUP_HOME?.trim();
  return home ? path.resolve(home) : path.join(os.homedir(), '.vodup');
}

export function defaultDbPath(env: NodeJS.ProcessEnv = process.env): string {
  return path.join(defaultDataDir(env), 'queue.db');
}

export function resolveDbPath(flag: string | undefined, env: NodeJS.ProcessEnv = process.env): string {
  return flag ? path.resolve(flag) : defaultDbPath(env);
}

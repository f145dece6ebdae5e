// `vodup serve`: web mode. Prints ONE JSON line {"url": "http://…/?token=…"} on stdout
// (scripts and tests read it), then serves until SIGINT/SIGTERM, when the web server
// and its engine shut down gracefully and the process exits 0 (stopping a server on
// request is its normal end).

import path from 'path';
import { serveWeb } from '../../web/index';
import { defaultDataDir } from '../paths';

export interface ServeFlags {
  port: number;
  host: string;
  data?: string;
  sandbox?: boolean;
}

/** The renderer bundle that `npm run build` writes (renderer/vite.config.mts: out/renderer). */
function rendererDir(): string {
  // This file runs from out/main/cli/commands/.
  return path.resolve(__dirname, '../../../renderer');
}

export async function serveCommand(flags: ServeFlags): Promise<void> {
  const web = await serveWeb({
    port: flags.port,
    host: flags.host,
    dataDir: flags.data ? path.resolve(flags.data) : defaultDataDir(),
    rendererDir: rendererDir(),
    sandbox: !!flags.sandbox,
    // The token is made by serveWeb (one place for that rule) and carried in web.url.
    warn: (message) => process.stderr.write(`vodup: ${message}\n`),
  });
  process.stdout.write(`${JSON.stringify({ url: web.url })}\n`);

  let stopping = false;
  const stop = (): void => {
    if (stopping) process.exit(130); // a second signal: the queue is crash-safe anyway
    stopping = true;
    web.close().then(() => process.exit(0), () => process.exit(1));
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

// `vodup sandbox`: the local VOD + OSS emulator as a process (benchmarks run the
// server in its own process so client and server each get a core).

import { runSandboxCommand } from '../../sandbox/command';
import { CliError } from '../errors';

export interface SandboxFlags {
  port?: number;
  data?: string;
  store?: string;
  etag?: string;
  faults?: string;
  review?: boolean;
  searchLagMs?: number;
  ossDenyList?: boolean;
}

/** Serves until SIGINT/SIGTERM (the sandbox closes itself and exits 0). */
export async function sandboxCommand(flags: SandboxFlags): Promise<void> {
  try {
    await runSandboxCommand({ port: flags.port, data: flags.data, store: flags.store as 'disk' | 'null' | undefined, etag: flags.etag as 'md5' | 'crc64' | undefined, faults: flags.faults,
      review: flags.review, searchLagMs: flags.searchLagMs, ossDenyList: flags.ossDenyList,
    });
  } catch (err) {
    throw new CliError((err as Error).message);
  }
}

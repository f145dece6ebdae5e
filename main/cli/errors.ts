// Exit codes and the one error type that carries one (documented in `vodup --help`).

export const EXIT = {
  ok: 0,
  /** Some job did not reach the wanted state (failed, canceled, left paused). */
  jobsFailed: 1,
  /** Bad input: unknown option, invalid file or metadata, missing/refused credentials. */
  usage: 2,
  sigint: 130,
  /** stdout's reader went away (EPIPE) while jobs were uploading: 128 + SIGPIPE. */
  sigpipe: 141,
  sigterm: 143,
} as const;

/** An error whose message is written for the operator, as is, with its exit code. */
export class CliError extends Error {
  constructor(message: string, readonly exitCode: number = EXIT.usage) {
    super(message);
    this.name = 'CliError';
  }
}

/**
 * Exit codes: 0 done, 1 an error (the server refused, a credential was refused or found by
 * `scan`, Elyzor out of reach), 2 a usage error (an unknown command or flag, a malformed value).
 */
export const EXIT = { ok: 0, error: 1, usage: 2 } as const;

/** A failure the user can act on: its message is printed as it is, without a stack. */
export class CliError extends Error {
  override readonly name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT.error,
  ) {
    super(message);
  }
}

/** Wrong use of a command, found before anything was sent: exit 2. */
export class UsageError extends CliError {
  constructor(message: string) {
    super(message, EXIT.usage);
  }
}

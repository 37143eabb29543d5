import { ElyzorError } from '@elyzor/sdk';
import { CommanderError } from 'commander';
import { buildProgram } from './program.js';
import { CliError, EXIT } from './errors.js';

const wantsJson = (argv: readonly string[]): boolean => argv.includes('--json');

/**
 * Runs the CLI on `argv` and gives the exit code: 0 done (and `--help`, `--version`), 1 an
 * error, 2 a usage error. Nothing but the message is printed for an error — no stack, and never
 * a credential (the server's messages hold none).
 */
export async function main(argv: readonly string[]): Promise<number> {
  try {
    await buildProgram().parseAsync([...argv]);
    return EXIT.ok;
  } catch (error) {
    if (error instanceof CommanderError) {
      // Commander printed its message (or the help) already.
      return error.exitCode === 0 ? EXIT.ok : EXIT.usage;
    }
    if (error instanceof ElyzorError) {
      const { status, code, message, requestId } = error;
      process.stderr.write(
        wantsJson(argv)
          ? `${JSON.stringify({ error: code, message, status, requestId })}\n`
          : `error: ${message} (${code}${status === 0 ? '' : `, HTTP ${status}`}${requestId === null ? '' : `, request ${requestId}`})\n`,
      );
      return EXIT.error;
    }
    if (error instanceof CliError) {
      if (error.message !== '') process.stderr.write(wantsJson(argv) ? `${JSON.stringify({ error: error.exitCode === EXIT.usage ? 'usage' : 'error', message: error.message })}\n` : `error: ${error.message}\n`);
      return error.exitCode;
    }
    process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.error;
  }
}

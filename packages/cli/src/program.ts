import { readFileSync } from 'node:fs';
import { Command } from 'commander';
import { DEFAULT_BASE_URL } from './client.js';
import { auditCommand, statsCommand } from './commands/analytics.js';
import { authCommands } from './commands/auth.js';
import { credentialsCommand } from './commands/credentials.js';
import { nestKeysCommands } from './commands/nest-keys.js';
import { projectsCommand } from './commands/projects.js';
import { scanCommand } from './commands/scan.js';
import { rootKeysCommand, workspacesCommand } from './commands/teams.js';
import { verifyCommand } from './commands/verify.js';
import { webhooksCommand } from './commands/webhooks.js';

const { version } = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string };

/**
 * The whole `elyzor` command, every subcommand registered here. Errors are thrown, not exited
 * on (`exitOverride`), so that `main` alone decides the exit code.
 */
export function buildProgram(): Command {
  const program = new Command('elyzor')
    .description("Elyzor's command line: projects, API keys, service identities, root keys and webhooks; verification; leak scanning; the NestJS module's keys in its database")
    .version(version)
    .option('--base-url <url>', `the Elyzor server (default: $ELYZOR_URL, else the last login's, else ${DEFAULT_BASE_URL})`)
    .option('--json', 'print JSON for scripts instead of tables')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride();
  // Settings every subcommand inherits: set before they are added.
  program.configureHelp({ sortSubcommands: false, showGlobalOptions: true });

  for (const command of [
    ...authCommands(),
    projectsCommand(),
    credentialsCommand({ collection: 'keys', noun: 'key' }),
    credentialsCommand({ collection: 'services', noun: 'service' }),
    // nest-api-key-auth's commands, on the NestJS module's keys: local (--db-url) or remote (--project).
    ...nestKeysCommands(),
    verifyCommand(),
    statsCommand(),
    auditCommand(),
    workspacesCommand(),
    rootKeysCommand(),
    webhooksCommand(),
    scanCommand(),
  ])
    program.addCommand(command);
  inherit(program);
  return program;
}

/** Commands built with `new Command` and added do not inherit the program's settings: given here, all the way down. */
function inherit(parent: Command): void {
  for (const child of parent.commands) {
    child.exitOverride().showHelpAfterError('(add --help for usage)').configureHelp({ showGlobalOptions: true });
    inherit(child);
  }
}

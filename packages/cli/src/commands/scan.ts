import { Command } from 'commander';
import { globalsOf } from '../client.js';
import { CliError, EXIT } from '../errors.js';
import { emit, warn } from '../output.js';

/**
 * `elyzor scan [paths…]`: leaked Elyzor credentials in files, or with `--git` in the history of
 * the repositories at those paths. Offline: found by the published pattern, kept only when the
 * engine's checksum holds. Exit 1 when any is found.
 */
export function scanCommand(): Command {
  return new Command('scan')
    .description('find leaked Elyzor credentials (sk_, svc_, rk_) in files, or in git history with --git; exit 1 when any is found')
    .argument('[paths...]', 'files and directories (default: .); with --git, repositories', ['.'])
    .option('--git', 'scan every commit of the repositories (all branches, tags and stashes) instead of the files')
    .action(async (paths: string[], options: { git?: boolean }, cmd: Command) => {
      // Loaded here, not at start: the engine is needed by this command only.
      const [{ scanFiles }, { scanGitHistory }] = await Promise.all([import('../scan/files.js'), import('../scan/git.js')]);
      const findings = [];
      if (options.git === true) for (const repo of paths) findings.push(...(await scanGitHistory(repo)));
      else findings.push(...scanFiles(paths, (path, why) => warn(`skipped ${path}: ${why}`)));
      const globals = globalsOf(cmd);
      if (findings.length === 0 && globals.json !== true) return warn('no leaked Elyzor credentials found');
      emit(globals, findings, (items) => items.map((f) => `${f.commit === undefined ? '' : `${f.commit.slice(0, 12)}:`}${f.path}:${f.line}: ${f.type} ${f.prefix}`).join('\n'));
      if (findings.length > 0) {
        warn(`\n${findings.length} leaked Elyzor credential${findings.length === 1 ? '' : 's'}: revoke or rotate ${findings.length === 1 ? 'it' : 'them'} (find each by its prefix in \`elyzor keys list\`), then remove ${findings.length === 1 ? 'it' : 'them'} from the code.`);
        throw new CliError('', EXIT.error);
      }
    });
}

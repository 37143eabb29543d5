import { Command } from 'commander';
import { connect, globalsOf } from '../client.js';
import { collect } from '../collect.js';
import { UsageError } from '../errors.js';
import { positiveInteger } from '../flags.js';
import { emit, record, table } from '../output.js';
import { ask, interactive } from '../prompt.js';

/** `elyzor projects list|create|delete`: `/v1/projects`. */
export function projectsCommand(): Command {
  const command = new Command('projects').description('projects: each holds its keys, services, webhooks and audit log');

  command
    .command('list')
    .description('the projects you can see, newest first')
    .option('--limit <n>', 'at most this many (default: all)', positiveInteger)
    .action(async (options: { limit?: number }, cmd: Command) => {
      const globals = globalsOf(cmd);
      emit(globals, await collect(connect(globals).projects.iterate(), options.limit), (items) => table(items, [['ID', (p) => p.id], ['NAME', (p) => p.name], ['WORKSPACE', (p) => p.workspaceId], ['CREATED', (p) => p.createdAt]]));
    });

  command
    .command('create')
    .description('create a project')
    .argument('<name>')
    .option('--workspace <workspaceId>', 'the workspace (default: your personal one)')
    .action(async (name: string, options: { workspace?: string }, cmd: Command) => {
      const globals = globalsOf(cmd);
      const project = await connect(globals).projects.create({ name, ...(options.workspace === undefined ? {} : { workspaceId: options.workspace }) });
      emit(globals, project, (p) => record(p));
    });

  command
    .command('delete')
    .description('delete a project with its keys, services and usage (asks first, unless --yes)')
    .argument('<projectId>')
    .option('-y, --yes', 'do not ask')
    .action(async (projectId: string, options: { yes?: boolean }, cmd: Command) => {
      if (options.yes !== true) {
        if (!interactive()) throw new UsageError('deleting a project needs --yes when there is no terminal to ask');
        const answer = await ask(`Type the project id to delete it with all its credentials (${projectId}): `, { flag: '--yes' });
        if (answer !== projectId) throw new UsageError('not confirmed: nothing deleted');
      }
      const globals = globalsOf(cmd);
      await connect(globals).projects.delete(projectId);
      emit(globals, { id: projectId, deleted: true }, () => `deleted ${projectId}`);
    });

  return command;
}

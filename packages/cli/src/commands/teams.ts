import { Command } from 'commander';
import { connect, globalsOf } from '../client.js';
import { collect } from '../collect.js';
import { list, when } from '../flags.js';
import { emit, emitIssued, SHOWN_ONCE, table } from '../output.js';

/** `elyzor workspaces list`: where projects and root keys live (GET /v1/workspaces). */
export function workspacesCommand(): Command {
  const command = new Command('workspaces').description('workspaces: the teams that own projects and root keys');
  command
    .command('list')
    .description('the workspaces you belong to, with your role')
    .action(async (_options: object, cmd: Command) => {
      const globals = globalsOf(cmd);
      emit(globals, await collect(connect(globals).workspaces.iterate()), (items) => table(items, [['ID', (w) => w.id], ['NAME', (w) => w.name], ['ROLE', (w) => w.role], ['CREATED', (w) => w.createdAt]]));
    });
  return command;
}

/** `elyzor root-keys …`: /v1/workspaces/:workspaceId/root-keys, machine credentials for this API. */
export function rootKeysCommand(): Command {
  const command = new Command('root-keys').description('root keys (rk_live_…): credentials for machines and CI to call this API, limited to their permissions');

  command
    .command('create')
    .description('create a root key; its plaintext is printed once (use it as ELYZOR_ROOT_KEY)')
    .argument('<workspaceId>')
    .requiredOption('--name <name>', 'what it is for: ci-deploy')
    .requiredOption('--permissions <permissions>', 'comma-separated or repeated: project.*.create_key, project.<projectId>.read_key, workspace.manage_members', list)
    .option('--expires <when>', 'expiry: an ISO date-time or a duration from now (90d)', when)
    .action(async (workspaceId: string, options: { name: string; permissions: string[]; expires?: string }, cmd: Command) => {
      const globals = globalsOf(cmd);
      const issued = await connect(globals).rootKeys.create(workspaceId, { name: options.name, permissions: options.permissions, ...(options.expires === undefined ? {} : { expiresAt: options.expires }) });
      emitIssued(globals, issued, 'key', SHOWN_ONCE.credential);
    });

  command
    .command('list')
    .description("the workspace's root keys (never their secrets)")
    .argument('<workspaceId>')
    .action(async (workspaceId: string, _options: object, cmd: Command) => {
      const globals = globalsOf(cmd);
      emit(globals, await collect(connect(globals).rootKeys.iterate(workspaceId)), (items) =>
        table(items, [['ID', (k) => k.id], ['PREFIX', (k) => k.prefix], ['NAME', (k) => k.name], ['STATUS', (k) => k.status], ['PERMISSIONS', (k) => k.permissions], ['EXPIRES', (k) => k.expiresAt]]),
      );
    });

  command
    .command('rotate')
    .description('a new secret for a root key, printed once; the old one is refused from the next request on')
    .argument('<workspaceId>')
    .argument('<rootKeyId>')
    .action(async (workspaceId: string, rootKeyId: string, _options: object, cmd: Command) => {
      const globals = globalsOf(cmd);
      emitIssued(globals, await connect(globals).rootKeys.rotate(workspaceId, rootKeyId), 'key', SHOWN_ONCE.credential);
    });

  command
    .command('revoke')
    .description('revoke a root key')
    .argument('<workspaceId>')
    .argument('<rootKeyId>')
    .action(async (workspaceId: string, rootKeyId: string, _options: object, cmd: Command) => {
      const globals = globalsOf(cmd);
      await connect(globals).rootKeys.revoke(workspaceId, rootKeyId);
      emit(globals, { id: rootKeyId, revoked: true }, () => `revoked ${rootKeyId}`);
    });

  return command;
}


import { Command, Option } from 'commander';
import { connect, globalsOf } from '../client.js';
import { collect } from '../collect.js';
import { when } from '../flags.js';
import { emit, out, record, table } from '../output.js';

/** `elyzor stats`: GET /v1/projects/:projectId/stats. */
export function statsCommand(): Command {
  return new Command('stats')
    .description("a project's verifications: totals, success rate, top keys, per day")
    .argument('<projectId>')
    .addOption(new Option('--range <range>', 'how far back (default 7d)').choices(['1d', '7d', '30d']))
    .action(async (projectId: string, options: { range?: '1d' | '7d' | '30d' }, cmd: Command) => {
      const globals = globalsOf(cmd);
      const stats = await connect(globals).stats.get(projectId, options.range === undefined ? {} : { range: options.range });
      emit(globals, stats, (s) =>
        [
          record(s, ['topKeys', 'requestsByDay']),
          '',
          table(s.requestsByDay, [['DATE', (d) => d.date], ['REQUESTS', (d) => d.count], ['ERRORS', (d) => d.errors]]),
          ...(s.topKeys.length === 0 ? [] : ['', table(s.topKeys, [['TOP KEY', (k) => k.keyId], ['REQUESTS', (k) => k.requests]])]),
        ].join('\n'),
      );
    });
}

interface AuditOptions {
  action?: string;
  key?: string;
  service?: string;
  from?: string;
  to?: string;
}

const filtersOf = (options: AuditOptions) => ({ action: options.action, keyId: options.key, serviceId: options.service, from: options.from, to: options.to });

function addFilters(command: Command): Command {
  return command
    .option('--action <action>', 'only this action: key.created, key.revoked, verification.failed, …')
    .option('--key <keyId>', 'only entries about this API key')
    .option('--service <serviceId>', 'only entries about this service identity')
    .option('--from <when>', 'from this time (ISO date-time)', when)
    .option('--to <when>', 'until this time (ISO date-time)', when);
}

/** `elyzor audit list|export`: GET /v1/projects/:projectId/audit, every page. */
export function auditCommand(): Command {
  const command = new Command('audit').description("a project's audit log: who did what, when, from where");

  addFilters(command.command('list').description('the entries, newest first').argument('<projectId>')).action(async (projectId: string, options: AuditOptions, cmd: Command) => {
    const globals = globalsOf(cmd);
    emit(globals, await collect(connect(globals).audit.iterate(projectId, filtersOf(options))), (items) =>
      table(items, [['TIME', (e) => e.createdAt], ['ACTION', (e) => e.action], ['ACTOR', (e) => e.actorId], ['TARGET', (e) => `${e.targetType}:${e.targetId ?? '-'}`], ['OUTCOME', (e) => e.outcome], ['IP', (e) => e.ip]]),
    );
  });

  addFilters(
    command
      .command('export')
      .description('the whole (filtered) log on stdout, as CSV or JSON')
      .argument('<projectId>')
      .addOption(new Option('--format <format>', 'csv (one header line) or json (an array)').choices(['csv', 'json']).default('csv')),
  ).action(async (projectId: string, options: AuditOptions & { format: 'csv' | 'json' }, cmd: Command) => {
    const elyzor = connect(globalsOf(cmd));
    if (options.format === 'csv') {
      process.stdout.write(await elyzor.audit.exportCsv(projectId, filtersOf(options)));
      return;
    }
    out(JSON.stringify(await collect(elyzor.audit.iterate(projectId, filtersOf(options))), null, 2));
  });

  return command;
}

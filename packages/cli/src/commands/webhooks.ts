import type { WebhookEventType } from '@elyzor/sdk';
import { Command } from 'commander';
import { connect, globalsOf } from '../client.js';
import { collect } from '../collect.js';
import { UsageError } from '../errors.js';
import { list } from '../flags.js';
import { emit, emitIssued, record, SHOWN_ONCE, table } from '../output.js';

/** `elyzor webhooks …`: /v1/projects/:projectId/webhooks, signed per Standard Webhooks. */
export function webhooksCommand(): Command {
  const command = new Command('webhooks').description("a project's webhooks: events POSTed to your URL, signed (whsec_…)");
  const events = 'events, comma-separated: key.created,key.revoked,… (see docs/cli.md)';

  command
    .command('create')
    .description('subscribe a URL to events; its signing secret is printed once')
    .argument('<projectId>')
    .requiredOption('--url <url>', 'https://… where the events are POSTed')
    .requiredOption('--events <events>', events, list)
    .option('--description <text>', 'what it is for')
    .action(async (projectId: string, options: { url: string; events: string[]; description?: string }, cmd: Command) => {
      const globals = globalsOf(cmd);
      const body = { url: options.url, events: options.events as WebhookEventType[], ...(options.description === undefined ? {} : { description: options.description }) };
      emitIssued(globals, await connect(globals).webhooks.create(projectId, body), 'secret', SHOWN_ONCE.webhookSecret);
    });

  command
    .command('list')
    .description("the project's webhooks")
    .argument('<projectId>')
    .action(async (projectId: string, _options: object, cmd: Command) => {
      const globals = globalsOf(cmd);
      emit(globals, await collect(connect(globals).webhooks.iterate(projectId)), (items) => table(items, [['ID', (w) => w.id], ['URL', (w) => w.url], ['EVENTS', (w) => w.events], ['ENABLED', (w) => w.enabled]]));
    });

  command
    .command('update')
    .description('change a webhook: only the fields named change')
    .argument('<projectId>')
    .argument('<webhookId>')
    .option('--url <url>', 'a new URL')
    .option('--events <events>', `${events}; replaces the list`, list)
    .option('--description <text>', 'a new description')
    .option('--no-description', 'no description')
    .option('--enable', 'deliver again')
    .option('--disable', 'stop delivering')
    .action(async (projectId: string, webhookId: string, options: { url?: string; events?: string[]; description?: string | false; enable?: boolean; disable?: boolean }, cmd: Command) => {
      if (options.enable === true && options.disable === true) throw new UsageError('--enable and --disable contradict each other');
      const changes = {
        ...(options.url === undefined ? {} : { url: options.url }),
        ...(options.events === undefined ? {} : { events: options.events as WebhookEventType[] }),
        ...(options.description === undefined ? {} : { description: options.description === false ? null : options.description }),
        ...(options.enable === true || options.disable === true ? { enabled: options.enable === true } : {}),
      };
      if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: name at least one option (see --help)');
      const globals = globalsOf(cmd);
      // The SDK's type lags the contract here: the contract's body allows `description: null`.
      emit(globals, await connect(globals).webhooks.update(projectId, webhookId, changes as Parameters<ReturnType<typeof connect>['webhooks']['update']>[2]), (w) => record(w));
    });

  command
    .command('delete')
    .description('delete a webhook')
    .argument('<projectId>')
    .argument('<webhookId>')
    .action(async (projectId: string, webhookId: string, _options: object, cmd: Command) => {
      const globals = globalsOf(cmd);
      await connect(globals).webhooks.delete(projectId, webhookId);
      emit(globals, { id: webhookId, deleted: true }, () => `deleted ${webhookId}`);
    });

  command
    .command('rotate-secret')
    .description('a new signing secret, printed once')
    .argument('<projectId>')
    .argument('<webhookId>')
    .action(async (projectId: string, webhookId: string, _options: object, cmd: Command) => {
      const globals = globalsOf(cmd);
      emitIssued(globals, await connect(globals).webhooks.rotateSecret(projectId, webhookId), 'secret', SHOWN_ONCE.webhookSecret);
    });

  command
    .command('test')
    .description('send a webhook.test event to it now')
    .argument('<projectId>')
    .argument('<webhookId>')
    .action(async (projectId: string, webhookId: string, _options: object, cmd: Command) => {
      const globals = globalsOf(cmd);
      emit(globals, await connect(globals).webhooks.test(projectId, webhookId), (d) => record(d));
    });

  command
    .command('deliveries')
    .description("a webhook's deliveries, with their attempts")
    .argument('<projectId>')
    .argument('<webhookId>')
    .action(async (projectId: string, webhookId: string, _options: object, cmd: Command) => {
      const globals = globalsOf(cmd);
      emit(globals, await collect(connect(globals).webhooks.iterateDeliveries(projectId, webhookId)), (items) =>
        table(items, [['ID', (d) => d.id], ['EVENT', (d) => d.type], ['STATUS', (d) => d.status], ['ATTEMPTS', (d) => d.attempts]]),
      );
    });

  command
    .command('redeliver')
    .description('send a delivery again')
    .argument('<projectId>')
    .argument('<webhookId>')
    .argument('<deliveryId>')
    .action(async (projectId: string, webhookId: string, deliveryId: string, _options: object, cmd: Command) => {
      const globals = globalsOf(cmd);
      await connect(globals).webhooks.redeliver(projectId, webhookId, deliveryId);
      emit(globals, { redelivered: deliveryId }, (d) => record(d));
    });

  return command;
}

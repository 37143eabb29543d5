import type { CredentialsApi, Elyzor, IssuedKey, Key, KeyWithUsage } from '@elyzor/sdk';
import { Command, Option } from 'commander';
import { connect, globalsOf } from '../client.js';
import { collect } from '../collect.js';
import { UsageError } from '../errors.js';
import { jsonObject, list, nonNegativeInteger, positiveInteger, quota, rateLimit, refill, resource, seconds, when, type RateLimit } from '../flags.js';
import { emit, emitIssued, record, SHOWN_ONCE, table } from '../output.js';

/*
 * `elyzor keys …` and `elyzor services …`: the same operations on either kind, as the API has
 * them (`/v1/projects/:projectId/keys…`, `/v1/projects/:projectId/services…`), each a call of
 * the SDK. A flag maps to one field of the body.
 */

interface Kind {
  collection: 'keys' | 'services';
  /** `key` / `service`, in messages. */
  noun: string;
}

// The two kinds' answers differ in `label` / `name` only; the commands print them alike.
type Api = CredentialsApi<{ view: Key; issued: IssuedKey; withUsage: KeyWithUsage; create: Record<string, unknown>; update: Record<string, unknown> }>;
const apiOf = (elyzor: Elyzor, kind: Kind): Api => elyzor[kind.collection] as unknown as Api;

/** The policy options, as commander gives them (`false` where a `--no-…` clears the field). */
interface PolicyOptions {
  scopes?: string[];
  resource?: Record<string, string[]>;
  expires?: string | false;
  rateLimit?: RateLimit | false;
  burst?: number;
  quota?: { limit: number; period: string } | false;
  credits?: number | false;
  refill?: { amount: number; interval: string };
  ipAllow?: string[];
  ipDeny?: string[];
  tag?: string[];
  owner?: string | false;
  metadata?: Record<string, unknown> | false;
}

function addPolicyOptions(command: Command, clearing: boolean): Command {
  command
    .option('--scopes <scopes>', 'global scopes, comma-separated (read:invoices,admin:*); replaces the list', list)
    .option('--resource <name=scopes>', 'scopes on one resource, repeatable: --resource project:123=read,write', resource)
    .option('--expires <when>', 'expiry: an ISO date-time or a duration from now (30d, 12h)', when)
    .option('--rate-limit <requests/window>', 'rate limit: 100/60s, 1000/1h, 10/s; none for unlimited', rateLimit)
    .option('--burst <n>', 'with --rate-limit: a token bucket of this size instead of a sliding window', positiveInteger)
    .option('--quota <amount/period>', 'uses per UTC day or month: 10000/month', quota)
    .option('--credits <n>', 'a balance each verification spends (its cost)', nonNegativeInteger)
    .option('--refill <amount/interval>', 'with --credits: refill the balance to amount every day or month: 1000/month', refill)
    .option('--ip-allow <addresses>', 'allowed IPs and CIDR ranges, comma-separated; replaces the list', list)
    .option('--ip-deny <addresses>', 'refused IPs and CIDR ranges, comma-separated; replaces the list', list)
    .option('--tag <tags>', 'tags, repeatable or comma-separated; replaces the list', list)
    .option('--owner <id>', 'the customer this credential belongs to')
    .option('--metadata <json>', 'any JSON object up to 4 KB', jsonObject);
  if (clearing) {
    command
      .option('--no-expires', 'never expire')
      .option('--no-rate-limit', "back to the server's default rate limit")
      .option('--no-quota', 'no quota')
      .option('--no-credits', 'no credit balance')
      .option('--no-owner', 'no owner')
      .option('--no-metadata', 'no metadata');
  }
  return command;
}

/** The body fields the options name, and only those (PATCH changes only what is sent). */
function policyOf(options: PolicyOptions): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  const clearable = <T>(value: T | false | undefined): T | null | undefined => (value === false ? null : value);
  if (options.scopes !== undefined) body.scopes = options.scopes;
  if (options.resource !== undefined) body.resources = options.resource;
  if (options.expires !== undefined) body.expiresAt = clearable(options.expires);
  if (options.burst !== undefined) {
    if (options.rateLimit === undefined || options.rateLimit === false || 'algorithm' in options.rateLimit) throw new UsageError('--burst needs --rate-limit <requests/window>');
    body.rateLimit = { algorithm: 'token_bucket', ...options.rateLimit, burst: options.burst };
  } else if (options.rateLimit !== undefined) body.rateLimit = clearable(options.rateLimit);
  if (options.quota !== undefined) body.quota = clearable(options.quota);
  if (options.refill !== undefined && typeof options.credits !== 'number') throw new UsageError('--refill needs --credits <n>');
  if (options.credits !== undefined) body.credits = options.credits === false ? null : { remaining: options.credits, ...(options.refill === undefined ? {} : { refill: options.refill }) };
  if (options.ipAllow !== undefined) body.ipAllowlist = options.ipAllow;
  if (options.ipDeny !== undefined) body.ipDenylist = options.ipDeny;
  if (options.tag !== undefined) body.tags = options.tag;
  if (options.owner !== undefined) body.ownerId = clearable(options.owner);
  if (options.metadata !== undefined) body.metadata = clearable(options.metadata);
  return body;
}

const titleOf = (view: Key): unknown => view.label ?? (view as unknown as { name?: string }).name;

function listTable(items: Key[]): string {
  return table(items, [
    ['ID', (k) => k.id],
    ['PREFIX', (k) => k.prefix],
    ['NAME', titleOf],
    ['STATUS', (k) => k.status],
    ['SCOPES', (k) => k.scopes],
    ['TAGS', (k) => k.tags],
    ['EXPIRES', (k) => k.expiresAt],
    ['LAST USED', (k) => k.lastUsedAt],
  ]);
}

export function credentialsCommand(kind: Kind): Command {
  const command = new Command(kind.collection).description(
    kind.collection === 'keys' ? 'API keys (sk_live_…) of a project: for your external clients' : 'service identities (svc_live_…) of a project: for your internal services',
  );

  const create = command.command('create').description(`create a ${kind.noun}; its plaintext is printed once`).argument('<projectId>');
  if (kind.collection === 'services') create.argument('<name>', 'lowercase letters, digits and dashes: billing-worker');
  else create.option('--label <text>', 'a name for people');
  create.addOption(new Option('--env <environment>', 'live or test (sk_test_… / svc_test_…)').choices(['live', 'test']));
  create.option('--disabled', 'created disabled (enable it with update --enable)');
  addPolicyOptions(create, false).action(async (projectId: string, ...rest: unknown[]) => {
    const cmd = rest.at(-1) as Command;
    const options = cmd.opts<PolicyOptions & { label?: string; env?: string; disabled?: boolean }>();
    const body: Record<string, unknown> = { ...policyOf(options) };
    if (kind.collection === 'services') body.name = rest[0];
    if (options.label !== undefined) body.label = options.label;
    if (options.env !== undefined) body.environment = options.env;
    if (options.disabled === true) body.enabled = false;
    const globals = globalsOf(cmd);
    const issued = await apiOf(connect(globals), kind).create(projectId, body);
    emitIssued(globals, issued, 'key', SHOWN_ONCE.credential);
  });

  command
    .command('list')
    .description(`the ${kind.collection} of a project, newest first`)
    .argument('<projectId>')
    .option('--tag <tag>', 'only those with this tag')
    .option('--owner <id>', 'only those of this owner')
    .addOption(new Option('--env <environment>', 'only live or only test ones').choices(['live', 'test']))
    .addOption(new Option('--status <status>', 'only those with this status').choices(['active', 'disabled', 'expired', 'revoked']))
    .option('--limit <n>', 'at most this many (default: all, page by page)', positiveInteger)
    .action(async (projectId: string, options: { tag?: string; owner?: string; env?: 'live' | 'test'; status?: 'active' | 'disabled' | 'expired' | 'revoked'; limit?: number }, cmd: Command) => {
      const globals = globalsOf(cmd);
      const filters = { tag: options.tag, ownerId: options.owner, environment: options.env, status: options.status };
      emit(globals, await collect(apiOf(connect(globals), kind).iterate(projectId, filters), options.limit), listTable);
    });

  command
    .command('get')
    .description(`one ${kind.noun}, with its usage (never its secret)`)
    .argument('<projectId>')
    .argument(`<${kind.noun}Id>`)
    .action(async (projectId: string, id: string, _options: object, cmd: Command) => {
      const globals = globalsOf(cmd);
      emit(globals, await apiOf(connect(globals), kind).get(projectId, id), (v) => record(v));
    });

  const update = command
    .command('update')
    .description(`change a ${kind.noun}: only the fields named change`)
    .argument('<projectId>')
    .argument(`<${kind.noun}Id>`);
  if (kind.collection === 'services') update.option('--name <name>', 'a new name');
  else update.option('--label <text>', 'a name for people').option('--no-label', 'no label');
  update.option('--enable', 'enable it').option('--disable', 'disable it: refused until enabled');
  addPolicyOptions(update, true).action(async (projectId: string, id: string, options: PolicyOptions & { label?: string | false; name?: string; enable?: boolean; disable?: boolean }, cmd: Command) => {
    if (options.enable === true && options.disable === true) throw new UsageError('--enable and --disable contradict each other');
    const changes = policyOf(options);
    if (options.label !== undefined) changes.label = options.label === false ? null : options.label;
    if (options.name !== undefined) changes.name = options.name;
    if (options.enable === true || options.disable === true) changes.enabled = options.enable === true;
    if (Object.keys(changes).length === 0) throw new UsageError('nothing to change: name at least one option (see --help)');
    const globals = globalsOf(cmd);
    emit(globals, await apiOf(connect(globals), kind).update(projectId, id, changes), (v) => record(v));
  });

  command
    .command('revoke')
    .description(`revoke a ${kind.noun}: refused from the next verification on, everywhere`)
    .argument('<projectId>')
    .argument(`<${kind.noun}Id>`)
    .option('--reason <text>', 'kept with the record')
    .action(async (projectId: string, id: string, options: { reason?: string }, cmd: Command) => {
      const globals = globalsOf(cmd);
      await apiOf(connect(globals), kind).revoke(projectId, id, options.reason === undefined ? {} : { reason: options.reason });
      emit(globals, { id, revoked: true }, () => `revoked ${id}`);
    });

  command
    .command('rotate')
    .description(`a new secret for a ${kind.noun}, printed once; the old one works on for --grace`)
    .argument('<projectId>')
    .argument(`<${kind.noun}Id>`)
    .option('--grace <duration>', 'how long the old secret still works (90s, 15m, 24h; default: the server\'s; 0 revokes it at once)', seconds)
    .action(async (projectId: string, id: string, options: { grace?: number }, cmd: Command) => {
      const globals = globalsOf(cmd);
      const issued = await apiOf(connect(globals), kind).rotate(projectId, id, options.grace === undefined ? {} : { gracePeriodSeconds: options.grace });
      emitIssued(globals, issued, 'key', SHOWN_ONCE.credential);
    });

  command
    .command('usage')
    .description(`verifications of a ${kind.noun} per UTC day`)
    .argument('<projectId>')
    .argument(`<${kind.noun}Id>`)
    .addOption(new Option('--range <range>', 'how far back').choices(['1d', '7d', '30d', '90d']))
    .action(async (projectId: string, id: string, options: { range?: '1d' | '7d' | '30d' | '90d' }, cmd: Command) => {
      const globals = globalsOf(cmd);
      const series = await apiOf(connect(globals), kind).usage(projectId, id, options.range === undefined ? {} : { range: options.range });
      emit(globals, series, (s) => table(s.days, [['DATE', (d) => d.date], ['COUNT', (d) => d.count], ['ERRORS', (d) => d.errors]]));
    });

  return command;
}

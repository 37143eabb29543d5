import { Command, InvalidArgumentError } from 'commander';
import { globalsOf } from '../client.js';
import { UsageError } from '../errors.js';
import { list, rateLimit, seconds, when, type RateLimit } from '../flags.js';
import { openNestKeys, type WhereOptions } from '../nest-keys/mode.js';
import type { IssuedKeyView, KeyView, NestKeys } from '../nest-keys/view.js';
import { emit, emitIssued, SHOWN_ONCE, table } from '../output.js';

/*
 * `elyzor create|list|revoke|rotate`: the commands of nest-api-key-auth's CLI, on the keys of the
 * NestJS module (`@elyzor/nest`). Local mode (`--db-url`, `DATABASE_URL`) works on the app's
 * database directly, with no app or server running; remote mode (`--project`) on an Elyzor
 * project, like `elyzor keys …`.
 */

/** nest-api-key-auth's scope format (`isScope` in packages/nest): `resource:action`, `admin:*`. */
const SCOPE = /^[A-Za-z0-9_.-]+:(?:\*|[A-Za-z0-9_.-]+)$/;

function scopes(value: string, previous: string[] = []): string[] {
  const items = list(value, previous);
  const bad = items.find((scope) => !SCOPE.test(scope));
  if (bad !== undefined) throw new InvalidArgumentError(`"${bad}" is not a scope of the form resource:action (read:projects, admin:*)`);
  return items;
}

function secretLength(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || n < 8 || n > 128) throw new InvalidArgumentError('expected a whole number from 8 to 128 (the module\'s secretLength)');
  return n;
}

function whereOptions(command: Command, generates: boolean): Command {
  command
    .option('--db-url <url>', 'local mode: the app\'s database, postgres://… or pglite:<directory> (default: $DATABASE_URL)')
    .option('--table <name>', 'local mode: the keys table of the module\'s kysely adapter (default: api_keys)');
  if (generates) command.option('--secret-length <n>', 'local mode: the module\'s secretLength, the length of the keys it accepts (default: 64)', secretLength);
  return command.option('--project <projectId>', 'remote mode: the Elyzor project of the keys (default: $ELYZOR_PROJECT)');
}

/** Opens the keys where the options say, runs `use`, and closes them whatever happens. */
async function withKeys<T>(cmd: Command, create: boolean, use: (keys: NestKeys) => Promise<T>): Promise<T> {
  const keys = await openNestKeys(globalsOf(cmd), cmd.opts<WhereOptions>(), { create });
  try {
    return await use(keys);
  } finally {
    await keys.close();
  }
}

function listTable(keys: KeyView[]): string {
  return table(keys, [
    ['ID', (k) => k.id],
    ['NAME', (k) => k.name],
    ['STATE', (k) => k.state],
    ['SCOPES', (k) => k.scopes],
    ['EXPIRES', (k) => k.expiresAt],
    ['LAST USED', (k) => k.lastUsedAt],
    ['CREATED', (k) => k.createdAt],
  ]);
}

function issued(cmd: Command, key: IssuedKeyView): void {
  emitIssued(globalsOf(cmd), key, 'token', SHOWN_ONCE.credential);
}

export function nestKeysCommands(): Command[] {
  const create = whereOptions(
    new Command('create')
      .description("create a key of the NestJS module (nest-api-key-auth's `create`); its plaintext is printed once")
      .requiredOption('--name <name>', 'a name for people: "My App"')
      .option('--scopes <scopes>', 'scopes, comma-separated or repeated: read:projects,write:projects', scopes)
      .option('--expires <when>', 'expiry: an ISO date-time or a duration from now (30d, 12h)', when)
      .option('--ip-whitelist <addresses>', 'the only IPs and CIDR ranges it is accepted from, comma-separated', list)
      .option('--ip-blacklist <addresses>', 'IPs and CIDR ranges it is refused from, comma-separated', list)
      .option('--rate-limit <requests/window>', 'its own rate limit: 100/60s, 1000/1h', rateLimit),
    true,
  ).action(async (options: { name: string; scopes?: string[]; expires?: string; ipWhitelist?: string[]; ipBlacklist?: string[]; rateLimit?: RateLimit }, cmd: Command) => {
    if (options.name.trim() === '' || options.name.length > 200) throw new UsageError('--name must be 1 to 200 characters');
    const key = await withKeys(cmd, true, (keys) =>
      keys.create({
        name: options.name,
        scopes: options.scopes ?? [],
        ...(options.expires === undefined ? {} : { expiresAt: options.expires }),
        ...(options.ipWhitelist === undefined ? {} : { ipWhitelist: options.ipWhitelist }),
        ...(options.ipBlacklist === undefined ? {} : { ipBlacklist: options.ipBlacklist }),
        ...(options.rateLimit === undefined ? {} : { rateLimit: options.rateLimit }),
      }),
    );
    issued(cmd, key);
  });

  const listCommand = whereOptions(
    new Command('list').description("the NestJS module's keys, oldest first, without revoked ones unless --all").option('--all', 'revoked keys too'),
    false,
  ).action(async (options: { all?: boolean }, cmd: Command) => {
    emit(globalsOf(cmd), await withKeys(cmd, false, (keys) => keys.list({ all: options.all === true })), listTable);
  });

  const revoke = whereOptions(
    new Command('revoke')
      .description("revoke a key of the NestJS module: refused from the next verification on")
      .argument('<keyId>')
      .option('--reason <text>', 'kept with the key (revocationReason)'),
    false,
  ).action(async (id: string, options: { reason?: string }, cmd: Command) => {
    if (options.reason !== undefined && options.reason.length > 500) throw new UsageError('--reason must be at most 500 characters');
    const key = await withKeys(cmd, false, (keys) => keys.revoke(id, options.reason));
    emit(globalsOf(cmd), key, () => `revoked ${id}`);
  });

  const rotate = whereOptions(
    new Command('rotate')
      .description('a new key with the same settings, printed once; the old one keeps working unless --revoke-old')
      .argument('<keyId>')
      .option('--revoke-old', 'revoke the old key (at once, or after --grace)')
      .option('--grace <duration>', 'with --revoke-old: how long the old key still works (90s, 15m, 24h; default 0)', seconds),
    true,
  ).action(async (id: string, options: { revokeOld?: boolean; grace?: number }, cmd: Command) => {
    if (options.grace !== undefined && options.revokeOld !== true) throw new UsageError('--grace needs --revoke-old: without it the old key is not revoked at all');
    const key = await withKeys(cmd, false, (keys) => keys.rotate(id, { revokeOld: options.revokeOld === true, graceSeconds: options.grace ?? 0 }));
    issued(cmd, key);
  });

  return [create, listCommand, revoke, rotate];
}

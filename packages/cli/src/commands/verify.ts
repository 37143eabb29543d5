import type { VerifyKeyResult, VerifyServiceResult } from '@elyzor/sdk';
import { Command } from 'commander';
import { anonymous, globalsOf } from '../client.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { list, nonNegativeInteger } from '../flags.js';
import { emit, record } from '../output.js';
import { readStdin } from '../prompt.js';

interface VerifyOptions {
  scopes?: string[];
  resource?: string;
  cost?: number;
  ip?: string;
}

/**
 * `elyzor verify <credential>`: POST /v1/verify, or /v1/verify/service for an `svc_…` one.
 * Exit 0 when valid, 1 when refused, so that scripts can test it. `-` reads it from stdin,
 * which keeps it out of the shell's history and the process list.
 */
export function verifyCommand(): Command {
  return new Command('verify')
    .description('is this API key or service credential valid, and may it do this now? (exit 0 valid, 1 refused)')
    .argument('<credential>', 'sk_… or svc_…; - reads it from stdin')
    .option('--scopes <scopes>', 'scopes it must have, comma-separated', list)
    .option('--resource <name>', 'the resource the scopes are about: project:123')
    .option('--cost <n>', 'units this spends of the rate limit, quota and credits (default 1; 0 only checks)', nonNegativeInteger)
    .option('--ip <address>', "the caller's address, for the credential's IP rules")
    .action(async (given: string, options: VerifyOptions, cmd: Command) => {
      const credential = given === '-' ? (await readStdin()).trim() : given;
      if (credential === '') throw new UsageError('no credential given');
      const globals = globalsOf(cmd);
      const elyzor = anonymous(globals);
      const body = { scopes: options.scopes, resource: options.resource, cost: options.cost, ip: options.ip };
      const result: VerifyKeyResult | VerifyServiceResult = credential.startsWith('svc_') ? await elyzor.verifyService(credential, body) : await elyzor.verify(credential, body);
      emit(globals, result, (r) => (r.valid ? `valid\n${record(r, ['valid'])}` : `refused: ${r.error}\n${record(r, ['valid', 'error'])}`));
      if (!result.valid) throw new CliError('', EXIT.error);
    });
}

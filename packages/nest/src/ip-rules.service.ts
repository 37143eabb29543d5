import { isIpOrCidr } from '@elyzor/core';
import { Inject, Injectable } from '@nestjs/common';
import type { ApiKey } from './api-key.js';
import { ApiKeyService } from './api-key.service.js';
import type { ApiKeyBackend, IpRules } from './backend.js';
import { conflict, invalidInput } from './exceptions.js';
import { API_KEY_BACKEND } from './tokens.js';
import { checkId } from './validate-input.js';

function checkEntries(field: string, list: unknown): asserts list is string[] {
  if (!Array.isArray(list)) throw invalidInput(`${field} must be an array of addresses or CIDR ranges`);
  for (const entry of list) if (typeof entry !== 'string' || !isIpOrCidr(entry)) throw invalidInput(`${field} has "${String(entry)}", which is not an address or CIDR range`);
}

/**
 * Management of a key's IP rules, which the guard enforces (403 `ip_not_allowed`): the whitelist
 * (`ipWhitelist`; empty allows every address) and the blacklist (`ipBlacklist`; it wins over
 * the whitelist). Addresses and CIDR ranges, IPv4 and IPv6. A change applies from the next
 * request (the cache is told). In both modes.
 */
@Injectable()
export class IpRulesService {
  constructor(
    @Inject(API_KEY_BACKEND) private readonly backend: ApiKeyBackend,
    @Inject(ApiKeyService) private readonly keys: ApiKeyService,
  ) {}

  private async live(keyId: string): Promise<ApiKey> {
    checkId(keyId);
    const key = await this.keys.findById(keyId);
    if (key.state === 'revoked') throw conflict('api_key_revoked', `API key ${JSON.stringify(keyId)} is revoked and cannot be changed`);
    return key;
  }

  /** The key's rules. */
  async getRules(keyId: string): Promise<Required<IpRules>> {
    checkId(keyId);
    const key = await this.keys.findById(keyId);
    return { ipWhitelist: key.ipWhitelist, ipBlacklist: key.ipBlacklist };
  }

  /** Replaces either list, or both. */
  async setRules(keyId: string, rules: IpRules): Promise<ApiKey> {
    if (typeof rules !== 'object' || rules === null) throw invalidInput('rules must be { ipWhitelist?, ipBlacklist? }');
    if (rules.ipWhitelist !== undefined) checkEntries('ipWhitelist', rules.ipWhitelist);
    if (rules.ipBlacklist !== undefined) checkEntries('ipBlacklist', rules.ipBlacklist);
    await this.live(keyId);
    return this.backend.setIpRules(keyId, rules);
  }

  async addToWhitelist(keyId: string, ...entries: string[]): Promise<ApiKey> {
    checkEntries('ipWhitelist', entries);
    const key = await this.live(keyId);
    return this.backend.setIpRules(keyId, { ipWhitelist: [...new Set([...key.ipWhitelist, ...entries])] });
  }

  async removeFromWhitelist(keyId: string, ...entries: string[]): Promise<ApiKey> {
    const key = await this.live(keyId);
    return this.backend.setIpRules(keyId, { ipWhitelist: key.ipWhitelist.filter((e) => !entries.includes(e)) });
  }

  async addToBlacklist(keyId: string, ...entries: string[]): Promise<ApiKey> {
    checkEntries('ipBlacklist', entries);
    const key = await this.live(keyId);
    return this.backend.setIpRules(keyId, { ipBlacklist: [...new Set([...key.ipBlacklist, ...entries])] });
  }

  async removeFromBlacklist(keyId: string, ...entries: string[]): Promise<ApiKey> {
    const key = await this.live(keyId);
    return this.backend.setIpRules(keyId, { ipBlacklist: key.ipBlacklist.filter((e) => !entries.includes(e)) });
  }
}

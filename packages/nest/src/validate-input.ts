import { isIpOrCidr } from '@elyzor/core';
import type { CreateApiKeyDto, RevokeOptions, RotateOptions } from './api-key.js';
import { invalidInput } from './exceptions.js';
import type { ResolvedOptions } from './options.js';
import { isScope } from './scopes.js';

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const positiveInt = (v: unknown): boolean => Number.isInteger(v) && (v as number) > 0;
const strings = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');

function check(condition: boolean, message: string): asserts condition {
  if (!condition) throw invalidInput(message);
}

function checkAddresses(field: string, list: unknown): void {
  if (list === undefined) return;
  check(Array.isArray(list), `${field} must be an array of addresses or CIDR ranges`);
  for (const entry of list) check(typeof entry === 'string' && isIpOrCidr(entry), `${field} has "${String(entry)}", which is not an address or CIDR range`);
}

const KNOWN = new Set([
  'name', 'scopes', 'expiresAt', 'ipWhitelist', 'ipBlacklist', 'rateLimitMax', 'rateLimitWindowMs', 'quotaMax', 'quotaPeriod',
  'metadata', 'tags', 'owner', 'environment', 'description', 'requiresApproval',
]);

/** nest-api-key-auth's checks of `create`, as BadRequestException naming the field. */
export function checkCreate(dto: unknown, options: ResolvedOptions): asserts dto is CreateApiKeyDto {
  check(isObject(dto), 'the key must be an object');
  for (const field of Object.keys(dto)) check(KNOWN.has(field), `${field} is not a field of an API key`);
  check(typeof dto.name === 'string' && dto.name.trim() !== '', 'name must be a non-empty string');
  check(dto.name.length <= 200, 'name must be at most 200 characters');
  if (dto.scopes !== undefined) {
    check(strings(dto.scopes), 'scopes must be an array of strings');
    for (const scope of dto.scopes) check(isScope(scope), `scope "${scope}" is not of the form resource:action`);
  }
  if (dto.expiresAt != null) {
    const at = dto.expiresAt instanceof Date || typeof dto.expiresAt === 'string' ? new Date(dto.expiresAt) : null;
    check(at !== null && !Number.isNaN(at.getTime()), 'expiresAt must be a date');
  }
  checkAddresses('ipWhitelist', dto.ipWhitelist);
  checkAddresses('ipBlacklist', dto.ipBlacklist);
  const rate = dto.rateLimitMax !== undefined || dto.rateLimitWindowMs !== undefined;
  if (rate) {
    check(options.enableRateLimiting, 'rateLimitMax needs the module option enableRateLimiting');
    check(positiveInt(dto.rateLimitMax), 'rateLimitMax must be a positive integer');
    check(positiveInt(dto.rateLimitWindowMs) && (dto.rateLimitWindowMs as number) % 1000 === 0, 'rateLimitWindowMs must be a positive whole number of seconds, in milliseconds');
  }
  if (dto.quotaMax !== undefined || dto.quotaPeriod !== undefined) {
    check(options.enableQuotaLimiting, 'quotaMax needs the module option enableQuotaLimiting');
    check(positiveInt(dto.quotaMax), 'quotaMax must be a positive integer');
    check(dto.quotaPeriod === 'daily' || dto.quotaPeriod === 'monthly' || dto.quotaPeriod === 'yearly', "quotaPeriod must be 'daily', 'monthly' or 'yearly'");
  }
  check(dto.metadata === undefined || isObject(dto.metadata), 'metadata must be an object');
  check(dto.tags === undefined || strings(dto.tags), 'tags must be an array of strings');
  check(dto.owner === undefined || typeof dto.owner === 'string', 'owner must be a string');
  check(
    dto.environment === undefined || dto.environment === 'production' || dto.environment === 'staging' || dto.environment === 'development',
    "environment must be 'production', 'staging' or 'development'",
  );
  check(dto.description === undefined || typeof dto.description === 'string', 'description must be a string');
  check(dto.requiresApproval === undefined || typeof dto.requiresApproval === 'boolean', 'requiresApproval must be true or false');
}

export function checkId(id: unknown): asserts id is string {
  check(typeof id === 'string' && id.trim() !== '' && id.length <= 200, 'id must be a non-empty string');
}

export function checkReason(reason: unknown): asserts reason is string | undefined {
  check(reason === undefined || (typeof reason === 'string' && reason.length <= 500), 'reason must be a string of at most 500 characters');
}

export function checkRevoke(options: unknown): asserts options is RevokeOptions {
  check(isObject(options), 'options must be an object');
  checkReason(options.reason);
}

export function checkRotate(options: unknown): asserts options is RotateOptions {
  check(isObject(options), 'options must be an object');
  check(options.revokeOldKey === undefined || typeof options.revokeOldKey === 'boolean', 'revokeOldKey must be true or false');
  const hours = options.gracePeriodHours;
  check(hours === undefined || (typeof hours === 'number' && Number.isFinite(hours) && hours >= 0), 'gracePeriodHours must be a non-negative number');
}

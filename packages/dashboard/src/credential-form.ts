import type { CreateKeyBody, Key, Service } from '@elyzor/sdk';

/**
 * The credential form's values (what the inputs hold) and their check before submit: the same
 * limits the API's schema enforces (packages/contract/src/schemas.ts), said next to the field.
 */
export interface CredentialFormValues {
  name: string;
  environment: 'live' | 'test';
  enabled: boolean;
  scopes: string;
  resources: string;
  expiresAt: string;
  rateLimitAlgorithm: '' | 'sliding_window' | 'token_bucket' | 'none';
  rateLimitLimit: string;
  rateLimitWindowSeconds: string;
  rateLimitBurst: string;
  quotaLimit: string;
  quotaPeriod: 'day' | 'month';
  creditsRemaining: string;
  creditsRefillAmount: string;
  creditsRefillInterval: '' | 'day' | 'month';
  ipAllowlist: string;
  ipDenylist: string;
  metadata: string;
  tags: string;
  ownerId: string;
}

export type CredentialKind = 'keys' | 'services';
export type FormErrors = Partial<Record<keyof CredentialFormValues, string>>;
/** A body for create or PATCH; for services `name` replaces `label`. */
export type CredentialBody = Omit<CreateKeyBody, 'label'> & { label?: string | null; name?: string };

export const emptyValues: CredentialFormValues = {
  name: '',
  environment: 'live',
  enabled: true,
  scopes: '',
  resources: '',
  expiresAt: '',
  rateLimitAlgorithm: '',
  rateLimitLimit: '',
  rateLimitWindowSeconds: '',
  rateLimitBurst: '',
  quotaLimit: '',
  quotaPeriod: 'month',
  creditsRemaining: '',
  creditsRefillAmount: '',
  creditsRefillInterval: '',
  ipAllowlist: '',
  ipDenylist: '',
  metadata: '',
  tags: '',
  ownerId: '',
};

const SCOPE = /^[A-Za-z0-9_.:*/-]+$/;
const SERVICE_NAME = /^[a-z0-9-]+$/;
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}(\/(3[0-2]|[12]?\d))?$/;
const IPV6 = /^[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*(\/(12[0-8]|1[01]\d|[1-9]?\d))?$/;

const list = (text: string): string[] =>
  text
    .split(/[\s,]+/)
    .map((item) => item.trim())
    .filter((item) => item !== '');

/** A whole number in [min, max], or an error message; blank is `undefined`. */
function whole(text: string, min: number, max: number): number | string | undefined {
  if (text.trim() === '') return undefined;
  const value = Number(text);
  if (!Number.isInteger(value) || value < min || value > max) return `A whole number from ${min.toLocaleString('en')} to ${max.toLocaleString('en')}`;
  return value;
}

/** Lines of `resource = scope, scope`. */
function parseResources(text: string): Record<string, string[]> | string {
  const resources: Record<string, string[]> = {};
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const at = line.indexOf('=');
    if (at < 0) return `Write each line as “resource = scope, scope” (no “=” in “${line.trim()}”)`;
    const name = line.slice(0, at).trim();
    const scopes = list(line.slice(at + 1));
    if (name === '' || name.length > 128) return 'A resource name is 1–128 characters';
    const bad = scopes.find((scope) => !SCOPE.test(scope) || scope.length > 128);
    if (bad !== undefined) return `“${bad}” is not a scope (letters, digits and _ . : * / -)`;
    resources[name] = scopes;
  }
  return Object.keys(resources).length > 100 ? 'At most 100 resources' : resources;
}

/**
 * Checks the values and builds the request body, or says what is wrong with each field.
 * `mode: 'update'` sends every field, a blank one as its "none" (null or empty), so that
 * clearing a field in the form clears it on the credential.
 */
export function buildCredentialBody(kind: CredentialKind, values: CredentialFormValues, mode: 'create' | 'update', now = Date.now()): { body: CredentialBody } | { errors: FormErrors } {
  const errors: FormErrors = {};
  const body: CredentialBody = {};
  const update = mode === 'update';

  const name = values.name.trim();
  if (kind === 'services') {
    if (!SERVICE_NAME.test(name) || name.length > 100) errors.name = 'Required: lowercase letters, digits and hyphens, up to 100';
    else body.name = name;
  } else if (name.length > 100) errors.name = 'At most 100 characters';
  else if (name !== '') body.label = name;
  else if (update) body.label = null;

  if (!update) body.environment = values.environment;
  body.enabled = values.enabled;

  const scopes = list(values.scopes);
  const badScope = scopes.find((scope) => !SCOPE.test(scope) || scope.length > 128);
  if (badScope !== undefined) errors.scopes = `“${badScope}” is not a scope (letters, digits and _ . : * / -, up to 128)`;
  else if (scopes.length > 100) errors.scopes = 'At most 100 scopes';
  else if (scopes.length > 0 || update) body.scopes = scopes;

  const resources = parseResources(values.resources);
  if (typeof resources === 'string') errors.resources = resources;
  else if (Object.keys(resources).length > 0 || update) body.resources = resources;

  if (values.expiresAt.trim() !== '') {
    const at = new Date(values.expiresAt);
    if (Number.isNaN(at.getTime())) errors.expiresAt = 'Not a date';
    else if (at.getTime() <= now) errors.expiresAt = 'Must be in the future';
    else body.expiresAt = at.toISOString();
  } else if (update) body.expiresAt = null;

  if (values.rateLimitAlgorithm === '') {
    if (update) body.rateLimit = null;
  } else if (values.rateLimitAlgorithm === 'none') body.rateLimit = { algorithm: 'none' };
  else {
    const limit = whole(values.rateLimitLimit, 1, 1_000_000_000);
    const windowSeconds = whole(values.rateLimitWindowSeconds, 1, 31 * 86_400);
    const burst = whole(values.rateLimitBurst, 1, 1_000_000_000);
    if (limit === undefined) errors.rateLimitLimit = 'Required with an algorithm';
    else if (typeof limit === 'string') errors.rateLimitLimit = limit;
    if (windowSeconds === undefined) errors.rateLimitWindowSeconds = 'Required with an algorithm';
    else if (typeof windowSeconds === 'string') errors.rateLimitWindowSeconds = windowSeconds;
    if (typeof burst === 'string') errors.rateLimitBurst = burst;
    else if (burst !== undefined && values.rateLimitAlgorithm !== 'token_bucket') errors.rateLimitBurst = 'Only for the token bucket';
    if (typeof limit === 'number' && typeof windowSeconds === 'number' && typeof burst !== 'string') {
      body.rateLimit = { algorithm: values.rateLimitAlgorithm, limit, windowSeconds, ...(typeof burst === 'number' ? { burst } : {}) };
    }
  }

  const quota = whole(values.quotaLimit, 1, 1_000_000_000_000);
  if (typeof quota === 'string') errors.quotaLimit = quota;
  else if (quota !== undefined) body.quota = { limit: quota, period: values.quotaPeriod };
  else if (update) body.quota = null;

  const remaining = whole(values.creditsRemaining, 0, 1_000_000_000_000);
  const refill = whole(values.creditsRefillAmount, 1, 1_000_000_000_000);
  if (typeof remaining === 'string') errors.creditsRemaining = remaining;
  if (typeof refill === 'string') errors.creditsRefillAmount = refill;
  else if (refill !== undefined && values.creditsRefillInterval === '') errors.creditsRefillInterval = 'Choose how often to refill';
  else if (refill !== undefined && remaining === undefined) errors.creditsRemaining = 'Required with a refill';
  if (typeof remaining === 'number' && typeof refill !== 'string' && errors.creditsRefillInterval === undefined) {
    body.credits = { remaining, ...(typeof refill === 'number' && values.creditsRefillInterval !== '' ? { refill: { amount: refill, interval: values.creditsRefillInterval } } : {}) };
  } else if (remaining === undefined && refill === undefined && update) body.credits = null;

  for (const field of ['ipAllowlist', 'ipDenylist'] as const) {
    const addresses = list(values[field]);
    const bad = addresses.find((address) => !IPV4.test(address) && !IPV6.test(address));
    if (bad !== undefined) errors[field] = `“${bad}” is not an IP address or CIDR range`;
    else if (addresses.length > 100) errors[field] = 'At most 100 entries';
    else if (addresses.length > 0 || update) body[field] = addresses;
  }

  if (values.metadata.trim() !== '') {
    try {
      const parsed: unknown = JSON.parse(values.metadata);
      if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) errors.metadata = 'A JSON object, like {"plan": "pro"}';
      else if (new TextEncoder().encode(values.metadata).length > 4096) errors.metadata = 'At most 4 KB';
      else body.metadata = parsed as Record<string, unknown>;
    } catch {
      errors.metadata = 'Not valid JSON';
    }
  } else if (update) body.metadata = null;

  const tags = list(values.tags);
  if (tags.some((tag) => tag.length > 64)) errors.tags = 'A tag is at most 64 characters';
  else if (tags.length > 20) errors.tags = 'At most 20 tags';
  else if (tags.length > 0 || update) body.tags = tags;

  const ownerId = values.ownerId.trim();
  if (ownerId.length > 255) errors.ownerId = 'At most 255 characters';
  else if (ownerId !== '') body.ownerId = ownerId;
  else if (update) body.ownerId = null;

  return Object.keys(errors).length > 0 ? { errors } : { body };
}

const num = (value: unknown): string => (typeof value === 'number' ? String(value) : '');

/** The form's values for an existing credential (the edit form). */
export function valuesOf(credential: Key | Service): CredentialFormValues {
  const rate = (credential.rateLimit ?? {}) as Record<string, unknown>;
  const quota = (credential.quota ?? {}) as Record<string, unknown>;
  const credits = (credential.credits ?? {}) as Record<string, unknown>;
  const refill = (credits.refill ?? {}) as Record<string, unknown>;
  const local = credential.expiresAt === null ? '' : new Date(new Date(credential.expiresAt).getTime() - new Date().getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
  return {
    name: 'name' in credential ? credential.name : (credential.label ?? ''),
    environment: credential.environment,
    enabled: credential.enabled,
    scopes: credential.scopes.join(' '),
    resources: Object.entries(credential.resources)
      .map(([name, scopes]) => `${name} = ${scopes.join(', ')}`)
      .join('\n'),
    expiresAt: local,
    rateLimitAlgorithm: (['sliding_window', 'token_bucket', 'none'] as const).find((a) => a === rate.algorithm) ?? (credential.rateLimit === null ? '' : 'sliding_window'),
    rateLimitLimit: num(rate.limit),
    rateLimitWindowSeconds: num(rate.windowSeconds),
    rateLimitBurst: num(rate.burst),
    quotaLimit: num(quota.limit),
    quotaPeriod: quota.period === 'day' ? 'day' : 'month',
    creditsRemaining: num(credits.remaining),
    creditsRefillAmount: num(refill.amount),
    creditsRefillInterval: refill.interval === 'day' || refill.interval === 'month' ? refill.interval : '',
    ipAllowlist: credential.ipAllowlist.join(', '),
    ipDenylist: credential.ipDenylist.join(', '),
    metadata: credential.metadata === null ? '' : JSON.stringify(credential.metadata, null, 2),
    tags: credential.tags.join(', '),
    ownerId: credential.ownerId ?? '',
  };
}


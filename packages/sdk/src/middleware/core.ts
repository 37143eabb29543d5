import type { Elyzor } from '../client.js';
import type { VerifyKeyResult, VerifyOptions, VerifyServiceResult, VerifySuccessKey, VerifySuccessService } from '../types.js';

/**
 * What the Express, Fastify and Hono middleware share: where the credential is read from, the
 * verification, and the answer to give when it is refused. Each framework's file only adapts
 * its request and response to these.
 */

export type CredentialKind = 'key' | 'service';

/** The verification result a request carries once it passed, typed by kind. */
export type VerifiedOf<K extends CredentialKind> = K extends 'service' ? VerifySuccessService : VerifySuccessKey;

export interface AuthOptions<Req, K extends CredentialKind = 'key'> {
  elyzor: Elyzor;
  /** `key` (sk_…, POST /v1/verify; the default) or `service` (svc_…, POST /v1/verify/service). */
  kind?: K;
  /** Scopes every request must have (per route: `requireScopes`). */
  scopes?: string[];
  /** The resource a request is about, e.g. `(req) => \`project:${req.params.id}\``. */
  resource?: (request: Req) => string | undefined;
  /** Units of rate limit, quota and credits a request spends (default 1). */
  cost?: number | ((request: Req) => number);
  /** Headers read after `Authorization: Bearer`, in order (default `['x-api-key']`). */
  headerNames?: string[];
  /** A query parameter to read the credential from (off unless named). */
  query?: string;
  /** A cookie to read the credential from (off unless named). */
  cookie?: string;
  /** The client's address for IP rules; default the framework's (trust-proxy aware where it has one). */
  ip?: (request: Req) => string | undefined;
}

/** A request's parts the credential can come from. */
export interface CredentialSources {
  header(name: string): string | undefined;
  query(name: string): string | undefined;
  cookieHeader: string | undefined;
}

/** A cookie's value from a `Cookie` header. */
export function cookieValue(header: string | undefined, name: string): string | undefined {
  if (header === undefined) return undefined;
  for (const pair of header.split(';')) {
    const at = pair.indexOf('=');
    if (at === -1 || pair.slice(0, at).trim() !== name) continue;
    const raw = pair.slice(at + 1).trim().replace(/^"(.*)"$/, '$1');
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return undefined;
}

/**
 * The credential, from the first source that has one, in this order: `Authorization: Bearer`,
 * each of `headerNames` (default `x-api-key`), the `query` parameter, the `cookie`.
 */
export function credentialOf(sources: CredentialSources, options: Pick<AuthOptions<unknown>, 'headerNames' | 'query' | 'cookie'>): string | undefined {
  const authorization = sources.header('authorization');
  const bearer = authorization === undefined ? undefined : /^Bearer\s+(\S+)\s*$/i.exec(authorization)?.[1];
  if (bearer !== undefined) return bearer;
  for (const name of options.headerNames ?? ['x-api-key']) {
    const value = sources.header(name.toLowerCase())?.trim();
    if (value !== undefined && value !== '') return value;
  }
  if (options.query !== undefined) {
    const value = sources.query(options.query);
    if (value !== undefined && value !== '') return value;
  }
  if (options.cookie !== undefined) {
    const value = cookieValue(sources.cookieHeader, options.cookie);
    if (value !== undefined && value !== '') return value;
  }
  return undefined;
}

/** What to do with a request: let it through with its result, or answer for it. */
export type Decision<K extends CredentialKind> =
  | { kind: 'allow'; result: VerifiedOf<K> }
  | { kind: 'refuse'; status: number; body: Record<string, unknown>; headers: Record<string, string> };

/** The refusal for a request without any credential: what the API itself answers then. */
const NO_CREDENTIAL = { kind: 'refuse', status: 401, body: { valid: false, error: 'invalid_key' }, headers: {} } as const;

/** The answer when Elyzor cannot answer: fail closed. */
export const UNAVAILABLE = { status: 503, body: { error: 'service_unavailable', message: 'Credential verification is unavailable' } } as const;

/** The verification of what one request presented, and how it was asked (for `requireScopes`). */
export interface Verification {
  elyzor: Elyzor;
  kind: CredentialKind;
  credential: string | undefined;
  options: VerifyOptions;
}

/** Asks Elyzor; throws only when Elyzor gave no verification answer (unreachable, 5xx, 400). */
export async function decide<K extends CredentialKind>(verification: Verification): Promise<Decision<K>> {
  if (verification.credential === undefined) return NO_CREDENTIAL;
  const answer =
    verification.kind === 'service'
      ? await verification.elyzor.verifyAnswer('service', verification.credential, verification.options)
      : await verification.elyzor.verifyAnswer('key', verification.credential, verification.options);
  const result: VerifyKeyResult | VerifyServiceResult = answer.result;
  if (result.valid) return { kind: 'allow', result: result as VerifiedOf<K> };
  return { kind: 'refuse', status: answer.status, body: result as Record<string, unknown>, headers: answer.headers };
}

/** The verification a request asks for, from the options and the request. */
export function verificationOf<Req>(options: AuthOptions<Req, CredentialKind>, request: Req, sources: CredentialSources, frameworkIp: string | undefined): Verification {
  const cost = typeof options.cost === 'function' ? options.cost(request) : options.cost;
  const resource = options.resource?.(request);
  const ip = options.ip !== undefined ? options.ip(request) : frameworkIp;
  const verifyOptions: VerifyOptions = {};
  if (options.scopes !== undefined && options.scopes.length > 0) verifyOptions.scopes = options.scopes;
  if (resource !== undefined) verifyOptions.resource = resource;
  if (cost !== undefined) verifyOptions.cost = cost;
  if (ip !== undefined && ip !== '') verifyOptions.ip = ip;
  return { elyzor: options.elyzor, kind: options.kind ?? 'key', credential: credentialOf(sources, options), options: verifyOptions };
}

/**
 * Does `granted` cover `required`? The engine's rule (`scopeCovers` in packages/core), held equal
 * to it by a test: `*` grants everything, `<part>:*` every scope that starts with `<part>:`.
 */
export function scopeCovers(granted: string, required: string): boolean {
  if (granted === '*' || granted === required) return true;
  if (granted.endsWith(':*')) return required.startsWith(granted.slice(0, -1));
  return false;
}

/**
 * `requireScopes` on a request that passed: decided without spending anything. The global
 * scopes of the verification answer are checked here; scopes they do not cover are asked of the
 * engine once more at cost 0 only when the request names a resource (grants on a resource are
 * not in the answer). A second verification would otherwise spend twice, or be refused at a
 * limit the first one just reached.
 */
export async function routeScopes<K extends CredentialKind>(verification: Verification, passed: VerifiedOf<K>, scopes: string[]): Promise<Decision<K>> {
  const missing = scopes.filter((scope) => !passed.scopes.some((granted) => scopeCovers(granted, scope)));
  if (missing.length === 0) return { kind: 'allow', result: passed };
  if (verification.options.resource === undefined) return { kind: 'refuse', status: 403, body: { valid: false, error: 'insufficient_scope', missingScopes: missing }, headers: {} };
  return decide<K>({ ...verification, options: { ...verification.options, scopes: missing, cost: 0 } });
}

export const MISSING_AUTH = 'requireScopes needs elyzorAuth to run first on this request';

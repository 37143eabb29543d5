import type { Context, MiddlewareHandler } from 'hono';
import { decide, MISSING_AUTH, UNAVAILABLE, verificationOf, routeScopes, type AuthOptions, type CredentialKind, type Decision, type Verification, type VerifiedOf } from './core.js';

/** The variables the middleware sets: `c.get('elyzor')`. */
export interface ElyzorVariables<K extends CredentialKind = 'key'> {
  elyzor: VerifiedOf<K>;
}

export interface HonoAuthOptions<K extends CredentialKind = 'key'> extends AuthOptions<Context, K> {
  /** Elyzor gave no answer (unreachable, timeout, 5xx): answer instead of the default 503. */
  onError?: (error: unknown, c: Context) => Response | Promise<Response>;
}

const verifications = new WeakMap<Context, Verification>();

/** The client's address on Node (`@hono/node-server` puts the socket in `c.env.incoming`); other runtimes: pass `ip`. */
function socketAddress(c: Context): string | undefined {
  const env = c.env as { incoming?: { socket?: { remoteAddress?: string } } } | undefined;
  return env?.incoming?.socket?.remoteAddress;
}

function sources(c: Context): Parameters<typeof verificationOf>[2] {
  return { header: (name) => c.req.header(name), query: (name) => c.req.query(name), cookieHeader: c.req.header('cookie') };
}

async function apply<K extends CredentialKind>(decision: Decision<K>, c: Context, next: () => Promise<void>): Promise<Response | undefined> {
  if (decision.kind === 'refuse') return c.json(decision.body, decision.status as 401, decision.headers);
  c.set('elyzor', decision.result);
  await next();
  return undefined;
}

/**
 * `app.use(elyzorAuth({ elyzor }))`: verifies the credential a request presents; the result is
 * `c.get('elyzor')` (type the app with `new Hono<{ Variables: ElyzorVariables }>()`).
 */
export function elyzorAuth<K extends CredentialKind = 'key'>(options: HonoAuthOptions<K>): MiddlewareHandler<{ Variables: ElyzorVariables<K> }> {
  return async (c, next) => {
    const verification = verificationOf(options, c, sources(c), socketAddress(c));
    verifications.set(c, verification);
    let decision: Decision<K>;
    try {
      decision = await decide<K>(verification);
    } catch (error) {
      return options.onError !== undefined ? options.onError(error, c) : c.json(UNAVAILABLE.body, UNAVAILABLE.status);
    }
    return apply(decision, c, next);
  };
}

/** Per route, after `elyzorAuth`: `app.post('/invoices', requireScopes('write:invoices'), handler)`. */
export function requireScopes(...scopes: string[]): MiddlewareHandler {
  return async (c, next) => {
    const verification = verifications.get(c);
    const passed = c.get('elyzor') as VerifiedOf<CredentialKind> | undefined;
    if (verification === undefined || passed === undefined) throw new Error(MISSING_AUTH);
    let decision: Decision<CredentialKind>;
    try {
      decision = await routeScopes(verification, passed, scopes);
    } catch {
      return c.json(UNAVAILABLE.body, UNAVAILABLE.status);
    }
    return apply(decision, c, next);
  };
}

export type { AuthOptions, CredentialKind, VerifiedOf } from './core.js';

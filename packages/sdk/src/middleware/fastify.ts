import type { FastifyInstance, FastifyReply, FastifyRequest, preHandlerAsyncHookHandler } from 'fastify';
import { decide, MISSING_AUTH, UNAVAILABLE, verificationOf, routeScopes, type AuthOptions, type CredentialKind, type Decision, type Verification, type VerifiedOf } from './core.js';

declare module 'fastify' {
  interface FastifyRequest {
    /** The verification result, once `elyzorAuth` let the request through. */
    elyzor?: VerifiedOf<CredentialKind>;
  }
}

export interface FastifyAuthOptions<K extends CredentialKind = 'key'> extends AuthOptions<FastifyRequest, K> {
  /** Elyzor gave no answer (unreachable, timeout, 5xx): answer instead of the default 503. */
  onError?: (error: unknown, request: FastifyRequest, reply: FastifyReply) => unknown;
}

const verifications = new WeakMap<FastifyRequest, Verification>();

function sources(request: FastifyRequest): Parameters<typeof verificationOf>[2] {
  return {
    header: (name) => {
      const value = request.headers[name];
      return Array.isArray(value) ? value[0] : value;
    },
    query: (name) => {
      const value = (request.query as Record<string, unknown> | undefined)?.[name];
      return typeof value === 'string' ? value : undefined;
    },
    cookieHeader: request.headers.cookie,
  };
}

function apply<K extends CredentialKind>(decision: Decision<K>, request: FastifyRequest, reply: FastifyReply): FastifyReply | undefined {
  if (decision.kind === 'allow') {
    request.elyzor = decision.result;
    return undefined;
  }
  return reply.code(decision.status).headers(decision.headers).send(decision.body);
}

/** The hook that verifies each request (what the plugin adds; usable alone as a route's `preHandler`). */
export function elyzorHook<K extends CredentialKind = 'key'>(options: FastifyAuthOptions<K>): preHandlerAsyncHookHandler {
  return async function (request, reply) {
    const verification = verificationOf(options, request, sources(request), request.ip);
    verifications.set(request, verification);
    let decision: Decision<K>;
    try {
      decision = await decide<K>(verification);
    } catch (error) {
      if (options.onError !== undefined) return options.onError(error, request, reply);
      return reply.code(UNAVAILABLE.status).send(UNAVAILABLE.body);
    }
    return apply(decision, request, reply);
  };
}

/**
 * `await app.register(elyzorAuth({ elyzor }))`: a plugin that verifies every request of the
 * scope it is registered in (not encapsulated, so it applies to the routes beside it); the
 * result is `request.elyzor`. `request.ip` (Fastify's, so `trustProxy` applies) goes to Elyzor.
 */
export function elyzorAuth<K extends CredentialKind = 'key'>(options: FastifyAuthOptions<K>): (app: FastifyInstance) => Promise<void> {
  const plugin = async (app: FastifyInstance): Promise<void> => {
    app.decorateRequest('elyzor', undefined);
    app.addHook('preHandler', elyzorHook(options));
  };
  // fastify-plugin's marker, written out: the hook reaches the routes of the parent scope.
  Object.assign(plugin, { [Symbol.for('skip-override')]: true, [Symbol.for('fastify.display-name')]: 'elyzor-auth' });
  return plugin;
}

/** Per route, after the plugin: `{ preHandler: requireScopes('write:invoices') }`. */
export function requireScopes(...scopes: string[]): preHandlerAsyncHookHandler {
  return async function (request, reply) {
    const verification = verifications.get(request);
    const passed = request.elyzor;
    if (verification === undefined || passed === undefined) throw new Error(MISSING_AUTH);
    let decision: Decision<CredentialKind>;
    try {
      decision = await routeScopes(verification, passed, scopes);
    } catch {
      return reply.code(UNAVAILABLE.status).send(UNAVAILABLE.body);
    }
    return apply(decision, request, reply);
  };
}

export type { AuthOptions, CredentialKind, VerifiedOf } from './core.js';

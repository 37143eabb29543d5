import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { AccessClaims } from '../auth/access-tokens.js';
import type { Actor, Deps } from '../deps.js';
import type { AuthService } from '../services/auth.js';
import type { CredentialService } from '../services/credentials.js';
import type { ProjectService } from '../services/projects.js';

/** Fastify's logger is pino, which can say whether a level is on (to skip building a line). */
export type AppLogger = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/** The business verbs, built once; routes only validate, call one of these, and shape the answer. */
export interface Services {
  auth: AuthService;
  projects: ProjectService;
  credentials: CredentialService;
}

export interface RouteContext {
  deps: Deps;
  services: Services;
}

declare module 'fastify' {
  interface FastifyRequest {
    /** Set by the `authenticate` pre-handler on management routes. */
    actor: Actor | null;
    claims: AccessClaims | null;
  }
  interface FastifyContextConfig {
    /** Verify endpoints answer in the verification shape, even for transport errors. */
    verifyShape?: boolean;
  }
}

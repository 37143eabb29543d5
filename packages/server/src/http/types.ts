import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyBaseLogger, FastifyInstance, RawReplyDefaultExpression, RawRequestDefaultExpression, RawServerDefault } from 'fastify';
import type { AccessClaims } from '../auth/access-tokens.js';
import type { Ctx } from '@elyzor/core';
import type { Deps } from '../deps.js';
import type { MetricsServer } from './metrics-server.js';
import type { AuthService } from '../services/auth.js';
import type { CredentialUsageService } from '../services/credentials.js';
import type { InvitationService } from '../services/invitations.js';
import type { ProjectService } from '../services/projects.js';
import type { RbacService } from '../services/rbac.js';
import type { RootKeyService } from '../services/root-keys.js';
import type { WorkspaceService } from '../services/workspaces.js';
import type { WebhookService } from '../services/webhooks.js';

/** Fastify's logger is pino, which can say whether a level is on (to skip building a line). */
export type AppLogger = FastifyBaseLogger & { isLevelEnabled(level: string): boolean };

export type App = FastifyInstance<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger, TypeBoxTypeProvider>;

/**
 * The server's own services, built once. Credentials change through the engine's verbs
 * (`deps.credentials`); routes only validate, call a verb or a service, and shape the answer.
 */
export interface Services {
  auth: AuthService;
  projects: ProjectService;
  usage: CredentialUsageService;
  workspaces: WorkspaceService;
  invitations: InvitationService;
  rootKeys: RootKeyService;
  webhooks: WebhookService;
  /** Unkey's permissions and roles (`/v2`). */
  rbac: RbacService;
}

export interface RouteContext {
  deps: Deps;
  services: Services;
}

declare module 'fastify' {
  interface FastifyInstance {
    /** The server of `GET /metrics` when `METRICS_PORT` is set; null when /metrics is a route of the app. */
    metricsServer: MetricsServer | null;
  }
  interface FastifyRequest {
    /** The caller, set by the `authenticate` pre-handler on management routes. */
    ctx: Ctx | null;
    claims: AccessClaims | null;
  }
  interface FastifyContextConfig {
    /** Verify endpoints answer in the verification shape, even for transport errors. */
    verifyShape?: boolean;
  }
}

import type { FastifyRequest } from 'fastify';
import type { App, RouteContext } from '../http/types.js';
import { authenticateRootKey } from './auth.js';
import type { ErrorFace } from '../http/errors.js';
import { notFoundV2, sendV2Error } from './errors.js';
import { registerApisCreateApi } from './routes/apis-create-api.js';
import { registerApisDeleteApi } from './routes/apis-delete-api.js';
import { registerApisGetApi } from './routes/apis-get-api.js';
import { registerApisListKeys } from './routes/apis-list-keys.js';
import { registerKeysCreateKey } from './routes/keys-create-key.js';
import { registerKeysDeleteKey } from './routes/keys-delete-key.js';
import { registerKeysGetKey } from './routes/keys-get-key.js';
import { registerKeysMigrateKeys } from './routes/keys-migrate-keys.js';
import { registerKeysRerollKey } from './routes/keys-reroll-key.js';
import { registerKeysUpdateCredits } from './routes/keys-update-credits.js';
import { registerKeysUpdateKey } from './routes/keys-update-key.js';
import { registerKeysVerifyKey } from './routes/keys-verify-key.js';
import { registerKeysWhoami } from './routes/keys-whoami.js';
import { registerLiveness } from './routes/liveness.js';
import { IdentityService } from '../services/identities.js';
import { RatelimitService } from '../services/ratelimits.js';
import type { V2Context } from './context.js';
import { registerIdentitiesCreateIdentity } from './routes/identities-create-identity.js';
import { registerIdentitiesDeleteIdentity } from './routes/identities-delete-identity.js';
import { registerIdentitiesGetIdentity } from './routes/identities-get-identity.js';
import { registerIdentitiesListIdentities } from './routes/identities-list-identities.js';
import { registerIdentitiesUpdateIdentity } from './routes/identities-update-identity.js';
import { registerRatelimitDeleteOverride } from './routes/ratelimit-delete-override.js';
import { registerRatelimitGetOverride } from './routes/ratelimit-get-override.js';
import { registerRatelimitLimit } from './routes/ratelimit-limit.js';
import { registerRatelimitListOverrides } from './routes/ratelimit-list-overrides.js';
import { registerRatelimitMultiLimit } from './routes/ratelimit-multi-limit.js';
import { registerRatelimitSetOverride } from './routes/ratelimit-set-override.js';
// RBAC: permissions, roles, and their grants to keys.
import { registerKeysAddPermissions } from './routes/keys-add-permissions.js';
import { registerKeysAddRoles } from './routes/keys-add-roles.js';
import { registerKeysRemovePermissions } from './routes/keys-remove-permissions.js';
import { registerKeysRemoveRoles } from './routes/keys-remove-roles.js';
import { registerKeysSetPermissions } from './routes/keys-set-permissions.js';
import { registerKeysSetRoles } from './routes/keys-set-roles.js';
import { registerPermissionsCreatePermission } from './routes/permissions-create-permission.js';
import { registerPermissionsCreateRole } from './routes/permissions-create-role.js';
import { registerPermissionsDeletePermission } from './routes/permissions-delete-permission.js';
import { registerPermissionsDeleteRole } from './routes/permissions-delete-role.js';
import { registerPermissionsGetPermission } from './routes/permissions-get-permission.js';
import { registerPermissionsGetRole } from './routes/permissions-get-role.js';
import { registerPermissionsListPermissions } from './routes/permissions-list-permissions.js';
import { registerPermissionsListRoles } from './routes/permissions-list-roles.js';
import { registerPermissionsSetRolePermissions } from './routes/permissions-set-role-permissions.js';
// Analytics over the usage counts.
import { registerAnalyticsGetVerifications } from './routes/analytics-get-verifications.js';

/** Whether a request is the `/v2` face's (its answers, errors included, are in Unkey's shape). */
export const isV2 = (request: FastifyRequest): boolean => request.url.startsWith('/v2/');

/** The `/v2` face's errors, for the app's handlers of requests that reach none of its routes. */
export const V2_ERRORS: ErrorFace = {
  owns: isV2,
  sendError: sendV2Error,
  notFound: (request) => notFoundV2('route', `Route ${request.method} ${request.url.split('?')[0]} not found`),
};

/**
 * The Unkey-compatible face (`/v2`, docs/unkey.md): Unkey's public v2 API over the same engine
 * and data as `/v1`, so that Unkey's SDK works with only its `serverURL` changed. Its routes
 * answer in Unkey's envelope and error shape, set by this scope's error handler.
 */
export async function registerV2(app: App, routeContext: RouteContext): Promise<void> {
  const context: V2Context = { ...routeContext, identities: new IdentityService(routeContext.deps), ratelimits: new RatelimitService(routeContext.deps) };
  await app.register(async (plain) => {
    const scope = plain as unknown as App;
    scope.setErrorHandler((error, request, reply) => sendV2Error(request, reply, error));
    registerLiveness(scope);
    await scope.register(async (inner) => {
      const authed = inner as unknown as App;
      authed.addHook('preHandler', authenticateRootKey(context.services.rootKeys, context.deps));
      registerApisCreateApi(authed, context);
      registerApisGetApi(authed, context);
      registerApisListKeys(authed, context);
      registerApisDeleteApi(authed, context);
      registerKeysCreateKey(authed, context);
      registerKeysGetKey(authed, context);
      registerKeysWhoami(authed, context);
      registerKeysUpdateKey(authed, context);
      registerKeysDeleteKey(authed, context);
      registerKeysRerollKey(authed, context);
      registerKeysUpdateCredits(authed, context);
      registerKeysVerifyKey(authed, context);
      registerKeysMigrateKeys(authed, context);
      // Identities and the standalone rate limiter.
      registerIdentitiesCreateIdentity(authed, context);
      registerIdentitiesGetIdentity(authed, context);
      registerIdentitiesListIdentities(authed, context);
      registerIdentitiesUpdateIdentity(authed, context);
      registerIdentitiesDeleteIdentity(authed, context);
      registerRatelimitLimit(authed, context);
      registerRatelimitMultiLimit(authed, context);
      registerRatelimitSetOverride(authed, context);
      registerRatelimitGetOverride(authed, context);
      registerRatelimitListOverrides(authed, context);
      registerRatelimitDeleteOverride(authed, context);
      // RBAC: permissions, roles, and their grants to keys.
      registerPermissionsCreatePermission(authed, context);
      registerPermissionsGetPermission(authed, context);
      registerPermissionsListPermissions(authed, context);
      registerPermissionsDeletePermission(authed, context);
      registerPermissionsCreateRole(authed, context);
      registerPermissionsGetRole(authed, context);
      registerPermissionsListRoles(authed, context);
      registerPermissionsDeleteRole(authed, context);
      registerPermissionsSetRolePermissions(authed, context);
      registerKeysAddPermissions(authed, context);
      registerKeysSetPermissions(authed, context);
      registerKeysRemovePermissions(authed, context);
      registerKeysAddRoles(authed, context);
      registerKeysSetRoles(authed, context);
      registerKeysRemoveRoles(authed, context);
      // Analytics over the usage counts.
      registerAnalyticsGetVerifications(authed, context);
    });
  });
}

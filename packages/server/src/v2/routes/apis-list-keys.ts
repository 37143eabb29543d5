import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { toKeyResponse } from '../key-view.js';
import { ListKeysBody } from '../schemas.js';
import { V2_ROUTE } from './route-options.js';


/** POST /v2/apis.listKeys: the API's live keys, newest first, in cursor pages; `externalId` filters by identity. */
export function registerApisListKeys(scope: App, { deps, identities, services }: V2Context): void {
  scope.post('/v2/apis.listKeys', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: "List an API's keys", body: ListKeysBody } }, async (request) => {
    const { apiId, limit, cursor, externalId } = request.body;
    const ctx = ctxOf(request);
    const page = await deps.credentials.list({
      ctx,
      input: { projectId: apiId, kind: 'key', filters: { ownerId: externalId }, page: { limit: limit ?? 100, cursor } },
    });
    // Deleted (revoked) keys are gone to Unkey's callers; a page may then hold fewer than `limit`.
    const live = page.items.filter((view) => view.status !== 'revoked');
    const owners = await identities.ofOwners(ctx, live.map((view) => view.ownerId));
    const roles = await services.rbac.roleNamesOfKeys(live.map((view) => view.id));
    const keys = live.map((view) => toKeyResponse(view, view.ownerId === null ? undefined : owners.get(view.ownerId), roles.get(view.id)));
    return envelope(request, keys, page.next === null ? { hasMore: false } : { cursor: page.next, hasMore: true });
  });
}

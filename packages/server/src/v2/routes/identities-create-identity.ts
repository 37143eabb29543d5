import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { CreateIdentityBody } from '../identity-schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/identities.createIdentity: an end user of the workspace; a taken externalId is a 409. */
export function registerIdentitiesCreateIdentity(scope: App, { identities }: V2Context): void {
  scope.post('/v2/identities.createIdentity', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Create an identity', body: CreateIdentityBody } }, async (request) => {
    const { externalId, meta, ratelimits } = request.body;
    const row = await identities.create(ctxOf(request), { externalId, meta, ratelimits });
    return envelope(request, { identityId: row.id });
  });
}

import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { UpdateIdentityBody } from '../identity-schemas.js';
import { toIdentity } from '../identity-view.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/identities.updateIdentity: `meta` and `ratelimits` replace what was there (`meta: null` clears it); left out, they stay. */
export function registerIdentitiesUpdateIdentity(scope: App, { identities }: V2Context): void {
  scope.post('/v2/identities.updateIdentity', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Update an identity', body: UpdateIdentityBody } }, async (request) => {
    const { identity, meta, ratelimits } = request.body;
    return envelope(request, toIdentity(await identities.update(ctxOf(request), identity, { meta, ratelimits })));
  });
}

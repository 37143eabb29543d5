import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { IdentityRefBody } from '../identity-schemas.js';
import { toIdentity } from '../identity-view.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/identities.getIdentity: by its id or its externalId. */
export function registerIdentitiesGetIdentity(scope: App, { identities }: V2Context): void {
  scope.post('/v2/identities.getIdentity', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Get an identity', body: IdentityRefBody } }, async (request) =>
    envelope(request, toIdentity(await identities.get(ctxOf(request), request.body.identity))),
  );
}

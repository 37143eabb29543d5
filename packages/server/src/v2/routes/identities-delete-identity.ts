import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { meta } from '../envelope.js';
import { IdentityRefBody } from '../identity-schemas.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/identities.deleteIdentity: the identity goes; its keys stay, without its shared limits. */
export function registerIdentitiesDeleteIdentity(scope: App, { identities }: V2Context): void {
  scope.post('/v2/identities.deleteIdentity', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Delete an identity', body: IdentityRefBody } }, async (request) => {
    await identities.delete(ctxOf(request), request.body.identity);
    // Unkey's answer has no data.
    return { meta: meta(request) };
  });
}

import { ctxOf } from '../../http/authenticate.js';
import type { App } from '../../http/types.js';
import type { V2Context } from '../context.js';
import { envelope } from '../envelope.js';
import { ListIdentitiesBody } from '../identity-schemas.js';
import { toIdentity } from '../identity-view.js';
import { V2_ROUTE } from './route-options.js';

/** POST /v2/identities.listIdentities: newest first, in cursor pages (the SDK's page iterator); `search` matches within externalIds. */
export function registerIdentitiesListIdentities(scope: App, { identities }: V2Context): void {
  scope.post('/v2/identities.listIdentities', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'List identities', body: ListIdentitiesBody } }, async (request) => {
    const { limit, cursor, search } = request.body;
    const page = await identities.list(ctxOf(request), search, { limit: limit ?? 100, cursor });
    return envelope(request, page.items.map(toIdentity), page.next === null ? { hasMore: false } : { cursor: page.next, hasMore: true });
  });
}

import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { RerollKeyBody } from '../schemas.js';
import { liveKey } from './keys-get-key.js';
import { V2_ROUTE } from './route-options.js';

/**
 * POST /v2/keys.rerollKey: the engine's rotation. The new key keeps every setting and shares the
 * old one's counters; the old one works for `expiration` ms more, rounded up to the minute
 * (0: it stops at once).
 */
export function registerKeysRerollKey(scope: App, { deps }: RouteContext): void {
  scope.post('/v2/keys.rerollKey', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: 'Reroll a key', body: RerollKeyBody } }, async (request) => {
    const ctx = ctxOf(request);
    const current = await liveKey(deps, ctx, request.body.keyId);
    const gracePeriodSeconds = Math.ceil(request.body.expiration / 60_000) * 60;
    const issued = await deps.credentials.rotate({ ctx, input: { projectId: current.projectId, kind: 'key', id: current.id, gracePeriodSeconds } });
    return envelope(request, { keyId: issued.id, key: issued.key });
  });
}

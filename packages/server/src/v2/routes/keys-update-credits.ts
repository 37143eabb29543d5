import { ctxOf } from '../../http/authenticate.js';
import type { App, RouteContext } from '../../http/types.js';
import { envelope } from '../envelope.js';
import { badRequest } from '../errors.js';
import { creditsOf } from '../key-view.js';
import { UpdateCreditsBody } from '../schemas.js';
import { liveKey } from './keys-get-key.js';
import { V2_ROUTE } from './route-options.js';

/**
 * POST /v2/keys.updateCredits: `set` a balance (`null`: unlimited), or `increment`/`decrement` the
 * live one (what verifications have spent counted). The new balance is set through the engine's
 * update verb, which starts a fresh count.
 */
export function registerKeysUpdateCredits(scope: App, { deps }: RouteContext): void {
  scope.post('/v2/keys.updateCredits', { ...V2_ROUTE, schema: { ...V2_ROUTE.schema, summary: "Change a key's credits", body: UpdateCreditsBody } }, async (request) => {
    const { keyId, value, operation } = request.body;
    const ctx = ctxOf(request);
    const current = await liveKey(deps, ctx, keyId);
    if (operation !== 'set' && (value === undefined || value === null)) throw badRequest(`value: required to ${operation}`, 'body.value');
    const live = current.credits?.remaining ?? 0;
    const refill = current.credits?.refill ?? null;
    let credits: { remaining: number; refill: typeof refill } | null;
    if (operation === 'set') credits = value === undefined || value === null ? null : { remaining: value, refill };
    else if (current.credits === null) throw badRequest(`The key has unlimited credits; set a balance before you ${operation} it`, 'body.operation', 'Use operation "set"');
    else credits = { remaining: operation === 'increment' ? live + (value ?? 0) : Math.max(0, live - (value ?? 0)), refill };
    const view = await deps.credentials.update({ ctx, input: { projectId: current.projectId, kind: 'key', id: keyId, changes: { credits } } });
    return envelope(request, creditsOf(view) ?? { remaining: null });
  });
}

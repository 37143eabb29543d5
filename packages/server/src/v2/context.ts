import type { RouteContext } from '../http/types.js';
import type { IdentityService } from '../services/identities.js';
import type { RatelimitService } from '../services/ratelimits.js';

/** What the `/v2` routes are given: the app's, and the services only this face uses. */
export interface V2Context extends RouteContext {
  identities: IdentityService;
  ratelimits: RatelimitService;
}

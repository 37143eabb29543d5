import type { App } from '../../http/types.js';
import { envelope } from '../envelope.js';

/** GET /v2/liveness: the process answers (no backend probed; `/v1/health` does that). */
export function registerLiveness(scope: App): void {
  scope.get('/v2/liveness', { schema: { tags: ['unkey'], summary: 'Liveness (Unkey-compatible)' } }, async (request) => envelope(request, { message: 'OK' }));
}

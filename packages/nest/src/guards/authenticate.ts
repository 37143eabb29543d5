import type { ApiKey } from '../api-key.js';
import type { ApiKeyService } from '../api-key.service.js';
import { clientIp, extractApiKey, type KeySources } from '../key-sources.js';
import { refusal, retryAfterSeconds, setHeader } from '../refusals.js';
import type { ApiKeyRequest } from './request.js';

/**
 * The guards' one path: read the key from the request's sources, verify it, and either put it on
 * `request.apiKey` or throw the refusal (with `Retry-After` set on a 429).
 */
export async function authenticate(service: ApiKeyService, sources: KeySources, request: ApiKeyRequest, response: unknown): Promise<ApiKey> {
  const token = extractApiKey(request, sources);
  if (token === undefined) throw refusal('missing_api_key');
  const ip = clientIp(request);
  const verdict = await service.verify(token, ip === undefined ? {} : { ip });
  if (!verdict.ok) {
    const seconds = verdict.retryAfterMs === undefined ? undefined : retryAfterSeconds(verdict.retryAfterMs);
    if (seconds !== undefined) setHeader(response, 'Retry-After', String(seconds));
    throw refusal(verdict.code, seconds === undefined ? {} : { retryAfterSeconds: seconds });
  }
  request.apiKey = verdict.apiKey;
  return verdict.apiKey;
}

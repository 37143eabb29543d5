import type { ApiKey } from '../api-key.js';
import type { ApiKeyService } from '../api-key.service.js';
import type { Verdict } from '../backend.js';
import { clientIp, extractApiKey, type KeySources } from '../key-sources.js';
import { refusal, retryAfterSeconds, setHeader } from '../refusals.js';
import type { AuditLogEntry } from '../service-options.js';
import type { ApiKeyRequest } from './request.js';

/** Where the guards report each request they decide (the audit-log service). */
export interface RequestAudit {
  readonly enabled: boolean;
  log(entry: AuditLogEntry): Promise<void>;
}

/** The request's path without its query string, which may carry the key itself (`?api_key=`). */
function pathOf(request: ApiKeyRequest): string {
  const url = request.originalUrl ?? request.url ?? '';
  return url.split('?')[0] ?? '';
}

function entryOf(request: ApiKeyRequest, fields: Pick<AuditLogEntry, 'keyId' | 'success'> & Partial<AuditLogEntry>): AuditLogEntry {
  return { ipAddress: clientIp(request) ?? '', method: request.method ?? '', path: pathOf(request), timestamp: new Date(), ...fields };
}

/**
 * The guards' one path: read the key from the request's sources, verify it, and either put it on
 * `request.apiKey` or throw the refusal (with `Retry-After` set on a 429). With `audit` on, the
 * outcome is recorded (never the key).
 */
export async function authenticate(service: ApiKeyService, sources: KeySources, request: ApiKeyRequest, response: unknown, audit?: RequestAudit): Promise<ApiKey> {
  const token = extractApiKey(request, sources);
  const ip = clientIp(request);
  const verdict: Verdict = token === undefined ? { ok: false, code: 'missing_api_key' } : await service.verify(token, ip === undefined ? {} : { ip });
  if (!verdict.ok) {
    const seconds = verdict.retryAfterMs === undefined ? undefined : retryAfterSeconds(verdict.retryAfterMs);
    if (seconds !== undefined) setHeader(response, 'Retry-After', String(seconds));
    const error = refusal(verdict.code, seconds === undefined ? {} : { retryAfterSeconds: seconds });
    if (audit?.enabled === true) await audit.log(entryOf(request, { keyId: 'unknown', success: false, statusCode: error.getStatus(), errorMessage: verdict.code }));
    throw error;
  }
  request.apiKey = verdict.apiKey;
  if (audit?.enabled === true) await audit.log(entryOf(request, { keyId: verdict.apiKey.id, keyName: verdict.apiKey.name, success: true }));
  return verdict.apiKey;
}

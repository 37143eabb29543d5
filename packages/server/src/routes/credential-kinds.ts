import type { CredentialKind } from '@elyzor/core';
import {
  CreateKeyBody,
  CreateServiceBody,
  IssuedKey,
  IssuedService,
  Key,
  KeyWithUsage,
  Service,
  ServiceWithUsage,
  UpdateKeyBody,
  UpdateServiceBody,
} from '../http/schemas.js';

/**
 * API keys and service identities share every operation; these are the few things that differ
 * per kind in their routes: the path segment, the id parameter's name, and the schemas.
 */
export const CREDENTIAL_KINDS = [
  {
    kind: 'key' as CredentialKind,
    segment: 'keys',
    idParam: 'keyId',
    tag: 'keys',
    createBody: CreateKeyBody,
    updateBody: UpdateKeyBody,
    view: Key,
    withUsage: KeyWithUsage,
    issued: IssuedKey,
  },
  {
    kind: 'service' as CredentialKind,
    segment: 'services',
    idParam: 'serviceId',
    tag: 'services',
    createBody: CreateServiceBody,
    updateBody: UpdateServiceBody,
    view: Service,
    withUsage: ServiceWithUsage,
    issued: IssuedService,
  },
] as const;

/** `{ projectId, keyId }` or `{ projectId, serviceId }` → the two ids. */
export function idsOf(params: unknown, idParam: string): { projectId: string; id: string } {
  const record = params as Record<string, string | undefined>;
  return { projectId: record.projectId ?? '', id: record[idParam] ?? '' };
}

import type { CredentialKind, CredentialRef } from '@elyzor/core';
import { Type } from 'typebox';
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
} from '@elyzor/contract';

/**
 * API keys and service identities share every operation; these are the few things that differ
 * per kind in their routes: the id parameter's name and the schemas. Each route file writes its
 * paths out in full, so that searching for a URL finds the file that serves it.
 */
export const [KEYS, SERVICES] = [
  {
    kind: 'key' as CredentialKind,
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
    idParam: 'serviceId',
    tag: 'services',
    createBody: CreateServiceBody,
    updateBody: UpdateServiceBody,
    view: Service,
    withUsage: ServiceWithUsage,
    issued: IssuedService,
  },
] as const;

export type CredentialRoutes = typeof KEYS | typeof SERVICES;

/** The path parameters of a single credential's routes. */
export const credentialParams = (routes: CredentialRoutes) => Type.Object({ projectId: Type.String(), [routes.idParam]: Type.String() });

/** `{ projectId, keyId }` or `{ projectId, serviceId }` → the engine's reference to the credential. */
export function refOf(params: unknown, routes: CredentialRoutes): CredentialRef {
  const record = params as Record<string, string | undefined>;
  return { projectId: record.projectId ?? '', kind: routes.kind, id: record[routes.idParam] ?? '' };
}

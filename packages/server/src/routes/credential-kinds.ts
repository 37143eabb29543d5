import type { CredentialKind } from '@elyzor/core';
import { CreateKeyBody, CreateServiceBody, IssuedKey, IssuedService, Key, Service } from '../http/schemas.js';

/**
 * API keys and service identities share every operation; these are the few things that differ
 * per kind in their routes: the path segment, the id parameter's name, and the schemas.
 */
export const CREDENTIAL_KINDS = [
  { kind: 'key' as CredentialKind, segment: 'keys', idParam: 'keyId', tag: 'keys', createBody: CreateKeyBody, view: Key, issued: IssuedKey },
  { kind: 'service' as CredentialKind, segment: 'services', idParam: 'serviceId', tag: 'services', createBody: CreateServiceBody, view: Service, issued: IssuedService },
] as const;

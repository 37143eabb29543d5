import type { Elyzor, IssuedKey, IssuedService, Key, KeyWithUsage, ListQuery, Page, Service, ServiceWithUsage, UsageSeries } from '@elyzor/sdk';
import type { CredentialBody, CredentialKind } from './credential-form';

/** The SDK's keys or services group, seen through the shapes both kinds share (the pages show either). */
export interface CredentialApi {
  list(projectId: string, query: ListQuery): Promise<Page<Key | Service>>;
  get(projectId: string, id: string): Promise<KeyWithUsage | ServiceWithUsage>;
  create(projectId: string, body: CredentialBody): Promise<IssuedKey | IssuedService>;
  update(projectId: string, id: string, body: CredentialBody): Promise<Key | Service>;
  rotate(projectId: string, id: string, body: { gracePeriodSeconds?: number }): Promise<IssuedKey | IssuedService>;
  revoke(projectId: string, id: string, body: { reason?: string }): Promise<void>;
  usage(projectId: string, id: string, query: { range?: '1d' | '7d' | '30d' | '90d' }): Promise<UsageSeries>;
}

export function credentialApi(client: Elyzor, kind: CredentialKind): CredentialApi {
  // The two groups are one class with different type parameters (packages/sdk/src/groups/credentials.ts).
  return (kind === 'keys' ? client.keys : client.services) as unknown as CredentialApi;
}

import { itemsOf, pagesOf, type Page } from '../pagination.js';
import { segment } from '../path.js';
import type { Transport } from '../transport.js';
import type { ListFilters, ListQuery, RevokeBody, RotateBody, UsageSeries } from '../types.js';

/** The type parameters that differ between API keys and service identities. */
export interface CredentialShapes {
  view: unknown;
  issued: unknown;
  withUsage: unknown;
  create: unknown;
  update: unknown;
}

/**
 * `/v1/projects/:projectId/keys` and `/v1/projects/:projectId/services`: the same operations on
 * either kind, as the API has them.
 */
export class CredentialsApi<S extends CredentialShapes> {
  constructor(
    private readonly transport: Transport,
    private readonly collection: 'keys' | 'services',
  ) {}

  private path(projectId: string, id?: string, tail = ''): string {
    return `/v1/projects/${segment(projectId)}/${this.collection}${id === undefined ? '' : `/${segment(id)}`}${tail}`;
  }

  /** POST …/:kind — the plaintext `key` is in this answer only. */
  create(projectId: string, body: S['create']): Promise<S['issued']> {
    return this.transport.request({ method: 'POST', path: this.path(projectId), body, auth: 'session' });
  }

  /** GET …/:kind — one page, newest first, with the filters. */
  list(projectId: string, query: ListQuery = {}): Promise<Page<S['view']>> {
    return this.transport.page({ method: 'GET', path: this.path(projectId), query, auth: 'session' });
  }

  /** Every page of the list. */
  pages(projectId: string, filters: ListFilters = {}): AsyncGenerator<Page<S['view']>, void, undefined> {
    return pagesOf((cursor) => this.list(projectId, { ...filters, cursor }));
  }

  /** Every credential of the list, across pages. */
  iterate(projectId: string, filters: ListFilters = {}): AsyncGenerator<S['view'], void, undefined> {
    return itemsOf((cursor) => this.list(projectId, { ...filters, cursor }));
  }

  /** GET …/:kind/:id — with its usage. */
  get(projectId: string, id: string): Promise<S['withUsage']> {
    return this.transport.request({ method: 'GET', path: this.path(projectId, id), auth: 'session' });
  }

  /** PATCH …/:kind/:id — only the fields sent change; `null` clears. */
  update(projectId: string, id: string, changes: S['update']): Promise<S['view']> {
    return this.transport.request({ method: 'PATCH', path: this.path(projectId, id), body: changes, auth: 'session' });
  }

  /** DELETE …/:kind/:id — soft revocation, with an optional reason. */
  async revoke(projectId: string, id: string, body: RevokeBody = {}): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: this.path(projectId, id), body, auth: 'session' });
  }

  /** POST …/:kind/:id/rotate — the replacement's plaintext is in this answer only. */
  rotate(projectId: string, id: string, body: RotateBody = {}): Promise<S['issued']> {
    return this.transport.request({ method: 'POST', path: this.path(projectId, id, '/rotate'), body, auth: 'session' });
  }

  /** GET …/:kind/:id/usage — verifications per UTC day. */
  usage(projectId: string, id: string, query: { range?: '1d' | '7d' | '30d' | '90d' } = {}): Promise<UsageSeries> {
    return this.transport.request({ method: 'GET', path: this.path(projectId, id, '/usage'), query, auth: 'session' });
  }
}

import { itemsOf, nextCursorOf, pagesOf, type Page } from '../pagination.js';
import { segment } from '../path.js';
import { expectOk, type Transport } from '../transport.js';
import type { AuditEvent, AuditFilters, AuditQuery, Stats } from '../types.js';

/** GET /v1/projects/:projectId/stats */
export class StatsApi {
  constructor(private readonly transport: Transport) {}

  get(projectId: string, query: { range?: '1d' | '7d' | '30d' } = {}): Promise<Stats> {
    return this.transport.request({ method: 'GET', path: `/v1/projects/${segment(projectId)}/stats`, query, auth: 'session' });
  }
}

/** GET /v1/projects/:projectId/audit, newest first. */
export class AuditApi {
  constructor(private readonly transport: Transport) {}

  private path(projectId: string): string {
    return `/v1/projects/${segment(projectId)}/audit`;
  }

  /** One page of entries. */
  list(projectId: string, query: Omit<AuditQuery, 'format'> = {}): Promise<Page<AuditEvent>> {
    return this.transport.page({ method: 'GET', path: this.path(projectId), query, auth: 'session' });
  }

  /** Every page. */
  pages(projectId: string, filters: AuditFilters = {}): AsyncGenerator<Page<AuditEvent>, void, undefined> {
    return pagesOf((cursor) => this.list(projectId, { ...filters, cursor }));
  }

  /** Every entry, across pages: `for await (const event of elyzor.audit.iterate(projectId)) …` */
  iterate(projectId: string, filters: AuditFilters = {}): AsyncGenerator<AuditEvent, void, undefined> {
    return itemsOf((cursor) => this.list(projectId, { ...filters, cursor }));
  }

  /**
   * The whole filtered log as one CSV text (`format=csv`, every page, the header line once).
   * Pages are joined as text: a cell may hold a line break, so rows are not split apart.
   */
  async exportCsv(projectId: string, filters: AuditFilters = {}): Promise<string> {
    const parts: string[] = [];
    const pages = pagesOf(async (cursor): Promise<Page<string>> => {
      const answer = await this.transport.send({ method: 'GET', path: this.path(projectId), query: { ...filters, cursor, format: 'csv' }, auth: 'session' });
      const text = expectOk<string | undefined>(answer) ?? '';
      return { items: [text], nextCursor: nextCursorOf(answer.headers.get('link')) };
    });
    for await (const page of pages) {
      const text = page.items[0] ?? '';
      // Every page starts with the header line; keep only the first page's.
      const body = parts.length === 0 ? text : text.slice(text.indexOf('\n') + 1);
      parts.push(body.endsWith('\n') || body === '' ? body : `${body}\n`);
    }
    return parts.join('');
  }
}

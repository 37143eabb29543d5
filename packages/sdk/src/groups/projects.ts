import { itemsOf, pagesOf, type Page } from '../pagination.js';
import { segment } from '../path.js';
import type { Transport } from '../transport.js';
import type { PageQuery, Project, ProjectBody } from '../types.js';

/** `/v1/projects` */
export class ProjectsApi {
  constructor(private readonly transport: Transport) {}

  /** GET /v1/projects — one page, newest first. */
  list(query: PageQuery = {}): Promise<Page<Project>> {
    return this.transport.page<Project>({ method: 'GET', path: '/v1/projects', query, auth: 'session' });
  }

  /** Every page of GET /v1/projects. */
  pages(query: Omit<PageQuery, 'cursor'> = {}): AsyncGenerator<Page<Project>, void, undefined> {
    return pagesOf((cursor) => this.list({ ...query, cursor }));
  }

  /** Every project, across pages. */
  iterate(query: Omit<PageQuery, 'cursor'> = {}): AsyncGenerator<Project, void, undefined> {
    return itemsOf((cursor) => this.list({ ...query, cursor }));
  }

  /** POST /v1/projects (`workspaceId`: where the workspaces are served; default the caller's personal one). */
  create(body: { name: string; workspaceId?: string }): Promise<Project> {
    return this.transport.request<Project>({ method: 'POST', path: '/v1/projects', body, auth: 'session' });
  }

  /** PATCH /v1/projects/:projectId — renames it (admins). */
  update(projectId: string, changes: ProjectBody): Promise<Project> {
    return this.transport.request<Project>({ method: 'PATCH', path: `/v1/projects/${segment(projectId)}`, body: changes, auth: 'session' });
  }

  /** DELETE /v1/projects/:projectId — with its keys, services and usage. */
  async delete(projectId: string): Promise<void> {
    await this.transport.request<void>({ method: 'DELETE', path: `/v1/projects/${segment(projectId)}`, auth: 'session' });
  }
}

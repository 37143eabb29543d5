import { randomUUID } from 'node:crypto';
import type { AuditEntry, ProjectRef, ProjectRole, Role } from '@elyzor/core';
import type { OutboxEvent } from '@elyzor/core';
import { credentialStoreContract } from '../../core/test-support/credential-store-contract.js';
import { openDatabase } from '../src/db/database.js';
import { SqlCredentialStore } from '../src/store/sql-credential-store.js';
import { backend, realBackendEnv } from './helpers/harness.js';

/**
 * The SQL credential store under the engine's store contract: on PGlite here, on PostgreSQL in
 * the real-backend project. The same suite runs against the memory store in core.
 */
credentialStoreContract(backend === 'real' ? 'PostgreSQL' : 'PGlite', async (clock) => {
  const database = await openDatabase({ url: backend === 'real' ? realBackendEnv().DATABASE_URL : undefined });
  const { db } = database;
  return {
    store: new SqlCredentialStore(db, clock),
    async addProject(name: string) {
      const user = await db.insertInto('users').values({ email: `${randomUUID()}@example.com`, password_hash: 'x' }).returning('id').executeTakeFirstOrThrow();
      const workspace = await db.insertInto('workspaces').values({ name, personal_of: null }).returning('id').executeTakeFirstOrThrow();
      const project = await db.insertInto('projects').values({ owner_id: user.id, workspace_id: workspace.id, name }).returningAll().executeTakeFirstOrThrow();
      return { id: project.id, name: project.name, ownerId: project.owner_id, workspaceId: project.workspace_id, role: null };
    },
    async addMember(project: ProjectRef, role: Role, projectRole: ProjectRole | null) {
      const user = await db.insertInto('users').values({ email: `${randomUUID()}@example.com`, password_hash: 'x' }).returning('id').executeTakeFirstOrThrow();
      await db.insertInto('workspace_members').values({ workspace_id: project.workspaceId, user_id: user.id, role }).execute();
      if (projectRole !== null) await db.insertInto('project_members').values({ project_id: project.id, user_id: user.id, role: projectRole }).execute();
      return user.id;
    },
    async auditOf(projectId: string) {
      const rows = await db.selectFrom('audit_events').selectAll().where('project_id', '=', projectId).orderBy('id').execute();
      return rows.map((r) => ({
        projectId: r.project_id ?? '',
        actorId: r.actor_id,
        requestId: r.request_id,
        ip: r.ip,
        action: r.action,
        targetType: r.target_type as AuditEntry['targetType'],
        targetId: r.target_id,
        changes: r.changes,
        at: r.created_at,
      }));
    },
    async eventsOf(projectId: string) {
      const rows = await db.selectFrom('webhook_events').selectAll().where('project_id', '=', projectId).orderBy('seq').execute();
      return rows.map((r) => ({ projectId: r.project_id, type: r.type as OutboxEvent['type'], data: r.data }));
    },
    close: () => database.close(),
  };
});

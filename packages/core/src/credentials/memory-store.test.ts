import { randomUUID } from 'node:crypto';
import { credentialStoreContract } from '../../test-support/credential-store-contract.js';
import { MemoryCredentialStore } from './memory-store.js';
import type { ProjectRef } from './ports.js';
import type { ProjectRole, Role } from '../teams/roles.js';

credentialStoreContract('memory', (clock) => {
  const store = new MemoryCredentialStore(clock);
  return Promise.resolve({
    store,
    addProject: (name: string) => {
      const project = { id: randomUUID(), name, ownerId: randomUUID(), workspaceId: randomUUID(), role: null };
      store.putProject(project);
      return Promise.resolve(project);
    },
    addMember: (project: ProjectRef, role: Role, projectRole: ProjectRole | null) => {
      const userId = randomUUID();
      store.putMember(project.workspaceId, userId, role);
      if (projectRole !== null) store.putProjectRole(project.id, userId, projectRole);
      return Promise.resolve(userId);
    },
    auditOf: (projectId: string) => Promise.resolve(store.auditLog.filter((entry) => entry.projectId === projectId)),
    eventsOf: (projectId: string) => Promise.resolve(store.outbox.filter((event) => event.projectId === projectId)),
    close: () => Promise.resolve(),
  });
});

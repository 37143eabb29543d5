import { randomUUID } from 'node:crypto';
import { credentialStoreContract } from '../../test-support/credential-store-contract.js';
import { MemoryCredentialStore } from './memory-store.js';

credentialStoreContract('memory', () => {
  const store = new MemoryCredentialStore();
  return Promise.resolve({
    store,
    addProject: (name: string) => {
      const project = { id: randomUUID(), name, ownerId: randomUUID() };
      store.putProject(project);
      return Promise.resolve(project);
    },
    auditOf: (projectId: string) => Promise.resolve(store.auditLog.filter((entry) => entry.projectId === projectId)),
    eventsOf: (projectId: string) => Promise.resolve(store.outbox.filter((event) => event.projectId === projectId)),
    close: () => Promise.resolve(),
  });
});

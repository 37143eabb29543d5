import type { ApiKeyBackend } from './backend.js';
import { LocalBackend } from './local/local-backend.js';
import { createStorage } from './local/storage.js';
import type { ResolvedOptions } from './options.js';
import type { ProviderLookup } from './local/typeorm-storage.js';

/** The backend of the options: remote (an Elyzor service) or local (a store of `@elyzor/keys`). */
export async function createBackend(options: ResolvedOptions, lookup?: ProviderLookup): Promise<ApiKeyBackend> {
  if (options.adapter === 'elyzor') {
    const { RemoteBackend } = await import('./remote/remote-backend.js');
    return new RemoteBackend(options);
  }
  return new LocalBackend(options, await createStorage(options, lookup));
}

import type { ApiKeyMetadata, ApiKeyRecord, Storage } from '@elyzor/keys';
import { ApiKeyModuleOptionsError } from '../options.js';

/** Finds a provider of the app by its token (Nest's `ModuleRef.get(token, { strict: false })`). */
export type ProviderLookup = (token: string | symbol | object) => unknown;

type Store = Storage & Required<Pick<Storage, 'findByKeyPrefix' | 'onChange' | 'newId'>>;

const isRepository = (value: unknown): value is object =>
  typeof value === 'object' && value !== null && typeof (value as { find?: unknown }).find === 'function' && 'metadata' in value;

/**
 * The store of `adapter: 'typeorm'`: `@elyzor/keys/typeorm`'s TypeOrmStore on the app's
 * repository. nest-api-key-auth's option may be the repository itself or its injection token;
 * a token is looked up in the app when the module starts (`ready()`), since the repository is
 * another module's provider, made once TypeORM has connected.
 */
export async function typeOrmStorage(repository: unknown, defaultOwnerId: string, lookup: ProviderLookup | undefined): Promise<TypeOrmStorage> {
  const { TypeOrmStore } = await import('@elyzor/keys/typeorm');
  const open = (): Store => {
    const found = isRepository(repository) ? repository : lookup?.(repository as string | symbol | object);
    if (!isRepository(found)) {
      throw new ApiKeyModuleOptionsError('typeOrmRepository', `${String(repository)} is not a TypeORM Repository of this app: import TypeOrmModule.forFeature([ApiKeyEntity])`);
    }
    try {
      return new TypeOrmStore({ repository: found as ConstructorParameters<typeof TypeOrmStore>[0]['repository'], defaultOwnerId });
    } catch (error) {
      throw new ApiKeyModuleOptionsError('typeOrmRepository', (error as Error).message);
    }
  };
  return new TypeOrmStorage(open);
}

/** A TypeOrmStore opened on first use (or by `ready()` at module start); every call goes to it. */
export class TypeOrmStorage implements Storage {
  private store: Store | undefined;
  private readonly listeners = new Set<(keyHash: string) => void>();

  constructor(private readonly open: () => Store) {}

  /** Opens the store now: a token that names no repository fails the app's start. */
  ready(): void {
    this.get();
  }

  private get(): Store {
    if (this.store === undefined) {
      const store = this.open();
      store.onChange((keyHash) => {
        for (const listener of this.listeners) listener(keyHash);
      });
      this.store = store;
    }
    return this.store;
  }

  onChange(listener: (keyHash: string) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  newId(): string {
    return this.get().newId();
  }

  save(record: ApiKeyRecord): Promise<void> {
    return this.call((s) => s.save(record));
  }
  findByHash(keyHash: string): Promise<ApiKeyRecord | null> {
    return this.call((s) => s.findByHash(keyHash));
  }
  findById(id: string): Promise<ApiKeyRecord | null> {
    return this.call((s) => s.findById(id));
  }
  findByKeyPrefix(prefix: string): Promise<ApiKeyRecord[]> {
    return this.call((s) => s.findByKeyPrefix(prefix));
  }
  findByOwner(ownerId: string): Promise<ApiKeyRecord[]> {
    return this.call((s) => s.findByOwner(ownerId));
  }
  findByTags(tags: string[], ownerId?: string): Promise<ApiKeyRecord[]> {
    return this.call((s) => s.findByTags(tags, ownerId));
  }
  findByTag(tag: string, ownerId?: string): Promise<ApiKeyRecord[]> {
    return this.call((s) => s.findByTag(tag, ownerId));
  }
  updateMetadata(id: string, metadata: Partial<ApiKeyMetadata>): Promise<void> {
    return this.call((s) => s.updateMetadata(id, metadata));
  }
  delete(id: string): Promise<void> {
    return this.call((s) => s.delete(id));
  }
  deleteByOwner(ownerId: string): Promise<void> {
    return this.call((s) => s.deleteByOwner(ownerId));
  }

  private async call<T>(run: (store: Store) => Promise<T>): Promise<T> {
    return run(this.get());
  }
}

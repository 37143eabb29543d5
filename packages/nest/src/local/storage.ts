import type { Storage } from '@elyzor/keys';
import { MemoryStore } from '@elyzor/keys/memory';
import { ApiKeyModuleOptionsError, type ResolvedOptions } from '../options.js';
import { NEST_OWNER } from './records.js';
import type { ProviderLookup } from './typeorm-storage.js';

/**
 * The store of local mode, from the adapter option: one of `@elyzor/keys`' stores, or the app's
 * own (`custom`). Drivers are optional peers, so each store's module is loaded only when chosen.
 */
export async function createStorage(options: ResolvedOptions, lookup?: ProviderLookup): Promise<Storage> {
  switch (options.adapter) {
    case 'memory':
      return new MemoryStore();
    case 'custom':
      return options.customAdapter as Storage;
    case 'typeorm': {
      // Rows nest-api-key-auth wrote carry no keypal owner: they are the module's keys.
      const { typeOrmStorage } = await import('./typeorm-storage.js');
      return typeOrmStorage(options.typeOrmRepository, NEST_OWNER, lookup);
    }
    case 'kysely': {
      const { KyselyStore } = await import('@elyzor/keys/kysely');
      return new KyselyStore(options.kysely as ConstructorParameters<typeof KyselyStore>[0]);
    }
    case 'drizzle': {
      const { DrizzleStore } = await import('@elyzor/keys/drizzle');
      return new DrizzleStore(options.drizzle as ConstructorParameters<typeof DrizzleStore>[0]);
    }
    case 'prisma': {
      const { PrismaStore } = await import('@elyzor/keys/prisma');
      const prisma = options.prismaClient ?? (await defaultPrismaClient());
      // The audit-log model, when the schema has it (`model ApiKeyAuditLog`): the request log and the analytics read it.
      const hasLogModel = typeof (prisma as Record<string, unknown>)[PRISMA_LOG_MODEL] === 'object';
      try {
        return new PrismaStore({ prisma, model: options.prismaModel ?? 'apiKey', ...(hasLogModel ? { logModel: PRISMA_LOG_MODEL } : {}) });
      } catch (error) {
        throw new ApiKeyModuleOptionsError(options.prismaModel === undefined ? 'prismaClient' : 'prismaModel', (error as Error).message);
      }
    }
    case 'elyzor':
      throw new ApiKeyModuleOptionsError('adapter', "'elyzor' keeps no local storage");
  }
}

/** The delegate of `model ApiKeyAuditLog`, used as the Prisma store's audit log when the client has it. */
const PRISMA_LOG_MODEL = 'apiKeyAuditLog';

/** nest-api-key-auth's default: a PrismaClient of the app's generated `@prisma/client`. */
async function defaultPrismaClient(): Promise<object> {
  try {
    const prisma = (await import('@prisma/client' as string)) as { PrismaClient: new () => object };
    return new prisma.PrismaClient();
  } catch {
    throw new ApiKeyModuleOptionsError('prismaClient', "is required with adapter 'prisma' when @prisma/client is not installed and generated");
  }
}

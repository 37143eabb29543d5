import { Inject, Module, type DynamicModule, type ModuleMetadata, type OnModuleInit, type Provider } from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { ApiKeyService } from './api-key.service.js';
import { EndpointRateLimitService } from './endpoint-rate-limit.service.js';
import { EndpointRateLimitGuard } from './guards/endpoint-rate-limit.guard.js';
import { GraphQLApiKeyGuard } from './guards/graphql-api-key.guard.js';
import { KeyApprovalService } from './key-approval.service.js';
import { createLimiter } from './limiter.js';
import { KeySuspensionService } from './key-suspension.service.js';
import type { ApiKeyBackend } from './backend.js';
import { createBackend } from './create-backend.js';
import { ApiKeyGuard } from './guards/api-key.guard.js';
import { ScopesGuard } from './guards/scopes.guard.js';
import { resolveOptions, type ApiKeyModuleOptions, type ResolvedOptions } from './options.js';
import { SERVICE_PROVIDERS, SERVICE_TOKENS, SERVICES as MORE_SERVICES } from './services.js';
import { API_KEY_ADAPTER, API_KEY_BACKEND, API_KEY_LIMITER, API_KEY_MODULE_OPTIONS } from './tokens.js';

export interface ApiKeyModuleAsyncOptions extends Pick<ModuleMetadata, 'imports'> {
  /** Register the module globally; default true. */
  global?: boolean;
  inject?: Array<string | symbol | (abstract new (...args: never[]) => unknown) | (new (...args: never[]) => unknown)>;
  useFactory: (...args: never[]) => ApiKeyModuleOptions | Promise<ApiKeyModuleOptions>;
}

const BACKEND: Provider = {
  provide: API_KEY_BACKEND,
  inject: [API_KEY_MODULE_OPTIONS, ModuleRef],
  // `typeOrmRepository` may be a token of the app's providers (getRepositoryToken(ApiKeyEntity)).
  useFactory: (options: ResolvedOptions, moduleRef: ModuleRef): Promise<ApiKeyBackend> =>
    createBackend(options, (token) => {
      try {
        return moduleRef.get(token as string, { strict: false });
      } catch {
        return undefined; // "Nest could not find …": the caller names the option
      }
    }),
};

/** The store of local mode, for `@Inject(API_KEY_ADAPTER)`; null in remote mode. */
const ADAPTER: Provider = {
  provide: API_KEY_ADAPTER,
  inject: [API_KEY_BACKEND],
  useFactory: (backend: ApiKeyBackend): unknown => ('storage' in backend ? backend.storage : null),
};

const LIMITER: Provider = { provide: API_KEY_LIMITER, inject: [API_KEY_MODULE_OPTIONS], useFactory: createLimiter };

const SERVICES = [ApiKeyService, KeySuspensionService, KeyApprovalService, EndpointRateLimitService, ApiKeyGuard, ScopesGuard, EndpointRateLimitGuard, GraphQLApiKeyGuard, ...MORE_SERVICES];
const EXPORTED = [API_KEY_MODULE_OPTIONS, API_KEY_BACKEND, API_KEY_ADAPTER, ...SERVICES, ...SERVICE_TOKENS];

/**
 * nest-api-key-auth's module: `ApiKeyModule.register(options)` or
 * `ApiKeyModule.registerAsync({ imports, inject, useFactory })`. Options are checked when the
 * module starts; a malformed one fails it with a message naming the option.
 */
@Module({})
export class ApiKeyModule implements OnModuleInit {
  constructor(@Inject(API_KEY_BACKEND) private readonly backend: ApiKeyBackend) {}

  /** Every provider of the app exists by now: a repository token resolves, or the start fails naming it. */
  async onModuleInit(): Promise<void> {
    await this.backend.ready?.();
  }

  static register(options: ApiKeyModuleOptions): DynamicModule {
    return ApiKeyModule.build(options.global ?? true, [], { provide: API_KEY_MODULE_OPTIONS, useFactory: () => resolveOptions(options) });
  }

  static registerAsync(async: ApiKeyModuleAsyncOptions): DynamicModule {
    return ApiKeyModule.build(async.global ?? true, async.imports ?? [], {
      provide: API_KEY_MODULE_OPTIONS,
      inject: async.inject ?? [],
      useFactory: async (...args: never[]) => resolveOptions(await async.useFactory(...args)),
    });
  }

  private static build(global: boolean, imports: NonNullable<ModuleMetadata['imports']>, options: Provider): DynamicModule {
    return {
      module: ApiKeyModule,
      global,
      imports,
      providers: [options, BACKEND, ADAPTER, LIMITER, ...SERVICE_PROVIDERS, ...SERVICES],
      exports: EXPORTED,
    };
  }
}

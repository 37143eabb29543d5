import { Controller, Get, Module } from '@nestjs/common';
import { ConfigModule, ConfigService } from '@nestjs/config';
import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { ApiKeyAuth, ApiKeyModule, ApiKeyService, type ApiKeyModuleOptions } from '../src/index.js';
import { call, startNest } from './helpers.js';

@Controller('ping')
class PingController {
  @Get()
  @ApiKeyAuth()
  ping(): unknown {
    return { pong: true };
  }
}

/** Compiling a module with these options: the error it fails with, or null. */
async function initError(options: unknown): Promise<string | null> {
  try {
    const moduleRef = await Test.createTestingModule({ imports: [ApiKeyModule.register(options as ApiKeyModuleOptions)] }).compile();
    await moduleRef.init(); // the start's hooks: a repository token resolves here
    await moduleRef.close();
    return null;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('ApiKeyModule options', () => {
  it.each([
    [{ adapter: 'memory', secretLength: 4 }, 'ApiKeyModule: option "secretLength" must be an integer from 8 to 128'],
    [{ adapter: 'memory', secretLength: 200 }, 'option "secretLength"'],
    [{ adapter: 'memory', headerName: '' }, 'option "headerName" must be a non-empty name'],
    [{ adapter: 'memory', queryParamName: 'api key' }, 'option "queryParamName"'],
    [{ adapter: 'memory', cookieName: 7 }, 'option "cookieName"'],
    [{ adapter: 'mongoose' }, 'option "adapter" must be one of'],
    [{ adapter: 'custom' }, 'option "customAdapter" is required with adapter \'custom\''],
    [{ adapter: 'kysely' }, 'option "kysely" is required'],
    [{ adapter: 'elyzor', elyzor: { baseUrl: 'nope', rootKey: 'rk', projectId: 'p' } }, 'option "elyzor.baseUrl" must be a URL'],
    [{ adapter: 'memory', hashAlgorithm: 'md5' }, "option \"hashAlgorithm\" must be 'sha256', 'bcrypt' or 'argon2'"],
    [{ adapter: 'kysely', kysely: { db: {} }, hashAlgorithm: 'bcrypt' }, "option \"hashAlgorithm\" 'bcrypt' needs an adapter that finds keys by prefix"],
    [{ adapter: 'elyzor', elyzor: { baseUrl: 'http://localhost:1', rootKey: 'rk', projectId: 'p' }, hashAlgorithm: 'argon2' }, 'option "hashAlgorithm" \'argon2\' applies to local mode'],
    [{ adapter: 'memory', hashAlgorithm: 'argon2', bcryptRounds: 10 }, 'option "bcryptRounds" applies only with hashAlgorithm \'bcrypt\''],
    [{ adapter: 'memory', hashAlgorithm: 'bcrypt', bcryptRounds: 2 }, 'option "bcryptRounds" must be an integer from 4 to 31'],
    [{ adapter: 'memory', hashAlgorithm: 'argon2', secretLength: 16 }, 'option "secretLength" must be at least 24 with hashAlgorithm \'argon2\''],
    [{ adapter: 'typeorm' }, 'option "typeOrmRepository" is required with adapter \'typeorm\''],
    [{ adapter: 'typeorm', typeOrmRepository: 42 }, 'option "typeOrmRepository" must be a TypeORM Repository or its injection token'],
    [{ adapter: 'typeorm', typeOrmRepository: 'NoSuchRepository' }, 'option "typeOrmRepository" NoSuchRepository is not a TypeORM Repository of this app'],
    [{ adapter: 'memory', enableCaching: 'yes' }, 'option "enableCaching" must be true or false'],
    [{ adapter: 'memory', cacheTtlMs: 10 }, 'option "cacheTtlMs"'],
    [{ adapter: 'memory', headrName: 'x' }, 'option "headrName" is not an option of ApiKeyModule'],
    [{ adapter: 'prisma' }, 'option "prismaClient" is required'],
    [{ adapter: 'memory', webhooks: [{ url: 'http://127.0.0.1:9/h', events: ['key.created'] }] }, 'option "webhooks" needs enableWebhooks: true'],
    [{ adapter: 'memory', enableWebhooks: true, webhooks: [{ url: 'ftp://x', events: ['key.created'] }] }, 'option "webhooks[0].url" must be an http(s) URL'],
    [{ adapter: 'memory', enableWebhooks: true, webhooks: [{ url: 'http://127.0.0.1:9/h', events: ['key.deleted'] }] }, 'option "webhooks[0].events"'],
    [{ adapter: 'memory', enableWebhooks: true, webhooks: [{ url: 'http://127.0.0.1:9/h', events: ['key.created'], retryAttempts: 0 }] }, 'option "webhooks[0].retryAttempts"'],
    [{ adapter: 'memory', auditLogOptions: { retentionDays: 0 } }, 'option "auditLogOptions.retentionDays"'],
    [{ adapter: 'memory', auditLogOptions: { logToFile: true } }, 'option "auditLogOptions.logToFile" is not an option'],
    [{ adapter: 'memory', expirationNotificationOptions: { warningThresholdsDays: [0] } }, 'option "expirationNotificationOptions.warningThresholdsDays"'],
    [{ adapter: 'memory', expirationNotificationOptions: { checkIntervalMs: 5 } }, 'option "expirationNotificationOptions.checkIntervalMs"'],
    [{ adapter: 'elyzor', elyzor: { baseUrl: 'http://127.0.0.1:9', rootKey: 'rk', projectId: 'p' }, enableAnalytics: true }, 'option "enableAnalytics" is not available with adapter \'elyzor\''],
    [{ adapter: 'elyzor', elyzor: { baseUrl: 'http://127.0.0.1:9', rootKey: 'rk', projectId: 'p' }, enableAuditLogging: true, auditLogOptions: { logToDatabase: true } }, 'option "auditLogOptions.logToDatabase" is not available with adapter \'elyzor\''],
    [{ adapter: 'kysely', kysely: { db: {} }, enableAnalytics: true }, 'option "enableAnalytics" needs a store with an audit-log table'],
    [{ adapter: 'kysely', kysely: { db: {} }, enableAuditLogging: true, auditLogOptions: { logToDatabase: true } }, 'option "auditLogOptions.logToDatabase" needs a store with an audit-log table'],
  ])('%j fails at module init naming the option', async (options, message) => {
    expect(await initError(options)).toContain(message);
  });

  it('accepts every option of the seed with sound values', async () => {
    expect(
      await initError({
        adapter: 'memory',
        secretLength: 32,
        headerName: 'x-api-key',
        queryParamName: 'api_key',
        cookieName: 'api_key',
        hashAlgorithm: 'sha256',
        enableRateLimiting: true,
        enableAuditLogging: true,
        enableCaching: true,
        enableQuotaLimiting: true,
        cacheTtlMs: 300000,
        requireApproval: false,
        global: false,
        enableAnalytics: true,
        enableWebhooks: true,
        auditLogOptions: { logToConsole: false, logToDatabase: true, retentionDays: 90, onLog: () => undefined },
        webhooks: [{ url: 'https://example.com/webhooks/api-keys', secret: 'your-webhook-secret', events: ['key.created', 'key.revoked', 'key.rotated', 'key.expired', 'key.expiring'], retryAttempts: 3, timeout: 5000 }],
        expirationNotificationOptions: { enabled: false, checkIntervalMs: 3600000, warningThresholdsDays: [30, 7, 1] },
      }),
    ).toBeNull();
  });

  it('secretLength is the length of the hexadecimal keys it issues', async () => {
    const nest = await startNest([ApiKeyModule.register({ adapter: 'memory', secretLength: 40 })], [PingController]);
    try {
      const { token } = await nest.get(ApiKeyService).create({ name: 'hex' });
      expect(token).toMatch(/^[0-9a-f]{40}$/);
      expect((await call(`${nest.baseUrl}/ping`, { headers: { 'x-api-key': token } })).status).toBe(200);
      // A key of another length or alphabet is refused before any lookup.
      expect((await call(`${nest.baseUrl}/ping`, { headers: { 'x-api-key': token.toUpperCase() } })).status).toBe(401);
    } finally {
      await nest.close();
    }
  });

  it('requireApproval makes every new key pending', async () => {
    const nest = await startNest([ApiKeyModule.register({ adapter: 'memory', requireApproval: true })], [PingController]);
    try {
      const key = await nest.get(ApiKeyService).create({ name: 'new' });
      expect(key.state).toBe('pending');
      expect((await call(`${nest.baseUrl}/ping`, { headers: { 'x-api-key': key.token } })).status).toBe(403);
    } finally {
      await nest.close();
    }
  });

  it('with enableCaching, a revoked key is refused at once', async () => {
    const nest = await startNest([ApiKeyModule.register({ adapter: 'memory', enableCaching: true, cacheTtlMs: 60_000 })], [PingController]);
    try {
      const service = nest.get(ApiKeyService);
      const key = await service.create({ name: 'cached' });
      const headers = { 'x-api-key': key.token };
      expect((await call(`${nest.baseUrl}/ping`, { headers })).status).toBe(200);
      expect((await call(`${nest.baseUrl}/ping`, { headers })).status).toBe(200);
      await service.revoke(key.id);
      expect((await call(`${nest.baseUrl}/ping`, { headers })).status).toBe(401);
    } finally {
      await nest.close();
    }
  });
});

describe('ApiKeyModule.registerAsync', () => {
  it('takes its options from ConfigService', async () => {
    const config = ConfigModule.forRoot({ ignoreEnvFile: true, load: [() => ({ API_KEY_HEADER: 'x-team-key', API_KEY_LENGTH: 48 })] });
    const nest = await startNest(
      [
        config,
        ApiKeyModule.registerAsync({
          imports: [ConfigModule],
          inject: [ConfigService],
          useFactory: (settings: ConfigService) => ({
            adapter: 'memory',
            headerName: settings.get<string>('API_KEY_HEADER'),
            secretLength: settings.get<number>('API_KEY_LENGTH'),
          }),
        }),
      ],
      [PingController],
    );
    try {
      const { token } = await nest.get(ApiKeyService).create({ name: 'from-config' });
      expect(token).toHaveLength(48);
      expect((await call(`${nest.baseUrl}/ping`, { headers: { 'x-team-key': token } })).status).toBe(200);
      expect((await call(`${nest.baseUrl}/ping`, { headers: { 'x-api-key': token } })).status).toBe(401);
    } finally {
      await nest.close();
    }
  });

  it('an invalid option from the factory fails at init, naming it', async () => {
    const compiling = Test.createTestingModule({
      imports: [ApiKeyModule.registerAsync({ useFactory: async () => ({ adapter: 'memory', secretLength: 1 }) })],
    }).compile();
    await expect(compiling).rejects.toThrow('option "secretLength"');
  });
});

describe('global or not', () => {
  it('global (the default): a feature module uses the guard without importing ApiKeyModule', async () => {
    @Module({ controllers: [PingController] })
    class FeatureModule {}
    const nest = await startNest([ApiKeyModule.register({ adapter: 'memory' }), FeatureModule]);
    try {
      const { token } = await nest.get(ApiKeyService).create({ name: 'global' });
      expect((await call(`${nest.baseUrl}/ping`, { headers: { 'x-api-key': token } })).status).toBe(200);
    } finally {
      await nest.close();
    }
  });

  it('global: false: a module that does not import it cannot use the guard', async () => {
    @Module({ controllers: [PingController] })
    class Unrelated {}
    const compiling = Test.createTestingModule({ imports: [ApiKeyModule.register({ adapter: 'memory', global: false }), Unrelated] })
      .compile()
      .then(async (moduleRef) => {
        const app = moduleRef.createNestApplication({ logger: false });
        await app.init();
        await app.close();
      });
    await expect(compiling).rejects.toThrow(/ApiKeyService|dependencies/);
  });

  it('global: false: the module importing it uses it', async () => {
    @Module({ imports: [ApiKeyModule.register({ adapter: 'memory', global: false })], controllers: [PingController] })
    class Feature {}
    const nest = await startNest([Feature]);
    try {
      const { token } = await nest.get(ApiKeyService).create({ name: 'local' });
      expect((await call(`${nest.baseUrl}/ping`, { headers: { 'x-api-key': token } })).status).toBe(200);
    } finally {
      await nest.close();
    }
  });
});

import { Controller, Get, Post, Req, UseGuards } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyAuth, ApiKeyGuard, ApiKeyModule, ApiKeyService, CurrentApiKey, KeyApprovalService, KeySuspensionService, Scopes, type ApiKey } from '../src/index.js';
import { call, startNest, type RunningNest } from './helpers.js';

@Controller('projects')
class ProjectController {
  @Get()
  @ApiKeyAuth()
  findAll(@Req() req: { apiKey: ApiKey }): unknown {
    return { apiKey: req.apiKey };
  }

  @Get(':id')
  @ApiKeyAuth()
  @Scopes('read:projects')
  findOne(): unknown {
    return { ok: true };
  }

  @Post()
  @ApiKeyAuth()
  @Scopes('read:projects', 'write:projects')
  create(): unknown {
    return { created: true };
  }
}

@Controller('whoami')
class WhoAmIController {
  @Get()
  @ApiKeyAuth()
  whoami(@CurrentApiKey('id') id: string, @CurrentApiKey() key: ApiKey): unknown {
    return { id, name: key.name };
  }
}

@Controller('admin')
@ApiKeyAuth()
@Scopes('admin:read')
class AdminController {
  @Get()
  list(): unknown {
    return { admin: true };
  }

  @Get('audit')
  @Scopes('audit:read')
  audit(): unknown {
    return { audit: true };
  }
}

@Controller('guarded')
@UseGuards(ApiKeyGuard)
class GuardedController {
  @Get()
  ok(@Req() req: { apiKey: ApiKey }): unknown {
    return { id: req.apiKey.id };
  }
}

let nest: RunningNest;
let service: ApiKeyService;
let url: (path: string) => string;
const withKey = (token: string): RequestInit => ({ headers: { 'x-api-key': token } });

beforeAll(async () => {
  nest = await startNest([ApiKeyModule.register({ adapter: 'memory' })], [ProjectController, WhoAmIController, AdminController, GuardedController]);
  service = nest.get(ApiKeyService);
  url = (path) => `${nest.baseUrl}${path}`;
});
afterAll(() => nest.close());

describe('key sources', () => {
  it('reads the x-api-key header, Authorization: Bearer, the api_key query parameter and the api_key cookie', async () => {
    const { token } = await service.create({ name: 'sources' });
    expect((await call(url('/projects'), withKey(token))).status).toBe(200);
    expect((await call(url('/projects'), { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await call(url(`/projects?api_key=${token}`))).status).toBe(200);
    expect((await call(url('/projects'), { headers: { cookie: `theme=dark; api_key=${token}` } })).status).toBe(200);
  });

  it('takes the header first, then Bearer, then the query parameter, then the cookie', async () => {
    const { token } = await service.create({ name: 'order' });
    const wrong = 'ab'.repeat(32);
    // The first source that has a key decides: a wrong key there is refused even if a later source is right.
    expect((await call(url(`/projects?api_key=${token}`), withKey(wrong))).status).toBe(401);
    expect((await call(url(`/projects?api_key=${wrong}`), withKey(token))).status).toBe(200);
    expect((await call(url(`/projects?api_key=${wrong}`), { headers: { authorization: `Bearer ${token}` } })).status).toBe(200);
    expect((await call(url(`/projects?api_key=${token}`), { headers: { cookie: `api_key=${wrong}` } })).status).toBe(200);
    expect((await call(url('/projects'), { headers: { authorization: `Basic ${token}`, cookie: `api_key=${token}` } })).status).toBe(200);
  });

  it('honours headerName, queryParamName and cookieName', async () => {
    @Controller('custom')
    class CustomController {
      @Get()
      @ApiKeyAuth()
      ok(): unknown {
        return { ok: true };
      }
    }
    const custom = await startNest([ApiKeyModule.register({ adapter: 'memory', headerName: 'x-team-key', queryParamName: 'key', cookieName: 'session_key' })], [CustomController]);
    try {
      const { token } = await custom.get(ApiKeyService).create({ name: 'custom' });
      expect((await call(`${custom.baseUrl}/custom`, { headers: { 'x-team-key': token } })).status).toBe(200);
      expect((await call(`${custom.baseUrl}/custom?key=${token}`)).status).toBe(200);
      expect((await call(`${custom.baseUrl}/custom`, { headers: { cookie: `session_key=${token}` } })).status).toBe(200);
      expect((await call(`${custom.baseUrl}/custom`, withKey(token))).status).toBe(401);
      expect((await call(`${custom.baseUrl}/custom?api_key=${token}`)).status).toBe(401);
    } finally {
      await custom.close();
    }
  });
});

describe('request.apiKey and @CurrentApiKey', () => {
  it('puts the validated key on request.apiKey without its hash or plaintext', async () => {
    const created = await service.create({ name: 'visible', scopes: ['read:projects'], owner: 'team-a', metadata: { region: 'eu' } });
    const { status, body } = await call(url('/projects'), withKey(created.token));
    expect(status).toBe(200);
    const apiKey = body.apiKey as Record<string, unknown>;
    expect(apiKey).toMatchObject({ id: created.id, name: 'visible', scopes: ['read:projects'], owner: 'team-a', metadata: { region: 'eu' }, state: 'active' });
    const text = JSON.stringify(apiKey);
    expect(text).not.toContain(created.token);
    expect(text).not.toMatch(/[0-9a-f]{64}/);
    expect(Object.keys(apiKey).some((k) => /hash/i.test(k))).toBe(false);
  });

  it('@CurrentApiKey() gives the key, @CurrentApiKey(field) one field', async () => {
    const created = await service.create({ name: 'me' });
    expect((await call(url('/whoami'), withKey(created.token))).body).toEqual({ id: created.id, name: 'me' });
  });

  it('@UseGuards(ApiKeyGuard) on a controller protects it too', async () => {
    const created = await service.create({ name: 'guarded' });
    expect((await call(url('/guarded'), withKey(created.token))).body).toEqual({ id: created.id });
    expect((await call(url('/guarded'))).status).toBe(401);
  });
});

describe('refusals', () => {
  it('401 for a missing, malformed, unknown, expired or revoked key, each with its code', async () => {
    expect((await call(url('/projects'))).body).toMatchObject({ statusCode: 401, code: 'missing_api_key' });
    expect((await call(url('/projects'), withKey('not a key!'))).body).toMatchObject({ statusCode: 401, code: 'invalid_api_key' });
    expect((await call(url('/projects'), withKey('0'.repeat(64)))).body).toMatchObject({ statusCode: 401, code: 'invalid_api_key' });
    const expired = await service.create({ name: 'old', expiresAt: new Date('2020-01-01') });
    expect((await call(url('/projects'), withKey(expired.token))).body).toMatchObject({ statusCode: 401, code: 'key_expired' });
    const revoked = await service.create({ name: 'gone' });
    await service.revoke(revoked.id);
    expect((await call(url('/projects'), withKey(revoked.token))).body).toMatchObject({ statusCode: 401, code: 'key_revoked' });
  });

  it('403 for an address outside the whitelist or inside the blacklist (which wins)', async () => {
    const elsewhere = await service.create({ name: 'office', ipWhitelist: ['10.0.0.0/8'] });
    expect((await call(url('/projects'), withKey(elsewhere.token))).body).toMatchObject({ statusCode: 403, code: 'ip_not_allowed' });
    const here = await service.create({ name: 'local', ipWhitelist: ['127.0.0.0/8'] });
    expect((await call(url('/projects'), withKey(here.token))).status).toBe(200);
    const blocked = await service.create({ name: 'blocked', ipWhitelist: ['127.0.0.0/8'], ipBlacklist: ['127.0.0.1'] });
    expect((await call(url('/projects'), withKey(blocked.token))).body).toMatchObject({ statusCode: 403, code: 'ip_not_allowed' });
  });

  it('403 for a suspended key until unsuspended, and for a key pending approval until approved', async () => {
    const suspension = nest.get(KeySuspensionService);
    const approval = nest.get(KeyApprovalService);
    const key = await service.create({ name: 'paused' });
    expect((await suspension.suspend(key.id, 'billing')).state).toBe('suspended');
    expect((await call(url('/projects'), withKey(key.token))).body).toMatchObject({ statusCode: 403, code: 'key_suspended' });
    await suspension.unsuspend(key.id);
    expect((await call(url('/projects'), withKey(key.token))).status).toBe(200);
    const pending = await service.create({ name: 'waiting', requiresApproval: true });
    expect(pending.state).toBe('pending');
    expect((await call(url('/projects'), withKey(pending.token))).body).toMatchObject({ statusCode: 403, code: 'key_pending' });
    await approval.approve(pending.id);
    expect((await call(url('/projects'), withKey(pending.token))).status).toBe(200);
  });

  it('429 with Retry-After past the key’s rate limit', async () => {
    const key = await service.create({ name: 'limited', rateLimitMax: 2, rateLimitWindowMs: 60_000 });
    expect((await call(url('/projects'), withKey(key.token))).status).toBe(200);
    expect((await call(url('/projects'), withKey(key.token))).status).toBe(200);
    const refused = await call(url('/projects'), withKey(key.token));
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ statusCode: 429, code: 'rate_limit_exceeded' });
    const retryAfter = Number(refused.headers.get('retry-after'));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    // A sliding window of 60 s may ask for up to two windows, depending on where in the window the requests fell.
    expect(retryAfter).toBeLessThanOrEqual(120);
  });

  it('429 with Retry-After past the key’s quota', async () => {
    const key = await service.create({ name: 'quota', quotaMax: 1, quotaPeriod: 'daily' });
    expect((await call(url('/projects'), withKey(key.token))).status).toBe(200);
    const refused = await call(url('/projects'), withKey(key.token));
    expect(refused.body).toMatchObject({ statusCode: 429, code: 'quota_exceeded' });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
  });
});

describe('scopes', () => {
  it('every scope of @Scopes is required', async () => {
    const reader = await service.create({ name: 'reader', scopes: ['read:projects'] });
    const writer = await service.create({ name: 'writer', scopes: ['read:projects', 'write:projects'] });
    expect((await call(url('/projects/1'), withKey(reader.token))).status).toBe(200);
    const refused = await call(url('/projects'), { method: 'POST', ...withKey(reader.token) });
    expect(refused.body).toMatchObject({ statusCode: 403, code: 'insufficient_scope', missingScopes: ['write:projects'] });
    expect((await call(url('/projects'), { method: 'POST', ...withKey(writer.token) })).status).toBe(201);
  });

  it('a key without scopes passes routes without @Scopes only', async () => {
    const plain = await service.create({ name: 'plain' });
    expect((await call(url('/projects'), withKey(plain.token))).status).toBe(200);
    expect((await call(url('/projects/1'), withKey(plain.token))).status).toBe(403);
  });

  it('scopes on the controller and on the method are both required', async () => {
    const adminOnly = await service.create({ name: 'admin-read', scopes: ['admin:read'] });
    const both = await service.create({ name: 'both', scopes: ['admin:read', 'audit:read'] });
    const auditOnly = await service.create({ name: 'audit', scopes: ['audit:read'] });
    expect((await call(url('/admin'), withKey(adminOnly.token))).status).toBe(200);
    expect((await call(url('/admin/audit'), withKey(adminOnly.token))).body).toMatchObject({ missingScopes: ['audit:read'] });
    expect((await call(url('/admin/audit'), withKey(both.token))).status).toBe(200);
    expect((await call(url('/admin'), withKey(auditOnly.token))).status).toBe(403);
  });

  it('`<resource>:*` covers its resource, `admin:*` covers everything', async () => {
    const reads = await service.create({ name: 'read-all', scopes: ['read:*'] });
    const admin = await service.create({ name: 'admin', scopes: ['admin:*'] });
    expect((await call(url('/projects/1'), withKey(reads.token))).status).toBe(200);
    expect((await call(url('/projects'), { method: 'POST', ...withKey(reads.token) })).body).toMatchObject({ missingScopes: ['write:projects'] });
    expect((await call(url('/projects'), { method: 'POST', ...withKey(admin.token) })).status).toBe(201);
    expect((await call(url('/admin/audit'), withKey(admin.token))).status).toBe(200);
  });
});

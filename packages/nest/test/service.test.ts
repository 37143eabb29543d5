import { BadRequestException, Controller, Get } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  API_KEY_ADAPTER,
  ApiKeyAlreadyRevokedException,
  ApiKeyAuth,
  ApiKeyModule,
  ApiKeyNotFoundException,
  ApiKeyService,
  KeyApprovalService,
  KeySuspensionService,
} from '../src/index.js';
import { adapterCases, CountingAdapter, sharedPglite, type OpenAdapter } from './adapters.js';
import { call, startNest, type RunningNest } from './helpers.js';

@Controller('projects')
class ProjectController {
  @Get()
  @ApiKeyAuth()
  findAll(): unknown[] {
    return [];
  }
}

const database = sharedPglite();
afterAll(() => database.close());

describe.each(adapterCases)('ApiKeyService on $name', (adapterCase) => {
  let opened: OpenAdapter;
  let nest: RunningNest;
  let service: ApiKeyService;
  const get = (token: string): Promise<number> => call(`${nest.baseUrl}/projects`, { headers: { 'x-api-key': token } }).then((r) => r.status);

  beforeAll(async () => {
    opened = await adapterCase.open(database.get);
    nest = await startNest([ApiKeyModule.register(opened.options)], [ProjectController]);
    service = nest.get(ApiKeyService);
  });
  afterAll(async () => {
    await nest.close();
    await opened.close();
  });

  it('create returns the token once; what is stored and found has every field but no token', async () => {
    const dto = {
      name: 'My App',
      scopes: ['read:projects'],
      ipWhitelist: ['192.168.1.0/24', '127.0.0.1'],
      ipBlacklist: ['192.168.1.100'],
      rateLimitMax: 1000,
      rateLimitWindowMs: 60000,
      quotaMax: 10000,
      quotaPeriod: 'monthly' as const,
      metadata: { appVersion: '1.0.0', region: 'us-east-1' },
      tags: ['production', 'api-v2'],
      owner: 'team-backend',
      environment: 'production' as const,
      description: 'API key for production mobile app',
    };
    const expiresAt = new Date('2099-12-31T00:00:00Z');
    const created = await service.create({ ...dto, expiresAt });
    expect(created.token).toMatch(/^[0-9a-f]{64}$/);
    const found = await service.findById(created.id);
    expect(found).not.toHaveProperty('token');
    const { token: _token, ...stored } = created;
    expect(found).toEqual(stored);
    // Every field comes back as given, through the store's JSON and back.
    expect(found).toMatchObject({ ...dto, expiresAt, state: 'active', revokedAt: null });
    expect(await get(created.token)).toBe(200);
  });

  it('create refuses bad input with BadRequestException naming the field', async () => {
    const cases: Array<[unknown, RegExp]> = [
      [{ name: '' }, /name/],
      [{ name: 'x', scopes: ['read'] }, /scope "read"/],
      [{ name: 'x', scopes: ['read/projects'] }, /scope/],
      [{ name: 'x', ipWhitelist: ['999.1.1.1'] }, /ipWhitelist/],
      [{ name: 'x', ipBlacklist: 'nope' }, /ipBlacklist/],
      [{ name: 'x', rateLimitMax: 10 }, /rateLimitWindowMs/],
      [{ name: 'x', quotaMax: 10, quotaPeriod: 'weekly' }, /quotaPeriod/],
      [{ name: 'x', expiresAt: 'tomorrow' }, /expiresAt/],
      [{ name: 'x', environment: 'prod' }, /environment/],
      [{ name: 'x', colour: 'red' }, /colour/],
    ];
    for (const [dto, message] of cases) {
      const error = await service.create(dto as never).then(() => null, (e: unknown) => e);
      expect(error, JSON.stringify(dto)).toBeInstanceOf(BadRequestException);
      expect((error as BadRequestException).message).toMatch(message);
    }
  });

  it('findById: ApiKeyNotFoundException for an unknown id, BadRequestException for an empty one', async () => {
    await expect(service.findById('key-id-123')).rejects.toBeInstanceOf(ApiKeyNotFoundException);
    await expect(service.findById('')).rejects.toBeInstanceOf(BadRequestException);
  });

  it('findAll lists revoked keys too; findAllActive does not', async () => {
    const kept = await service.create({ name: 'kept' });
    const dropped = await service.create({ name: 'dropped' });
    await service.revoke(dropped.id);
    const all = (await service.findAll()).map((k) => k.id);
    const active = (await service.findAllActive()).map((k) => k.id);
    expect(all).toEqual(expect.arrayContaining([kept.id, dropped.id]));
    expect(active).toContain(kept.id);
    expect(active).not.toContain(dropped.id);
  });

  it('revoke keeps its reason; twice is ApiKeyAlreadyRevokedException; unknown is ApiKeyNotFoundException', async () => {
    const key = await service.create({ name: 'breached' });
    const revoked = await service.revoke(key.id, { reason: 'Security breach detected' });
    expect(revoked).toMatchObject({ state: 'revoked', revocationReason: 'Security breach detected', revokedAt: expect.any(Date) });
    expect(await get(key.token)).toBe(401);
    await expect(service.revoke(key.id)).rejects.toBeInstanceOf(ApiKeyAlreadyRevokedException);
    await expect(service.revoke('missing-id')).rejects.toBeInstanceOf(ApiKeyNotFoundException);
  });

  it('rotate: a new key with the same settings; the old one revoked with revokeOldKey, after gracePeriodHours if given, else kept', async () => {
    const original = await service.create({ name: 'rotating', scopes: ['read:projects'], owner: 'team-a' });
    const kept = await service.rotate(original.id);
    expect(kept).toMatchObject({ name: 'rotating', scopes: ['read:projects'], owner: 'team-a', state: 'active' });
    expect(kept.token).not.toBe(original.token);
    expect(await get(kept.token)).toBe(200);
    expect(await get(original.token)).toBe(200);

    const second = await service.create({ name: 'second' });
    const withGrace = await service.rotate(second.id, { revokeOldKey: true, gracePeriodHours: 24 });
    expect(await get(second.token)).toBe(200);
    expect((await service.findById(second.id)).revokedAt?.getTime()).toBeGreaterThan(Date.now() + 23 * 3600_000);
    expect(await get(withGrace.token)).toBe(200);

    const third = await service.create({ name: 'third' });
    const atOnce = await service.rotate(third.id, { revokeOldKey: true });
    expect(await get(third.token)).toBe(401);
    expect(await get(atOnce.token)).toBe(200);
    await expect(service.rotate('missing-id')).rejects.toBeInstanceOf(ApiKeyNotFoundException);
    await expect(service.rotate(third.id, { gracePeriodHours: -1 })).rejects.toBeInstanceOf(BadRequestException);
  });

  it('validate gives the key of a valid token, null otherwise', async () => {
    const key = await service.create({ name: 'check' });
    expect(await service.validate(key.token)).toMatchObject({ id: key.id, name: 'check' });
    expect(await service.validate('f'.repeat(64))).toBeNull();
    expect(await service.validate('')).toBeNull();
  });

  it('suspension and approval are stored: suspended and pending keys are listed, refused, and released', async () => {
    const suspension = nest.get(KeySuspensionService);
    const approval = nest.get(KeyApprovalService);
    const key = await service.create({ name: 'suspend-me' });
    const suspended = await suspension.suspend(key.id, 'unpaid invoice');
    expect(suspended).toMatchObject({ state: 'suspended', suspensionReason: 'unpaid invoice' });
    expect((await suspension.getSuspendedKeys()).map((k) => k.id)).toContain(key.id);
    expect(await get(key.token)).toBe(403);
    await expect(suspension.suspend(key.id)).rejects.toMatchObject({ status: 409 });
    expect((await suspension.unsuspend(key.id)).state).toBe('active');
    expect(await get(key.token)).toBe(200);
    await expect(suspension.unsuspend(key.id)).rejects.toMatchObject({ status: 409 });

    const pending = await service.create({ name: 'pending', requiresApproval: true });
    expect((await approval.getPendingKeys()).map((k) => k.id)).toContain(pending.id);
    expect((await approval.approve(pending.id)).state).toBe('active');
    await expect(approval.approve(pending.id)).rejects.toMatchObject({ status: 409 });
    const rejected = await service.create({ name: 'rejected', requiresApproval: true });
    expect(await approval.reject(rejected.id, 'not needed')).toMatchObject({ state: 'revoked', revocationReason: 'not needed' });
    expect(await get(rejected.token)).toBe(401);
  });
});

describe('custom adapter', () => {
  it('is the storage the module uses, and injectable as API_KEY_ADAPTER', async () => {
    const adapter = new CountingAdapter();
    const nest = await startNest([ApiKeyModule.register({ adapter: 'custom', customAdapter: adapter })], [ProjectController]);
    try {
      const key = await nest.get(ApiKeyService).create({ name: 'mine' });
      expect(adapter.calls).toBeGreaterThan(0);
      expect(nest.get(API_KEY_ADAPTER)).toBe(adapter);
      expect((await adapter.findById(key.id))?.metadata.name).toBe('mine');
    } finally {
      await nest.close();
    }
  });
});

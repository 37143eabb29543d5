import { randomUUID } from 'node:crypto';
import { ManualClock } from '@elyzor/core';
import { Unkey } from '@unkey/api';
import { ForbiddenErrorResponse, NotFoundErrorResponse } from '@unkey/api/models/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { backend, startApp } from '../test/helpers/harness.js';
import { startUnkeyWorld, type UnkeyWorld } from './helpers.js';

const clock = new ManualClock(Date.UTC(2026, 5, 10, 12));
const RATELIMIT_PERMISSIONS = ['ratelimit.*.limit', 'ratelimit.*.create_namespace', 'ratelimit.*.set_override', 'ratelimit.*.read_override', 'ratelimit.*.delete_override'];
const redisPrefix = `elyzor-unkey-rl:${randomUUID()}:`;
let world: UnkeyWorld;
let unkey: Unkey;
/** A fresh namespace per test: the suites of both backends may share a database and a Redis. */
const fresh = (name: string): string => `${name}-${randomUUID().slice(0, 8)}`;

beforeAll(async () => {
  world = await startUnkeyWorld({ clock, redisPrefix });
  unkey = world.sdk(await world.rootKeyWith(RATELIMIT_PERMISSIONS));
});
afterAll(async () => {
  await world.close();
});

describe('ratelimit.limit', () => {
  it('admits `limit` per `duration` in a namespace made on first use, then refuses until the window has passed', async () => {
    const namespace = fresh('api');
    const answers = [];
    for (let i = 0; i < 4; i++) answers.push((await unkey.ratelimit.limit({ namespace, identifier: 'user_1', limit: 3, duration: 60_000 })).data);
    expect(answers.map((a) => [a.success, a.remaining, a.limit])).toEqual([
      [true, 2, 3],
      [true, 1, 3],
      [true, 0, 3],
      [false, 0, 3],
    ]);
    expect(Number.isInteger(answers[0]?.reset)).toBe(true);
    expect(answers[0]?.reset).toBeGreaterThan(clock.now());
    // Another identifier has a count of its own.
    expect((await unkey.ratelimit.limit({ namespace, identifier: 'user_2', limit: 3, duration: 60_000 })).data.success).toBe(true);
    // Two windows later, everything counted has aged out (the in-process limiter reads the
    // injected clock; Redis keeps its own time, which a test does not move).
    if (backend === 'embedded') {
      clock.advance(120_000);
      expect((await unkey.ratelimit.limit({ namespace, identifier: 'user_1', limit: 3, duration: 60_000 })).data).toMatchObject({ success: true, remaining: 2 });
    }
  });

  it('spends `cost` units; a cost of 0 asks without spending; a cost above what is left spends nothing', async () => {
    const namespace = fresh('cost');
    const limit = (cost: number) => unkey.ratelimit.limit({ namespace, identifier: 'batch', limit: 10, duration: 60_000, cost }).then((r) => r.data);
    expect(await limit(7)).toMatchObject({ success: true, remaining: 3 });
    expect(await limit(0)).toMatchObject({ success: true, remaining: 3 });
    expect(await limit(4)).toMatchObject({ success: false, remaining: 3 });
    expect(await limit(3)).toMatchObject({ success: true, remaining: 0 });
    expect(await limit(0)).toMatchObject({ success: false, remaining: 0 });
  });

  it('needs ratelimit.*.limit or ratelimit.<namespace>.limit (a typed 403)', async () => {
    const namespace = fresh('scoped');
    const scoped = world.sdk(await world.rootKeyWith([`ratelimit.${namespace}.limit`]));
    expect((await scoped.ratelimit.limit({ namespace, identifier: 'a', limit: 1, duration: 1000 })).data.success).toBe(true);
    expect(await scoped.ratelimit.limit({ namespace: fresh('other'), identifier: 'a', limit: 1, duration: 1000 }).catch((e: unknown) => e)).toBeInstanceOf(ForbiddenErrorResponse);
    const keysOnly = world.sdk(await world.rootKeyWith(['api.*.read_key']));
    expect(await keysOnly.ratelimit.limit({ namespace, identifier: 'a', limit: 1, duration: 1000 }).catch((e: unknown) => e)).toBeInstanceOf(ForbiddenErrorResponse);
  });
});

describe('ratelimit.multiLimit', () => {
  it('checks each limit on its own; passed only when all were admitted', async () => {
    const namespace = fresh('multi');
    const first = (await unkey.ratelimit.multiLimit([
      { namespace, identifier: 'a', limit: 1, duration: 60_000 },
      { namespace, identifier: 'b', limit: 2, duration: 60_000 },
    ])).data;
    expect(first.passed).toBe(true);
    expect(first.limits.map((l) => [l.identifier, l.passed, l.remaining])).toEqual([
      ['a', true, 0],
      ['b', true, 1],
    ]);
    const second = (await unkey.ratelimit.multiLimit([
      { namespace, identifier: 'a', limit: 1, duration: 60_000 },
      { namespace, identifier: 'b', limit: 2, duration: 60_000 },
    ])).data;
    expect(second.passed).toBe(false);
    expect(second.limits.map((l) => [l.identifier, l.passed, l.remaining])).toEqual([
      ['a', false, 0],
      ['b', true, 0],
    ]);
  });
});

describe('ratelimit overrides', () => {
  it('sets, gets, lists (the SDK’s page iterator) and deletes overrides; the most specific applies', async () => {
    const namespace = fresh('tiers');
    const acme = (await unkey.ratelimit.setOverride({ namespace, identifier: 'acme_*', limit: 5, duration: 60_000 })).data.overrideId;
    const pro = (await unkey.ratelimit.setOverride({ namespace, identifier: 'acme_pro_*', limit: 50, duration: 60_000 })).data.overrideId;
    const exact = (await unkey.ratelimit.setOverride({ namespace, identifier: 'acme_pro_1', limit: 500, duration: 60_000 })).data.overrideId;
    const limit = (identifier: string) => unkey.ratelimit.limit({ namespace, identifier, limit: 1, duration: 60_000 }).then((r) => r.data);
    expect(await limit('acme_free')).toMatchObject({ limit: 5, remaining: 4, overrideId: acme });
    expect(await limit('acme_pro_2')).toMatchObject({ limit: 50, remaining: 49, overrideId: pro });
    expect(await limit('acme_pro_1')).toMatchObject({ limit: 500, remaining: 499, overrideId: exact });
    const other = await limit('globex');
    expect(other).toMatchObject({ limit: 1, remaining: 0 });
    expect(other.overrideId).toBeUndefined();

    // Set again: replaced, same id.
    expect((await unkey.ratelimit.setOverride({ namespace, identifier: 'acme_*', limit: 7, duration: 30_000 })).data.overrideId).toBe(acme);
    expect((await unkey.ratelimit.getOverride({ namespace, identifier: 'acme_*' })).data).toEqual({ overrideId: acme, identifier: 'acme_*', limit: 7, duration: 30_000 });
    // A pattern is named as written, not by what it matches.
    expect(await unkey.ratelimit.getOverride({ namespace, identifier: 'acme_free' }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);

    const seen: string[] = [];
    let pages = 0;
    for await (const page of await unkey.ratelimit.listOverrides({ namespace, limit: 2 })) {
      pages++;
      seen.push(...page.result.data.map((o) => o.identifier));
    }
    expect(pages).toBe(2);
    expect([...seen].sort()).toEqual(['acme_*', 'acme_pro_*', 'acme_pro_1']);

    await unkey.ratelimit.deleteOverride({ namespace, identifier: 'acme_pro_*' });
    expect(await limit('acme_pro_3')).toMatchObject({ limit: 7, overrideId: acme });
    expect(await unkey.ratelimit.deleteOverride({ namespace, identifier: 'acme_pro_*' }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);
  });

  it('an unknown namespace is a 404 to readers; each action needs its permission', async () => {
    expect(await unkey.ratelimit.getOverride({ namespace: fresh('none'), identifier: 'x' }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);
    expect(await unkey.ratelimit.listOverrides({ namespace: fresh('none') }).catch((e: unknown) => e)).toBeInstanceOf(NotFoundErrorResponse);
    const limiter = world.sdk(await world.rootKeyWith(['ratelimit.*.limit']));
    const namespace = fresh('guarded');
    await limiter.ratelimit.limit({ namespace, identifier: 'x', limit: 1, duration: 1000 });
    expect(await limiter.ratelimit.setOverride({ namespace, identifier: 'x', limit: 2, duration: 1000 }).catch((e: unknown) => e)).toBeInstanceOf(ForbiddenErrorResponse);
    expect(await limiter.ratelimit.getOverride({ namespace, identifier: 'x' }).catch((e: unknown) => e)).toBeInstanceOf(ForbiddenErrorResponse);
    expect(await limiter.ratelimit.deleteOverride({ namespace, identifier: 'x' }).catch((e: unknown) => e)).toBeInstanceOf(ForbiddenErrorResponse);
    // Setting an override in a namespace not made yet needs create_namespace too.
    const setter = world.sdk(await world.rootKeyWith(['ratelimit.*.set_override']));
    expect(await setter.ratelimit.setOverride({ namespace: fresh('new'), identifier: 'x', limit: 2, duration: 1000 }).catch((e: unknown) => e)).toBeInstanceOf(ForbiddenErrorResponse);
    expect((await unkey.ratelimit.setOverride({ namespace: fresh('new'), identifier: 'x', limit: 2, duration: 1000 })).data.overrideId).toMatch(/^[0-9a-f-]{36}$/);
  });
});

describe.runIf(backend === 'real')('ratelimit.limit across instances', () => {
  it('two instances on one Redis never together admit more than `limit`', async () => {
    const second = await startApp({ redisPrefix, clock });
    try {
      const otherUrl = await second.app.listen({ port: 0, host: '127.0.0.1' });
      const rootKey = await world.rootKeyWith(['ratelimit.*.limit']);
      const sdks = [world.sdk(rootKey), new Unkey({ rootKey, serverURL: otherUrl })];
      const namespace = fresh('shared');
      const answers = await Promise.all(Array.from({ length: 60 }, (_, i) => (sdks[i % 2] as Unkey).ratelimit.limit({ namespace, identifier: 'everyone', limit: 25, duration: 60_000 })));
      expect(answers.filter((a) => a.data.success)).toHaveLength(25);
    } finally {
      await second.close();
    }
  });
});

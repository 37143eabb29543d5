import { TooManyRequestsErrorResponse } from '@unkey/api/models/errors';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startUnkeyWorld, type UnkeyWorld } from './helpers.js';

let world: UnkeyWorld;

beforeAll(async () => {
  // A small request budget per root key, so the suite reaches Unkey's 429.
  world = await startUnkeyWorld({ env: { ROOT_KEY_RATE_LIMIT: '3', ROOT_KEY_RATE_LIMIT_WINDOW_SECONDS: '3600' } });
});
afterAll(async () => {
  await world.close();
});

describe('a root key’s request budget (ROOT_KEY_RATE_LIMIT)', () => {
  it('past it, /v2 answers 429 as application/problem+json with Retry-After: the SDK’s typed TooManyRequestsErrorResponse', async () => {
    const key = await world.rootKeyWith(['api.*.create_api', 'api.*.read_api']);
    const unkey = world.sdk(key);
    const { apiId } = (await unkey.apis.createApi({ name: 'budgeted' })).data;
    await unkey.apis.getApi({ apiId });
    await unkey.apis.getApi({ apiId });
    const refused = await unkey.apis.getApi({ apiId }).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(TooManyRequestsErrorResponse);
    expect((refused as TooManyRequestsErrorResponse).data$.error).toMatchObject({ status: 429, title: 'Too Many Requests' });
    const raw = await world.post('/v2/apis.getApi', { apiId }, { authorization: `Bearer ${key}` });
    expect(raw.status).toBe(429);
    expect(raw.headers.get('content-type')).toContain('application/problem+json');
    expect(Number(raw.headers.get('retry-after'))).toBeGreaterThan(0);
    // Each root key has a budget of its own.
    const other = world.sdk(await world.rootKeyWith(['api.*.read_api']));
    expect((await other.apis.getApi({ apiId })).data.id).toBe(apiId);
  });
});

describe('/v2 in the Prometheus metrics', () => {
  it('counts /v2 requests by their route as written and status class; an unknown /v2 route is `unmatched`', async () => {
    const key = await world.rootKeyWith(['ratelimit.*.limit']);
    await world.sdk(key).ratelimit.limit({ namespace: 'metrics', identifier: 'x', limit: 1, duration: 1000 });
    await world.post('/v2/ratelimit.limit', { namespace: 'metrics' }, { authorization: `Bearer ${key}` });
    await world.post('/v2/nothing.here', {});
    const text = await (await fetch(`${world.baseUrl}/metrics`)).text();
    const count = (route: string, status: string): number => {
      const line = text.split('\n').find((l) => l.startsWith('elyzor_http_request_duration_seconds_count{') && l.includes(`route="${route}"`) && l.includes(`status="${status}"`) && l.includes('method="POST"'));
      return line === undefined ? 0 : Number(line.split(' ').at(-1));
    };
    expect(count('/v2/ratelimit.limit', '2xx')).toBe(1);
    expect(count('/v2/ratelimit.limit', '4xx')).toBe(1);
    expect(count('unmatched', '4xx')).toBeGreaterThanOrEqual(1);
    expect(text).not.toContain('/v2/nothing.here');
  });
});

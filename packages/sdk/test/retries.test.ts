import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Elyzor, ElyzorError } from '../src/index.js';
import { closedPort, countingFetch, flakyProxy, startElyzor, type RunningElyzor } from './helpers.js';

/**
 * Retries through a server that fails first (a proxy answering 503 before it forwards): idempotent
 * calls are retried, a POST that creates something and a verification that reached the server are
 * not; a verification is retried only when the connection was never made.
 */
let elyzor: RunningElyzor;
let token: string;
let projectId: string;
beforeAll(async () => {
  elyzor = await startElyzor();
  const client = new Elyzor({ baseUrl: elyzor.baseUrl });
  token = (await client.auth.register(`retry-${randomUUID()}@example.com`, 'correct horse battery')).accessToken;
  projectId = (await client.projects.create({ name: 'retries' })).id;
});
afterAll(async () => {
  await elyzor?.close();
});

const fast = { max: 2, baseDelayMs: 1, maxDelayMs: 1000 };

describe('retries', () => {
  it('a GET after two 503s succeeds on the third attempt', async () => {
    const proxy = await flakyProxy(elyzor.baseUrl, 2);
    try {
      const client = new Elyzor({ baseUrl: proxy.baseUrl, accessToken: token, retries: fast });
      expect((await client.projects.list()).items.map((p) => p.id)).toEqual([projectId]);
      expect(proxy.seen()).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it('retries run out: the last 503 is thrown as ElyzorError service_unavailable', async () => {
    const proxy = await flakyProxy(elyzor.baseUrl, 10);
    try {
      const client = new Elyzor({ baseUrl: proxy.baseUrl, accessToken: token, retries: fast });
      await expect(client.projects.list()).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });
      expect(proxy.seen()).toBe(3);
    } finally {
      await proxy.close();
    }
  });

  it('DELETE is retried; 502 and 504 too', async () => {
    for (const status of [502, 504]) {
      const proxy = await flakyProxy(elyzor.baseUrl, 1, status);
      try {
        const client = new Elyzor({ baseUrl: proxy.baseUrl, accessToken: token, retries: fast });
        const key = await new Elyzor({ baseUrl: elyzor.baseUrl, accessToken: token }).keys.create(projectId, {});
        await client.keys.revoke(projectId, key.id);
        expect(proxy.seen()).toBe(2);
      } finally {
        await proxy.close();
      }
    }
  });

  it('a POST that creates is never retried', async () => {
    const proxy = await flakyProxy(elyzor.baseUrl, 1);
    try {
      const client = new Elyzor({ baseUrl: proxy.baseUrl, accessToken: token, retries: fast });
      await expect(client.keys.create(projectId, {})).rejects.toMatchObject({ status: 503 });
      expect(proxy.seen()).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('PATCH is not retried either', async () => {
    const key = await new Elyzor({ baseUrl: elyzor.baseUrl, accessToken: token }).keys.create(projectId, {});
    const proxy = await flakyProxy(elyzor.baseUrl, 1);
    try {
      const client = new Elyzor({ baseUrl: proxy.baseUrl, accessToken: token, retries: fast });
      await expect(client.keys.update(projectId, key.id, { tags: ['x'] })).rejects.toMatchObject({ status: 503 });
      expect(proxy.seen()).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('a verification that got an answer is not retried: 503 throws after one attempt', async () => {
    const proxy = await flakyProxy(elyzor.baseUrl, 1);
    try {
      const client = new Elyzor({ baseUrl: proxy.baseUrl, retries: fast });
      await expect(client.verify('sk_live_abc.def')).rejects.toMatchObject({ status: 503, code: 'service_unavailable' });
      expect(proxy.seen()).toBe(1);
    } finally {
      await proxy.close();
    }
  });

  it('a verification whose connection was refused is retried, then throws connection_error', async () => {
    const counter = countingFetch();
    const client = new Elyzor({ baseUrl: await closedPort(), retries: fast, fetch: counter.fetch });
    const error = await client.verify('sk_live_abc.def').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ElyzorError);
    expect(error).toMatchObject({ status: 0, code: 'connection_error' });
    expect(counter.calls).toHaveLength(3);
  });

  it('a POST that creates is not retried even when the connection was refused', async () => {
    const counter = countingFetch();
    const client = new Elyzor({ baseUrl: await closedPort(), accessToken: token, retries: fast, fetch: counter.fetch });
    await expect(client.projects.create({ name: 'x' })).rejects.toMatchObject({ code: 'connection_error' });
    expect(counter.calls).toHaveLength(1);
  });

  it('retries: 0 makes one attempt', async () => {
    const proxy = await flakyProxy(elyzor.baseUrl, 1);
    try {
      const client = new Elyzor({ baseUrl: proxy.baseUrl, accessToken: token, retries: 0 });
      await expect(client.projects.list()).rejects.toMatchObject({ status: 503 });
      expect(proxy.seen()).toBe(1);
    } finally {
      await proxy.close();
    }
  });
});

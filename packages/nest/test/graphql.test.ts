import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { UseGuards } from '@nestjs/common';
import { Context, GraphQLModule, Query, Resolver } from '@nestjs/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ApiKeyModule, ApiKeyService, CurrentApiKey, GraphQLApiKeyGuard, Scopes, type ApiKey } from '../src/index.js';
import { call, startNest, type RunningNest } from './helpers.js';

/** GraphQLApiKeyGuard in a real GraphQL app (Apollo through @nestjs/graphql, schema first). */
@Resolver()
class ProjectsResolver {
  @Query('projects')
  @UseGuards(GraphQLApiKeyGuard)
  projects(@Context() context: { req: { apiKey: ApiKey } }): string[] {
    const apiKey = context.req.apiKey; // API key data is attached to context
    return [`project of ${apiKey.name}`];
  }

  @Query('whoami')
  @UseGuards(GraphQLApiKeyGuard)
  whoami(@CurrentApiKey() key: ApiKey, @CurrentApiKey('name') name: string): string {
    return `${key.id}:${name}`;
  }

  @Query('secrets')
  @UseGuards(GraphQLApiKeyGuard)
  @Scopes('read:secrets')
  secrets(): string[] {
    return ['s3cret'];
  }
}

let nest: RunningNest;
let service: ApiKeyService;
const query = (source: string, headers: Record<string, string> = {}) =>
  call(`${nest.baseUrl}/graphql`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify({ query: source }) });

beforeAll(async () => {
  nest = await startNest(
    [
      ApiKeyModule.register({ adapter: 'memory' }),
      GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ApolloDriver,
        typeDefs: 'type Query { projects: [String!]!, secrets: [String!]!, whoami: String! }',
        context: ({ req }: { req: unknown }) => ({ req }),
      }),
    ],
    [],
    [ProjectsResolver],
  );
  service = nest.get(ApiKeyService);
});
afterAll(() => nest?.close());

const codeOf = (body: Record<string, unknown>): unknown => (body.errors as Array<{ extensions?: { code?: string; originalError?: { code?: string } } }> | undefined)?.[0]?.extensions?.originalError?.code;

describe('GraphQLApiKeyGuard', () => {
  it('lets a valid key through and puts it on context.req.apiKey', async () => {
    const { token } = await service.create({ name: 'gql' });
    expect((await query('{ projects }', { 'x-api-key': token })).body).toEqual({ data: { projects: ['project of gql'] } });
    expect((await query('{ projects }', { authorization: `Bearer ${token}` })).body).toEqual({ data: { projects: ['project of gql'] } });
  });

  it('gives a resolver the validated key with @CurrentApiKey(), whole or one field', async () => {
    const { id, token } = await service.create({ name: 'resolver' });
    expect((await query('{ whoami }', { 'x-api-key': token })).body).toEqual({ data: { whoami: `${id}:resolver` } });
  });

  it('refuses a missing, invalid or revoked key, and a key without the resolver’s scopes', async () => {
    expect(codeOf((await query('{ projects }')).body)).toBe('missing_api_key');
    expect(codeOf((await query('{ projects }', { 'x-api-key': 'f'.repeat(64) })).body)).toBe('invalid_api_key');
    const revoked = await service.create({ name: 'revoked' });
    await service.revoke(revoked.id);
    expect(codeOf((await query('{ projects }', { 'x-api-key': revoked.token })).body)).toBe('key_revoked');
    const plain = await service.create({ name: 'plain' });
    const answer = await query('{ secrets }', { 'x-api-key': plain.token });
    expect(codeOf(answer.body)).toBe('insufficient_scope');
    expect(answer.body.data).toBeNull();
    const allowed = await service.create({ name: 'allowed', scopes: ['read:secrets'] });
    expect((await query('{ secrets }', { 'x-api-key': allowed.token })).body).toEqual({ data: { secrets: ['s3cret'] } });
  });
});

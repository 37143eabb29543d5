import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

const alias = {
  '@elyzor/core': fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url)),
  '@elyzor/contract': fileURLToPath(new URL('./packages/contract/src/index.ts', import.meta.url)),
};

// The HTTP suites run against the embedded backends always, and a second time against real
// PostgreSQL and Redis when TEST_DATABASE_URL and TEST_REDIS_URL are set (CI sets both; the
// suites then fail, never skip, when those servers cannot be reached).
const real = process.env.TEST_DATABASE_URL !== undefined || process.env.TEST_REDIS_URL !== undefined;

const http = (name: string, backend: string, include = 'packages/server/test/**/*.test.ts') => ({
  resolve: { alias },
  test: {
    name,
    include: [include],
    env: { ELYZOR_TEST_BACKEND: backend },
    testTimeout: 30_000,
    hookTimeout: 60_000,
  },
});

export default defineConfig({
  test: {
    projects: [
      { resolve: { alias }, test: { name: 'unit', include: ['packages/*/src/**/*.test.ts'] } },
      // The embeddable library: its own suites, on the embedded backends, and on PostgreSQL and
      // Redis too when TEST_DATABASE_URL / TEST_REDIS_URL are set (the helpers read them).
      { resolve: { alias }, test: { name: 'keys', include: ['packages/keys/test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } },
      http('http:embedded', 'embedded'),
      ...(real ? [http('http:postgres+redis', 'real')] : []),
      // The SDK and its middleware against a real server over HTTP, on the same backends.
      http('sdk', 'embedded', 'packages/sdk/test/**/*.test.ts'),
      ...(real ? [http('sdk:postgres+redis', 'real', 'packages/sdk/test/**/*.test.ts')] : []),
      // The Unkey-compatible /v2 API driven by Unkey's own SDK (@unkey/api) against a real server.
      http('unkey', 'embedded', 'packages/server/test-unkey/**/*.test.ts'),
      ...(real ? [http('unkey:postgres+redis', 'real', 'packages/server/test-unkey/**/*.test.ts')] : []),
    ],
  },
});

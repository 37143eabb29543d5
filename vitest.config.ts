import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vitest/config';

const alias = {
  '@elyzor/core': fileURLToPath(new URL('./packages/core/src/index.ts', import.meta.url)),
  '@elyzor/contract': fileURLToPath(new URL('./packages/contract/src/index.ts', import.meta.url)),
};

const dashboardAlias = {
  '@elyzor/sdk': fileURLToPath(new URL('./packages/sdk/src/index.ts', import.meta.url)),
  '@elyzor/contract/names': fileURLToPath(new URL('./packages/contract/src/names.ts', import.meta.url)),
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

// Suites that drive the webhook worker: a round claims every due delivery in the database. On
// the shared PostgreSQL of the real backend they run one file at a time, after every other
// project, so that no suite claims (and fails) another's deliveries; on the embedded backend
// each app has a database of its own.
const WORKER_SUITES = ['packages/server/test/webhooks*.test.ts', 'packages/sdk/test/webhook-subscriptions.test.ts'];
const withoutWorkerSuites = <T extends ReturnType<typeof http>>(project: T): T => ({ ...project, test: { ...project.test, exclude: ['**/node_modules/**', ...WORKER_SUITES] } });
const workerSuites = () => {
  const project = http('webhooks:postgres+redis', 'real');
  return { ...project, test: { ...project.test, include: WORKER_SUITES, setupFiles: ['packages/server/test/helpers/quiet-outbox.ts'], fileParallelism: false, sequence: { groupOrder: 1 } } };
};

const nestOxc = { decorator: { legacy: true, emitDecoratorMetadata: true } };
const cli = (name: string, backend: string, include: string) => {
  const project = http(name, backend, include);
  // Decorators as tsc compiles them: nest-local.test.ts runs a real Nest app.
  return { ...project, oxc: nestOxc, test: { ...project.test, globalSetup: ['packages/cli/test/build.ts'] } };
};
// redis.test.ts needs a Redis: it runs in nest:postgres+redis only.
const nestEmbedded = http('nest', 'embedded', 'packages/nest/test/**/*.test.ts');

export default defineConfig({
  test: {
    projects: [
      { resolve: { alias }, test: { name: 'unit', include: ['packages/*/src/**/*.test.ts'] } },
      // Pure decisions of the benchmark and the soak (the soak's p99 flatness rule).
      { test: { name: 'bench', include: ['bench/lib/**/*.test.mjs'] } },
      // The embeddable library: its own suites, on the embedded backends, and on PostgreSQL and
      // Redis too when TEST_DATABASE_URL / TEST_REDIS_URL are set (the helpers read them).
      { resolve: { alias }, test: { name: 'keys', include: ['packages/keys/test/**/*.test.ts'], testTimeout: 30_000, hookTimeout: 60_000 } },
      http('http:embedded', 'embedded'),
      ...(real ? [withoutWorkerSuites(http('http:postgres+redis', 'real')), workerSuites()] : []),
      // The SDK and its middleware against a real server over HTTP, on the same backends.
      http('sdk', 'embedded', 'packages/sdk/test/**/*.test.ts'),
      ...(real ? [withoutWorkerSuites(http('sdk:postgres+redis', 'real', 'packages/sdk/test/**/*.test.ts'))] : []),
      // The CLI's built binary, spawned; against a real server on the same backends (the suites
      // that reach one), scanning and packaging once.
      cli('cli', 'embedded', 'packages/cli/test/**/*.test.ts'),
      ...(real ? [cli('cli:postgres+redis', 'real', 'packages/cli/test/{lifecycle,commands,nest-local,nest-remote}.test.ts')] : []),
      // The Python and Go clients' suites, spawned against a real server on the embedded backends.
      http('clients', 'embedded', 'clients/test/**/*.test.ts'),
      // The dashboard: its forms and tables in happy-dom, and the whole app in Chromium against a real server.
      { plugins: [react()], resolve: { alias: dashboardAlias }, test: { name: 'dashboard', include: ['packages/dashboard/test/**/*.test.tsx'], environment: 'happy-dom', testTimeout: 30_000 } },
      { resolve: { alias }, test: { name: 'dashboard:e2e', include: ['packages/dashboard/e2e/**/*.test.ts'], testTimeout: 120_000, hookTimeout: 180_000 } },
      // The NestJS module in real Nest apps over HTTP (local stores on PGlite, remote against a real
      // server), its decorators compiled as tsc compiles them (legacy, with metadata).
      { ...nestEmbedded, oxc: nestOxc, test: { ...nestEmbedded.test, exclude: ['packages/nest/test/redis.test.ts'] } },
      ...(real ? [{ ...http('nest:postgres+redis', 'real', 'packages/nest/test/{remote,redis,services}.test.ts'), oxc: nestOxc }] : []),
      // The Unkey-compatible /v2 API driven by Unkey's own SDK (@unkey/api) against a real server.
      http('unkey', 'embedded', 'packages/server/test-unkey/**/*.test.ts'),
      ...(real ? [http('unkey:postgres+redis', 'real', 'packages/server/test-unkey/**/*.test.ts')] : []),
    ],
  },
});

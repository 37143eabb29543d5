import { existsSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fastifyStatic from '@fastify/static';
import type { Config } from '../config.js';
import { sendError } from './errors.js';
import type { App, AppLogger } from './types.js';

/**
 * The dashboard's own content-security policy: scripts and styles only from this origin (no
 * inline script), API calls only to this origin, never framed. Vite's build has no inline script.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'self'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** The dashboard package's build, beside this package in the repository (and in the image). */
const defaultDir = (): string => resolve(fileURLToPath(new URL('.', import.meta.url)), '../../../dashboard/dist');

/** Where the built dashboard is, or null (with the reason) when it is not served. */
export function dashboardDir(config: Config): { dir: string } | { off: string } {
  if (!config.dashboard.enabled) return { off: 'DASHBOARD=false' };
  const dir = config.dashboard.dir ?? defaultDir();
  if (!existsSync(join(dir, 'index.html'))) return { off: `no build at ${dir} (run npm run build)` };
  return { dir };
}

/**
 * GET /dashboard/… : the single-page app's files, and its index.html for every client route
 * (a path without a file extension); `/` redirects a browser there. Nothing here when the
 * dashboard is off or not built: the server starts without it, with a warning.
 */
export async function registerDashboard(app: App, config: Config, log: AppLogger): Promise<void> {
  const where = dashboardDir(config);
  if ('off' in where) {
    if (config.dashboard.enabled) log.warn({ reason: where.off }, 'dashboard not served');
    return;
  }
  app.get('/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/dashboard/', 302));
  await app.register(
    async (scope) => {
      scope.addHook('onSend', async (request, reply) => {
        reply.header('content-security-policy', DASHBOARD_CSP);
        reply.header('x-content-type-options', 'nosniff');
        reply.header('referrer-policy', 'same-origin');
        reply.header('x-frame-options', 'DENY');
        // Hashed asset names never change content; the page itself is always checked again.
        reply.header('cache-control', request.url.startsWith('/dashboard/assets/') ? 'public, max-age=31536000, immutable' : 'no-cache');
      });
      await scope.register(fastifyStatic, { root: where.dir, prefix: '/', wildcard: true, index: ['index.html'], cacheControl: false, schemaHide: true });
      scope.get('/', { schema: { hide: true } }, async (_request, reply) => reply.sendFile('index.html'));
      // Client routes (/dashboard/projects/…) get the app; a missing file (a dot in its name) is a 404.
      scope.setNotFoundHandler(async (request, reply) => {
        const path = request.url.split('?')[0] ?? '';
        if ((request.method === 'GET' || request.method === 'HEAD') && !/\.[A-Za-z0-9]+$/.test(path)) return reply.type('text/html').sendFile('index.html');
        return sendError(reply, 'not_found', `Route ${request.method} ${path} not found`);
      });
    },
    { prefix: '/dashboard' },
  );
}

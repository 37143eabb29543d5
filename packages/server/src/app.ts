import cookie from '@fastify/cookie';
import swagger from '@fastify/swagger';
import swaggerUi from '@fastify/swagger-ui';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyServerOptions } from 'fastify';
import type { Deps } from './deps.js';
import { MAX_AUTHORIZATION_LENGTH } from './http/authenticate.js';
import { trustProxyFunction } from './http/client-address.js';
import { answerClientError } from './http/client-error.js';
import { registerDashboard } from './http/dashboard.js';
import { registerErrorHandling, sendError } from './http/errors.js';
import { assertStorable } from './http/input-hygiene.js';
import { createNodeServer } from './http/node-server.js';
import { requestIdFrom } from './http/request-id.js';
import { VerifyBody } from '@elyzor/contract';
import { createValidators, type Validators } from './http/validators.js';
import { jsonBodyParser, VerifyLane } from './http/verify-lane.js';
import type { App, AppLogger, Services } from './http/types.js';
import { registerAuthLogin } from './routes/auth-login.js';
import { registerAuthLogoutAll } from './routes/auth-logout-all.js';
import { registerAuthLogout } from './routes/auth-logout.js';
import { registerAuthMe } from './routes/auth-me.js';
import { registerAuthRefresh } from './routes/auth-refresh.js';
import { registerAuthRegister } from './routes/auth-register.js';
import { registerAuditList } from './routes/audit-list.js';
import { registerCredentialsCreate } from './routes/credentials-create.js';
import { registerCredentialsGet } from './routes/credentials-get.js';
import { registerCredentialsUpdate } from './routes/credentials-update.js';
import { registerCredentialsUsage } from './routes/credentials-usage.js';
import { registerCredentialsList } from './routes/credentials-list.js';
import { registerCredentialsRevoke } from './routes/credentials-revoke.js';
import { registerCredentialsRotate } from './routes/credentials-rotate.js';
import { registerHealth } from './routes/health.js';
import { registerMetrics } from './routes/metrics.js';
import { registerProjectsCreate } from './routes/projects-create.js';
import { registerProjectsDelete } from './routes/projects-delete.js';
import { registerProjectsList } from './routes/projects-list.js';
import { registerProjectsUpdate } from './routes/projects-update.js';
import { registerStats } from './routes/stats.js';
import { registerVerify } from './routes/verify.js';
import { registerWebhooksCreate } from './routes/webhooks-create.js';
import { registerWebhooksList } from './routes/webhooks-list.js';
import { registerWebhooksGet } from './routes/webhooks-get.js';
import { registerWebhooksUpdate } from './routes/webhooks-update.js';
import { registerWebhooksDelete } from './routes/webhooks-delete.js';
import { registerWebhooksRotateSecret } from './routes/webhooks-rotate-secret.js';
import { registerWebhooksTest } from './routes/webhooks-test.js';
import { registerWebhooksDeliveries } from './routes/webhooks-deliveries.js';
import { registerWebhooksRedeliver } from './routes/webhooks-redeliver.js';
import { AuthService } from './services/auth.js';
import { CredentialUsageService } from './services/credentials.js';
import { InvitationService } from './services/invitations.js';
import { ProjectService } from './services/projects.js';
import { RbacService } from './services/rbac.js';
import { RootKeyService } from './services/root-keys.js';
import { WorkspaceService } from './services/workspaces.js';
import { registerInvitations } from './routes/invitations.js';
import { registerProjectMembers } from './routes/project-members.js';
import { registerRootKeys } from './routes/root-keys.js';
import { registerWorkspaceMembers } from './routes/workspace-members.js';
import { registerWorkspaces } from './routes/workspaces.js';
import { WebhookService } from './services/webhooks.js';
import { authorizationTooLong } from './v2/auth.js';
import { sendV2Error } from './v2/errors.js';
import { isV2, registerV2, V2_ERRORS } from './v2/register.js';

export const BODY_LIMIT = 16 * 1024;

/** Never logged: credentials, tokens, cookies, passwords. */
export const REDACT = [
  'req.headers.authorization',
  'req.headers.cookie',
  'res.headers["set-cookie"]',
  'password',
  'refreshToken',
  'accessToken',
  'key',
  'token',
  '*.password',
  '*.refreshToken',
  '*.accessToken',
  '*.key',
  '*.token',
  '*.digest',
  'secret',
  '*.secret',
];

export interface BuildAppOptions {
  /** A pino logger, or pino options. */
  logger?: FastifyBaseLogger | FastifyServerOptions['logger'];
}

export async function buildApp(deps: Deps, options: BuildAppOptions = {}): Promise<App> {
  const logger = options.logger ?? { level: deps.config.logLevel, redact: REDACT };
  const trust = trustProxyFunction(deps.config.trustProxy);
  // Set once the app is built; the server only dispatches requests after listen().
  let lane: VerifyLane | null = null;
  const app = Fastify({
    ...(typeof logger === 'object' && logger !== null && 'child' in logger ? { loggerInstance: logger } : { logger }),
    bodyLimit: BODY_LIMIT,
    trustProxy: trust,
    genReqId: (req) => requestIdFrom(req.headers['x-request-id']),
    // The plain form of a verification takes the verify lane; everything else, Fastify.
    serverFactory: (handler) =>
      createNodeServer(deps.config.http, (req, res) => {
        if (lane === null || !lane.take(req, res)) handler(req, res);
      }),
    // What Node's parser refuses, and requests too slow to arrive, in the error envelope too.
    clientErrorHandler(this: FastifyInstance, error, socket) {
      answerClientError(error, socket, this.log);
    },
    // While closing, requests already on an open keep-alive connection are still served (with
    // Connection: close); new connections are refused. Nothing accepted fails during shutdown.
    return503OnClosing: false,
    // One log line per request is written by the onResponse hook below (management routes);
    // a per-request child logger would cost more than a verification itself.
    logController: new LogController({ disableRequestLogging: true, requestIdLogLabel: 'requestId' }),
    childLoggerFactory: (parent) => parent,
    // Long path ids must reach our handlers (and become 404), not be cut off by the router (414).
    routerOptions: { maxParamLength: 2048 },
    // Paths the router cannot even parse (bad percent escapes, absurdly long ids) still get
    // the error envelope and a request id: to a caller they are ids that do not exist.
    frameworkErrors: (_error, request, reply) => {
      reply.header('x-request-id', request.id);
      void sendError(reply, 'not_found', 'Not found');
    },
    forceCloseConnections: false,
  }).withTypeProvider<TypeBoxTypeProvider>() as App;

  const compilers = createValidators();
  app.setValidatorCompiler(({ schema, httpPart }) => {
    const part = httpPart ?? 'body';
    const ajv = part in compilers ? compilers[part as keyof Validators] : compilers.body;
    return ajv.compile(schema);
  });

  const parseJson = jsonBodyParser(app.getDefaultJsonParser('error', 'error'));
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: BODY_LIMIT }, (_request, body, done) => {
    try {
      done(null, parseJson(body as string));
    } catch (error) {
      done(error as Error, undefined);
    }
  });
  const verifyLane = new VerifyLane({
    deps,
    trust,
    parseJson,
    validate: compilers.body.compile(VerifyBody),
    bodyLimit: BODY_LIMIT,
    logger: app.log as AppLogger,
  });
  app.addHook('preClose', (done) => {
    verifyLane.closing = true;
    done();
  });

  app.decorateRequest('ctx', null);
  app.decorateRequest('claims', null);

  app.addHook('onRequest', (request, reply, done) => {
    reply.header('x-request-id', request.id);
    const authorization = request.headers.authorization;
    // Refused without further work: no token parsing, no lookup, no limiter.
    if (authorization !== undefined && authorization.length > MAX_AUTHORIZATION_LENGTH) {
      if (request.routeOptions.config?.verifyShape === true) reply.code(401).send({ valid: false, error: 'invalid_key' });
      else if (isV2(request)) sendV2Error(request, reply, authorizationTooLong());
      else sendError(reply, 'unauthorized', 'Authorization header is too long');
      return;
    }
    done();
  });
  // Routes with a body schema treat a missing body as an empty object; nothing unstorable
  // (NUL, lone surrogates) gets past this point.
  app.addHook('preValidation', (request, _reply, done) => {
    if (request.body === undefined && request.routeOptions.schema?.body !== undefined) request.body = {};
    try {
      assertStorable(request.body, 'body');
      assertStorable(request.query, 'query string');
      done();
    } catch (error) {
      done(error as Error);
    }
  });
  // The access log: management requests at info. Verifications are metered as usage records
  // instead, and logged here only at debug.
  app.addHook('onResponse', (request, reply, done) => {
    const verifyShaped = request.routeOptions.config?.verifyShape === true;
    // Verifications have metrics of their own (counted where they are answered, in either lane).
    if (!verifyShaped) deps.metrics.observeRequest(request.method, request.routeOptions.url, reply.statusCode, reply.elapsedTime / 1000);
    const level = verifyShaped ? 'debug' : 'info';
    if ((request.log as AppLogger).isLevelEnabled(level)) {
      request.log[level]({ requestId: request.id, method: request.method, url: request.url.split('?')[0], status: reply.statusCode, ms: Math.round(reply.elapsedTime * 100) / 100 }, 'request');
    }
    done();
  });

  registerErrorHandling(app, V2_ERRORS);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Elyzor',
        version: '1.0.0',
        description: 'Issue, verify, rate-limit, rotate, revoke and meter API keys (sk_live_…) and service identities (svc_live_…).',
      },
      components: {
        securitySchemes: {
          bearer: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT', description: 'Access token from /v1/auth/login' },
          credential: { type: 'http', scheme: 'bearer', description: 'The API key or service credential being verified' },
          rootKey: { type: 'http', scheme: 'bearer', description: 'A root key (rk_live_…): the Unkey-compatible /v2 API' },
        },
      },
    },
  });
  await app.register(swaggerUi, { routePrefix: '/docs' });
  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());

  const projects = new ProjectService(deps);
  const invitations = new InvitationService(deps, app.log);
  const services: Services = {
    auth: new AuthService(deps, invitations),
    projects,
    usage: new CredentialUsageService(deps),
    workspaces: new WorkspaceService(deps),
    invitations,
    rootKeys: new RootKeyService(deps),
    webhooks: new WebhookService(deps, deps.webhookSecrets),
    rbac: new RbacService(deps),
  };
  const context = { deps, services };
  // Cookies are an auth concern: parsing them only there keeps the verify path free of it.
  await app.register(async (scope) => {
    const auth = scope as unknown as App;
    await auth.register(cookie);
    registerAuthRegister(auth, context);
    registerAuthLogin(auth, context);
    registerAuthRefresh(auth, context);
    registerAuthLogout(auth, context);
    registerAuthLogoutAll(auth, context);
    registerAuthMe(auth, context);
  });
  registerProjectsList(app, context);
  registerProjectsCreate(app, context);
  registerProjectsUpdate(app, context);
  registerProjectsDelete(app, context);
  registerCredentialsCreate(app, context);
  registerCredentialsList(app, context);
  registerCredentialsRevoke(app, context);
  registerCredentialsGet(app, context);
  registerCredentialsUpdate(app, context);
  registerCredentialsUsage(app, context);
  registerCredentialsRotate(app, context);
  registerAuditList(app, context);
  registerWorkspaces(app, context);
  registerWorkspaceMembers(app, context);
  registerProjectMembers(app, context);
  registerInvitations(app, context);
  registerRootKeys(app, context);
  registerWebhooksCreate(app, context);
  registerWebhooksList(app, context);
  registerWebhooksGet(app, context);
  registerWebhooksUpdate(app, context);
  registerWebhooksDelete(app, context);
  registerWebhooksRotateSecret(app, context);
  registerWebhooksTest(app, context);
  registerWebhooksDeliveries(app, context);
  registerWebhooksRedeliver(app, context);
  registerVerify(app, context);
  registerStats(app, context);
  registerHealth(app, context);
  await registerDashboard(app, deps.config, app.log as AppLogger);
  await registerV2(app, context);
  app.decorate('metricsServer', registerMetrics(app, context));
  lane = verifyLane;
  return app;
}

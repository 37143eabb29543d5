import { AuditApi, StatsApi } from './groups/analytics.js';
import { AuthApi } from './groups/auth.js';
import { CredentialsApi } from './groups/credentials.js';
import { ProjectsApi } from './groups/projects.js';
import { InvitationsApi, MembersApi, RootKeysApi, WorkspacesApi } from './groups/teams.js';
import { WebhooksApi } from './groups/webhooks.js';
import { DEFAULT_RETRY, type RetryOptions } from './retry.js';
import { Session, type SessionTokens } from './session.js';
import { errorOf, Transport } from './transport.js';
import type {
  CreateKeyBody,
  CreateServiceBody,
  Health,
  IssuedKey,
  IssuedService,
  Key,
  KeyWithUsage,
  Service,
  ServiceWithUsage,
  UpdateKeyBody,
  UpdateServiceBody,
  VerifyKeyResult,
  VerifyOptions,
  VerifyServiceResult,
} from './types.js';
import { verifyAnswer, type VerifyAnswer } from './verification.js';

export interface ElyzorOptions {
  /** Where Elyzor answers, e.g. `https://elyzor.internal:3000`. */
  baseUrl: string;
  /** `rk_live_…`: sent as-is on every management call, never refreshed. Wins over an access token. */
  rootKey?: string;
  /** A user's access token (from a login). */
  accessToken?: string;
  /** With it, a 401 is followed by one refresh and one retry. */
  refreshToken?: string;
  /** Per attempt (default 10,000 ms). */
  timeoutMs?: number;
  /** Retries after the first attempt (default 2), or the whole policy. */
  retries?: number | Partial<RetryOptions>;
  /** Another `fetch` (a proxy agent, an edge runtime's own); default `globalThis.fetch`. */
  fetch?: typeof fetch;
  /** Called with the new tokens after a login, registration or refresh, to store them. */
  onTokens?: (tokens: SessionTokens) => void;
  /**
   * In a browser on Elyzor's own origin (the dashboard): the refresh token stays in its HttpOnly
   * cookie, which the browser sends to `/v1/auth`; a 401 and `auth.refresh()` exchange the cookie,
   * and the client never holds a refresh token.
   */
  cookieSession?: boolean;
}

/**
 * Elyzor's API, grouped as the reference has it.
 *
 * ```ts
 * const elyzor = new Elyzor({ baseUrl: 'http://localhost:3000', rootKey: process.env.ELYZOR_ROOT_KEY });
 * const result = await elyzor.verify(key, { scopes: ['read:invoices'] });
 * if (!result.valid) console.log(result.error); // 'insufficient_scope', …
 * ```
 */
export class Elyzor {
  readonly auth: AuthApi;
  readonly projects: ProjectsApi;
  readonly keys: CredentialsApi<{ view: Key; issued: IssuedKey; withUsage: KeyWithUsage; create: CreateKeyBody; update: UpdateKeyBody }>;
  readonly services: CredentialsApi<{ view: Service; issued: IssuedService; withUsage: ServiceWithUsage; create: CreateServiceBody; update: UpdateServiceBody }>;
  readonly stats: StatsApi;
  readonly audit: AuditApi;
  readonly workspaces: WorkspacesApi;
  readonly members: MembersApi;
  readonly invitations: InvitationsApi;
  readonly rootKeys: RootKeysApi;
  readonly webhooks: WebhooksApi;
  private readonly transport: Transport;

  constructor(options: ElyzorOptions) {
    if (typeof options.baseUrl !== 'string' || !/^https?:\/\//.test(options.baseUrl)) throw new TypeError('Elyzor: baseUrl must be an http(s) URL');
    const fetchImpl = options.fetch ?? globalThis.fetch;
    if (typeof fetchImpl !== 'function') throw new TypeError('Elyzor: no fetch in this runtime; pass one as options.fetch');
    const retries = typeof options.retries === 'number' ? { max: options.retries } : (options.retries ?? {});
    const session = new Session(options.rootKey, { accessToken: options.accessToken, refreshToken: options.refreshToken }, options.onTokens, options.cookieSession === true);
    this.transport = new Transport({
      baseUrl: options.baseUrl,
      timeoutMs: options.timeoutMs ?? 10_000,
      retry: { ...DEFAULT_RETRY, ...retries },
      // Called unbound: some runtimes' fetch refuses a `this` other than the global.
      fetch: (input, init) => fetchImpl(input, init),
      session,
    });
    this.auth = new AuthApi(this.transport, session);
    this.projects = new ProjectsApi(this.transport);
    this.keys = new CredentialsApi(this.transport, 'keys');
    this.services = new CredentialsApi(this.transport, 'services');
    this.stats = new StatsApi(this.transport);
    this.audit = new AuditApi(this.transport);
    this.workspaces = new WorkspacesApi(this.transport);
    this.members = new MembersApi(this.transport);
    this.invitations = new InvitationsApi(this.transport);
    this.rootKeys = new RootKeysApi(this.transport);
    this.webhooks = new WebhooksApi(this.transport);
  }

  /**
   * POST /v1/verify: is this API key (`sk_…`) valid, and may it do this now? A refusal resolves
   * `{ valid: false, error, retryAfter?, missingScopes? }` exactly as the API answers.
   */
  async verify(key: string, options: VerifyOptions = {}): Promise<VerifyKeyResult> {
    return (await verifyAnswer<VerifyKeyResult>(this.transport, '/v1/verify', key, options)).result;
  }

  /** POST /v1/verify/service, for a service identity (`svc_…`). */
  async verifyService(credential: string, options: VerifyOptions = {}): Promise<VerifyServiceResult> {
    return (await verifyAnswer<VerifyServiceResult>(this.transport, '/v1/verify/service', credential, options)).result;
  }

  /** A verification with its status and rate-limit headers, for middleware that passes them on. */
  verifyAnswer(kind: 'key', credential: string, options?: VerifyOptions): Promise<VerifyAnswer<VerifyKeyResult>>;
  verifyAnswer(kind: 'service', credential: string, options?: VerifyOptions): Promise<VerifyAnswer<VerifyServiceResult>>;
  verifyAnswer(kind: 'key' | 'service', credential: string, options: VerifyOptions = {}): Promise<VerifyAnswer<VerifyKeyResult | VerifyServiceResult>> {
    return verifyAnswer(this.transport, kind === 'key' ? '/v1/verify' : '/v1/verify/service', credential, options);
  }

  /** GET /v1/health — resolves the body on 200 and on 503 (degraded) alike. */
  async health(): Promise<Health> {
    const answer = await this.transport.send({ method: 'GET', path: '/v1/health', auth: 'none' });
    if ((answer.status === 200 || answer.status === 503) && typeof answer.body === 'object' && answer.body !== null && 'status' in answer.body) return answer.body as Health;
    throw errorOf(answer);
  }
}

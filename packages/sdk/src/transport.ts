import { ElyzorError } from './errors.js';
import { nextCursorOf, type Page } from './pagination.js';
import { DEFAULT_RETRY, policyOf, retryDelay, type AttemptOutcome, type RetryOptions, type RetryPolicy } from './retry.js';
import type { Session, SessionTokens } from './session.js';

export type QueryValue = string | number | boolean | undefined | null;

/** One call to the API, before authentication, retries and refresh are applied. */
export interface Call {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  path: string;
  query?: Record<string, QueryValue>;
  body?: unknown;
  /** `session`: the client's root key or access token; `none`; or this bearer (a credential to verify). */
  auth: 'session' | 'none' | { bearer: string };
  /** Defaults to the method's: GET, PUT and DELETE are retried, POST and PATCH are not. */
  retry?: RetryPolicy;
}

/** An answer of any status, parsed. */
export interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

export interface TransportOptions {
  baseUrl: string;
  timeoutMs: number;
  retry: RetryOptions;
  fetch: typeof fetch;
  session: Session;
}

/** Node's codes for a connection that was never made: nothing was sent, so nothing was spent. */
const NOT_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'UND_ERR_CONNECT_TIMEOUT']);

function causeCode(error: unknown): string | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const isTimeout = (error: unknown): boolean => typeof error === 'object' && error !== null && (error as { name?: unknown }).name === 'TimeoutError';

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

export class Transport {
  constructor(private readonly options: TransportOptions) {}

  private url(call: Call): string {
    const url = new URL(this.options.baseUrl.replace(/\/+$/, '') + call.path);
    for (const [name, value] of Object.entries(call.query ?? {})) {
      if (value !== undefined && value !== null) url.searchParams.set(name, String(value));
    }
    return url.toString();
  }

  /** One attempt: an answer, or a network failure / timeout as an outcome. */
  private async attempt(call: Call, bearer: string | undefined): Promise<Answer | Exclude<AttemptOutcome, { kind: 'answer' }>> {
    const headers: Record<string, string> = { accept: 'application/json' };
    if (bearer !== undefined) headers.authorization = `Bearer ${bearer}`;
    if (call.body !== undefined) headers['content-type'] = 'application/json';
    let response: Response;
    try {
      response = await this.options.fetch(this.url(call), {
        method: call.method,
        headers,
        body: call.body === undefined ? undefined : JSON.stringify(call.body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      if (isTimeout(error)) return { kind: 'timeout' };
      return { kind: 'network', connected: !NOT_CONNECTED.has(causeCode(error) ?? '') };
    }
    let text: string;
    try {
      text = await response.text();
    } catch (error) {
      return isTimeout(error) ? { kind: 'timeout' } : { kind: 'network', connected: true };
    }
    return { status: response.status, headers: response.headers, body: parseBody(text, response.headers) };
  }

  /** Sends with retries, as the call's policy allows; throws ElyzorError when no answer came. */
  private async withRetries(call: Call, bearer: string | undefined): Promise<Answer> {
    const policy = call.retry ?? policyOf(call.method);
    for (let attempt = 0; ; attempt++) {
      const result = await this.attempt(call, bearer);
      const outcome: AttemptOutcome = 'headers' in result ? { kind: 'answer', status: result.status, retryAfter: result.headers.get('retry-after') } : result;
      const delay = retryDelay(policy, outcome, attempt, this.options.retry, Date.now(), Math.random());
      if (delay === null) {
        if ('headers' in result) return result;
        throw result.kind === 'timeout'
          ? new ElyzorError({ status: 0, code: 'timeout', message: `No answer from ${call.method} ${call.path} within ${this.options.timeoutMs} ms` })
          : new ElyzorError({ status: 0, code: 'connection_error', message: `Could not reach Elyzor at ${this.options.baseUrl} (${call.method} ${call.path})` });
      }
      await sleep(delay);
    }
  }

  /**
   * An answer of any status. With the session's access token and a refresh token, a 401 is
   * followed by one refresh (shared with every concurrent 401) and one retry.
   */
  async send(call: Call): Promise<Answer> {
    const session = this.options.session;
    const bearer = call.auth === 'session' ? session.bearer() : call.auth === 'none' ? undefined : call.auth.bearer;
    const answer = await this.withRetries(call, bearer);
    if (answer.status !== 401 || call.auth !== 'session' || !session.canRefresh()) return answer;
    await session.renew(bearer, (refreshToken) => this.refresh(refreshToken));
    return this.withRetries(call, session.bearer());
  }

  /**
   * POST /v1/auth/refresh with the token in the body (the next one comes back there), or with
   * none: the browser sends its refresh cookie and gets the next one as a cookie.
   */
  async refresh(refreshToken: string | undefined): Promise<SessionTokens> {
    // A refresh whose answer was lost may be presented again (the server's reuse grace), but only
    // a refresh that was surely never sent is retried here.
    const answer = await this.withRetries({ method: 'POST', path: '/v1/auth/refresh', body: refreshToken === undefined ? {} : { refreshToken }, auth: 'none', retry: 'before_connection' }, undefined);
    const body = expectOk<{ accessToken: string; refreshToken?: string }>(answer);
    return { accessToken: body.accessToken, refreshToken: body.refreshToken ?? null };
  }

  /** The parsed body of a 2xx answer; an ElyzorError for anything else. */
  async request<T>(call: Call): Promise<T> {
    return expectOk<T>(await this.send(call));
  }

  /** A list's page: the array body and the next cursor from the `Link` header. */
  async page<T>(call: Call): Promise<Page<T>> {
    const answer = await this.send(call);
    return { items: expectOk<T[]>(answer), nextCursor: nextCursorOf(answer.headers.get('link')) };
  }
}

function parseBody(text: string, headers: Headers): unknown {
  if (text === '') return undefined;
  if (!(headers.get('content-type') ?? '').includes('json')) return text;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export function errorOf(answer: Answer): ElyzorError {
  const body = answer.body;
  const requestId = answer.headers.get('x-request-id');
  const retryAfter = /^\d+$/.test(answer.headers.get('retry-after') ?? '') ? Number(answer.headers.get('retry-after')) : undefined;
  if (typeof body === 'object' && body !== null && typeof (body as { error?: unknown }).error === 'string') {
    const { error, message } = body as { error: string; message?: unknown };
    const bodyRequestId = (body as { requestId?: unknown }).requestId;
    return new ElyzorError({
      status: answer.status,
      code: error,
      message: typeof message === 'string' ? message : error,
      requestId: typeof bodyRequestId === 'string' ? bodyRequestId : requestId,
      retryAfter,
      body,
    });
  }
  return new ElyzorError({ status: answer.status, code: 'invalid_response', message: `Unexpected answer: HTTP ${answer.status}`, requestId, retryAfter, body });
}

export function expectOk<T>(answer: Answer): T {
  if (answer.status >= 200 && answer.status < 300) return answer.body as T;
  throw errorOf(answer);
}

export { DEFAULT_RETRY };

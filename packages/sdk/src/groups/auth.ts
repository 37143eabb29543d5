import type { Session } from '../session.js';
import { expectOk, type Answer, type Transport } from '../transport.js';
import type { AuthResult, User } from '../types.js';

/** A login's or registration's answer, with the refresh token the server set as a cookie. */
export type Login = AuthResult & { refreshToken: string | null };

/** The refresh token from `Set-Cookie: refreshToken=…` (readable outside browsers). */
function refreshCookieOf(answer: Answer): string | null {
  const cookies = typeof answer.headers.getSetCookie === 'function' ? answer.headers.getSetCookie() : [answer.headers.get('set-cookie') ?? ''];
  for (const cookie of cookies) {
    const match = /(?:^|,\s*)refreshToken=([^;,\s]+)/.exec(cookie);
    if (match?.[1] !== undefined) return decodeURIComponent(match[1]);
  }
  return null;
}

/** `/v1/auth/*`. A login or registration makes the client act as that user from then on. */
export class AuthApi {
  constructor(
    private readonly transport: Transport,
    private readonly session: Session,
  ) {}

  private adopt(answer: Answer): Login {
    const result = expectOk<AuthResult>(answer);
    const refreshToken = refreshCookieOf(answer);
    this.session.adopt({ accessToken: result.accessToken, refreshToken });
    return { ...result, refreshToken };
  }

  /** POST /v1/auth/register */
  async register(email: string, password: string): Promise<Login> {
    return this.adopt(await this.transport.send({ method: 'POST', path: '/v1/auth/register', body: { email, password }, auth: 'none' }));
  }

  /** POST /v1/auth/login */
  async login(email: string, password: string): Promise<Login> {
    return this.adopt(await this.transport.send({ method: 'POST', path: '/v1/auth/login', body: { email, password }, auth: 'none' }));
  }

  /**
   * POST /v1/auth/refresh with the client's refresh token (or the one given), or with the
   * browser's cookie under `cookieSession`; the client adopts the new tokens.
   */
  async refresh(refreshToken: string | undefined = this.session.refreshToken): Promise<{ accessToken: string; refreshToken: string | null }> {
    if (refreshToken === undefined && !this.session.canRefresh()) throw new TypeError('auth.refresh: the client has no refresh token');
    const tokens = await this.transport.refresh(refreshToken);
    this.session.adopt(tokens);
    return tokens;
  }

  /** POST /v1/auth/logout: this session ends; the client forgets its tokens. */
  async logout(): Promise<void> {
    await this.transport.request<void>({ method: 'POST', path: '/v1/auth/logout', auth: 'session' });
    this.session.clear();
  }

  /** POST /v1/auth/logout-all: every session of the user ends. */
  async logoutAll(): Promise<void> {
    await this.transport.request<void>({ method: 'POST', path: '/v1/auth/logout-all', auth: 'session' });
    this.session.clear();
  }

  /** GET /v1/auth/me */
  me(): Promise<User> {
    return this.transport.request<User>({ method: 'GET', path: '/v1/auth/me', auth: 'session' });
  }
}

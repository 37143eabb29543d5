/** The tokens a client holds after a login or a refresh. */
export interface SessionTokens {
  accessToken: string;
  /** Null when the server kept it in a cookie only (a browser). */
  refreshToken: string | null;
}

/**
 * Who the client is: a root key (sent as-is, never refreshed) or a user's access token with,
 * optionally, its refresh token. Concurrent 401s share one refresh: the first starts it, the
 * others wait for it, and a request that failed with a token already replaced just retries.
 */
export class Session {
  private refreshing: Promise<void> | null = null;

  constructor(
    private readonly rootKey: string | undefined,
    private tokens: { accessToken: string | undefined; refreshToken: string | undefined },
    private readonly onTokens: ((tokens: SessionTokens) => void) | undefined,
    /** The refresh token lives in the browser's HttpOnly cookie: refreshes send none, and none is kept here. */
    private readonly cookie = false,
  ) {}

  /** The bearer credential to send, if any. */
  bearer(): string | undefined {
    return this.rootKey ?? this.tokens.accessToken;
  }

  get refreshToken(): string | undefined {
    return this.tokens.refreshToken;
  }

  /** Adopt the tokens of a login, a registration or a refresh. */
  adopt(tokens: SessionTokens): void {
    const refreshToken = this.cookie ? undefined : (tokens.refreshToken ?? this.tokens.refreshToken);
    this.tokens = { accessToken: tokens.accessToken, refreshToken };
    this.onTokens?.({ accessToken: tokens.accessToken, refreshToken: this.tokens.refreshToken ?? null });
  }

  clear(): void {
    this.tokens = { accessToken: undefined, refreshToken: undefined };
  }

  /** A root key never refreshes; an access token does with a refresh token to exchange, or its cookie. */
  canRefresh(): boolean {
    return this.rootKey === undefined && (this.cookie || this.tokens.refreshToken !== undefined);
  }

  /**
   * After a 401 for a request sent with `usedToken`: make sure a newer access token is in
   * place, refreshing at most once for every request that failed with the same token.
   */
  async renew(usedToken: string | undefined, refresh: (refreshToken: string | undefined) => Promise<SessionTokens>): Promise<void> {
    if (this.tokens.accessToken !== usedToken) return;
    if (this.refreshing === null) {
      const refreshToken = this.tokens.refreshToken;
      if (refreshToken === undefined && !this.cookie) return;
      this.refreshing = refresh(refreshToken)
        .then((tokens) => this.adopt(tokens))
        .finally(() => {
          this.refreshing = null;
        });
    }
    await this.refreshing;
  }
}

import { createHash } from 'node:crypto';
import { ElyzorError, randomBase62, validationError, type LimitRule } from '@elyzor/core';
import type { Deps } from '../deps.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { AccessClaims } from '../auth/access-tokens.js';
import type { DB } from '../db/database.js';

export interface PublicUser {
  id: string;
  email: string;
  createdAt: string;
}

export interface SessionTokens {
  accessToken: string;
  refreshToken: string;
  refreshExpiresAt: Date;
}

const digestOf = (token: string): string => createHash('sha256').update(token).digest('hex');
const REFRESH_TOKEN = /^[0-9A-Za-z]{43}$/;
const LOGIN_WINDOW_MS = 15 * 60_000;

/** Session changes of one user run one at a time (rotation against wipe). */
async function lockUser(trx: DB, userId: string): Promise<void> {
  await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
}

function toPublicUser(row: { id: string; email: string; created_at: Date }): PublicUser {
  return { id: row.id, email: row.email, createdAt: row.created_at.toISOString() };
}

/**
 * Accounts and sessions. A session is a chain of refresh tokens: each refresh retires the
 * presented token and issues the next one. Presenting a retired token means it was copied:
 * every session of that user ends (theft detection).
 */
export class AuthService {
  /** Refreshes in flight by token digest: concurrent refreshes with one token share one result. */
  private readonly refreshing = new Map<string, Promise<SessionTokens>>();

  constructor(private readonly deps: Deps) {}

  async register(email: string, password: string): Promise<{ user: PublicUser; tokens: SessionTokens }> {
    const normalized = email.toLowerCase();
    const passwordHash = await hashPassword(password);
    const { db } = this.deps;
    const row = await db
      .insertInto('users')
      .values({ email: normalized, password_hash: passwordHash })
      .onConflict((oc) => oc.column('email').doNothing())
      .returning(['id', 'email', 'created_at'])
      .executeTakeFirst();
    // Same answer whatever the reason, so registration cannot be used to find accounts.
    if (row === undefined) throw validationError('Registration failed: check the email and password');
    const tokens = await this.startSession(db, row.id);
    return { user: toPublicUser(row), tokens };
  }

  async login(email: string, password: string): Promise<{ user: PublicUser; tokens: SessionTokens }> {
    const normalized = email.toLowerCase();
    await this.checkAccountThrottle(normalized);
    const row = await this.deps.db.selectFrom('users').selectAll().where('email', '=', normalized).executeTakeFirst();
    const ok = await verifyPassword(row?.password_hash, password);
    if (row === undefined || !ok) {
      await this.countFailedLogin(normalized);
      throw new ElyzorError('invalid_credentials', 'Invalid email or password');
    }
    const tokens = await this.startSession(this.deps.db, row.id);
    return { user: toPublicUser(row), tokens };
  }

  refresh(refreshToken: string | undefined): Promise<SessionTokens> {
    if (refreshToken === undefined || !REFRESH_TOKEN.test(refreshToken)) {
      return Promise.reject(new ElyzorError('invalid_token', 'Missing or invalid refresh token'));
    }
    const digest = digestOf(refreshToken);
    const running = this.refreshing.get(digest);
    if (running !== undefined) return running;
    const promise = this.rotate(digest).finally(() => this.refreshing.delete(digest));
    this.refreshing.set(digest, promise);
    return promise;
  }

  async me(userId: string): Promise<PublicUser> {
    const row = await this.deps.db.selectFrom('users').select(['id', 'email', 'created_at']).where('id', '=', userId).executeTakeFirst();
    if (row === undefined) throw new ElyzorError('unauthorized', 'Authentication required');
    return toPublicUser(row);
  }

  /** Ends the session the access token belongs to (and the one of `refreshToken`, if given). */
  async logout(claims: AccessClaims, refreshToken: string | undefined): Promise<void> {
    const { db, denylist } = this.deps;
    await denylist.add(claims.jti, new Date(claims.exp * 1000));
    const sessions = await db
      .selectFrom('refresh_tokens')
      .select('session_id')
      .where('user_id', '=', claims.userId)
      .where((eb) =>
        eb.or([
          eb('access_jti', '=', claims.jti),
          ...(refreshToken !== undefined && REFRESH_TOKEN.test(refreshToken) ? [eb('token_digest', '=', digestOf(refreshToken))] : []),
        ]),
      )
      .execute();
    if (sessions.length === 0) return;
    await this.endSessions(claims.userId, sessions.map((s) => s.session_id));
  }

  /** Ends every session of the user: refresh tokens die, access tokens are denied. */
  logoutAll(userId: string): Promise<void> {
    return this.endSessions(userId, null);
  }

  private async rotate(digest: string): Promise<SessionTokens> {
    const { db, clock } = this.deps;
    const row = await db.selectFrom('refresh_tokens').selectAll().where('token_digest', '=', digest).executeTakeFirst();
    if (row === undefined || row.expires_at.getTime() <= clock.now()) {
      throw new ElyzorError('invalid_token', 'Missing or invalid refresh token');
    }
    if (row.rotated_at !== null || row.revoked_at !== null) {
      // A retired token came back: someone holds a copy. End every session of this user.
      if (row.rotated_at !== null) await this.endSessions(row.user_id, null);
      throw new ElyzorError('invalid_token', 'Missing or invalid refresh token');
    }
    const next = await db.transaction().execute(async (trx) => {
      await lockUser(trx, row.user_id);
      const retired = await trx
        .updateTable('refresh_tokens')
        .set({ rotated_at: new Date(clock.now()) })
        .where('id', '=', row.id)
        .where('rotated_at', 'is', null)
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      if (retired === undefined) return null;
      return this.startSession(trx, row.user_id, row.session_id);
    });
    if (next === null) {
      // The token was live when we read it and another refresh (or a session wipe) retired it
      // before our write: two concurrent refreshes with one token. The other one keeps its new
      // session; this one is refused. A token presented after it was rotated is a replay,
      // handled above, and ends every session.
      throw new ElyzorError('invalid_token', 'Missing or invalid refresh token');
    }
    return next;
  }

  private async startSession(db: DB, userId: string, sessionId?: string): Promise<SessionTokens> {
    const { accessTokens, config, clock } = this.deps;
    const access = await accessTokens.issue(userId);
    const refreshToken = randomBase62(43);
    const refreshExpiresAt = new Date(clock.now() + config.refreshTokenTtlSeconds * 1000);
    await db
      .insertInto('refresh_tokens')
      .values({
        user_id: userId,
        session_id: sessionId ?? crypto.randomUUID(),
        token_digest: digestOf(refreshToken),
        access_jti: access.jti,
        expires_at: refreshExpiresAt,
      })
      .execute();
    return { accessToken: access.token, refreshToken, refreshExpiresAt };
  }

  /** Revokes the refresh tokens of these sessions (all when null) and denies their access tokens. */
  private async endSessions(userId: string, sessionIds: string[] | null): Promise<void> {
    const { db, denylist, config, clock } = this.deps;
    const now = clock.now();
    const rows = await db.transaction().execute(async (trx) => {
      // Serialised with rotations of this user's tokens: a rotation in flight either commits
      // first (and its new token is revoked here) or runs after (and finds its token revoked).
      await lockUser(trx, userId);
      let revoke = trx.updateTable('refresh_tokens').set({ revoked_at: new Date(now) }).where('user_id', '=', userId).where('revoked_at', 'is', null);
      if (sessionIds !== null) revoke = revoke.where('session_id', 'in', sessionIds);
      await revoke.execute();
      // Access tokens still alive are those issued within their lifetime.
      let alive = trx
        .selectFrom('refresh_tokens')
        .select(['access_jti', 'created_at'])
        .where('user_id', '=', userId)
        .where('created_at', '>', new Date(now - config.accessTokenTtlSeconds * 1000));
      if (sessionIds !== null) alive = alive.where('session_id', 'in', sessionIds);
      return alive.execute();
    });
    await Promise.all(rows.map((r) => denylist.add(r.access_jti, new Date(r.created_at.getTime() + config.accessTokenTtlSeconds * 1000))));
  }

  private loginRule(limit: number): LimitRule {
    return { type: 'sliding_window', limit, windowMs: LOGIN_WINDOW_MS };
  }

  /**
   * Per-account guessing throttle. A cost-0 probe is refused exactly when `limit` failures are
   * already counted, and spends nothing. It runs before the password is looked at, so a right
   * guess after the lock is refused like a wrong one.
   */
  private async checkAccountThrottle(email: string): Promise<void> {
    const result = await this.deps.limiter.consume([{ key: `login:${email}`, rule: this.loginRule(this.deps.config.loginAttemptsPerAccount) }], 0);
    if (!result.allowed) {
      const retryAfter = Math.ceil((result.decisions[0]?.retryAfterMs ?? LOGIN_WINDOW_MS) / 1000);
      throw new ElyzorError('too_many_requests', 'Too many failed logins for this account; try again later', { retryAfter });
    }
  }

  private async countFailedLogin(email: string): Promise<void> {
    await this.deps.limiter.consume([{ key: `login:${email}`, rule: this.loginRule(this.deps.config.loginAttemptsPerAccount) }], 1);
  }
}

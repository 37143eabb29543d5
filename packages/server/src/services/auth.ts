import { createHash } from 'node:crypto';
import { ElyzorError, randomBase62, validationError, type LimitRule } from '@elyzor/core';
import type { Deps } from '../deps.js';
import { hashPassword, verifyPassword } from '../auth/passwords.js';
import type { AccessClaims } from '../auth/access-tokens.js';
import { REFRESH_TOKEN, REFRESH_TOKEN_LENGTH, retiredTokenOutcome, successorKey, successorOf } from '../auth/refresh-chain.js';
import type { DB } from '../db/database.js';
import { sql } from 'kysely';
import { insertWorkspace, putMember } from '../store/workspaces.js';
import type { InvitationService } from './invitations.js';

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
const LOGIN_WINDOW_MS = 15 * 60_000;
/** Arbitrary, fixed: serialises registrations under SIGNUP=invite, so two "first accounts" cannot both pass. */
const SIGNUP_LOCK = 7_351_963;

/** Session changes of one user run one at a time (rotation against wipe). */
async function lockUser(trx: DB, userId: string): Promise<void> {
  await trx.selectFrom('users').select('id').where('id', '=', userId).forUpdate().execute();
}

function toPublicUser(row: { id: string; email: string; created_at: Date }): PublicUser {
  return { id: row.id, email: row.email, createdAt: row.created_at.toISOString() };
}

const invalidToken = (): ElyzorError => new ElyzorError('invalid_token', 'Missing or invalid refresh token');

/** The next link of a session: the token derived from the one just retired (`auth/refresh-chain.ts`), and when that was. */
interface NextToken {
  sessionId: string;
  refreshToken: string;
  /** When the previous token was retired (ms): also the issue time of the new access token, so a retry can sign it again. */
  issuedAt: number;
}

/**
 * Accounts and sessions. A session is a chain of refresh tokens: each refresh retires the
 * presented token and issues the next one. Presenting a retired token means it was copied:
 * every session of that user ends (theft detection) — unless it is the immediately previous
 * token, presented again within `REFRESH_REUSE_GRACE_SECONDS` of its exchange: that is a client
 * retrying a refresh whose answer it lost, and it gets the same successor (and access token).
 */
export class AuthService {
  /** Refreshes in flight by token digest: concurrent refreshes with one token share one result. */
  private readonly refreshing = new Map<string, Promise<SessionTokens>>();
  private readonly successorKey: Buffer;

  constructor(
    private readonly deps: Deps,
    private readonly invitations: InvitationService,
  ) {
    if (deps.config.jwtSecret === undefined) throw new Error('JWT_SECRET is not set');
    this.successorKey = successorKey(deps.config.jwtSecret);
  }

  /**
   * A new account with its personal workspace (its owner), in one transaction. Under
   * `SIGNUP=invite`, only an email holding a live invitation (its token given) may register —
   * except the very first account of an empty instance, so that an operator can start. A token
   * given is spent: the account joins the invitation's workspace.
   */
  async register(email: string, password: string, invitationToken?: string): Promise<{ user: PublicUser; tokens: SessionTokens }> {
    const normalized = email.toLowerCase();
    const passwordHash = await hashPassword(password);
    return this.deps.db.transaction().execute(async (trx) => {
      if (this.deps.config.signup === 'invite') {
        await sql`select pg_advisory_xact_lock(${SIGNUP_LOCK})`.execute(trx);
        const empty = (await trx.selectFrom('users').select('id').limit(1).executeTakeFirst()) === undefined;
        if (!empty && (invitationToken === undefined || !(await this.invitations.isLive(trx, invitationToken, normalized)))) {
          throw new ElyzorError('signup_disabled', 'Sign-up is by invitation on this instance: register with the invitation token sent to this email');
        }
      }
      const row = await trx
        .insertInto('users')
        .values({ email: normalized, password_hash: passwordHash })
        .onConflict((oc) => oc.column('email').doNothing())
        .returning(['id', 'email', 'created_at'])
        .executeTakeFirst();
      // Same answer whatever the reason, so registration cannot be used to find accounts.
      if (row === undefined) throw validationError('Registration failed: check the email and password');
      const personal = await insertWorkspace(trx, { name: 'Personal', personalOf: row.id });
      await putMember(trx, personal.id, row.id, 'owner');
      if (invitationToken !== undefined) await this.invitations.spend(trx, { actor: { type: 'user', userId: row.id } }, invitationToken, normalized, row.id);
      const tokens = await this.startSession(trx, row.id);
      return { user: toPublicUser(row), tokens };
    });
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
    if (refreshToken === undefined || !REFRESH_TOKEN.test(refreshToken)) return Promise.reject(invalidToken());
    const digest = digestOf(refreshToken);
    const running = this.refreshing.get(digest);
    if (running !== undefined) return running;
    const promise = this.rotate(refreshToken, digest).finally(() => this.refreshing.delete(digest));
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

  private async rotate(token: string, digest: string): Promise<SessionTokens> {
    const { db, clock } = this.deps;
    const row = await db.selectFrom('refresh_tokens').selectAll().where('token_digest', '=', digest).executeTakeFirst();
    if (row === undefined || row.expires_at.getTime() <= clock.now()) throw invalidToken();
    if (row.revoked_at !== null) {
      // A dead session's token: no successor. One that had been exchanged is still a copy.
      if (row.rotated_at !== null) await this.endSessions(row.user_id, null);
      throw invalidToken();
    }
    if (row.rotated_at !== null) {
      const again = await db.transaction().execute(async (trx) => {
        await lockUser(trx, row.user_id);
        return this.reissue(trx, token, row.id);
      });
      if (again !== null) return again;
      // A retired token came back: someone holds a copy. End every session of this user.
      await this.endSessions(row.user_id, null);
      throw invalidToken();
    }
    const next = await db.transaction().execute(async (trx) => {
      await lockUser(trx, row.user_id);
      const now = clock.now();
      const retired = await trx
        .updateTable('refresh_tokens')
        .set({ rotated_at: new Date(now) })
        .where('id', '=', row.id)
        .where('rotated_at', 'is', null)
        .where('revoked_at', 'is', null)
        .returning('id')
        .executeTakeFirst();
      // The token was live when we read it and another refresh (on another instance) or a
      // session wipe retired it before our write: two concurrent refreshes with one token. The
      // other one's successor is this one's answer too, within the grace; otherwise this one is
      // refused. Either way one new session, not two, and nothing ends: it is a race, not a
      // replay (a token presented after it was rotated is handled above).
      if (retired === undefined) return this.reissue(trx, token, row.id);
      return this.startSession(trx, row.user_id, { sessionId: row.session_id, refreshToken: successorOf(this.successorKey, token), issuedAt: now });
    });
    if (next === null) throw invalidToken();
    return next;
  }

  /**
   * The tokens a retired refresh token was exchanged for, again, when presenting it now is a
   * retry (`retiredTokenOutcome`); null when it is a replay. Runs under the user's lock, so the
   * successor cannot be exchanged or revoked between this check and the answer.
   */
  private async reissue(trx: DB, token: string, id: string): Promise<SessionTokens | null> {
    const { accessTokens, config, clock } = this.deps;
    const presented = await trx.selectFrom('refresh_tokens').select(['user_id', 'rotated_at', 'revoked_at']).where('id', '=', id).executeTakeFirst();
    if (presented === undefined || presented.rotated_at === null || presented.revoked_at !== null) return null;
    const refreshToken = successorOf(this.successorKey, token);
    const successor = await trx
      .selectFrom('refresh_tokens')
      .select(['access_jti', 'rotated_at', 'revoked_at', 'expires_at'])
      .where('token_digest', '=', digestOf(refreshToken))
      .where('user_id', '=', presented.user_id)
      .executeTakeFirst();
    const outcome = retiredTokenOutcome({
      retiredAt: presented.rotated_at,
      now: clock.now(),
      graceMs: config.refreshReuseGraceSeconds * 1000,
      successor: successor === undefined ? undefined : { rotatedAt: successor.rotated_at, revokedAt: successor.revoked_at, expiresAt: successor.expires_at },
    });
    if (outcome === 'replay' || successor === undefined) return null;
    // The successor's access token was issued the moment the presented token was retired.
    const access = await accessTokens.issue(presented.user_id, { jti: successor.access_jti, issuedAt: presented.rotated_at.getTime() });
    return { accessToken: access.token, refreshToken, refreshExpiresAt: successor.expires_at };
  }

  /** A new session (`next` absent) or the next link of one; either way a row of its own. */
  private async startSession(db: DB, userId: string, next?: NextToken): Promise<SessionTokens> {
    const { accessTokens, config, clock } = this.deps;
    const issuedAt = next?.issuedAt ?? clock.now();
    const access = await accessTokens.issue(userId, { issuedAt });
    // A session's first token is drawn from the CSPRNG; each next one is derived from the last.
    const refreshToken = next?.refreshToken ?? randomBase62(REFRESH_TOKEN_LENGTH);
    const refreshExpiresAt = new Date(issuedAt + config.refreshTokenTtlSeconds * 1000);
    await db
      .insertInto('refresh_tokens')
      .values({
        user_id: userId,
        session_id: next?.sessionId ?? crypto.randomUUID(),
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

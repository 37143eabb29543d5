import { Elyzor, ElyzorError, type User } from '@elyzor/sdk';
import { createContext, useCallback, useContext, useEffect, useMemo, useState, type ReactNode } from 'react';

/**
 * The signed-in person. The refresh token stays in its HttpOnly cookie (the SDK's
 * `cookieSession`); the access token lives only in this client's memory and is refreshed
 * silently on a 401. A reload resumes the session from the cookie.
 */
export interface SessionState {
  client: Elyzor;
  user: User | null;
  /** True until the first attempt to resume a session from the cookie has answered. */
  resuming: boolean;
  /** Why the person was signed out, shown on the sign-in form (an expired session). */
  notice: string | null;
  signIn(email: string, password: string): Promise<void>;
  signUp(email: string, password: string, invitationToken?: string): Promise<void>;
  signOut(): Promise<void>;
  /** The session ended under us (a refresh refused): back to the sign-in form, with a notice. */
  expired(): void;
}

const SessionContext = createContext<SessionState | null>(null);

export function createClient(baseUrl = window.location.origin): Elyzor {
  return new Elyzor({ baseUrl, cookieSession: true, retries: 1 });
}

export function SessionProvider({ client, children }: { client: Elyzor; children: ReactNode }): ReactNode {
  const [user, setUser] = useState<User | null>(null);
  const [resuming, setResuming] = useState(true);
  const [notice, setNotice] = useState<string | null>(null);

  useEffect(() => {
    let live = true;
    client.auth
      .refresh()
      .then(() => client.auth.me())
      .then((me) => live && setUser(me))
      .catch(() => undefined)
      .finally(() => live && setResuming(false));
    return () => {
      live = false;
    };
  }, [client]);

  const signIn = useCallback(
    async (email: string, password: string) => {
      const login = await client.auth.login(email, password);
      setNotice(null);
      setUser(login.user);
    },
    [client],
  );
  const signUp = useCallback(
    async (email: string, password: string, invitationToken?: string) => {
      const body = await registerWith(client, email, password, invitationToken);
      setNotice(null);
      setUser(body);
    },
    [client],
  );
  const signOut = useCallback(async () => {
    await client.auth.logout().catch(() => undefined);
    setUser(null);
  }, [client]);
  const expired = useCallback(() => {
    setUser((current) => {
      if (current !== null) setNotice('Your session has expired. Sign in again.');
      return null;
    });
  }, []);

  const value = useMemo(() => ({ client, user, resuming, notice, signIn, signUp, signOut, expired }), [client, user, resuming, notice, signIn, signUp, signOut, expired]);
  return <SessionContext.Provider value={value}>{children}</SessionContext.Provider>;
}

async function registerWith(client: Elyzor, email: string, password: string, invitationToken: string | undefined): Promise<User> {
  const login = await client.auth.register(email, password);
  if (invitationToken !== undefined && invitationToken !== '') await client.invitations.accept(invitationToken);
  return login.user;
}

export function useSession(): SessionState {
  const session = useContext(SessionContext);
  if (session === null) throw new Error('useSession outside SessionProvider');
  return session;
}

export function useClient(): Elyzor {
  return useSession().client;
}

/** A 401 that survived the SDK's silent refresh: the session is over. */
export const isSessionEnd = (error: unknown): boolean => error instanceof ElyzorError && error.status === 401;

/** The message to show for a failed call. */
export function messageOf(error: unknown): string {
  if (error instanceof ElyzorError) return error.message;
  return error instanceof Error ? error.message : 'Something went wrong';
}

import { useState, type ReactNode } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router';
import { Button, ErrorNote, TextField } from '../components/ui';
import { messageOf, useSession } from '../session';

/** The sign-in and sign-up forms: a refusal is shown on the form, the page never reloads. */
function AuthForm({ mode }: { mode: 'sign-in' | 'sign-up' }): ReactNode {
  const session = useSession();
  const navigate = useNavigate();
  const location = useLocation();
  const from = (location.state as { from?: string } | null)?.from ?? '/';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  if (session.user !== null) return <Navigate to={from} replace />;
  const title = mode === 'sign-in' ? 'Sign in to Elyzor' : 'Create your Elyzor account';
  return (
    <main className="mx-auto mt-16 max-w-sm px-3">
      <h1 className="mb-4 text-xl font-semibold">{title}</h1>
      {session.notice !== null && mode === 'sign-in' && (
        <p role="status" className="mb-3 rounded-md bg-amber-50 px-3 py-2 text-sm text-amber-900">
          {session.notice}
        </p>
      )}
      <form
        aria-label={title}
        className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
        onSubmit={(event) => {
          event.preventDefault();
          if (mode === 'sign-up' && password.length < 8) {
            setError('The password needs at least 8 characters.');
            return;
          }
          setBusy(true);
          setError(null);
          (mode === 'sign-in' ? session.signIn(email, password) : session.signUp(email, password))
            .then(() => navigate(from, { replace: true }))
            .catch((failure: unknown) => setError(messageOf(failure)))
            .finally(() => setBusy(false));
        }}
      >
        <TextField label="Email" type="email" autoComplete="email" required value={email} onChange={(event) => setEmail(event.target.value)} />
        <TextField
          label="Password"
          type="password"
          autoComplete={mode === 'sign-in' ? 'current-password' : 'new-password'}
          hint={mode === 'sign-up' ? 'At least 8 characters' : undefined}
          required
          value={password}
          onChange={(event) => setPassword(event.target.value)}
        />
        {error !== null && <ErrorNote error={error} />}
        <Button type="submit" tone="primary" className="w-full" disabled={busy}>
          {mode === 'sign-in' ? 'Sign in' : 'Sign up'}
        </Button>
      </form>
      <p className="mt-3 text-sm">
        {mode === 'sign-in' ? (
          <>
            No account yet? <Link className="text-indigo-700 underline" to="/sign-up">Sign up</Link>
          </>
        ) : (
          <>
            Have an account? <Link className="text-indigo-700 underline" to="/sign-in">Sign in</Link>
          </>
        )}
      </p>
    </main>
  );
}

export const SignInPage = (): ReactNode => <AuthForm mode="sign-in" />;
export const SignUpPage = (): ReactNode => <AuthForm mode="sign-up" />;

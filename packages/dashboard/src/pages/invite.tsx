import { useMutation } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router';
import { Button, ErrorNote, Loading, TextField } from '../components/ui';
import { messageOf, useSession } from '../session';

/**
 * An invite link (`/dashboard/invite?token=inv_…`): a new person signs up and joins; someone
 * signed in as the invited email accepts.
 */
export function InvitePage(): ReactNode {
  const session = useSession();
  const navigate = useNavigate();
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const accept = useMutation({ mutationFn: () => session.client.invitations.accept(token), onSuccess: () => navigate('/', { replace: true }) });
  const join = useMutation({ mutationFn: () => session.signUp(email, password, token), onSuccess: () => navigate('/', { replace: true }) });
  if (session.resuming) return <Loading what="Opening your session" />;
  return (
    <main className="mx-auto mt-16 max-w-sm px-3">
      <h1 className="mb-4 text-xl font-semibold">You are invited to a workspace</h1>
      {token === '' ? (
        <ErrorNote error="This link has no invitation token. Ask for a new invite link." />
      ) : session.user !== null ? (
        <div className="space-y-2 rounded-lg border border-slate-200 bg-white p-4">
          <p className="text-sm">Signed in as {session.user.email}.</p>
          {accept.error !== null && <ErrorNote error={messageOf(accept.error)} />}
          <Button tone="primary" onClick={() => accept.mutate()} disabled={accept.isPending}>
            Accept the invitation
          </Button>
        </div>
      ) : (
        <form
          aria-label="Join the workspace"
          className="space-y-3 rounded-lg border border-slate-200 bg-white p-4"
          onSubmit={(event) => {
            event.preventDefault();
            join.mutate();
          }}
        >
          <TextField label="Email (the invited address)" type="email" autoComplete="email" value={email} onChange={(event) => setEmail(event.target.value)} required />
          <TextField label="Choose a password" type="password" autoComplete="new-password" hint="At least 8 characters" value={password} onChange={(event) => setPassword(event.target.value)} required />
          {join.error !== null && <ErrorNote error={messageOf(join.error)} />}
          <Button type="submit" tone="primary" className="w-full" disabled={join.isPending}>
            Sign up and join
          </Button>
          <p className="text-sm">
            Have an account? <Link className="text-indigo-700 underline" to="/sign-in" state={{ from: `/invite?token=${encodeURIComponent(token)}` }}>Sign in</Link>, then open this link again.
          </p>
        </form>
      )}
    </main>
  );
}

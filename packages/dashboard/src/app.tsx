import type { Elyzor } from '@elyzor/sdk';
import { MutationCache, QueryCache, QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, Suspense, useState, type ReactNode } from 'react';
import { createBrowserRouter, Navigate, RouterProvider } from 'react-router';
import { Loading } from './components/ui';
import { Layout } from './layout';
import { AuditPage } from './pages/audit';
import { CredentialsPage } from './pages/credentials';
import { InvitePage } from './pages/invite';
import { ProjectLayout } from './pages/project-layout';
import { ProjectsPage } from './pages/projects';
import { SignInPage, SignUpPage } from './pages/sign-in';
import { TeamPage } from './pages/team';
import { WebhooksPage } from './pages/webhooks';
import { isSessionEnd, SessionProvider, useSession } from './session';

// The pages with charts load the charting library when first opened, not with the app.
const AnalyticsPage = lazy(async () => ({ default: (await import('./pages/analytics')).AnalyticsPage }));
const CredentialPage = lazy(async () => ({ default: (await import('./pages/credential')).CredentialPage }));
const charts = (page: ReactNode): ReactNode => <Suspense fallback={<Loading />}>{page}</Suspense>;

/** The dashboard's routes, under /dashboard/ (the server answers index.html for each). */
export const routes = [
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/sign-up', element: <SignUpPage /> },
  { path: '/invite', element: <InvitePage /> },
  {
    path: '/',
    element: <Layout />,
    children: [
      { index: true, element: <ProjectsPage /> },
      { path: 'team', element: <TeamPage /> },
      {
        path: 'projects/:projectId',
        element: <ProjectLayout />,
        children: [
          { index: true, element: <Navigate to="keys" replace /> },
          { path: 'keys', element: <CredentialsPage kind="keys" /> },
          { path: 'keys/:credentialId', element: charts(<CredentialPage kind="keys" />) },
          { path: 'services', element: <CredentialsPage kind="services" /> },
          { path: 'services/:credentialId', element: charts(<CredentialPage kind="services" />) },
          { path: 'analytics', element: charts(<AnalyticsPage />) },
          { path: 'audit', element: <AuditPage /> },
          { path: 'webhooks', element: <WebhooksPage /> },
        ],
      },
    ],
  },
  { path: '*', element: <Navigate to="/" replace /> },
];

function Routed(): ReactNode {
  const session = useSession();
  // A 401 that the SDK's silent refresh could not cure ends the session, wherever it happens.
  const [queries] = useState(
    () =>
      new QueryClient({
        queryCache: new QueryCache({ onError: (error) => isSessionEnd(error) && session.expired() }),
        mutationCache: new MutationCache({ onError: (error) => isSessionEnd(error) && session.expired() }),
        defaultOptions: { queries: { retry: false, refetchOnWindowFocus: false, staleTime: 5_000 } },
      }),
  );
  const [router] = useState(() => createBrowserRouter(routes, { basename: '/dashboard' }));
  return (
    <QueryClientProvider client={queries}>
      <RouterProvider router={router} />
    </QueryClientProvider>
  );
}

export function App({ client }: { client: Elyzor }): ReactNode {
  return (
    <SessionProvider client={client}>
      <Routed />
    </SessionProvider>
  );
}

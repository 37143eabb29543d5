import type { ReactNode } from 'react';
import { Link, Navigate, NavLink, Outlet, useLocation } from 'react-router';
import { Loading } from './components/ui';
import { useSession } from './session';
import { useWorkspace, WorkspaceProvider } from './workspace';

function WorkspaceSwitcher(): ReactNode {
  const { workspaces, current, select } = useWorkspace();
  if (workspaces.length === 0 || current === null) return null;
  return (
    <label className="flex items-center gap-1 text-sm">
      <span className="sr-only sm:not-sr-only">Workspace</span>
      <select className="max-w-40 rounded-md border border-slate-300 bg-white px-2 py-1 text-sm" value={current.id} onChange={(event) => select(event.target.value)}>
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.name}
            {typeof w.role === 'string' ? ` (${w.role})` : ''}
          </option>
        ))}
      </select>
    </label>
  );
}

const navClass = ({ isActive }: { isActive: boolean }): string => `rounded px-2 py-1 text-sm ${isActive ? 'bg-indigo-100 font-semibold text-indigo-900' : 'text-slate-700 hover:bg-slate-100'}`;

/** Every signed-in page: the header (home, team, workspace switcher, sign out) and the page. */
export function Layout(): ReactNode {
  const { user, resuming, signOut } = useSession();
  const location = useLocation();
  if (resuming) return <Loading what="Opening your session" />;
  if (user === null) return <Navigate to="/sign-in" replace state={{ from: location.pathname + location.search }} />;
  return (
    <WorkspaceProvider>
      <a href="#main" className="sr-only focus:not-sr-only">
        Skip to content
      </a>
      <header className="border-b border-slate-200 bg-white">
        <div className="mx-auto flex max-w-6xl flex-wrap items-center gap-2 px-3 py-2">
          <Link to="/" className="mr-2 font-bold text-indigo-700">
            Elyzor
          </Link>
          <nav aria-label="Main" className="flex gap-1">
            <NavLink to="/" end className={navClass}>
              Projects
            </NavLink>
            <NavLink to="/team" className={navClass}>
              Team
            </NavLink>
          </nav>
          <div className="ml-auto flex flex-wrap items-center gap-2">
            <WorkspaceSwitcher />
            <span className="hidden text-sm text-slate-600 md:inline">{user.email}</span>
            <button type="button" className="rounded px-2 py-1 text-sm text-slate-700 hover:bg-slate-100" onClick={() => void signOut()}>
              Sign out
            </button>
          </div>
        </div>
      </header>
      <main id="main" className="mx-auto max-w-6xl px-3 py-4">
        <Outlet />
      </main>
    </WorkspaceProvider>
  );
}

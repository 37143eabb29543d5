import type { ReactNode } from 'react';
import { NavLink, Outlet, useParams } from 'react-router';
import { ErrorNote, Loading } from '../components/ui';
import { useProjects } from './projects';

const tabs = [
  ['keys', 'API keys'],
  ['services', 'Services'],
  ['analytics', 'Analytics'],
  ['audit', 'Audit log'],
  ['webhooks', 'Webhooks'],
] as const;

/** A project's pages, under its tabs. */
export function ProjectLayout(): ReactNode {
  const { projectId = '' } = useParams();
  const projects = useProjects();
  if (projects.isPending) return <Loading what="Loading the project" />;
  const project = projects.data?.find((p) => p.id === projectId);
  if (project === undefined) return <ErrorNote error="No such project, or it is not yours." />;
  return (
    <>
      <p className="text-sm text-slate-600">Project</p>
      <h1 className="mb-2 text-xl font-semibold">{project.name}</h1>
      <nav aria-label="Project" className="mb-4 flex gap-1 overflow-x-auto border-b border-slate-200 pb-1">
        {tabs.map(([path, label]) => (
          <NavLink key={path} to={path} className={({ isActive }) => `whitespace-nowrap rounded px-2 py-1 text-sm ${isActive ? 'bg-indigo-100 font-semibold text-indigo-900' : 'text-slate-700 hover:bg-slate-100'}`}>
            {label}
          </NavLink>
        ))}
      </nav>
      <Outlet />
    </>
  );
}

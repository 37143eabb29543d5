import type { Project, Role } from '@elyzor/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { Link } from 'react-router';
import { NameForm } from '../components/name-form';
import { TypedConfirm } from '../components/typed-confirm';
import { Button, Card, EmptyState, ErrorNote, Loading, PageTitle, TextField } from '../components/ui';
import { messageOf, useClient } from '../session';
import { abilities, useWorkspace } from '../workspace';

/** Every project the caller reaches (up to 100 per page; the API's limit). */
export function useProjects(): ReturnType<typeof useQuery<Project[]>> {
  const client = useClient();
  return useQuery({ queryKey: ['projects'], queryFn: async () => (await client.projects.list({ limit: 100 })).items });
}

function ProjectRow({ project, admin }: { project: Project; admin: boolean }): ReactNode {
  const client = useClient();
  const queries = useQueryClient();
  const [open, setOpen] = useState<'rename' | 'delete' | null>(null);
  const toggle = (what: 'rename' | 'delete'): void => setOpen((v) => (v === what ? null : what));
  const remove = useMutation({ mutationFn: () => client.projects.delete(project.id), onSuccess: () => queries.invalidateQueries({ queryKey: ['projects'] }) });
  const rename = useMutation({
    mutationFn: (name: string) => client.projects.update(project.id, { name }),
    onSuccess: () => {
      setOpen(null);
      return queries.invalidateQueries({ queryKey: ['projects'] });
    },
  });
  return (
    <li className="py-3">
      <div className="flex flex-wrap items-center justify-between gap-2">
        <Link to={`/projects/${project.id}/keys`} className="font-medium text-indigo-700 underline-offset-2 hover:underline">
          {project.name}
        </Link>
        <span className="text-xs text-slate-600">created {new Date(project.createdAt).toLocaleDateString()}</span>
        {admin && (
          <span className="flex gap-2">
            <Button onClick={() => toggle('rename')} aria-expanded={open === 'rename'} aria-label={`Rename ${project.name}`}>
              Rename…
            </Button>
            <Button onClick={() => toggle('delete')} aria-expanded={open === 'delete'} aria-label={`Delete ${project.name}`}>
              Delete…
            </Button>
          </span>
        )}
      </div>
      {open === 'rename' && (
        <div className="mt-2 rounded-md bg-slate-50 p-3">
          <NameForm label={`New name for ${project.name}`} initial={project.name} action="Rename project" busy={rename.isPending} error={rename.error === null ? null : messageOf(rename.error)} onSubmit={(name) => rename.mutate(name)} onCancel={() => setOpen(null)} />
        </div>
      )}
      {open === 'delete' && (
        <div className="mt-2 rounded-md bg-red-50 p-3">
          <p className="mb-2 text-sm text-red-900">Deleting a project deletes its keys, services, usage and webhooks. Nothing can be restored.</p>
          <TypedConfirm name={project.name} action="Delete project" busy={remove.isPending} onConfirm={() => remove.mutate()} />
          {remove.error !== null && <ErrorNote error={messageOf(remove.error)} />}
        </div>
      )}
    </li>
  );
}

export function ProjectsPage(): ReactNode {
  const client = useClient();
  const queries = useQueryClient();
  const { current } = useWorkspace();
  const projects = useProjects();
  const [name, setName] = useState('');
  const can = abilities(current?.role as Role | null);
  const create = useMutation({
    mutationFn: () => client.projects.create({ name: name.trim(), ...(current !== null ? { workspaceId: current.id } : {}) }),
    onSuccess: () => {
      setName('');
      return queries.invalidateQueries({ queryKey: ['projects'] });
    },
  });
  const mine = (projects.data ?? []).filter((p) => current === null || p.workspaceId === current.id);
  return (
    <>
      <PageTitle>Projects{current !== null ? ` in ${current.name}` : ''}</PageTitle>
      <div className="grid gap-4 md:grid-cols-3">
        <div className="md:col-span-2">
          <Card title="Your projects">
            {projects.isPending ? (
              <Loading what="Loading projects" />
            ) : projects.error !== null ? (
              <ErrorNote error={messageOf(projects.error)} />
            ) : mine.length === 0 ? (
              <EmptyState title="No projects yet" next={can.admin ? 'Create one to issue its first API key.' : 'Ask an admin of this workspace to create one.'} />
            ) : (
              <ul className="divide-y divide-slate-200">
                {mine.map((project) => (
                  <ProjectRow key={project.id} project={project} admin={can.admin} />
                ))}
              </ul>
            )}
          </Card>
        </div>
        {can.admin && (
          <Card title="New project">
            <form
              className="space-y-2"
              onSubmit={(event) => {
                event.preventDefault();
                if (name.trim() !== '') create.mutate();
              }}
            >
              <TextField label="Project name" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} required />
              {create.error !== null && <ErrorNote error={messageOf(create.error)} />}
              <Button type="submit" tone="primary" disabled={create.isPending || name.trim() === ''}>
                Create project
              </Button>
            </form>
          </Card>
        )}
      </div>
    </>
  );
}

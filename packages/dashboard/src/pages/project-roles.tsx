import type { Member, Project, ProjectRole } from '@elyzor/sdk';
import { useMutation, useQueries, useQueryClient } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { PROJECT_ROLES, ProjectRoleForm, type ProjectRoleChoice } from '../components/project-role-form';
import { Button, Card, EmptyState, ErrorNote, SelectField } from '../components/ui';
import { messageOf, useClient } from '../session';

/**
 * Per-project roles: a member's narrower role in one project of the workspace (the effective
 * role is the narrower of the two; a project role never widens). Shown and changed by admins.
 */
export function ProjectRoles({ projects, members }: { projects: readonly Project[]; members: readonly Member[] }): ReactNode {
  const client = useClient();
  const queries = useQueryClient();
  const roles = useQueries({ queries: projects.map((p) => ({ queryKey: ['projectRoles', p.id], queryFn: () => client.members.projectRoles(p.id) })) });
  const emailOf = (userId: string): string => members.find((m) => m.userId === userId)?.email ?? userId;
  const refresh = (projectId: string) => queries.invalidateQueries({ queryKey: ['projectRoles', projectId] });
  const set = useMutation({ mutationFn: ({ projectId, userId, role }: ProjectRoleChoice) => client.members.setProjectRole(projectId, userId, { role }), onSuccess: (_r, choice) => refresh(choice.projectId) });
  const remove = useMutation({ mutationFn: ({ projectId, userId }: { projectId: string; userId: string }) => client.members.removeProjectRole(projectId, userId), onSuccess: (_r, choice) => refresh(choice.projectId) });
  const rows = projects.flatMap((project, index) => (roles[index]?.data ?? []).map((r) => ({ ...r, project })));
  const failed = roles.find((r) => r.error !== null)?.error;
  return (
    <Card title="Project roles">
      <p className="mb-2 text-sm text-slate-600">A member can hold a narrower role in one project than in the workspace; the narrower one applies there.</p>
      {failed !== undefined && failed !== null && <ErrorNote error={messageOf(failed)} />}
      {projects.length === 0 ? (
        <EmptyState title="No projects in this workspace" next="Create a project first; then give members narrower roles in it here." />
      ) : (
        <>
          {rows.length > 0 && (
            <ul className="mb-3 divide-y divide-slate-100 text-sm" aria-label="Project roles">
              {rows.map((r) => (
                <li key={`${r.projectId}/${r.userId}`} className="flex flex-wrap items-end justify-between gap-2 py-2">
                  <span className="break-all">
                    {emailOf(r.userId)} in {r.project.name} <span className="text-slate-600">(workspace role: {r.workspaceRole})</span>
                  </span>
                  <span className="flex items-end gap-2">
                    <SelectField label={`Role of ${emailOf(r.userId)} in ${r.project.name}`} value={r.role} onChange={(event) => set.mutate({ projectId: r.projectId, userId: r.userId, role: event.target.value as ProjectRole })}>
                      {PROJECT_ROLES.map((role) => (
                        <option key={role}>{role}</option>
                      ))}
                    </SelectField>
                    <Button onClick={() => remove.mutate({ projectId: r.projectId, userId: r.userId })} aria-label={`Remove the project role of ${emailOf(r.userId)} in ${r.project.name}`}>
                      Remove
                    </Button>
                  </span>
                </li>
              ))}
            </ul>
          )}
          <ProjectRoleForm projects={projects} members={members} busy={set.isPending} error={set.error === null ? null : messageOf(set.error)} onSubmit={(choice) => set.mutate(choice)} />
          {remove.error !== null && <ErrorNote error={messageOf(remove.error)} />}
        </>
      )}
    </Card>
  );
}

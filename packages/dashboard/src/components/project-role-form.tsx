import type { Member, Project, ProjectRole } from '@elyzor/sdk';
import { useState, type ReactNode } from 'react';
import { Button, ErrorNote, SelectField } from './ui';

export const PROJECT_ROLES: ProjectRole[] = ['admin', 'developer', 'viewer'];

export interface ProjectRoleChoice {
  projectId: string;
  userId: string;
  role: ProjectRole;
}

/**
 * Gives a member a narrower role in one project. The project and the member must be chosen
 * (nothing is preselected, so that a hurried click changes no one's access).
 */
export function ProjectRoleForm({ projects, members, busy, error, onSubmit }: { projects: readonly Project[]; members: readonly Member[]; busy: boolean; error: string | null; onSubmit: (choice: ProjectRoleChoice) => void }): ReactNode {
  const [projectId, setProjectId] = useState('');
  const [userId, setUserId] = useState('');
  const [role, setRole] = useState<ProjectRole>('viewer');
  const [problem, setProblem] = useState<string | null>(null);
  return (
    <form
      aria-label="Set a project role"
      className="flex flex-wrap items-end gap-2"
      onSubmit={(event) => {
        event.preventDefault();
        const found = projectId === '' ? 'Choose a project.' : userId === '' ? 'Choose a member.' : null;
        setProblem(found);
        if (found === null) onSubmit({ projectId, userId, role });
      }}
    >
      <SelectField label="Project" value={projectId} onChange={(event) => setProjectId(event.target.value)}>
        <option value="">Choose…</option>
        {projects.map((p) => (
          <option key={p.id} value={p.id}>
            {p.name}
          </option>
        ))}
      </SelectField>
      <SelectField label="Member" value={userId} onChange={(event) => setUserId(event.target.value)}>
        <option value="">Choose…</option>
        {members.map((m) => (
          <option key={m.userId} value={m.userId}>
            {m.email} ({m.role})
          </option>
        ))}
      </SelectField>
      <SelectField label="Project role" value={role} onChange={(event) => setRole(event.target.value as ProjectRole)}>
        {PROJECT_ROLES.map((r) => (
          <option key={r}>{r}</option>
        ))}
      </SelectField>
      <Button type="submit" tone="primary" disabled={busy}>
        Set project role
      </Button>
      {(problem ?? error) !== null && (
        <div className="basis-full">
          <ErrorNote error={problem ?? error ?? ''} />
        </div>
      )}
    </form>
  );
}

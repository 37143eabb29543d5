import type { Member, Project } from '@elyzor/sdk';
import { cleanup, render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, describe, expect, it } from 'vitest';
import { ProjectRoleForm, type ProjectRoleChoice } from '../src/components/project-role-form';

afterEach(cleanup);

const PROJECTS: Project[] = [
  { id: 'p1', name: 'Billing', workspaceId: 'w', createdAt: '2026-01-01T00:00:00.000Z' },
  { id: 'p2', name: 'Search', workspaceId: 'w', createdAt: '2026-01-01T00:00:00.000Z' },
];
const MEMBERS: Member[] = [
  { userId: 'u1', email: 'dev@example.com', role: 'developer', createdAt: '2026-01-01T00:00:00.000Z' },
  { userId: 'u2', email: 'ops@example.com', role: 'admin', createdAt: '2026-01-01T00:00:00.000Z' },
];

function renderForm(): { submitted: ProjectRoleChoice[] } {
  const submitted: ProjectRoleChoice[] = [];
  render(<ProjectRoleForm projects={PROJECTS} members={MEMBERS} busy={false} error={null} onSubmit={(choice) => submitted.push(choice)} />);
  return { submitted };
}

describe('the project role form', () => {
  it('sends the chosen project, member and role', async () => {
    const user = userEvent.setup({ delay: null });
    const { submitted } = renderForm();
    await user.selectOptions(screen.getByLabelText('Project'), 'Search');
    await user.selectOptions(screen.getByLabelText('Member'), 'ops@example.com (admin)');
    await user.selectOptions(screen.getByLabelText('Project role'), 'developer');
    await user.click(screen.getByRole('button', { name: 'Set project role' }));
    expect(submitted).toEqual([{ projectId: 'p2', userId: 'u2', role: 'developer' }]);
  });

  it('preselects no project and no member: it asks for each first', async () => {
    const user = userEvent.setup({ delay: null });
    const { submitted } = renderForm();
    await user.click(screen.getByRole('button', { name: 'Set project role' }));
    expect(screen.getByRole('alert').textContent).toBe('Choose a project.');
    await user.selectOptions(screen.getByLabelText('Project'), 'Billing');
    await user.click(screen.getByRole('button', { name: 'Set project role' }));
    expect(screen.getByRole('alert').textContent).toBe('Choose a member.');
    expect(submitted).toEqual([]);
  });
});

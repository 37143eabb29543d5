import { PROJECT_ACTIONS, ROOT_KEY_WORKSPACE_ACTIONS, UNKEY_API_ACTIONS, UNKEY_IDENTITY_ACTIONS, UNKEY_RATELIMIT_ACTIONS, UNKEY_RBAC_ACTIONS } from '@elyzor/contract/names';
import type { IssuedRootKey, Role } from '@elyzor/sdk';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type ReactNode } from 'react';
import { SecretOnce } from '../components/secret-once';
import { Button, Card, CheckboxGroup, EmptyState, ErrorNote, Loading, PageTitle, SelectField, TextField } from '../components/ui';
import { messageOf, useClient } from '../session';
import { abilities, useWorkspace } from '../workspace';
import { allItems } from '../all-items';
import { ProjectRoles } from './project-roles';
import { useProjects } from './projects';

const ROLES: Role[] = ['owner', 'admin', 'developer', 'viewer'];
/** Root-key permissions offered: every project action on all projects, and the workspace actions. */
const PERMISSIONS = [...PROJECT_ACTIONS.map((a) => `project.*.${a}`), ...ROOT_KEY_WORKSPACE_ACTIONS.map((a) => `workspace.${a}`)];
/** The permissions of the Unkey-compatible API (/v2), on every API, identity, namespace and role. */
const UNKEY_PERMISSIONS = [
  ...UNKEY_API_ACTIONS.map((a) => `api.*.${a}`),
  ...UNKEY_IDENTITY_ACTIONS.map((a) => `identity.*.${a}`),
  ...UNKEY_RATELIMIT_ACTIONS.map((a) => `ratelimit.*.${a}`),
  ...UNKEY_RBAC_ACTIONS.map((a) => `rbac.*.${a}`),
];

function Members({ workspaceId, admin }: { workspaceId: string; admin: boolean }): ReactNode {
  const client = useClient();
  const queries = useQueryClient();
  const members = useQuery({ queryKey: ['members', workspaceId], queryFn: () => allItems(client.members.iterate(workspaceId)) });
  const change = useMutation({
    mutationFn: async ({ userId, role }: { userId: string; role: Role | null }): Promise<void> => {
      if (role === null) await client.members.remove(workspaceId, userId);
      else await client.members.update(workspaceId, userId, { role });
    },
    onSuccess: () => queries.invalidateQueries({ queryKey: ['members', workspaceId] }),
  });
  return (
    <Card title="Members">
      {members.isPending ? (
        <Loading what="Loading members" />
      ) : members.error !== null ? (
        <ErrorNote error={messageOf(members.error)} />
      ) : (
        <ul className="divide-y divide-slate-100">
          {members.data.map((m) => (
            <li key={m.userId} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
              <span className="break-all">{m.email}</span>
              {admin ? (
                <span className="flex items-end gap-2">
                  <SelectField label={`Role of ${m.email}`} value={m.role} onChange={(event) => change.mutate({ userId: m.userId, role: event.target.value as Role })}>
                    {ROLES.map((r) => (
                      <option key={r}>{r}</option>
                    ))}
                  </SelectField>
                  <Button onClick={() => change.mutate({ userId: m.userId, role: null })}>Remove</Button>
                </span>
              ) : (
                <span className="text-slate-600">{m.role}</span>
              )}
            </li>
          ))}
        </ul>
      )}
      {change.error !== null && <ErrorNote error={messageOf(change.error)} />}
    </Card>
  );
}

/** The per-project roles of the workspace's projects, with its members to choose from. */
function ProjectRolesOf({ workspaceId }: { workspaceId: string }): ReactNode {
  const client = useClient();
  const projects = useProjects();
  const members = useQuery({ queryKey: ['members', workspaceId], queryFn: () => allItems(client.members.iterate(workspaceId)) });
  if (projects.data === undefined || members.data === undefined) return null;
  return <ProjectRoles projects={projects.data.filter((p) => p.workspaceId === workspaceId)} members={members.data} />;
}

function Invitations({ workspaceId }: { workspaceId: string }): ReactNode {
  const client = useClient();
  const queries = useQueryClient();
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<Role>('developer');
  const [link, setLink] = useState<string | null>(null);
  const invitations = useQuery({ queryKey: ['invitations', workspaceId], queryFn: () => allItems(client.invitations.iterate(workspaceId)) });
  const invite = useMutation({
    mutationFn: () => client.invitations.create(workspaceId, { email: email.trim(), role }),
    onSuccess: (issued) => {
      setEmail('');
      setLink(`${window.location.origin}/dashboard/invite?token=${encodeURIComponent(issued.token)}`);
      return queries.invalidateQueries({ queryKey: ['invitations', workspaceId] });
    },
  });
  const revoke = useMutation({ mutationFn: (id: string) => client.invitations.revoke(workspaceId, id), onSuccess: () => queries.invalidateQueries({ queryKey: ['invitations', workspaceId] }) });
  return (
    <Card title="Invitations">
      {link !== null && <SecretOnce label="Invite link" value={link} onDone={() => setLink(null)} />}
      <form
        className="mt-2 flex flex-wrap items-end gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          if (email.includes('@')) invite.mutate();
        }}
      >
        <TextField label="Email to invite" type="email" value={email} onChange={(event) => setEmail(event.target.value)} required />
        <SelectField label="Role" value={role} onChange={(event) => setRole(event.target.value as Role)}>
          {ROLES.map((r) => (
            <option key={r}>{r}</option>
          ))}
        </SelectField>
        <Button type="submit" tone="primary" disabled={invite.isPending}>
          Invite
        </Button>
      </form>
      {invite.error !== null && <ErrorNote error={messageOf(invite.error)} />}
      {invitations.data !== undefined && invitations.data.length > 0 && (
        <ul className="mt-3 divide-y divide-slate-100 text-sm">
          {invitations.data.map((i) => (
            <li key={i.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
              <span className="break-all">
                {i.email} · {i.role} · {String(i.status ?? 'pending')}
              </span>
              {(i.status ?? 'pending') === 'pending' && <Button onClick={() => revoke.mutate(i.id)}>Revoke</Button>}
            </li>
          ))}
        </ul>
      )}
    </Card>
  );
}

function RootKeys({ workspaceId }: { workspaceId: string }): ReactNode {
  const client = useClient();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [chosen, setChosen] = useState<string[]>([]);
  const [issued, setIssued] = useState<{ label: string; key: IssuedRootKey } | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const keys = useQuery({ queryKey: ['rootKeys', workspaceId], queryFn: () => allItems(client.rootKeys.iterate(workspaceId)) });
  const create = useMutation({
    mutationFn: () => client.rootKeys.create(workspaceId, { name: name.trim(), permissions: chosen }),
    onSuccess: (result) => {
      setIssued({ label: 'Your new root key', key: result });
      setName('');
      setChosen([]);
      return queries.invalidateQueries({ queryKey: ['rootKeys', workspaceId] });
    },
  });
  const revoke = useMutation({ mutationFn: (id: string) => client.rootKeys.revoke(workspaceId, id), onSuccess: () => queries.invalidateQueries({ queryKey: ['rootKeys', workspaceId] }) });
  // A new secret for the same key (id, name, permissions): the old string is refused from the next request.
  const rotate = useMutation({
    mutationFn: (id: string) => client.rootKeys.rotate(workspaceId, id),
    onSuccess: (result) => {
      setIssued({ label: `The new secret of ${result.name}`, key: result });
      return queries.invalidateQueries({ queryKey: ['rootKeys', workspaceId] });
    },
  });
  return (
    <Card title="Root keys">
      {issued !== null && <SecretOnce label={issued.label} value={issued.key.key} onDone={() => setIssued(null)} />}
      {rotate.error !== null && <ErrorNote error={messageOf(rotate.error)} />}
      {revoke.error !== null && <ErrorNote error={messageOf(revoke.error)} />}
      <form
        className="mt-2 space-y-2"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim() === '') return setProblem('Give the root key a name.');
          if (chosen.length === 0) return setProblem('Choose at least one permission.');
          setProblem(null);
          create.mutate();
        }}
      >
        <TextField label="Root key name" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} />
        <CheckboxGroup legend="Permissions" options={PERMISSIONS} chosen={chosen} onChange={setChosen} />
        <CheckboxGroup legend="Unkey-compatible API (/v2) permissions" options={UNKEY_PERMISSIONS} chosen={chosen} onChange={setChosen} />
        {problem !== null && <ErrorNote error={problem} />}
        {create.error !== null && <ErrorNote error={messageOf(create.error)} />}
        <Button type="submit" tone="primary" disabled={create.isPending}>
          Create root key
        </Button>
      </form>
      {keys.data !== undefined &&
        (keys.data.length === 0 ? (
          <div className="mt-3">
            <EmptyState title="No root keys" next="A root key lets a machine call the API with the permissions you give it." />
          </div>
        ) : (
          <ul className="mt-3 divide-y divide-slate-100 text-sm">
            {keys.data.map((k) => (
              <li key={k.id} className="flex flex-wrap items-center justify-between gap-2 py-2">
                <span>
                  {k.name} <code className="text-xs">{k.prefix}</code> · {k.permissions.length} permissions · {String(k.status ?? 'active')}
                </span>
                {(k.status ?? 'active') === 'active' && (
                  <span className="flex gap-2">
                    <Button onClick={() => rotate.mutate(k.id)} disabled={rotate.isPending}>
                      Rotate
                    </Button>
                    <Button onClick={() => revoke.mutate(k.id)}>Revoke</Button>
                  </span>
                )}
              </li>
            ))}
          </ul>
        ))}
    </Card>
  );
}

function RenameWorkspace({ workspaceId, name: current }: { workspaceId: string; name: string }): ReactNode {
  const client = useClient();
  const queries = useQueryClient();
  const [name, setName] = useState(current);
  const rename = useMutation({ mutationFn: () => client.workspaces.update(workspaceId, { name: name.trim() }), onSuccess: () => queries.invalidateQueries({ queryKey: ['workspaces'] }) });
  return (
    <Card title="Workspace">
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim() !== '') rename.mutate();
        }}
      >
        <TextField label="Workspace name" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} />
        <Button type="submit" disabled={rename.isPending || name.trim() === '' || name.trim() === current}>
          Rename
        </Button>
      </form>
      {rename.error !== null && <ErrorNote error={messageOf(rename.error)} />}
    </Card>
  );
}

function NewWorkspace(): ReactNode {
  const client = useClient();
  const queries = useQueryClient();
  const { select } = useWorkspace();
  const [name, setName] = useState('');
  const create = useMutation({
    mutationFn: () => client.workspaces.create({ name: name.trim() }),
    onSuccess: (workspace) => {
      setName('');
      select(workspace.id);
      return queries.invalidateQueries({ queryKey: ['workspaces'] });
    },
  });
  return (
    <Card title="New team workspace">
      <form
        className="flex flex-wrap items-end gap-2"
        onSubmit={(event) => {
          event.preventDefault();
          if (name.trim() !== '') create.mutate();
        }}
      >
        <TextField label="New workspace name" value={name} maxLength={100} onChange={(event) => setName(event.target.value)} />
        <Button type="submit" tone="primary" disabled={create.isPending}>
          Create workspace
        </Button>
      </form>
      {create.error !== null && <ErrorNote error={messageOf(create.error)} />}
    </Card>
  );
}

/** The current workspace's people and machines: members and roles, invitations, root keys. */
export function TeamPage(): ReactNode {
  const { current } = useWorkspace();
  if (current === null) return <Loading what="Loading workspaces" />;
  const can = abilities(current.role as Role | null);
  return (
    <>
      <PageTitle>Team · {current.name}</PageTitle>
      <div className="grid gap-4 md:grid-cols-2">
        {current.personal === true ? (
          <Card title="Members">
            <EmptyState title="This is your personal workspace" next="Create a team workspace below to invite people and give them roles." />
          </Card>
        ) : (
          <Members workspaceId={current.id} admin={can.admin} />
        )}
        {can.admin && current.personal !== true && <ProjectRolesOf workspaceId={current.id} />}
        {can.admin && current.personal !== true && <Invitations workspaceId={current.id} />}
        {can.admin && <RootKeys workspaceId={current.id} />}
        {can.admin && current.personal !== true && <RenameWorkspace key={current.id} workspaceId={current.id} name={current.name} />}
        <NewWorkspace />
      </div>
    </>
  );
}

/**
 * Teams: workspaces hold projects and members. Every user gets a personal workspace that holds
 * the projects they owned, as its owner, so nothing changes for anyone: the same projects, the
 * same reach. Members have a role per workspace and optionally a narrower one per project;
 * invitations are stored as digests only. Audit entries of a workspace (membership, invitations,
 * root keys) carry its id and may name no project.
 */
export const up = `
create table workspaces (
  id uuid primary key default gen_random_uuid(),
  name text not null,
  -- The user whose personal workspace this is; null for a team's. One per user.
  personal_of uuid unique references users(id) on delete cascade,
  created_at timestamptz not null default now()
);

create table workspace_members (
  workspace_id uuid not null references workspaces(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  role text not null check (role in ('owner', 'admin', 'developer', 'viewer')),
  created_at timestamptz not null default now(),
  primary key (workspace_id, user_id)
);
create index workspace_members_user_idx on workspace_members (user_id);

create table project_members (
  project_id uuid not null references projects(id) on delete cascade,
  user_id uuid not null references users(id) on delete cascade,
  role text not null check (role in ('admin', 'developer', 'viewer')),
  created_at timestamptz not null default now(),
  primary key (project_id, user_id)
);

create table invitations (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  email text not null,
  role text not null check (role in ('owner', 'admin', 'developer', 'viewer')),
  token_digest text not null unique,
  invited_by uuid,
  expires_at timestamptz not null,
  accepted_at timestamptz,
  accepted_by uuid,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index invitations_workspace_idx on invitations (workspace_id, created_at desc, id desc);
create index invitations_email_idx on invitations (email);

insert into workspaces (name, personal_of) select 'Personal', id from users;
insert into workspace_members (workspace_id, user_id, role, created_at)
  select w.id, u.id, 'owner', u.created_at from workspaces w join users u on u.id = w.personal_of;

alter table projects add column workspace_id uuid references workspaces(id) on delete cascade;
update projects p set workspace_id = w.id from workspaces w where w.personal_of = p.owner_id;
alter table projects alter column workspace_id set not null;
create index projects_workspace_idx on projects (workspace_id, created_at desc, id desc);

alter table audit_events alter column project_id drop not null;
alter table audit_events add column workspace_id uuid;
create index audit_events_workspace_idx on audit_events (workspace_id, created_at desc, id desc) where workspace_id is not null;
`;

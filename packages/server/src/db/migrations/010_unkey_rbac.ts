/**
 * Unkey's RBAC (`/v2` permissions.*): a workspace's permissions (`slug` is what keys and queries
 * name) and roles (named sets of permissions), and the roles each key holds. A key's direct
 * permissions stay its `scopes`; its roles' permissions are added to them when the verification
 * path reads the key, so `/v1/verify`'s `scopes` and `/v2` permission queries see the same grants.
 * Ids are Unkey's style (`perm_…`, `role_…`); deleting a role or a permission takes its links.
 */
export const up = `
create table rbac_permissions (
  id text primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  name text not null,
  slug text not null,
  description text,
  created_at timestamptz not null default now()
);
create unique index rbac_permissions_slug_idx on rbac_permissions (workspace_id, slug);
create unique index rbac_permissions_name_idx on rbac_permissions (workspace_id, name);

create table rbac_roles (
  id text primary key,
  workspace_id uuid not null references workspaces(id) on delete cascade,
  name text not null,
  description text,
  created_at timestamptz not null default now()
);
create unique index rbac_roles_name_idx on rbac_roles (workspace_id, name);

create table rbac_role_permissions (
  role_id text not null references rbac_roles(id) on delete cascade,
  permission_id text not null references rbac_permissions(id) on delete cascade,
  primary key (role_id, permission_id)
);
create index rbac_role_permissions_permission_idx on rbac_role_permissions (permission_id);

-- The verification path reads a key's roles by its id (the primary key's first column).
create table rbac_key_roles (
  credential_id uuid not null references credentials(id) on delete cascade,
  role_id text not null references rbac_roles(id) on delete cascade,
  primary key (credential_id, role_id)
);
create index rbac_key_roles_role_idx on rbac_key_roles (role_id);
`;

/**
 * Root keys: credentials of machines for the management API, `rk_live_<publicId>.<secret>`,
 * stored as credentials are (a digest of the whole string, looked up by public id). Each holds
 * the permissions it was created with; revocation and expiry are read on every request. Audit
 * entries record the kind of actor, so that a root key's changes read as its own.
 */
export const up = `
create table root_keys (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  name text not null,
  public_id text not null unique,
  digest text not null,
  permissions jsonb not null default '[]',
  expires_at timestamptz,
  revoked_at timestamptz,
  created_by uuid,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index root_keys_workspace_idx on root_keys (workspace_id, created_at desc, id desc);

-- Who acted: a person or a root key (both have UUIDs), so the log tells them apart.
alter table audit_events add column actor_type text;
`;

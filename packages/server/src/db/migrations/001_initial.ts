/** V1 schema: users and sessions, projects, credentials (API keys and services), usage. */
export const up = `
create table users (
  id uuid primary key default gen_random_uuid(),
  email text not null unique,
  password_hash text not null,
  created_at timestamptz not null default now()
);

create table refresh_tokens (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references users(id) on delete cascade,
  session_id uuid not null,
  token_digest text not null unique,
  -- The access token issued with this refresh token: logout and session wipes deny it by jti.
  access_jti text not null,
  expires_at timestamptz not null,
  rotated_at timestamptz,
  revoked_at timestamptz,
  created_at timestamptz not null default now()
);
create index refresh_tokens_user_idx on refresh_tokens (user_id);
create index refresh_tokens_session_idx on refresh_tokens (session_id);

create table revoked_access_tokens (
  jti text primary key,
  expires_at timestamptz not null
);
create index revoked_access_tokens_expiry_idx on revoked_access_tokens (expires_at);

create table projects (
  id uuid primary key default gen_random_uuid(),
  owner_id uuid not null references users(id) on delete cascade,
  name text not null,
  created_at timestamptz not null default now()
);
create index projects_owner_idx on projects (owner_id, created_at);

create table credentials (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects(id) on delete cascade,
  kind text not null check (kind in ('key', 'service')),
  environment text not null default 'live' check (environment in ('live', 'test')),
  public_id text not null unique,
  digest text not null,
  label text,
  name text,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_used_at timestamptz,
  revoked_at timestamptz,
  revoke_reason text,
  replaced_by uuid,
  enabled boolean not null default true,
  expires_at timestamptz,
  scopes jsonb not null default '[]',
  resource_scopes jsonb not null default '{}',
  ip_allowlist jsonb not null default '[]',
  ip_denylist jsonb not null default '[]',
  rate_limit jsonb,
  quota jsonb,
  metadata jsonb,
  tags jsonb not null default '[]',
  owner_id text
);
create index credentials_project_idx on credentials (project_id, kind, created_at desc);
-- A service name is unique among the project's live services (a revoked or rotated-out one frees it).
create unique index credentials_service_name_idx on credentials (project_id, name)
  where kind = 'service' and revoked_at is null;

-- The busiest table: one row per verification. No foreign keys and no key column, because
-- their per-row checks doubled the cost of each insert; rows are inserted only for credentials
-- that exist (see store/usage.ts) and deleted with their project (services/projects.ts).
create table usage_events (
  project_id uuid not null,
  credential_id uuid not null,
  outcome text not null,
  latency_ms real not null,
  created_at timestamptz not null
);
create index usage_events_project_idx on usage_events (project_id, created_at);
create index usage_events_credential_idx on usage_events (credential_id, created_at);
`;

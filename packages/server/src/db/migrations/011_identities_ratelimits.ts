/**
 * Unkey's identities and its standalone rate limiter.
 *
 * An identity is a workspace's end user (`external_id`) with metadata and rate limits that all
 * its keys share. A key belongs to the identity whose `external_id` is its `owner_id` (the one
 * fact, kept where `/v1` already reads it): the keys that had an owner before this migration get
 * their identities here, so nothing of their meaning is lost.
 *
 * Rate-limit namespaces hold overrides: an identifier or a `*` pattern with its own limit. The
 * counters themselves are the limiter's (in process, or Redis), never rows.
 */
export const up = `
create table identities (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  external_id text not null,
  meta jsonb,
  -- [{id, name, limit, duration (ms), autoApply}], replaced whole on update.
  ratelimits jsonb not null default '[]'::jsonb,
  created_at timestamptz not null default now(),
  updated_at timestamptz,
  unique (workspace_id, external_id)
);
create index identities_list_idx on identities (workspace_id, created_at desc, id desc);

insert into identities (workspace_id, external_id, created_at)
select p.workspace_id, c.owner_id, min(c.created_at)
from credentials c join projects p on p.id = c.project_id
where c.kind = 'key' and c.owner_id is not null
group by p.workspace_id, c.owner_id
on conflict do nothing;

create table ratelimit_namespaces (
  id uuid primary key default gen_random_uuid(),
  workspace_id uuid not null references workspaces(id) on delete cascade,
  name text not null,
  created_at timestamptz not null default now(),
  unique (workspace_id, name)
);

create table ratelimit_overrides (
  id uuid primary key default gen_random_uuid(),
  namespace_id uuid not null references ratelimit_namespaces(id) on delete cascade,
  identifier text not null,
  -- The identifier as a LIKE pattern (\\ escapes, * as %): the store narrows the candidates, the engine picks one.
  pattern text not null,
  "limit" integer not null,
  duration_ms bigint not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz,
  unique (namespace_id, identifier)
);
create index ratelimit_overrides_list_idx on ratelimit_overrides (namespace_id, created_at desc, id desc);
`;

/**
 * Policy and audit: prepaid credits on credentials, and the audit log. Audit rows have no
 * foreign key: the record of a deletion outlives what was deleted.
 */
export const up = `
alter table credentials add column credits jsonb;
-- Rate limit, quota and credit counters belong to a credential's lineage: a rotated credential
-- keeps counting where its predecessor was (a rotation is not a way to reset a quota).
alter table credentials add column limit_key uuid;

create table audit_events (
  id bigint generated always as identity primary key,
  project_id uuid not null,
  actor_id uuid,
  action text not null,
  target_type text not null,
  target_id uuid,
  request_id text,
  ip text,
  changes jsonb,
  outcome text,
  count integer not null default 1,
  created_at timestamptz not null default now()
);
create index audit_events_project_idx on audit_events (project_id, created_at desc, id desc);
create index audit_events_target_idx on audit_events (target_id, created_at desc);
-- Failed verifications: one row per credential, outcome and minute, counted up.
create unique index audit_events_failures_idx on audit_events (target_id, outcome, created_at)
  where action = 'verification.failed';
`;

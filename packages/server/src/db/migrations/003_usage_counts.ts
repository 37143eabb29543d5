/**
 * Usage counted instead of logged: one row per credential, outcome and minute instead of one per
 * verification. Inserting a row per verification was the largest CPU cost of the service under
 * load, and stats slowed down as that table grew.
 */
export const up = `
-- Still no foreign keys: their per-row checks would cost every write; rows are written only for
-- credentials that exist (see store/usage.ts) and deleted with their project (services/projects.ts).
-- The primary key is what a write adds to; the index serves the stats of a project.
create table usage_counts (
  project_id uuid not null,
  credential_id uuid not null,
  outcome text not null,
  minute timestamptz not null,
  count integer not null,
  latency_sum double precision not null,
  primary key (credential_id, minute, outcome)
);
create index usage_counts_project_idx on usage_counts (project_id, minute);

-- Every recorded verification is kept, counted in its minute (UTC, as the usage buffer counts).
-- A credential never changes project: any of its rows' project_id is the project.
insert into usage_counts (project_id, credential_id, outcome, minute, count, latency_sum)
select (array_agg(project_id))[1], credential_id, outcome,
       date_trunc('minute', created_at at time zone 'UTC') at time zone 'UTC',
       count(*), sum(latency_ms::double precision)
from usage_events
group by credential_id, date_trunc('minute', created_at at time zone 'UTC'), outcome;

drop table usage_events;
`;

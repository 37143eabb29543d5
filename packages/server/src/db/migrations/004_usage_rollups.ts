/**
 * Hourly and daily roll-ups of the per-minute usage counts. A 30-day stats read summed every
 * minute row of the range (half a million rows for a few hundred busy keys) and held a
 * connection for seconds; it now reads whole days and hours from these tables and only the
 * partial hour at the start of the range from the minutes. Counts are bigint: a roll-up of a
 * busy key passes 2^31 (an int sum of a key's all-time usage failed at that point).
 *
 * Written in the same transaction as the minute counts (store/usage.ts), so they never
 * disagree, and deleted with their project like them (services/projects.ts).
 */
export const up = `
create table usage_hourly (
  project_id uuid not null,
  credential_id uuid not null,
  outcome text not null,
  hour timestamptz not null,
  count bigint not null,
  latency_sum double precision not null,
  primary key (credential_id, hour, outcome)
);
create index usage_hourly_project_idx on usage_hourly (project_id, hour);

create table usage_daily (
  project_id uuid not null,
  credential_id uuid not null,
  outcome text not null,
  day timestamptz not null,
  count bigint not null,
  latency_sum double precision not null,
  primary key (credential_id, day, outcome)
);
create index usage_daily_project_idx on usage_daily (project_id, day);

-- Hours and days are UTC, as the minutes are.
insert into usage_hourly (project_id, credential_id, outcome, hour, count, latency_sum)
select (array_agg(project_id))[1], credential_id, outcome,
       date_trunc('hour', minute at time zone 'UTC') at time zone 'UTC', sum(count), sum(latency_sum)
from usage_counts
group by credential_id, date_trunc('hour', minute at time zone 'UTC'), outcome;

insert into usage_daily (project_id, credential_id, outcome, day, count, latency_sum)
select (array_agg(project_id))[1], credential_id, outcome,
       date_trunc('day', hour at time zone 'UTC') at time zone 'UTC', sum(count), sum(latency_sum)
from usage_hourly
group by credential_id, date_trunc('day', hour at time zone 'UTC'), outcome;
`;

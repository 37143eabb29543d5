/**
 * One row per usage threshold announced: a credential's quota (80, 100 % used) or credits (20,
 * 0 % left) in one period. `period_end` is the limiter's reset time of the period and
 * `period_limit` its amount, so a new period, a refill or a top-up arms the thresholds again.
 * Whichever flush inserts the row first (on any instance) sends the `usage.quota_threshold`
 * event; every other finds it and sends nothing.
 */
export const up = `
create table usage_threshold_notices (
  credential_id uuid not null references credentials(id) on delete cascade,
  meter text not null check (meter in ('quota', 'credits')),
  threshold integer not null,
  period_end timestamptz not null,
  period_limit bigint not null,
  created_at timestamptz not null,
  primary key (credential_id, meter, threshold, period_end, period_limit)
);
`;

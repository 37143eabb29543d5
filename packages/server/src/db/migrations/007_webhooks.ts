/**
 * Webhooks: subscriptions, the outbox of events, one delivery per (event, webhook) and every
 * attempt of it, the notices the expiry monitor has sent, and the failure bursts announced.
 *
 * Events are written in the transaction of the change that caused them (`CredentialTx.emit`),
 * with one `webhook_deliveries` row for each webhook subscribed at that moment, so an event is
 * never lost between the change and its delivery. Everything is deleted with its project.
 */
export const up = `
create table webhooks (
  id uuid primary key default gen_random_uuid(),
  project_id uuid not null references projects(id) on delete cascade,
  url text not null,
  events jsonb not null,
  description text,
  enabled boolean not null default true,
  -- The signing secret, encrypted (AES-256-GCM, see webhooks/secret-box.ts): it must be usable
  -- to sign, so it cannot be a one-way digest.
  secret_sealed text not null,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index webhooks_project_idx on webhooks (project_id, created_at desc);

create table webhook_events (
  id uuid primary key default gen_random_uuid(),
  -- The order events were written in (several in one transaction share a timestamp).
  seq bigint generated always as identity,
  project_id uuid not null references projects(id) on delete cascade,
  type text not null,
  data jsonb not null,
  created_at timestamptz not null
);
create index webhook_events_project_idx on webhook_events (project_id, created_at);

create table webhook_deliveries (
  id uuid primary key default gen_random_uuid(),
  webhook_id uuid not null references webhooks(id) on delete cascade,
  event_id uuid not null references webhook_events(id) on delete cascade,
  status text not null default 'pending' check (status in ('pending', 'delivered', 'failed')),
  attempts integer not null default 0,
  next_attempt_at timestamptz not null,
  -- Set by the instance that claimed the delivery; past it, another may claim it (a crash
  -- mid-delivery costs a retry, never the event).
  locked_until timestamptz,
  created_at timestamptz not null,
  updated_at timestamptz not null
);
create index webhook_deliveries_due_idx on webhook_deliveries (next_attempt_at) where status = 'pending';
create index webhook_deliveries_webhook_idx on webhook_deliveries (webhook_id, created_at desc);

create table webhook_attempts (
  id bigint generated always as identity primary key,
  delivery_id uuid not null references webhook_deliveries(id) on delete cascade,
  attempted_at timestamptz not null,
  status_code integer,
  -- Why no status: refused by the egress check, timed out, connection failed.
  error text,
  latency_ms double precision not null,
  response_snippet text
);
create index webhook_attempts_delivery_idx on webhook_attempts (delivery_id, id);

-- One row per notice sent (30, 7, 1 days before expiry; expired): each is sent once.
create table credential_expiry_notices (
  credential_id uuid not null references credentials(id) on delete cascade,
  notice text not null,
  sent_at timestamptz not null,
  primary key (credential_id, notice)
);

-- One row per (project, minute) whose refused verifications reached the burst threshold: the
-- verification.failure_burst event of that minute is sent once, whichever flush sees it first.
create table verification_burst_notices (
  project_id uuid not null references projects(id) on delete cascade,
  minute timestamptz not null,
  primary key (project_id, minute)
);
`;

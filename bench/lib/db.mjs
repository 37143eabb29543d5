/**
 * The benchmark's own PostgreSQL access: a clean database per run, bulk-loaded credentials for
 * the cache-miss scenario, and the statistics counters used to count the server's lookups.
 */
import pg from 'pg';

/** The same server, maintenance database: where the bench database is dropped and created. */
function adminUrl(databaseUrl) {
  const url = new URL(databaseUrl);
  url.pathname = '/postgres';
  return url.toString();
}

function databaseName(databaseUrl) {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.slice(1));
  if (!/^[A-Za-z0-9_]+$/.test(name)) throw new Error(`Unexpected database name "${name}" in the benchmark database URL`);
  return name;
}

/** Drops and recreates the benchmark database (which no one else uses): every run starts empty. */
export async function resetDatabase(databaseUrl) {
  const name = databaseName(databaseUrl);
  const admin = new pg.Client({ connectionString: adminUrl(databaseUrl) });
  await admin.connect();
  try {
    // WITH (FORCE) ends sessions a previous, interrupted run may have left behind.
    await admin.query(`drop database if exists ${name} with (force)`);
    await admin.query(`create database ${name}`);
  } finally {
    await admin.end();
  }
}

/**
 * Runs `fn` with a connection of its own, closed afterwards. Short sessions on purpose: a session
 * publishes its statistics when it ends, so the benchmark's own queries never show up late in
 * the counters of `credentialReads`.
 */
export async function withClient(databaseUrl, fn) {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  try {
    return await fn(client);
  } finally {
    await client.end();
  }
}

/**
 * Inserts credentials straight into the table, `batchSize` rows per statement: issuing 100,000
 * keys through the API would take longer than the rest of the run. Rows get the same defaults
 * as keys issued by the API (no policy of their own, so the server's default limit applies).
 */
export async function insertKeys(client, projectId, credentials, batchSize = 10_000) {
  for (let at = 0; at < credentials.length; at += batchSize) {
    const batch = credentials.slice(at, at + batchSize);
    await client.query(
      `insert into credentials (project_id, kind, environment, public_id, digest)
       select $1, 'key', 'live', public_id, digest from unnest($2::text[], $3::text[]) as rows(public_id, digest)`,
      [projectId, batch.map((c) => c.publicId), batch.map((c) => c.digest)],
    );
  }
  // Fresh statistics, as autovacuum would give a production table of this size.
  await client.query('analyze credentials');
}

/**
 * A project that has been busy: `credentials` keys, each verified once a minute for the last
 * `minutes` minutes, written straight into the usage tables (the minutes and the hourly and
 * daily roll-ups the service keeps beside them) — 350 × 1440 is about 500,000 minute rows.
 */
export async function insertBusyUsage(client, projectId, credentials, minutes) {
  await client.query(
    `insert into credentials (project_id, kind, environment, public_id, digest)
     select $1::uuid, 'key', 'live', 'busy' || md5($1::text || g::text), 'd' from generate_series(1, $2::int) g`,
    [projectId, credentials],
  );
  await client.query(
    `insert into usage_counts (project_id, credential_id, outcome, minute, count, latency_sum)
     select c.project_id, c.id, 'valid', date_trunc('minute', now()) - make_interval(mins => m), 1, 1
     from credentials c cross join generate_series(1, $2::int) m
     where c.project_id = $1::uuid`,
    [projectId, minutes],
  );
  for (const [table, unit] of [['usage_hourly', 'hour'], ['usage_daily', 'day']]) {
    await client.query(
      `insert into ${table} (project_id, credential_id, outcome, ${unit}, count, latency_sum)
       select project_id, credential_id, outcome, date_trunc('${unit}', minute at time zone 'UTC') at time zone 'UTC', sum(count), sum(latency_sum)
       from usage_counts where project_id = $1::uuid group by 1, 2, 3, 4`,
      [projectId],
    );
  }
  await client.query('analyze usage_counts; analyze usage_hourly; analyze usage_daily');
}

export async function countKeys(client, projectId) {
  const { rows } = await client.query(`select count(*)::int as n from credentials where project_id = $1 and kind = 'key'`, [projectId]);
  return rows[0].n;
}

/**
 * How often PostgreSQL has read the credentials table: index scans of its public-id index (the
 * verification lookup) and sequential scans of the table. PostgreSQL publishes a session's
 * counters only from time to time while it lives, and always when it ends; callers read this
 * when the server's sessions have ended (before it starts, after it stopped) to get exact counts.
 */
export async function credentialReads(client) {
  const { rows } = await client.query(
    `select
       coalesce((select sum(idx_scan) from pg_stat_user_indexes
                 where relname = 'credentials' and indexrelname = 'credentials_public_id_key'), 0)::bigint as index_scans,
       coalesce((select seq_scan from pg_stat_user_tables where relname = 'credentials'), 0)::bigint as seq_scans`,
  );
  return { indexScans: Number(rows[0].index_scans), seqScans: Number(rows[0].seq_scans) };
}

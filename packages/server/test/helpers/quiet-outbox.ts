import { beforeAll } from 'vitest';
import pg from 'pg';

/**
 * Set-up of the suites that drive the webhook worker on the shared PostgreSQL (project
 * `webhooks:postgres+redis`, one file at a time, after every other project): deliveries that
 * other suites left pending — to webhooks they created and never deliver — are closed first, so
 * that a round of the worker here attempts only this file's own.
 */
beforeAll(async () => {
  const url = process.env.TEST_DATABASE_URL;
  if (url === undefined) return;
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ exists: boolean }>(`select to_regclass('webhook_deliveries') is not null as exists`);
    if (rows[0]?.exists === true) await client.query(`update webhook_deliveries set status = 'failed', locked_until = null where status = 'pending'`);
  } finally {
    await client.end();
  }
});

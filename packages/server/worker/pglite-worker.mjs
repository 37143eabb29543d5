/**
 * The embedded database in a thread of its own. PGlite runs PostgreSQL as WebAssembly on the
 * thread that calls it, and its work (the usage batches above all) would otherwise stall the
 * event loop that answers verifications. The main thread talks to it with messages (see
 * src/db/pglite-thread.ts): { id, sql, params } → { id, rows, affectedRows } or { id, error }.
 *
 * Plain JavaScript on purpose: the same file runs under the TypeScript test runner and from the
 * compiled service.
 */
import { Blob } from 'node:buffer';
import { parentPort, workerData } from 'node:worker_threads';
import { PGlite } from '@electric-sql/pglite';

// A database may start from a dump of another (`template`): restoring files costs a fraction of
// creating and migrating a fresh cluster (the test suites start hundreds in memory; a first start
// on an empty DATA_DIR restores the migrated seed that the build made).
const template = workerData?.template;
const dataDir = workerData?.dataDir ?? undefined;
const pg = template === undefined ? new PGlite(dataDir) : new PGlite({ ...(dataDir === undefined ? {} : { dataDir }), loadDataDir: new Blob([template]) });
await pg.waitReady;

/** A parameterless multi-statement script (a migration) needs the simple query protocol. */
const isScript = (sql, params) => params.length === 0 && /;\s*\S/.test(sql);

async function run(sql, params) {
  if (isScript(sql, params)) return (await pg.exec(sql)).at(-1) ?? { rows: [], affectedRows: 0 };
  return pg.query(sql, params);
}

parentPort.on('message', async (message) => {
  if (message.type === 'close') {
    await pg.close();
    parentPort.postMessage({ id: message.id, rows: [], affectedRows: 0 });
    return;
  }
  if (message.type === 'dump') {
    try {
      const bytes = new Uint8Array(await (await pg.dumpDataDir('none')).arrayBuffer());
      parentPort.postMessage({ id: message.id, dump: bytes }, [bytes.buffer]);
    } catch (error) {
      parentPort.postMessage({ id: message.id, error: { message: String(error?.message ?? error) } });
    }
    return;
  }
  try {
    const result = await run(message.sql, message.params);
    parentPort.postMessage({ id: message.id, rows: result.rows, affectedRows: result.affectedRows });
  } catch (error) {
    // Only what callers inspect crosses over: the SQLSTATE code and the message.
    parentPort.postMessage({ id: message.id, error: { message: String(error?.message ?? error), code: error?.code } });
  }
});

parentPort.postMessage({ type: 'ready' });

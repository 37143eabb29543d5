import { createHash, randomUUID } from 'node:crypto';
import { readFile, rename, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { openDatabase } from '../../src/db/database.js';
import { migrations } from '../../src/db/migrations/index.js';

/**
 * An empty embedded database with every migration applied, as a PGlite dump: in-memory test
 * apps start from it instead of creating and migrating a cluster each (several times faster).
 * Made once per machine for a given schema and PGlite version, kept in the temporary directory
 * (written whole, then renamed: concurrent test files never read half a file).
 */
let template: Promise<Uint8Array> | undefined;

export function embeddedTemplate(): Promise<Uint8Array> {
  template ??= loadOrMake();
  return template;
}

async function loadOrMake(): Promise<Uint8Array> {
  const pglite = createRequire(import.meta.url).resolve('@electric-sql/pglite');
  const version = createHash('sha256')
    .update(JSON.stringify(migrations))
    .update(await readFile(join(dirname(pglite), '..', 'package.json')))
    .digest('hex')
    .slice(0, 16);
  const file = join(tmpdir(), `elyzor-pglite-template-${version}.tar`);
  try {
    return new Uint8Array(await readFile(file));
  } catch {
    // Not made yet on this machine.
  }
  const database = await openDatabase({});
  try {
    if (database.dump === undefined) throw new Error('the embedded database cannot be dumped');
    const bytes = await database.dump();
    const partial = `${file}.${randomUUID()}`;
    await writeFile(partial, bytes);
    await rename(partial, file);
    return bytes;
  } finally {
    await database.close();
  }
}

/**
 * Makes packages/server/dist/db/seed.tar.gz: an empty embedded database with every migration
 * applied, as PGlite dumps it, gzipped (a tenth of the size). The first start on an empty DATA_DIR restores it instead of
 * creating a PostgreSQL cluster and migrating it (most of that start's CPU time); migrations
 * newer than the seed are applied after it, as on any database. Made again only when the
 * compiled migrations or the PGlite version change (a SHA-256 of them in seed.stamp), and not
 * at all when this start would not use it: with DATABASE_URL, or when DATA_DIR (read as the
 * server reads it, `.env` included) already holds a database.
 */
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const db = join(root, 'packages', 'server', 'dist', 'db');
const seedFile = join(db, 'seed.tar.gz');
const stampFile = join(db, 'seed.stamp');

if (existsSync('.env')) process.loadEnvFile('.env');
if (process.env.DATABASE_URL !== undefined || existsSync(join(resolve(process.env.DATA_DIR ?? './data'), 'pgdata', 'PG_VERSION'))) process.exit(0);

const hash = createHash('sha256');
const pglite = join(root, 'node_modules', '@electric-sql', 'pglite', 'package.json');
hash.update(JSON.parse(readFileSync(pglite, 'utf8')).version).update('\0');
const migrations = join(db, 'migrations');
for (const name of readdirSync(migrations).filter((n) => n.endsWith('.js')).sort()) {
  hash.update(name).update('\0').update(readFileSync(join(migrations, name))).update('\0');
}
const stamp = hash.digest('hex');

if (existsSync(seedFile) && existsSync(stampFile) && readFileSync(stampFile, 'utf8').trim() === stamp) process.exit(0);

const { openDatabase } = await import(pathToFileURL(join(db, 'database.js')).href);
// In memory: migrated by opening, then dumped whole.
const database = await openDatabase({});
const bytes = await database.dump();
await database.close();
// Written aside and renamed, so that a start never reads half a seed.
writeFileSync(`${seedFile}.tmp`, gzipSync(bytes));
renameSync(`${seedFile}.tmp`, seedFile);
writeFileSync(stampFile, `${stamp}\n`);

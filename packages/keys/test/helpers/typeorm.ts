import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { ApiKeyEntity } from '../../src/storage/typeorm.js';
import { newPglite } from './pglite.js';

/**
 * TypeORM's postgres driver speaks the wire protocol only, so PGlite is served on a local port
 * by `@electric-sql/pglite-socket`. One connection at a time: PGlite runs one session.
 */
export async function pgliteDataSource(): Promise<{ dataSource: DataSource; close(): Promise<void> }> {
  const db = await newPglite();
  const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 8 });
  await server.start();
  const [host, port] = server.getServerConn().split(':');
  const dataSource = await openDataSource({ type: 'postgres', host, port: Number(port), username: 'postgres', database: 'postgres', extra: { max: 1 } });
  return {
    dataSource,
    async close() {
      await dataSource.destroy();
      await server.stop();
      await db.close();
    },
  };
}

/** A DataSource with the library's ApiKeyEntity, its table created from the entity. */
export async function openDataSource(options: DataSourceOptions): Promise<DataSource> {
  const dataSource = new DataSource({ ...options, entities: [ApiKeyEntity], synchronize: true, logging: false } as DataSourceOptions);
  return dataSource.initialize();
}

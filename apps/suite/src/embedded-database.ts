import { PGlite } from '@electric-sql/pglite';
import { PGLiteSocketServer } from '@electric-sql/pglite-socket';
import { join } from 'node:path';

/**
 * PostgreSQL for the embedded development mode: PGlite (Postgres compiled to
 * WebAssembly) kept in the data folder, served on a loopback port so the
 * normal `pg` driver, TypeORM and the very same migrations are used.
 */
export class EmbeddedDatabase {
  private constructor(
    private readonly db: PGlite,
    private readonly server: PGLiteSocketServer,
    readonly url: string,
  ) {}

  static async start(dataDir: string): Promise<EmbeddedDatabase> {
    const db = await PGlite.create(join(dataDir, 'pgdata'));
    const server = new PGLiteSocketServer({ db, host: '127.0.0.1', port: 0, maxConnections: 32 });
    await server.start();
    const address = server.getServerConn();
    return new EmbeddedDatabase(db, server, `postgres://postgres@${address}/postgres?sslmode=disable`);
  }

  async stop(): Promise<void> {
    await this.server.stop().catch(() => undefined);
    await this.db.close().catch(() => undefined);
  }
}

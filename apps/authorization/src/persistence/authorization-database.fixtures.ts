import type { MigrationInterface } from 'typeorm';
import { DataSource } from 'typeorm';
import { SnakeCaseNamingStrategy } from '#nest';
import { scratchServerDatabase } from '#testing';
import { AUTHORIZATION_ENTITIES } from './entities/index.js';
import { AUTHORIZATION_MIGRATIONS } from './migrations/index.js';

/** A data source on the authorization service's schema as its module opens it, `migrations` run (all by default). */
export async function authorizationDataSource(url: string, migrations: Array<new () => MigrationInterface> = AUTHORIZATION_MIGRATIONS, max = 3): Promise<DataSource> {
  const dataSource = new DataSource({ type: 'postgres', url, entities: AUTHORIZATION_ENTITIES, namingStrategy: new SnakeCaseNamingStrategy(), migrations, migrationsTableName: 'authorization_migrations', extra: { max } });
  await dataSource.initialize();
  // As the service runs them: each in its own transaction (a migration that builds an index CONCURRENTLY in none).
  await dataSource.runMigrations({ transaction: 'each' });
  return dataSource;
}

/**
 * For specs against a real PostgreSQL: a fresh database of DATABASE_URL's server with every authorization
 * migration run; `drop` closes the data source and drops the database.
 */
export async function scratchAuthorizationDatabase(prefix: string, max = 3): Promise<{ dataSource: DataSource; url: string; drop: () => Promise<void> }> {
  const scratch = await scratchServerDatabase(prefix, process.env.DATABASE_URL!);
  const dataSource = await authorizationDataSource(scratch.url, AUTHORIZATION_MIGRATIONS, max);
  return {
    dataSource,
    url: scratch.url,
    drop: async () => {
      await dataSource.destroy();
      await scratch.drop();
    },
  };
}

import type { EventEmitter } from 'node:events';
import { type DynamicModule } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import type { MixedList, EntitySchema } from 'typeorm';
import { SnakeCaseNamingStrategy } from './snake-case-naming.js';
import { TypeOrmLog } from './typeorm-log.js';

export interface ServiceDatabaseOptions {
  service: string;
  url: string;
  poolSize: number;
  /** How long a query waits for a pool connection before failing (ms): keeps an outage a fast 503. */
  connectTimeoutMs?: number;
  /** PostgreSQL `statement_timeout` of every connection (ms, 0 = none). */
  statementTimeoutMs?: number;
  migrationsRun: boolean;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  entities: MixedList<Function | string | EntitySchema>;
  // eslint-disable-next-line @typescript-eslint/no-unsafe-function-type
  migrations: MixedList<Function | string>;
}

/**
 * One service's PostgreSQL connection. Each service owns its tables and its
 * own migrations history table (`<service>_migrations`), so services can share
 * a database without sharing a schema history. Never `synchronize`.
 */
export function databaseModule(options: ServiceDatabaseOptions): DynamicModule {
  return TypeOrmModule.forRoot({
    type: 'postgres',
    url: options.url,
    entities: options.entities,
    namingStrategy: new SnakeCaseNamingStrategy(),
    migrations: options.migrations,
    migrationsTableName: `${options.service}_migrations`,
    migrationsRun: options.migrationsRun,
    migrationsTransactionMode: 'each',
    synchronize: false,
    logging: ['error', 'warn', 'migration'],
    logger: new TypeOrmLog(options.service),
    // A broken connection is dropped from the pool and a new one is made on the next query: the pool recovers by itself
    // when PostgreSQL is back. TCP keep-alive notices a peer that vanished without closing the connection.
    extra: {
      max: options.poolSize,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 2000,
      keepAlive: true,
      // Every pg client always has an `error` listener. pg-pool removes its own while a client is checked out and
      // TypeORM adds its listener only once the checkout's promise settles; a FATAL from `pg_terminate_backend` read
      // in that gap is emitted with no listener, which Node turns into an uncaught exception: the audit service
      // crashed so in test/e2e/database-faults.test.ts. TypeORM and the pool still hear the error and drop the client.
      onConnect: (client: EventEmitter) => {
        client.on('error', () => undefined);
      },
      ...(options.statementTimeoutMs ? { statement_timeout: options.statementTimeoutMs } : {}),
    },
    retryAttempts: 10,
    retryDelay: 1000,
  });
}

/** The database of a service, from its validated configuration. */
export function serviceDatabase(
  service: string,
  config: { DATABASE_URL?: string; DATABASE_POOL_SIZE: number; MIGRATIONS_RUN: string; DATABASE_CONNECT_TIMEOUT_MS?: number; DATABASE_STATEMENT_TIMEOUT_MS?: number },
  entities: ServiceDatabaseOptions['entities'],
  migrations: ServiceDatabaseOptions['migrations'],
): DynamicModule {
  return databaseModule({
    service,
    url: config.DATABASE_URL!,
    poolSize: config.DATABASE_POOL_SIZE,
    connectTimeoutMs: config.DATABASE_CONNECT_TIMEOUT_MS,
    statementTimeoutMs: config.DATABASE_STATEMENT_TIMEOUT_MS,
    migrationsRun: config.MIGRATIONS_RUN === 'true',
    entities,
    migrations,
  });
}

/** A service's database ({@link serviceDatabase}) and the repositories of its entities, for the imports of its module. */
export function serviceTables(
  service: string,
  config: Parameters<typeof serviceDatabase>[1],
  entities: NonNullable<Parameters<typeof TypeOrmModule.forFeature>[0]>,
  migrations: ServiceDatabaseOptions['migrations'],
): DynamicModule[] {
  return [serviceDatabase(service, config, entities, migrations), TypeOrmModule.forFeature(entities)];
}

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource, type MigrationInterface } from 'typeorm';
import { SnakeCaseNamingStrategy, type ServiceDatabaseOptions } from '#nest';
import { AuditEventEntity } from '../../apps/audit/src/persistence/entities/audit-event.entity.js';
import { AUDIT_MIGRATIONS } from '../../apps/audit/src/persistence/migrations/index.js';
import { AUTHORIZATION_ENTITIES } from '../../apps/authorization/src/persistence/entities/index.js';
import { AUTHORIZATION_MIGRATIONS } from '../../apps/authorization/src/persistence/migrations/index.js';
import { RevokedGrantEntity } from '../../apps/introspection/src/persistence/entities/revoked-grant.entity.js';
import { RevokedTokenEntity } from '../../apps/introspection/src/persistence/entities/revoked-token.entity.js';
import { INTROSPECTION_MIGRATIONS } from '../../apps/introspection/src/persistence/migrations/index.js';
import { SigningKeyEntity } from '../../apps/jwks/src/persistence/entities/signing-key.entity.js';
import { JWKS_MIGRATIONS } from '../../apps/jwks/src/persistence/migrations/index.js';
import { ClientEntity } from '../../apps/registration/src/persistence/entities/client.entity.js';
import { REGISTRATION_MIGRATIONS } from '../../apps/registration/src/persistence/migrations/index.js';
import { scratchDatabase } from './support/scratch-database.js';

const SERVICES: Array<{ service: string; entities: ServiceDatabaseOptions['entities']; migrations: Array<new () => MigrationInterface> }> = [
  { service: 'authorization', entities: AUTHORIZATION_ENTITIES, migrations: AUTHORIZATION_MIGRATIONS },
  { service: 'registration', entities: [ClientEntity], migrations: REGISTRATION_MIGRATIONS },
  { service: 'introspection', entities: [RevokedTokenEntity, RevokedGrantEntity], migrations: INTROSPECTION_MIGRATIONS },
  { service: 'jwks', entities: [SigningKeyEntity], migrations: JWKS_MIGRATIONS },
  { service: 'audit', entities: [AuditEventEntity], migrations: AUDIT_MIGRATIONS },
];

/**
 * What TypeORM would do to a migrated schema to make it what the entities say
 * and that is no disagreement: drop what only the migrations declare (indices,
 * checks, a foreign key, columns only the SQL writes, defaults). Adding a
 * column, or changing one's type, nullability or default, would mean an entity
 * names or declares a column the migrations do not make.
 */
const ONLY_MIGRATIONS_DECLARE = /^(DROP INDEX |ALTER TABLE "\w+" (DROP CONSTRAINT |DROP COLUMN |ALTER COLUMN "\w+" DROP DEFAULT$))/;

describe('entities and migrations: every column an entity declares is the column its migrations make (synchronize is off)', () => {
  const drops: Array<() => Promise<void>> = [];
  after(async () => {
    for (const drop of drops) await drop();
  });

  for (const { service, entities, migrations } of SERVICES) {
    it(`${service}: TypeORM, with the services' naming strategy, would change no column of a freshly migrated database`, async () => {
      const db = await scratchDatabase('entityschema');
      drops.push(db.drop);
      const source = new DataSource({
        type: 'postgres',
        url: db.url,
        entities,
        namingStrategy: new SnakeCaseNamingStrategy(),
        migrations,
        migrationsTableName: `${service}_migrations`,
        extra: { max: 1 },
      });
      await source.initialize();
      try {
        await source.runMigrations({ transaction: 'each' });
        const changes = (await source.driver.createSchemaBuilder().log()).upQueries.map((q) => q.query);
        assert.deepEqual(changes.filter((sql) => !ONLY_MIGRATIONS_DECLARE.test(sql)), []);
      } finally {
        await source.destroy();
      }
    });
  }
});

import type { MigrationInterface } from 'typeorm';
import { outboxMigration, outboxPublishedIndexMigration } from '#nest';
import { CreateRevokedToken1764050200000 } from './1764050200000-CreateRevokedToken.js';
import { CreateRevokedGrant1764080000000 } from './1764080000000-CreateRevokedGrant.js';

/** The introspection service's migrations, in order: its module runs them, and so does the migration job. */
export const INTROSPECTION_MIGRATIONS: Array<new () => MigrationInterface> = [
  CreateRevokedToken1764050200000,
  CreateRevokedGrant1764080000000,
  outboxMigration('introspection'),
  outboxPublishedIndexMigration('introspection'),
];

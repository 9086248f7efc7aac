import type { MigrationInterface } from 'typeorm';
import { outboxMigration, outboxPublishedIndexMigration } from '#nest';
import { CreateSigningKey1764050000000 } from './1764050000000-CreateSigningKey.js';
import { OneActiveKeyPerAlg1764060000000 } from './1764060000000-OneActiveKeyPerAlg.js';
import { KeyLifecycle1764090000000 } from './1764090000000-KeyLifecycle.js';

/** The jwks service's migrations, in order: its module runs them, and so does the migration job. */
export const JWKS_MIGRATIONS: Array<new () => MigrationInterface> = [
  CreateSigningKey1764050000000,
  OneActiveKeyPerAlg1764060000000,
  KeyLifecycle1764090000000,
  outboxMigration('jwks'),
  outboxPublishedIndexMigration('jwks'),
];

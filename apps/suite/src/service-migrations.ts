import type { MigrationInterface } from 'typeorm';
import { AUDIT_MIGRATIONS } from '../../audit/src/persistence/migrations/index.js';
import { AUTHORIZATION_MIGRATIONS } from '../../authorization/src/persistence/migrations/index.js';
import { INTROSPECTION_MIGRATIONS } from '../../introspection/src/persistence/migrations/index.js';
import { JWKS_MIGRATIONS } from '../../jwks/src/persistence/migrations/index.js';
import { REGISTRATION_MIGRATIONS } from '../../registration/src/persistence/migrations/index.js';

/**
 * Every service's migrations, for the migration job: the very lists the
 * services' modules run (`apps/<service>/src/persistence/migrations/index.ts`).
 * The gateway and the token service own no tables.
 */
export const SERVICE_MIGRATIONS: ReadonlyArray<{ service: string; migrations: Array<new () => MigrationInterface> }> = [
  { service: 'jwks', migrations: JWKS_MIGRATIONS },
  { service: 'registration', migrations: REGISTRATION_MIGRATIONS },
  { service: 'introspection', migrations: INTROSPECTION_MIGRATIONS },
  { service: 'audit', migrations: AUDIT_MIGRATIONS },
  { service: 'authorization', migrations: AUTHORIZATION_MIGRATIONS },
];

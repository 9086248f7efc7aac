import type { MigrationInterface } from 'typeorm';
import { outboxMigration, outboxPublishedIndexMigration } from '#nest';
import { CreateClient1764050100000 } from './1764050100000-CreateClient.js';
import { KeepRegistrationToken1764050400000 } from './1764050400000-KeepRegistrationToken.js';
import { DropRegistrationTokenEnvelope1764070000000 } from './1764070000000-DropRegistrationTokenEnvelope.js';
import { ClientManagedBy1764810000000 } from './1764810000000-ClientManagedBy.js';
import { ClientTrustTiers1765100000000 } from './1765100000000-ClientTrustTiers.js';
import { ClientDisabled1766000000000 } from './1766000000000-ClientDisabled.js';
import { ClientUdap1767000000000 } from './1767000000000-ClientUdap.js';

/** The registration service's migrations, in order: its module runs them, and so does the migration job. */
export const REGISTRATION_MIGRATIONS: Array<new () => MigrationInterface> = [
  CreateClient1764050100000,
  KeepRegistrationToken1764050400000,
  DropRegistrationTokenEnvelope1764070000000,
  ClientManagedBy1764810000000,
  outboxMigration('registration'),
  ClientTrustTiers1765100000000,
  ClientDisabled1766000000000,
  ClientUdap1767000000000,
  outboxPublishedIndexMigration('registration'),
];

import type { MigrationInterface } from 'typeorm';
import { outboxMigration, outboxPublishedIndexMigration } from '#nest';
import { CreateAuthorizationTables1764100000000 } from './1764100000000-CreateAuthorizationTables.js';
import { AddUpstreamLoginToInteraction1764300000000 } from './1764300000000-AddUpstreamLoginToInteraction.js';
import { CreateJwtBearerSubject1764400000000 } from './1764400000000-CreateJwtBearerSubject.js';
import { GrantLastUsed1764600000000 } from './1764600000000-GrantLastUsed.js';
import { UserAdminFlag1764700000000 } from './1764700000000-UserAdminFlag.js';
import { LaunchBinding1764813000000 } from './1764813000000-LaunchBinding.js';
import { RefreshReuseGrace1765200000000 } from './1765200000000-RefreshReuseGrace.js';
import { RefreshTokenChecksum1765300000000 } from './1765300000000-RefreshTokenChecksum.js';
import { InteractionState1765400000000 } from './1765400000000-InteractionState.js';
import { LaunchSignIn1765600000000 } from './1765600000000-LaunchSignIn.js';
import { PushedAuthorizationRequest1766100000000 } from './1766100000000-PushedAuthorizationRequest.js';
import { DpopBinding1766200000000 } from './1766200000000-DpopBinding.js';
import { HousekeepingIndexes1766300000000 } from './1766300000000-HousekeepingIndexes.js';

/** The authorization service's migrations, in order: its module runs them, and so does the migration job. */
export const AUTHORIZATION_MIGRATIONS: Array<new () => MigrationInterface> = [
  CreateAuthorizationTables1764100000000,
  AddUpstreamLoginToInteraction1764300000000,
  CreateJwtBearerSubject1764400000000,
  outboxMigration('authorization'),
  GrantLastUsed1764600000000,
  UserAdminFlag1764700000000,
  LaunchBinding1764813000000,
  RefreshReuseGrace1765200000000,
  RefreshTokenChecksum1765300000000,
  InteractionState1765400000000,
  LaunchSignIn1765600000000,
  PushedAuthorizationRequest1766100000000,
  DpopBinding1766200000000,
  HousekeepingIndexes1766300000000,
  outboxPublishedIndexMigration('authorization'),
];

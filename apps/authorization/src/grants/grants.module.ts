import { Module } from '@nestjs/common';
import { AuthorizationCodeStore } from '../persistence/authorization-code.store.js';
import { GrantStore } from '../persistence/grant.store.js';
import { RefreshTokenStore } from '../persistence/refresh-token.store.js';
import { UsersModule } from '../users/users.module.js';
import { CodeIssuance } from './code-issuance.js';
import { CodeRedemption } from './code-redemption.js';
import { GrantRevocation } from './grant-revocation.js';
import { RefreshGrace } from './refresh-grace.js';
import { RefreshRotation } from './refresh-rotation.js';
import { RefreshTokenFormat } from './refresh-token-format.js';
import { RefreshTokenIntrospector } from './refresh-token-introspection.js';
import { RefreshTokenIssuance } from './refresh-token-issuance.js';

const PROVIDERS = [
  GrantStore,
  AuthorizationCodeStore,
  RefreshTokenStore,
  RefreshTokenFormat,
  GrantRevocation,
  RefreshTokenIssuance,
  CodeIssuance,
  CodeRedemption,
  RefreshGrace,
  RefreshRotation,
  RefreshTokenIntrospector,
];

/** Grants, their codes and refresh tokens: one provider per rule (grants/), SQL in the stores. */
@Module({ imports: [UsersModule], providers: PROVIDERS, exports: PROVIDERS })
export class GrantsModule {}

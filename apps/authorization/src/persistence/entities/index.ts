export * from './user.entity.js';
export * from './session.entity.js';
export * from './interaction.entity.js';
export * from './launch-context.entity.js';
export * from './consent.entity.js';
export * from './grant.entity.js';
export * from './authorization-code.entity.js';
export * from './refresh-token.entity.js';
export * from './login-throttle.entity.js';
export * from './jwt-bearer-subject.entity.js';
export * from './pushed-authorization-request.entity.js';

import { UserEntity } from './user.entity.js';
import { SessionEntity } from './session.entity.js';
import { InteractionEntity } from './interaction.entity.js';
import { LaunchContextEntity } from './launch-context.entity.js';
import { ConsentEntity } from './consent.entity.js';
import { GrantEntity } from './grant.entity.js';
import { AuthorizationCodeEntity } from './authorization-code.entity.js';
import { RefreshTokenEntity } from './refresh-token.entity.js';
import { LoginThrottleEntity } from './login-throttle.entity.js';
import { JwtBearerSubjectEntity } from './jwt-bearer-subject.entity.js';
import { PushedAuthorizationRequestEntity } from './pushed-authorization-request.entity.js';

export const AUTHORIZATION_ENTITIES = [
  UserEntity,
  SessionEntity,
  InteractionEntity,
  LaunchContextEntity,
  ConsentEntity,
  GrantEntity,
  AuthorizationCodeEntity,
  RefreshTokenEntity,
  LoginThrottleEntity,
  JwtBearerSubjectEntity,
  PushedAuthorizationRequestEntity,
];

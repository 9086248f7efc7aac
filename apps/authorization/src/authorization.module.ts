import type { DynamicModule } from '@nestjs/common';
import { healthControllerFor, RuntimeModule, serviceDatabase, type SuiteRuntime } from '#nest';
import { AuthorizationController } from './authorization.controller.js';
import { AuthorizationCoreModule } from './authorization-core.module.js';
import { AuthorizationConfig } from './config/authorization.config.js';
import { FlowModule } from './flow/flow.module.js';
import { GrantsModule } from './grants/grants.module.js';
import { authorizationJanitor } from './housekeeping.js';
import { LaunchModule } from './launch/launch.module.js';
import { ParModule } from './par/par.module.js';
import { AUTHORIZATION_ENTITIES } from './persistence/entities/index.js';
import { AUTHORIZATION_MIGRATIONS } from './persistence/migrations/index.js';
import { UsersModule } from './users/users.module.js';
import { WebModule } from './web/web.module.js';
import { AppDirectoryFiguresController } from './web/apps/app-directory-figures.controller.js';

/**
 * The authorization service: one process, submodules by concern (no NATS between them): users, grants, launch,
 * flow (the interaction state machine), par (pushed authorization requests), upstream (an upstream OpenID Connect provider), web (the router and pages).
 */
export function authorizationModule(config: AuthorizationConfig, runtime: SuiteRuntime): DynamicModule {
  return {
    module: class AuthorizationModule {},
    imports: [
      RuntimeModule.forService('authorization', runtime, config.RPC_TIMEOUT_MS),
      serviceDatabase('authorization', config, AUTHORIZATION_ENTITIES, AUTHORIZATION_MIGRATIONS),
      AuthorizationCoreModule.forRoot(config),
      UsersModule,
      GrantsModule,
      LaunchModule,
      FlowModule,
      ParModule,
      WebModule,
    ],
    controllers: [AuthorizationController, AppDirectoryFiguresController, healthControllerFor('authorization')],
    providers: [authorizationJanitor(config)],
  };
}

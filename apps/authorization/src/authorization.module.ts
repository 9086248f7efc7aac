import type { DynamicModule } from '@nestjs/common';
import { getDataSourceToken } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import { BearerTokens, ClientDirectory, EventBus, healthControllerFor, Outbox, PublicKeyRing, RuntimeModule, serviceDatabase, ServiceBus, type SuiteRuntime } from '#nest';
import { AuthorizationController } from './authorization.controller.js';
import { AuthorizationConfig } from './config/authorization.config.js';
import { ConsentStore } from './flow/consent.store.js';
import { InteractionFlow } from './flow/interaction-flow.service.js';
import { InteractionStore } from './flow/interaction.store.js';
import { EventRecorder } from './grants/event-recorder.js';
import { CodeIssuance } from './grants/code-issuance.js';
import { CodeRedemption } from './grants/code-redemption.js';
import { GrantRevocation } from './grants/grant-revocation.js';
import { RefreshGrace } from './grants/refresh-grace.js';
import { RefreshRotation } from './grants/refresh-rotation.js';
import { RefreshTokenIssuance } from './grants/refresh-token-issuance.js';
import { RefreshTokenFormat } from './grants/refresh-token-format.js';
import { RefreshTokenIntrospector } from './grants/refresh-token-introspection.js';
import { Housekeeping } from './housekeeping.service.js';
import { LaunchService } from './launch/launch.service.js';
import { PageRenderer } from './pages/page-renderer.js';
import { AuthorizationCodeStore } from './persistence/authorization-code.store.js';
import { AUTHORIZATION_ENTITIES } from './persistence/entities/index.js';
import { GrantStore } from './persistence/grant.store.js';
import { RefreshTokenStore } from './persistence/refresh-token.store.js';
import { LoginCallbackEndpoint } from './upstream/login-callback.endpoint.js';
import { UpstreamAccounts } from './upstream/upstream-accounts.js';
import { UpstreamLogin } from './upstream/upstream-login.service.js';
import { UpstreamProvider } from './upstream/upstream-provider.js';
import { JwtBearerSubjects } from './users/jwt-bearer-subjects.service.js';
import { LoginThrottle } from './users/login-throttle.js';
import { PasswordLogin } from './users/password-login.service.js';
import { SessionService } from './users/session.service.js';
import { UserDirectory } from './users/user-directory.service.js';
import { UserStore } from './users/user.store.js';
import { AccountEndpoint } from './web/account.endpoint.js';
import { AdminConsoleEndpoint } from './web/admin-console.endpoint.js';
import { AdminGrantsEndpoint } from './web/admin-grants.endpoint.js';
import { AdminUsersEndpoint } from './web/admin-users.endpoint.js';
import { AssetsEndpoint } from './web/assets.endpoint.js';
import { AuthorizeEndpoint } from './web/authorize.endpoint.js';
import { InteractionEndpoint } from './web/interaction.endpoint.js';
import { LaunchEndpoint } from './web/launch.endpoint.js';
import { LogoutEndpoint } from './web/logout.endpoint.js';
import { PageKit } from './web/page-kit.js';
import { UserinfoEndpoint } from './web/userinfo.endpoint.js';
import { WebRouter } from './web/web-router.js';
import { AUTHORIZATION_MIGRATIONS } from './persistence/migrations/index.js';

export function authorizationModule(config: AuthorizationConfig, runtime: SuiteRuntime): DynamicModule {
  return {
    module: class AuthorizationModule {},
    imports: [
      RuntimeModule.forService('authorization', runtime, config.RPC_TIMEOUT_MS),
      serviceDatabase('authorization', config, AUTHORIZATION_ENTITIES, AUTHORIZATION_MIGRATIONS),
    ],
    controllers: [AuthorizationController, healthControllerFor('authorization')],
    providers: [
      { provide: AuthorizationConfig, useValue: config },
      { provide: PageRenderer, useFactory: () => PageRenderer.create() },
      { provide: Outbox, inject: [getDataSourceToken(), EventBus], useFactory: (ds: DataSource, events: EventBus) => new Outbox(ds, events, 'authorization') },
      { provide: PublicKeyRing, inject: [ServiceBus, EventBus], useFactory: (bus: ServiceBus, events: EventBus) => PublicKeyRing.create(bus, events) },
      ClientDirectory,
      EventRecorder,
      RefreshTokenFormat,
      UserStore,
      SessionService,
      LoginThrottle,
      PasswordLogin,
      UserDirectory,
      JwtBearerSubjects,
      InteractionStore,
      ConsentStore,
      GrantStore,
      AuthorizationCodeStore,
      RefreshTokenStore,
      GrantRevocation,
      RefreshTokenIssuance,
      CodeIssuance,
      CodeRedemption,
      RefreshGrace,
      RefreshRotation,
      RefreshTokenIntrospector,
      LaunchService,
      PageKit,
      UpstreamProvider,
      UpstreamLogin,
      UpstreamAccounts,
      InteractionFlow,
      BearerTokens,
      AuthorizeEndpoint,
      InteractionEndpoint,
      LaunchEndpoint,
      UserinfoEndpoint,
      LogoutEndpoint,
      AdminUsersEndpoint,
      AdminGrantsEndpoint,
      AdminConsoleEndpoint,
      AccountEndpoint,
      AssetsEndpoint,
      LoginCallbackEndpoint,
      WebRouter,
      Housekeeping,
    ],
  };
}

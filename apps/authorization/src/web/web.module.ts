import { Module } from '@nestjs/common';
import { FlowModule } from '../flow/flow.module.js';
import { GrantsModule } from '../grants/grants.module.js';
import { EhrSignIn } from '../launch/ehr-sign-in.js';
import { LaunchModule } from '../launch/launch.module.js';
import { ParModule } from '../par/par.module.js';
import { PageRenderer } from '../pages/page-renderer.js';
import { UpstreamModule } from '../upstream/upstream.module.js';
import { UsersModule } from '../users/users.module.js';
import { AccountEndpoint } from './account.endpoint.js';
import { AdminConsoleEndpoint } from './admin-console.endpoint.js';
import { AdminGrantsEndpoint } from './admin-grants.endpoint.js';
import { AdminUsersEndpoint } from './admin-users.endpoint.js';
import { AssetsEndpoint } from './assets.endpoint.js';
import { AuthorizeEndpoint } from './authorize.endpoint.js';
import { InteractionPages } from './interaction-pages.js';
import { InteractionEndpoint } from './interaction.endpoint.js';
import { LaunchEndpoint } from './launch.endpoint.js';
import { LoginCallbackEndpoint } from './login-callback.endpoint.js';
import { LogoutEndpoint } from './logout.endpoint.js';
import { PageKit } from './page-kit.js';
import { UserinfoEndpoint } from './userinfo.endpoint.js';
import { WebRouter } from './web-router.js';
import { AdminAppsEndpoint } from './apps/admin-apps.endpoint.js';
import { AppFormPages } from './apps/app-form.pages.js';
import { LauncherSignIn } from './launcher/launcher-sign-in.js';
import { LauncherEndpoint } from './launcher/launcher.endpoint.js';

/** The browser-facing surface (`authorization.v1.web`): the router, one endpoint per route of `WebRoutes`, the pages. */
@Module({
  imports: [UsersModule, GrantsModule, LaunchModule, FlowModule, ParModule, UpstreamModule],
  providers: [
    { provide: PageRenderer, useFactory: () => PageRenderer.create() },
    PageKit,
    InteractionPages,
    AuthorizeEndpoint,
    InteractionEndpoint,
    LoginCallbackEndpoint,
    LaunchEndpoint,
    UserinfoEndpoint,
    LogoutEndpoint,
    AdminUsersEndpoint,
    AdminGrantsEndpoint,
    AdminConsoleEndpoint,
    AccountEndpoint,
    AppFormPages,
    AdminAppsEndpoint,
    LauncherSignIn,
    EhrSignIn,
    LauncherEndpoint,
    AssetsEndpoint,
    WebRouter,
  ],
  exports: [WebRouter],
})
export class WebModule {}

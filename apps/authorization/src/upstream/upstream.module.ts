import { Module } from '@nestjs/common';
import { FlowModule } from '../flow/flow.module.js';
import { UsersModule } from '../users/users.module.js';
import { UpstreamAccounts } from './upstream-accounts.js';
import { UpstreamLogin } from './upstream-login.service.js';
import { UpstreamProvider } from './upstream-provider.js';

const PROVIDERS = [UpstreamProvider, UpstreamLogin, UpstreamAccounts];

/** Login through an upstream OpenID Connect provider (`UPSTREAM_OIDC_ISSUER`). */
@Module({ imports: [UsersModule, FlowModule], providers: PROVIDERS, exports: PROVIDERS })
export class UpstreamModule {}

import { Module } from '@nestjs/common';
import { GrantsModule } from '../grants/grants.module.js';
import { UsersModule } from '../users/users.module.js';
import { ConsentStore } from './consent.store.js';
import { InteractionFlow } from './interaction-flow.service.js';
import { InteractionStore } from './interaction.store.js';

const PROVIDERS = [InteractionStore, ConsentStore, InteractionFlow];

/** The interaction: its states and transitions, the decisions of each step, remembered consents. Renders nothing. */
@Module({ imports: [UsersModule, GrantsModule], providers: PROVIDERS, exports: PROVIDERS })
export class FlowModule {}

import { Module } from '@nestjs/common';
import { LauncherTickets } from './launcher-tickets.js';
import { LaunchService } from './launch.service.js';

/** EHR launch contexts: made by `POST /launch`, carried by a launch JWT or made by the EHR launcher; consumed by `/authorize`. */
@Module({ providers: [LaunchService, LauncherTickets], exports: [LaunchService, LauncherTickets] })
export class LaunchModule {}

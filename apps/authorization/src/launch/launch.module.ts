import { Module } from '@nestjs/common';
import { LaunchService } from './launch.service.js';

/** EHR launch contexts: made by `POST /launch` or carried by a launch JWT, consumed by `/authorize`. */
@Module({ providers: [LaunchService], exports: [LaunchService] })
export class LaunchModule {}

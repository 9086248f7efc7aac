import { Injectable } from '@nestjs/common';
import type { WebRequest, WebResponse } from '#contracts';
import { CreateLaunchDto } from '../launch/launch-context.dto.js';
import { LaunchService } from '../launch/launch.service.js';
import { BearerTokens } from '#nest';
import { dtoOf } from './dto-body.js';
import { jsonResponse } from './web-response.js';

/** POST /launch: an EHR (a client holding scope `launch` or `admin`) creates a single-use launch context. */
@Injectable()
export class LaunchEndpoint {
  constructor(
    private readonly bearer: BearerTokens,
    private readonly launches: LaunchService,
  ) {}

  async handle(req: WebRequest): Promise<WebResponse> {
    const claims = await this.bearer.requireScope(req, ['launch', 'admin']);
    const input = await dtoOf(CreateLaunchDto, req);
    return jsonResponse(201, await this.launches.create(claims.client_id, input));
  }
}

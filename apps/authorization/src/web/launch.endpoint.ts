import { Injectable } from '@nestjs/common';
import type { WebRequest, WebResponse } from '#contracts';
import { BearerTokens, ClientDirectory } from '#nest';
import { InsufficientScope } from '#oauth';
import { CreateLaunchDto } from '../launch/launch-context.dto.js';
import { LaunchService, mayLaunch } from '../launch/launch.service.js';
import { dtoOf } from './dto-body.js';
import { jsonResponse } from './web-response.js';

/**
 * POST /launch: an EHR creates a single-use launch context. The EHR role is
 * a client's own (trust tiers): a token it got for itself (client_credentials,
 * `sub` = its client id, scope `launch` or `admin`) while its `launch` (or
 * `admin`) privilege is approved. An app's token from an EHR launch also
 * carries the SMART `launch` scope, but it speaks for a person, not an EHR,
 * so it cannot create launch contexts.
 */
@Injectable()
export class LaunchEndpoint {
  constructor(
    private readonly bearer: BearerTokens,
    private readonly launches: LaunchService,
    private readonly directory: ClientDirectory,
  ) {}

  async handle(req: WebRequest): Promise<WebResponse> {
    const claims = await this.bearer.requireScope(req, ['launch', 'admin']);
    if (claims.grant_id !== undefined || claims.sub !== claims.client_id) {
      throw new InsufficientScope("creating launch contexts needs an EHR client's own token (client_credentials), not a token issued for a person", { scope: 'launch' });
    }
    const client = await this.directory.get(claims.client_id);
    if (!client || !mayLaunch(client)) throw new InsufficientScope('this client is not approved for the EHR role (launch)', { scope: 'launch' });
    const input = await dtoOf(CreateLaunchDto, req);
    return jsonResponse(201, await this.launches.create(claims.client_id, input));
  }
}

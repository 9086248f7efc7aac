import { Injectable } from '@nestjs/common';
import type { WebRequest, WebResponse } from '#contracts';
import { InvalidToken } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { UserDirectory } from '../users/user-directory.service.js';
import { BearerTokens } from '#nest';
import { jsonResponse } from './web-response.js';

/** GET|POST /userinfo (OIDC Core §5.3): claims about the signed-in user, by the scopes the token carries. */
@Injectable()
export class UserinfoEndpoint {
  constructor(
    private readonly config: AuthorizationConfig,
    private readonly bearer: BearerTokens,
    private readonly users: UserDirectory,
  ) {}

  async handle(req: WebRequest): Promise<WebResponse> {
    const claims = await this.bearer.requireScope(req, ['openid']);
    const user = await this.users.byId(claims.sub);
    if (!user || user.disabled) throw new InvalidToken('the user of this token is no longer active');
    const scopes = claims.scope.split(' ');
    return jsonResponse(200, {
      sub: user.id,
      ...(scopes.includes('profile') ? { name: user.displayName, preferred_username: user.username } : {}),
      ...(scopes.includes('fhirUser') && user.fhirUser ? { fhirUser: `${this.config.FHIR_BASE_URL.replace(/\/+$/, '')}/${user.fhirUser}` } : {}),
    });
  }
}

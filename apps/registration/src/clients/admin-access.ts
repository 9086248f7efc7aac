import { Inject, Injectable } from '@nestjs/common';
import { Rpc, type ClientAdminRequest } from '#contracts';
import { BearerTokens, ServiceBus } from '#nest';
import { InvalidToken } from '#oauth';

/** The scope of an administrator's access token. */
const ADMIN_SCOPE = 'admin';

/**
 * Who may use the client directory: a bearer token with scope `admin` (the
 * admin API, checked by the introspection service), or the session of an
 * administrator signed in to the pages under /admin/apps (checked by the
 * authorization service, which owns sessions and knows who is an
 * administrator). The answer names the actor for the audit trail.
 */
@Injectable()
export class AdminAccess {
  constructor(
    private readonly bearer: BearerTokens,
    @Inject(ServiceBus) private readonly bus: ServiceBus,
  ) {}

  /**
   * @returns `client:<client_id>` or `user:<user id>`.
   * @throws InvalidToken (401) without a valid credential, InsufficientScope (403) for a token without `admin`.
   */
  async require(request: ClientAdminRequest): Promise<string> {
    if (request.authorization !== undefined || request.adminSession === undefined) {
      const claims = await this.bearer.requireScope(request, [ADMIN_SCOPE]);
      return `client:${claims.client_id}`;
    }
    if (!/^[A-Za-z0-9_-]{16,256}$/.test(request.adminSession)) throw new InvalidToken('the administrator session is not valid');
    const admin = await this.bus.request(Rpc.authorization.adminSession, { session: request.adminSession });
    return `user:${admin.user_id}`;
  }
}

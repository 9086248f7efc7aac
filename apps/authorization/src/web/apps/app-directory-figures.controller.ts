import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { Rpc, type AdminSessionAnswer, type ClientCounts } from '#contracts';
import { InvalidRequest, InvalidToken } from '#oauth';
import { GrantStore } from '../../persistence/grant.store.js';
import { SessionService } from '../../users/session.service.js';
import { UserDirectory } from '../../users/user-directory.service.js';

const SESSION_TOKEN = /^[A-Za-z0-9_-]{16,256}$/;
const CLIENT_ID = /^[A-Za-z0-9._~-]{1,128}$/;

/**
 * What the registration service asks of this one for the app directory
 * (issue #16): whether a session cookie is an administrator's (the pages
 * under /admin/apps call the directory with it), and how many grants in
 * force each client has.
 */
@Controller()
export class AppDirectoryFiguresController {
  constructor(
    private readonly sessions: SessionService,
    private readonly users: UserDirectory,
    private readonly grants: GrantStore,
  ) {}

  @MessagePattern(Rpc.authorization.adminSession.subject)
  async adminSession(@Payload() payload: unknown): Promise<AdminSessionAnswer> {
    const session = (payload as { session?: unknown } | null)?.session;
    if (typeof session !== 'string' || !SESSION_TOKEN.test(session)) throw new InvalidToken('the administrator session is not valid');
    const live = await this.sessions.find(session);
    const user = live ? await this.users.byId(live.userId) : null;
    if (!user || user.disabled || !user.admin) throw new InvalidToken('the administrator session is not valid');
    return { user_id: user.id, username: user.username };
  }

  @MessagePattern(Rpc.authorization.liveGrantCounts.subject)
  async liveGrantCounts(@Payload() payload: unknown): Promise<ClientCounts> {
    const clientIds = (payload as { clientIds?: unknown } | null)?.clientIds;
    if (!Array.isArray(clientIds) || clientIds.length > 1000 || !clientIds.every((id) => typeof id === 'string' && CLIENT_ID.test(id))) {
      throw new InvalidRequest('clientIds must be an array of at most 1000 client ids');
    }
    return { counts: await this.grants.liveCounts(clientIds as string[]) };
  }
}

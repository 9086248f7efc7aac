import { Injectable } from '@nestjs/common';
import type { AuthorizationRequest } from '../flow/authorization-request.js';
import { sessionReusable } from '../flow/interaction-steps.js';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { EventRecorder } from '../grants/event-recorder.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { SessionService, type LiveSession } from '../users/session.service.js';
import type { ResolvedLaunch } from './launch-binding.js';
import type { VerifiedLaunchJwt } from './launch.service.js';

/** How far ahead of this server's clock an EHR's `auth_time` may be. */
const CLOCK_SKEW_MS = 60_000;

/**
 * Sign-in on an EHR's word (issue #16: "an EHR can open [the launcher] with its
 * own signed context (a launch JWT naming practitioner and patient) instead
 * of a second sign-in"). When the operator trusts it (`EHR_SIGN_IN_TRUSTED`)
 * and an administrator approved the EHR client's `launch` privilege (checked
 * with the JWT's signature, launch.service.ts), the launch JWT that opens the
 * launcher opens a session for the practitioner it names:
 *
 * - no cookie: the session is carried only by the launcher page's ticket and
 *   the launches made from that page (`launch_context.session_hash`), so it
 *   signs the practitioner in at the /authorize of those launches and nowhere
 *   else (not /account, not /admin, not another app's standalone launch);
 * - it lives as a session does (SESSION_TTL_SECONDS, ended with the user's
 *   sessions), so `online_access` grants made through it end with it;
 * - its authentication time is the JWT's `auth_time` when the EHR states one
 *   (OIDC Core §2), else the moment the launcher was opened; `prompt=login`
 *   and an exceeded `max_age` still ask for a sign-in (OIDC Core §3.1.2.1);
 * - it is audited as `login.succeeded` with method `ehr_launch` and the EHR's
 *   client id.
 */
@Injectable()
export class EhrSignIn {
  constructor(
    private readonly config: AuthorizationConfig,
    private readonly sessions: SessionService,
    private readonly events: EventRecorder,
  ) {}

  /** At the launcher: the session the EHR's word opens for `user` (its hash), or null when that word does not sign anyone in here. */
  async open(verified: VerifiedLaunchJwt, user: UserEntity, remoteAddress: string | undefined, requestId: string | undefined): Promise<string | null> {
    if (this.config.EHR_SIGN_IN_TRUSTED !== 'true') return null;
    const { session } = await this.sessions.create(user.id, this.authTime(verified.authTime));
    await this.events.record(
      'login.succeeded',
      { user_id: user.id, method: 'ehr_launch', ehr_client_id: verified.ehrClientId, ...(remoteAddress ? { remote_address: remoteAddress } : {}) },
      requestId,
    );
    return session.idHash;
  }

  /** At /authorize: the live session a launch carries, when it may sign this request in (the launch's own practitioner, no fresh login asked for). */
  async sessionFor(launch: ResolvedLaunch | null, request: AuthorizationRequest): Promise<LiveSession | null> {
    if (!launch?.sessionHash) return null;
    const session = await this.sessions.findByHash(launch.sessionHash);
    if (!session || session.userId !== launch.binding.user) return null;
    return sessionReusable(request, session.authenticatedAt, Date.now()) ? session : null;
  }

  /** The EHR's stated authentication time when it is plausible (not ahead of now, not older than a session lives), else now. */
  private authTime(stated: number | undefined): Date {
    const now = Date.now();
    if (stated === undefined) return new Date(now);
    const at = stated * 1000;
    return at <= now + CLOCK_SKEW_MS && at >= now - this.config.SESSION_TTL_SECONDS * 1000 ? new Date(Math.min(at, now)) : new Date(now);
  }
}

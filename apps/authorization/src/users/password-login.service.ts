import { Injectable } from '@nestjs/common';
import { EventRecorder } from '../grants/event-recorder.js';
import type { UserEntity } from '../persistence/entities/user.entity.js';
import { LoginThrottle } from './login-throttle.js';
import { SessionService, type LiveSession } from './session.service.js';
import { UserDirectory } from './user-directory.service.js';

export interface PasswordLoginAttempt {
  username: string;
  password: string;
  remoteAddress: string;
  /** The application the person is signing in for, when there is one. */
  clientId?: string;
  requestId?: string;
  /** Who may sign in here (e.g. administrators only); anyone else fails like a wrong password. */
  permitted?: (user: UserEntity) => boolean;
}

export type PasswordLoginResult =
  | { ok: true; user: UserEntity; token: string; session: LiveSession }
  | { ok: false; reason: 'throttled' | 'invalid_credentials' | 'disabled' };

/**
 * One password login wherever a form takes one (the authorization flow, the
 * administration page): the attempt is counted before the password is
 * checked, the outcome becomes `login.succeeded` / `login.failed`, and a
 * success starts a login session.
 */
@Injectable()
export class PasswordLogin {
  constructor(
    private readonly users: UserDirectory,
    private readonly throttle: LoginThrottle,
    private readonly sessions: SessionService,
    private readonly events: EventRecorder,
  ) {}

  async attempt(input: PasswordLoginAttempt): Promise<PasswordLoginResult> {
    const { username, password, remoteAddress, requestId } = input;
    const base = { client_id: input.clientId, method: 'password' as const, remote_address: remoteAddress };
    if (!(await this.throttle.reserveAttempt(username, remoteAddress))) {
      await this.events.record('login.failed', { ...base, reason: 'throttled' }, requestId);
      return { ok: false, reason: 'throttled' };
    }
    const outcome = await this.settled(input, () => (username && password ? this.users.authenticate(username, password) : Promise.resolve(null)));
    if (!outcome?.ok || (input.permitted && !input.permitted(outcome.user))) {
      // Already counted by reserveAttempt.
      const reason = outcome && !outcome.ok ? outcome.reason : 'invalid_credentials';
      const userId = outcome?.user?.id;
      await this.events.record('login.failed', { ...base, ...(userId ? { user_id: userId } : {}), reason }, requestId);
      return { ok: false, reason };
    }
    await this.settled(input, () => this.throttle.recordSuccess(username, remoteAddress));
    const { token, session } = await this.sessions.create(outcome.user.id);
    await this.events.record('login.succeeded', { ...base, user_id: outcome.user.id }, requestId);
    return { ok: true, user: outcome.user, token, session };
  }

  /**
   * Runs a step between the reservation and the verdict; when it throws (the
   * database or the hasher failed, not the person) the attempt's count is
   * given back before the error goes on to become a 503. Best effort: if the
   * database cannot take the count back either, the attempt stays counted,
   * which errs on the side of the lock.
   */
  private async settled<T>(input: PasswordLoginAttempt, step: () => Promise<T>): Promise<T> {
    try {
      return await step();
    } catch (error: unknown) {
      await this.throttle.release(input.username, input.remoteAddress).catch(() => undefined);
      throw error;
    }
  }
}

import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { AuthorizedGrant, ClientRecord, EventEnvelope, GrantRevokedData, LaunchContext, RedeemCodeRequest, RefreshGrantRequest, RefreshReplay, RefreshTokenClient, RefreshTokenClientRequest, RevokeRefreshTokenRequest, SealRefreshRequest } from '#contracts';
import { inTransaction, ClientDirectory } from '#nest';
import { generateOpaqueToken, InvalidGrant, InvalidRequest, InvalidScope, ScopeSet, sha256Hex, UnauthorizedClient } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { AuthorizationCodeEntity } from '../persistence/entities/authorization-code.entity.js';
import { GrantEntity } from '../persistence/entities/grant.entity.js';
import { RefreshTokenEntity } from '../persistence/entities/refresh-token.entity.js';
import { returningRows } from '../persistence/returning.js';
import { SessionService } from '../users/session.service.js';
import { UserStore } from '../users/user.store.js';
import { EventRecorder } from './event-recorder.js';
import { RefreshTokenFormat } from './refresh-token-format.js';
import { grantContextClaims } from './grant-context.js';
import { isOnlineOnly } from './online-access.js';
import { pkceMatches } from './pkce.js';
import { REPLAY_WAIT_MS, REPLAY_POLL_MS, withinRefreshGrace } from './refresh-grace.js';

export interface NewGrant {
  clientId: string;
  userId: string;
  scope: string;
  context: LaunchContext;
  launch: GrantEntity['launch'];
  /** The login session, kept for `online_access` refresh tokens. */
  sessionHash: string | null;
}

export interface CodeBinding {
  redirectUri: string;
  redirectUriSent: boolean;
  codeChallenge: string;
  nonce?: string;
  authTime: Date;
}

const REVOCATION_MARGIN_SECONDS = 60;

interface CodeRow {
  code_hash: string;
  grant_id: string;
  client_id: string;
  redirect_uri: string;
  redirect_uri_sent: boolean;
  code_challenge: string;
  nonce: string | null;
  auth_time: Date;
  expires_at: Date;
}

/**
 * Grants and their credentials: single-use codes bound to client, redirect
 * URI and PKCE challenge; refresh tokens rotated on every use with reuse
 * detection (RFC 9700 §2.2.2, §4.14); revocation of a whole grant.
 */
@Injectable()
export class GrantService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AuthorizationConfig,
    private readonly directory: ClientDirectory,
    private readonly users: UserStore,
    private readonly sessions: SessionService,
    private readonly events: EventRecorder,
    private readonly refreshTokenFormat: RefreshTokenFormat,
  ) {}

  /** Stores the grant and its authorization code in one transaction; returns the code. */
  async createWithCode(grant: NewGrant, binding: CodeBinding, requestId?: string): Promise<{ code: string; grantId: string }> {
    const code = generateOpaqueToken();
    const grantId = randomUUID();
    const fhirUser = (await this.users.byId(grant.userId))?.fhirUser ?? undefined;
    const event = await inTransaction(this.dataSource, async (manager) => {
      await manager.getRepository(GrantEntity).insert({
        id: grantId,
        clientId: grant.clientId,
        userId: grant.userId,
        scope: grant.scope,
        context: grant.context as never,
        launch: grant.launch,
        sessionHash: grant.sessionHash,
        lastUsedAt: null,
        revokedAt: null,
        revokeReason: null,
      });
      await manager.getRepository(AuthorizationCodeEntity).insert({
        codeHash: sha256Hex(code),
        grantId,
        clientId: grant.clientId,
        redirectUri: binding.redirectUri,
        redirectUriSent: binding.redirectUriSent,
        codeChallenge: binding.codeChallenge,
        nonce: binding.nonce ?? null,
        authTime: binding.authTime,
        expiresAt: new Date(Date.now() + this.config.AUTHORIZATION_CODE_TTL_SECONDS * 1000),
        redeemedAt: null,
      });
      return this.events.add(
        manager,
        'grant.created',
        {
          grant_id: grantId,
          client_id: grant.clientId,
          user_id: grant.userId,
          scope: grant.scope,
          launch: grant.launch,
          ...(fhirUser ? { fhirUser } : {}),
          ...(grant.context.patient ? { patient: grant.context.patient } : {}),
        },
        requestId,
      );
    });
    this.events.soon(event);
    return { code, grantId };
  }

  /** RFC 6749 §4.1.3 with RFC 7636 §4.6; a replayed code revokes what the first use issued (RFC 6749 §4.1.2). */
  async redeemCode(request: RedeemCodeRequest): Promise<AuthorizedGrant> {
    if (typeof request?.code !== 'string' || typeof request.client_id !== 'string') throw new InvalidRequest('code is required');
    const codeHash = sha256Hex(request.code.slice(0, 512));
    const rows = returningRows<CodeRow>(
      await this.dataSource.query(
        `UPDATE authorization_code SET redeemed_at = now() WHERE code_hash = $1 AND redeemed_at IS NULL RETURNING *`,
        [codeHash],
      ),
    );
    const row = rows[0];
    if (!row) {
      const replayed = await this.dataSource.getRepository(AuthorizationCodeEntity).findOneBy({ codeHash });
      if (replayed) {
        await this.revoke(replayed.grantId, 'code_replay', request.requestId);
        throw new InvalidGrant('the authorization code was already used; the tokens issued with it are revoked');
      }
      throw new InvalidGrant('the authorization code is invalid or expired');
    }
    // Every failure below has consumed the code, as RFC 6749 §10.5 wants of a code presented wrongly.
    if (new Date(row.expires_at).getTime() <= Date.now()) throw new InvalidGrant('the authorization code is invalid or expired');
    if (row.client_id !== request.client_id) throw new InvalidGrant('the authorization code was issued to another client');
    if (row.redirect_uri_sent ? request.redirect_uri !== row.redirect_uri : request.redirect_uri !== undefined && request.redirect_uri !== row.redirect_uri) {
      throw new InvalidGrant('redirect_uri does not match the authorization request');
    }
    if (request.code_verifier === undefined) throw new InvalidGrant('code_verifier is required (PKCE)');
    if (!pkceMatches(request.code_verifier, row.code_challenge)) throw new InvalidGrant('code_verifier does not match the code_challenge');

    const grant = await this.liveGrant(row.grant_id);
    await this.dataSource.query(`UPDATE authorization_grant SET last_used_at = now() WHERE id = $1`, [grant.id]);
    const client = await this.client(grant.clientId);
    const refresh = await this.maybeIssueRefreshToken(this.dataSource.manager, grant, client, grant.scope, new Date(row.auth_time));
    return this.authorized(grant, grant.scope, new Date(row.auth_time), { nonce: row.nonce ?? undefined, ...refresh });
  }

  /**
   * RFC 6749 §6 with rotation; a rotated token coming back revokes the grant (RFC 9700 §4.14.2).
   * `token.refreshed`, or `refresh_token.reused` with `grant.revoked`, are written in the transaction of the change.
   */
  async refresh(request: RefreshGrantRequest): Promise<AuthorizedGrant | RefreshReplay> {
    if (typeof request?.refresh_token !== 'string' || typeof request.client_id !== 'string') throw new InvalidRequest('refresh_token is required');
    const tokenHash = sha256Hex(request.refresh_token.slice(0, 512));
    const outcome = await inTransaction(this.dataSource, async (manager) => {
      const token = await manager.getRepository(RefreshTokenEntity).findOne({ where: { tokenHash }, lock: { mode: 'pessimistic_write' } });
      if (!token || token.clientId !== request.client_id) throw new InvalidGrant('the refresh token is invalid, expired or revoked');
      // Refresh grace: the same client presenting the token it just rotated gets the same answer, not a revocation.
      if (token.usedAt && withinRefreshGrace(token.usedAt, Date.now(), this.config.REFRESH_REUSE_GRACE_SECONDS)) return { graceFor: token.grantId };
      if (token.usedAt) return { reused: await this.reuseDetected(manager, token, request.requestId) };
      if (token.expiresAt.getTime() <= Date.now()) throw new InvalidGrant('the refresh token is invalid, expired or revoked');
      const grant = await manager.getRepository(GrantEntity).findOneBy({ id: token.grantId });
      if (!grant || grant.revokedAt) throw new InvalidGrant('the refresh token is invalid, expired or revoked');
      // online_access only: the token dies with the login session; offline_access outlives it (SMART App Launch 2.2).
      if (isOnlineOnly(token.scope) && (!grant.sessionHash || !(await this.sessions.findByHash(grant.sessionHash, manager)))) {
        throw new InvalidGrant('the login session this online_access token belonged to has ended');
      }
      const scope = narrowedScope(request.scope, token.scope);
      await manager.getRepository(RefreshTokenEntity).update({ tokenHash }, { usedAt: new Date() });
      await manager.query(`UPDATE authorization_grant SET last_used_at = now() WHERE id = $1`, [grant.id]);
      const client = await this.client(grant.clientId);
      const refresh = await this.maybeIssueRefreshToken(manager, grant, client, token.scope, token.authTime);
      const patient = grant.context?.patient;
      const event = await this.events.add(
        manager,
        'token.refreshed',
        { grant_id: grant.id, client_id: grant.clientId, user_id: grant.userId, scope, ...(patient ? { patient } : {}) },
        request.requestId,
      );
      return { refreshed: { grant, scope, authTime: token.authTime, refresh, event } };
    });
    if (outcome.graceFor) return this.replay(tokenHash, outcome.graceFor);
    if (outcome.reused) {
      this.events.soon(outcome.reused.detected);
      // Every introspection replica must stop the grant's access tokens before the client hears back.
      if (outcome.reused.revoked) await this.events.published(outcome.reused.revoked);
      throw new InvalidGrant('the refresh token was already used; the whole grant is revoked');
    }
    const result = outcome.refreshed!;
    this.events.soon(result.event);
    // authorized() refuses a grant whose user is gone or disabled.
    const authorized = await this.authorized(result.grant, result.scope, result.authTime, result.refresh);
    return this.config.REFRESH_REUSE_GRACE_SECONDS > 0 ? { ...authorized, seal_response: true } : authorized;
  }

  /**
   * Refresh grace: the sealed response of the first presentation, once its
   * token service has handed it back (it signs after this service answers, so
   * a replay racing it waits a moment). A grant revoked meanwhile gets nothing;
   * a response that never arrives is `invalid_grant` without revoking anything
   * (the client may have lost the first answer, but nobody else holds it).
   */
  private async replay(tokenHash: string, grantId: string): Promise<RefreshReplay> {
    const deadline = Date.now() + REPLAY_WAIT_MS;
    for (;;) {
      const grant = await this.dataSource.getRepository(GrantEntity).findOneBy({ id: grantId });
      if (!grant || grant.revokedAt) throw new InvalidGrant('the refresh token is invalid, expired or revoked');
      const row = await this.dataSource.getRepository(RefreshTokenEntity).findOneBy({ tokenHash });
      if (row?.successorSealed) return { replay: row.successorSealed };
      if (Date.now() >= deadline) throw new InvalidGrant('the refresh token was just used and its successor is not available; sign in again');
      await new Promise((resolve) => setTimeout(resolve, REPLAY_POLL_MS));
    }
  }

  /**
   * Refresh grace: keeps the sealed token response of a rotation (its key
   * derives from the spent refresh token, which is never stored), for a token
   * spent inside the window and sealed once only.
   */
  async sealRefresh(request: SealRefreshRequest): Promise<{ sealed: boolean }> {
    if (typeof request?.refresh_token !== 'string' || typeof request.sealed !== 'string' || request.sealed.length > 65_536) throw new InvalidRequest('malformed seal request');
    if (this.config.REFRESH_REUSE_GRACE_SECONDS <= 0) return { sealed: false };
    const rows = returningRows<{ token_hash: string }>(
      await this.dataSource.query(
        `UPDATE refresh_token SET successor_sealed = $2
          WHERE token_hash = $1 AND used_at IS NOT NULL AND successor_sealed IS NULL AND used_at > now() - make_interval(secs => $3)
          RETURNING token_hash`,
        [sha256Hex(request.refresh_token.slice(0, 512)), request.sealed, this.config.REFRESH_REUSE_GRACE_SECONDS],
      ),
    );
    return { sealed: rows.length === 1 };
  }

  /**
   * The client a refresh token was issued to, spent or not (a spent one coming back must still reach reuse
   * detection), so the token service can tell a public client's refresh without `client_id` (RFC 6749 §6) from a
   * confidential client's refresh without authentication, which it refuses before anything is spent. Reads only.
   */
  async refreshTokenClient(request: RefreshTokenClientRequest): Promise<RefreshTokenClient> {
    if (typeof request?.refresh_token !== 'string') throw new InvalidRequest('refresh_token is required');
    const token = await this.dataSource.getRepository(RefreshTokenEntity).findOneBy({ tokenHash: sha256Hex(request.refresh_token.slice(0, 512)) });
    return { client_id: token?.clientId ?? null };
  }

  /** A spent refresh token came back: the fact, and the end of its grant (if still live), in the caller's transaction. */
  private async reuseDetected(
    manager: EntityManager,
    token: RefreshTokenEntity,
    requestId?: string,
  ): Promise<{ detected: EventEnvelope<'refresh_token.reused'>; revoked: EventEnvelope<'grant.revoked'> | null }> {
    const grant = await manager.getRepository(GrantEntity).findOneBy({ id: token.grantId });
    const patient = grant?.context?.patient;
    const detected = await this.events.add(
      manager,
      'refresh_token.reused',
      { grant_id: token.grantId, client_id: token.clientId, user_id: grant?.userId ?? '', ...(patient ? { patient } : {}) },
      requestId,
    );
    const revoked = await this.revokeIn(manager, token.grantId, 'refresh_token_reuse', requestId);
    return { detected, revoked };
  }

  /** RFC 7009 for a refresh token: the grant (and every token of it) is revoked. */
  async revokeRefreshToken(request: RevokeRefreshTokenRequest): Promise<{ revoked: boolean }> {
    if (typeof request?.token !== 'string' || typeof request.client_id !== 'string') return { revoked: false };
    const token = await this.dataSource.getRepository(RefreshTokenEntity).findOneBy({ tokenHash: sha256Hex(request.token.slice(0, 512)) });
    if (!token) return { revoked: false };
    if (token.clientId !== request.client_id) throw new UnauthorizedClient('the token was not issued to this client');
    await this.revoke(token.grantId, 'client_request', request.requestId);
    return { revoked: true };
  }

  /**
   * Ends a grant: no refresh, and every access token of it inactive at
   * /introspect once `grant.revoked` reaches the introspection replicas.
   * Revoking a grant already revoked changes nothing and writes no second
   * `grant.revoked` (it would tell every consumer the grant was revoked
   * twice); the event of the first revocation, if it still waits in the
   * outbox (that call answered 503), is published now with its own id, so
   * JetStream keeps one copy and a caller retrying learns the revocation is
   * in force everywhere. Returns whether this call revoked the grant.
   */
  async revoke(grantId: string, reason: GrantRevokedData['reason'], requestId?: string): Promise<boolean> {
    const event = await inTransaction(this.dataSource, (manager) => this.revokeIn(manager, grantId, reason, requestId));
    // Every introspection replica must know before the caller hears back (RFC 7009 §2.2).
    const announcements = event ? [event] : await this.events.unannounced('grant.revoked', 'grant_id', grantId);
    for (const envelope of announcements) await this.events.published(envelope);
    return event !== null;
  }

  /** The revocation and its `grant.revoked` event in the caller's transaction; null when the grant is unknown or already revoked. */
  private async revokeIn(manager: EntityManager, grantId: string, reason: GrantRevokedData['reason'], requestId?: string): Promise<EventEnvelope<'grant.revoked'> | null> {
    const rows = returningRows<{ client_id: string; user_id: string; revoked_at: Date }>(
      await manager.query(
        `UPDATE authorization_grant SET revoked_at = now(), revoke_reason = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING client_id, user_id, revoked_at`,
        [grantId, reason],
      ),
    );
    const row = rows[0];
    if (!row) return null;
    // Access tokens of the grant issued up to `revoked_at` are inactive. A margin covers a refresh that passed
    // its checks just before the revocation and signs a moment after, and clock skew between services; no
    // legitimate token of a revoked grant can be issued later anyway.
    const revokedAt = Math.ceil(new Date(row.revoked_at).getTime() / 1000) + REVOCATION_MARGIN_SECONDS;
    return this.events.add(manager, 'grant.revoked', { grant_id: grantId, client_id: row.client_id, user_id: row.user_id, reason, revoked_at: revokedAt }, requestId);
  }

  /** Grants, newest first, optionally of one user, client and/or patient (admin API). */
  async list(filter: { userId?: string; clientId?: string; patient?: string; limit: number; offset: number }): Promise<GrantEntity[]> {
    const query = this.dataSource.getRepository(GrantEntity).createQueryBuilder('g').orderBy('g.created_at', 'DESC').take(filter.limit).skip(filter.offset);
    if (filter.userId) query.andWhere('g.user_id = :userId', { userId: filter.userId });
    if (filter.clientId) query.andWhere('g.client_id = :clientId', { clientId: filter.clientId });
    if (filter.patient) query.andWhere("g.context->>'patient' = :patient", { patient: filter.patient });
    return query.getMany();
  }

  /** Revokes every live grant of a client (its access goes everywhere at once); returns how many. */
  async revokeAllOf(clientId: string, requestId?: string): Promise<number> {
    const live: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM authorization_grant WHERE client_id = $1 AND revoked_at IS NULL`, [clientId]);
    let revoked = 0;
    for (const { id } of live) if (await this.revoke(id, 'admin', requestId)) revoked++;
    return revoked;
  }

  find(grantId: string): Promise<GrantEntity | null> {
    return this.dataSource.getRepository(GrantEntity).findOneBy({ id: grantId });
  }

  async purgeExpired(): Promise<void> {
    await this.dataSource.query(`DELETE FROM authorization_code WHERE expires_at < now() - interval '1 day'`);
    await this.dataSource.query(`DELETE FROM refresh_token WHERE expires_at < now()`);
  }

  private async liveGrant(grantId: string): Promise<GrantEntity> {
    const grant = await this.dataSource.getRepository(GrantEntity).findOneBy({ id: grantId });
    if (!grant || grant.revokedAt) throw new InvalidGrant('the authorization was revoked');
    return grant;
  }

  private async client(clientId: string): Promise<ClientRecord> {
    const client = await this.directory.get(clientId);
    if (!client) throw new InvalidGrant('the client of this grant is no longer registered');
    return client;
  }

  /** A refresh token when the grant has `offline_access` or `online_access` and the client registered the refresh_token grant. */
  private async maybeIssueRefreshToken(
    manager: EntityManager,
    grant: GrantEntity,
    client: ClientRecord,
    scope: string,
    authTime: Date,
  ): Promise<{ refresh_token?: string; refresh_token_expires_in?: number }> {
    const scopes = scope.split(' ');
    const offline = scopes.includes('offline_access');
    const online = scopes.includes('online_access');
    if ((!offline && !online) || !client.metadata.grant_types.includes('refresh_token')) return {};
    let expiresAt = new Date(Date.now() + this.config.REFRESH_TOKEN_TTL_SECONDS * 1000);
    if (!offline) {
      // online_access: no longer than the login session.
      const session = grant.sessionHash ? await this.sessions.findByHash(grant.sessionHash, manager) : null;
      if (!session) return {};
      expiresAt = new Date(Math.min(expiresAt.getTime(), session.authenticatedAt.getTime() + this.config.SESSION_TTL_SECONDS * 1000));
    }
    const token = this.refreshTokenFormat.issue();
    await manager.getRepository(RefreshTokenEntity).insert({
      tokenHash: sha256Hex(token),
      grantId: grant.id,
      clientId: grant.clientId,
      scope,
      authTime,
      expiresAt,
      usedAt: null,
    });
    return { refresh_token: token, refresh_token_expires_in: Math.max(0, Math.floor((expiresAt.getTime() - Date.now()) / 1000)) };
  }

  private async authorized(
    grant: GrantEntity,
    scope: string,
    authTime: Date,
    extra: { nonce?: string; refresh_token?: string; refresh_token_expires_in?: number },
  ): Promise<AuthorizedGrant> {
    const user = await this.users.byId(grant.userId);
    if (!user || user.disabled) throw new InvalidGrant('the user of this grant is no longer active');
    const answer: AuthorizedGrant = {
      grant_id: grant.id,
      client_id: grant.clientId,
      sub: user.id,
      scope,
      name: user.displayName,
      auth_time: Math.floor(authTime.getTime() / 1000),
      ...grantContextClaims(grant.context, scope, user.fhirUser, this.config.FHIR_BASE_URL),
    };
    if (extra.nonce !== undefined) answer.nonce = extra.nonce;
    if (extra.refresh_token) {
      answer.refresh_token = extra.refresh_token;
      answer.refresh_token_expires_in = extra.refresh_token_expires_in;
    }
    return answer;
  }
}

/** RFC 6749 §6: a refresh may ask for less, never for more. */
function narrowedScope(requested: string | undefined, tokenScope: string): string {
  if (requested === undefined || requested.trim() === '') return tokenScope;
  const asked = ScopeSet.parse(requested);
  const held = ScopeSet.parse(tokenScope);
  for (const scope of asked) {
    if (!held.values().some((h) => h.covers(scope))) throw new InvalidScope('a refresh cannot widen the scope of the grant');
  }
  return asked.toString();
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { AuthorizedGrant, RedeemCodeRequest } from '#contracts';
import { ClientDirectory } from '#nest';
import { InvalidGrant, InvalidRequest, ScopeSet, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { AuthorizationCodeStore, type RedeemedCode } from '../persistence/authorization-code.store.js';
import { GrantStore } from '../persistence/grant.store.js';
import { authorizedGrant, type GrantUse } from './authorized-grant.js';
import { GrantRevocation } from './grant-revocation.js';
import { refreshTokenBinding } from './dpop-refresh-binding.js';
import { pkceMatches } from './pkce.js';
import { RefreshTokenIssuance } from './refresh-token-issuance.js';

/**
 * Why a code just marked redeemed authorizes nothing, in RFC 6749 §4.1.3's
 * order: expired, issued to another client, `redirect_uri` not repeated as
 * the authorization request sent it, then the PKCE verifier (RFC 7636 §4.6);
 * null when it is good.
 */
export function codeRedemptionFailure(code: RedeemedCode, request: Pick<RedeemCodeRequest, 'client_id' | 'redirect_uri' | 'code_verifier' | 'dpop_jkt'>, nowMs: number): string | null {
  if (code.expiresAt.getTime() <= nowMs) return 'the authorization code is invalid or expired';
  if (code.clientId !== request.client_id) return 'the authorization code was issued to another client';
  // RFC 6749 §4.1.3: required, and identical, when the authorization request included it; if sent anyway, identical.
  const redirectMatches = code.redirectUriSent ? request.redirect_uri === code.redirectUri : request.redirect_uri === undefined || request.redirect_uri === code.redirectUri;
  if (!redirectMatches) return 'redirect_uri does not match the authorization request';
  if (request.code_verifier === undefined) return 'code_verifier is required (PKCE)';
  if (!pkceMatches(request.code_verifier, code.codeChallenge)) return 'code_verifier does not match the code_challenge';
  // RFC 9449 §10.1: a code bound with dpop_jkt is redeemed only with a proof made with that key.
  if (code.dpopJkt !== null && code.dpopJkt !== undefined && request.dpop_jkt !== code.dpopJkt) return 'the authorization code is bound to another DPoP key (dpop_jkt)';
  return null;
}

type Redemption = { replayOf: string | null } | { failure: string } | { use: GrantUse };

/**
 * `authorization.v1.code.redeem`: RFC 6749 §4.1.3 with RFC 7636 §4.6: the
 * code is spent (single use: one statement that only a code not yet spent
 * passes), checked, its grant marked used and the refresh token issued. A
 * failed check still spends the code (RFC 6749 §10.5); a code presented
 * again revokes what its first use issued (RFC 6749 §4.1.2).
 *
 * Each step is a statement of its own, not one transaction (issue #20: a
 * transaction cost two more round trips to PostgreSQL per code). No step
 * undoes another, and a step that fails leaves a state that is one already:
 * a spent code whose grant gave nothing (as after a failed check), a grant
 * marked used whose tokens never came. The client then starts again.
 */
@Injectable()
export class CodeRedemption {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AuthorizationConfig,
    private readonly codes: AuthorizationCodeStore,
    private readonly grants: GrantStore,
    private readonly directory: ClientDirectory,
    private readonly refreshTokens: RefreshTokenIssuance,
    private readonly revocation: GrantRevocation,
  ) {}

  async redeem(request: RedeemCodeRequest): Promise<AuthorizedGrant> {
    if (typeof request?.code !== 'string' || typeof request.client_id !== 'string') throw new InvalidRequest('code is required');
    if (request.dpop_jkt !== undefined && typeof request.dpop_jkt !== 'string') throw new InvalidRequest('malformed dpop_jkt');
    const codeHash = sha256Hex(request.code.slice(0, 512));
    const outcome = await this.spend(codeHash, request);
    if ('replayOf' in outcome) {
      if (outcome.replayOf === null) throw new InvalidGrant('the authorization code is invalid or expired');
      await this.revocation.revoke(outcome.replayOf, 'code_replay', request.requestId);
      throw new InvalidGrant('the authorization code was already used; the tokens issued with it are revoked');
    }
    if ('failure' in outcome) throw new InvalidGrant(outcome.failure);
    // authorizedGrant() refuses a grant whose user is gone or disabled.
    return authorizedGrant(outcome.use, this.config.FHIR_BASE_URL);
  }

  /** Spends the code and, when it passes, uses its grant and issues its refresh token; each a statement of its own. */
  private async spend(codeHash: string, request: RedeemCodeRequest): Promise<Redemption> {
    const manager = this.dataSource.manager;
    const code = await this.codes.redeem(manager, codeHash);
    if (!code) return { replayOf: await this.codes.grantOf(manager, codeHash) };
    const failure = codeRedemptionFailure(code, request, Date.now());
    if (failure) return { failure };
    const used = await this.grants.use(manager, code.grantId);
    if (!used) return { failure: 'the authorization was revoked' };
    const client = await this.directory.get(used.grant.clientId);
    if (!client) return { failure: 'the client of this grant is no longer registered' };
    const binding = refreshTokenBinding(client, request.dpop_jkt);
    const refresh = await this.refreshTokens.issue(manager, used.grant, client, ScopeSet.parse(used.grant.scope), code.authTime, binding);
    return { use: { ...used, scope: used.grant.scope, authTime: code.authTime, nonce: code.nonce ?? undefined, refresh } };
  }
}

import { Injectable } from '@nestjs/common';
import * as oidc from 'openid-client';
import { sha256Hex } from '#oauth';
import { InteractionStore } from '../flow/interaction.store.js';
import type { InteractionEntity } from '../persistence/entities/interaction.entity.js';
import { UPSTREAM_CALLBACK_PATH, UpstreamProvider } from './upstream-provider.js';

/**
 * Starts the upstream login of an interaction: authorization code flow with
 * PKCE S256, `state` and `nonce` (OIDC Core §3.1.2.1, RFC 7636 §4, RFC 9700
 * §2.1.1). The verifier and nonce stay in the interaction row, the state only
 * as a hash; the browser gets a cookie scoped to the callback path that
 * carries the interaction's binding secret, so only the browser that started
 * the interaction can finish it.
 */
@Injectable()
export class UpstreamLogin {
  constructor(
    private readonly upstream: UpstreamProvider,
    private readonly interactions: InteractionStore,
  ) {}

  /** The name of the callback-scoped binding cookie of an interaction (one per interaction: tabs do not collide). */
  static cookieName(interactionId: string): string {
    return `smart_upstream_${interactionId}`;
  }

  /**
   * Where the browser goes (a 303 to the upstream authorization endpoint) and the binding cookie it takes along,
   * which the web layer sets. `prompt=login` and `max_age`
   * of the client's request are passed on, so the upstream authenticates
   * afresh when the client asked for it (OIDC Core §3.1.2.1).
   * @throws TemporarilyUnavailable when the upstream cannot be discovered.
   */
  async begin(ix: InteractionEntity, binding: string): Promise<{ location: string; cookie: { name: string; value: string; path: string; maxAge: number } }> {
    const configuration = await this.upstream.configuration();
    const verifier = oidc.randomPKCECodeVerifier();
    const state = oidc.randomState();
    const nonce = oidc.randomNonce();
    await this.interactions.beginUpstreamLogin(ix.id, sha256Hex(state), verifier, nonce);
    const params: Record<string, string> = {
      ...this.upstream.extraAuthorizeParams,
      redirect_uri: this.upstream.redirectUri,
      scope: this.upstream.scope,
      state,
      nonce,
      code_challenge: await oidc.calculatePKCECodeChallenge(verifier),
      code_challenge_method: 'S256',
    };
    if (ix.request.prompt === 'login') params.prompt = 'login';
    if (ix.request.maxAge !== undefined) params.max_age = String(ix.request.maxAge);
    const location = oidc.buildAuthorizationUrl(configuration, params);
    const lifetime = Math.max(1, Math.ceil((ix.expiresAt.getTime() - Date.now()) / 1000));
    return { location: location.href, cookie: { name: UpstreamLogin.cookieName(ix.id), value: binding, path: UPSTREAM_CALLBACK_PATH, maxAge: lifetime } };
  }
}

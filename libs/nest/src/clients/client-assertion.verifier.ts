import { decodeJwt, type CryptoKey } from 'jose';
import type { ClientRecord } from '#contracts';
import { AssertionReplayStore } from '../messaging/assertion-replay.store.js';
import { headerOf, importPublicJwk, InvalidJwt, typMatches, verifiedPayload } from '../keys/compact-jws.js';
import { ClientKeyResolver, ClientKeyUnavailable } from './client-key.resolver.js';
import type { ClientSource } from './client-authenticator.js';

/** Algorithms accepted for client assertions (SMART requires RS384 and ES384; `none` and HMAC never). */
export const CLIENT_ASSERTION_ALGS: readonly string[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];
/** SMART Backend Services: `exp` no more than five minutes in the future. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
/** Clock skew allowed on `exp`, `nbf` and `iat`. */
export const ASSERTION_CLOCK_SKEW_SECONDS = 60;
const MAX_ASSERTION_LENGTH = 16_384;
const MAX_JTI_LENGTH = 256;

/**
 * What an assertion is for: authenticating its client (RFC 7523 §2.2, `iss`
 * = `sub` = client_id) or as an authorization grant (§2.1, `iss` = client_id,
 * `sub` = the user it acts for).
 */
export type AssertionUse = 'client_authentication' | 'authorization_grant';

export interface AssertionExpectations {
  use: AssertionUse;
  /** Path of the endpoint that received it (`/token`, `/introspect`, `/revoke`, `/par`): its URL is an accepted `aud` (RFC 9126 §2). */
  endpoint: string;
  /** The `client_id` form parameter, when the request carried one (RFC 7523 §3: must match). */
  clientId?: string;
}

export interface VerifiedAssertion {
  client: ClientRecord;
  /** `sub`: the client itself, or the user of an authorization grant. */
  subject: string;
  claims: Record<string, unknown>;
}

/**
 * An assertion failed a check. The message names the check and is shown to
 * the client (`error_description`); it never carries key material.
 */
export class AssertionRejected extends Error {
  override readonly name = 'AssertionRejected';
}

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Verifies JWT assertions signed with a client's registered key (RFC 7523
 * §3, SMART App Launch 2.2 client-confidential-asymmetric and Backend
 * Services): algorithm, `kid`, `jku`, signature, `iss`/`sub`, `aud`, `exp`
 * (present, at most five minutes ahead), `nbf`/`iat`, and `jti` (present,
 * accepted once, across every replica).
 */
export class ClientAssertionVerifier {
  /** Imported keys, per JWK object (a client's records are replaced on change) and algorithm. */
  private readonly imported = new WeakMap<object, Map<string, Promise<CryptoKey>>>();

  constructor(
    private readonly clients: ClientSource,
    private readonly keys: ClientKeyResolver,
    private readonly replays: AssertionReplayStore,
    private readonly issuer: string,
  ) {}

  /** Accepted `aud` values: the endpoint's URL, the token endpoint's, and the issuer. */
  audiencesFor(endpoint: string): string[] {
    return [...new Set([`${this.issuer}${endpoint}`, `${this.issuer}/token`, this.issuer])];
  }

  /** @throws AssertionRejected; store outages reject with other errors. */
  async verify(assertion: string, expected: AssertionExpectations): Promise<VerifiedAssertion> {
    if (typeof assertion !== 'string' || assertion.length > MAX_ASSERTION_LENGTH) throw new AssertionRejected('the assertion is not a JWT of acceptable size');
    let header;
    let unverified;
    try {
      header = headerOf(assertion);
      unverified = decodeJwt(assertion) as Record<string, unknown>;
    } catch {
      throw new AssertionRejected('the assertion is not a well-formed signed JWT');
    }
    // RFC 8725 §3.1: the algorithm is checked against an allow-list before anything else.
    if (!CLIENT_ASSERTION_ALGS.includes(header.alg)) throw new AssertionRejected(`alg "${String(header.alg).slice(0, 20)}" is not accepted; use one of ${CLIENT_ASSERTION_ALGS.join(', ')}`);
    if (header.typ !== undefined && !typMatches(header.typ, 'JWT') && !typMatches(header.typ, 'client-authentication+jwt')) {
      throw new AssertionRejected('typ must be JWT or client-authentication+jwt');
    }

    const iss = unverified.iss;
    if (!isNonEmptyString(iss) || iss.length > 128) throw new AssertionRejected('iss must be the client_id');
    if (expected.clientId !== undefined && expected.clientId !== iss) throw new AssertionRejected('iss does not match the client_id parameter');
    const client = await this.clients.get(iss);
    if (!client) throw new AssertionRejected('iss is not a registered client');
    const { metadata } = client;
    if (expected.use === 'client_authentication' && metadata.token_endpoint_auth_method !== 'private_key_jwt') {
      throw new AssertionRejected(`this client is registered for ${metadata.token_endpoint_auth_method} authentication, not private_key_jwt`);
    }
    if (!metadata.jwks && !metadata.jwks_uri) throw new AssertionRejected('the client has registered no keys (jwks or jwks_uri)');
    if (metadata.token_endpoint_auth_signing_alg !== undefined && header.alg !== metadata.token_endpoint_auth_signing_alg) {
      throw new AssertionRejected(`alg must be ${metadata.token_endpoint_auth_signing_alg}, as registered in token_endpoint_auth_signing_alg`);
    }
    // SMART: a jku is followed only when it is the registered jwks_uri (here: only then accepted).
    if (header.jku !== undefined && header.jku !== metadata.jwks_uri) throw new AssertionRejected('jku is not the registered jwks_uri');
    if (!isNonEmptyString(header.kid)) throw new AssertionRejected('the header has no kid');

    let jwk: Record<string, unknown>;
    try {
      jwk = await this.keys.keyFor(client, header.kid);
    } catch (err: unknown) {
      if (err instanceof ClientKeyUnavailable) throw new AssertionRejected(err.message);
      throw err;
    }
    const key = await this.importKey(jwk, header.alg);
    let claims: Record<string, unknown>;
    try {
      claims = await verifiedPayload(assertion, header.alg, key);
    } catch {
      throw new AssertionRejected('the signature does not verify with the key named by kid');
    }

    const subject = this.checkClaims(claims, client.client_id, expected);
    // RFC 7523 §3 item 7: jti, checked last so that an unsigned assertion cannot use up a jti.
    const used = `${client.client_id}:${claims.jti as string}`;
    if (!(await this.replays.firstUse(used, (claims.exp as number) + ASSERTION_CLOCK_SKEW_SECONDS))) {
      throw new AssertionRejected('jti has already been used');
    }
    return { client, subject, claims };
  }

  private checkClaims(claims: Record<string, unknown>, clientId: string, expected: AssertionExpectations): string {
    const now = Math.floor(Date.now() / 1000);
    const { sub, aud, exp, nbf, iat, jti } = claims;
    if (claims.iss !== clientId) throw new AssertionRejected('iss must be the client_id');
    if (expected.use === 'client_authentication') {
      if (sub !== clientId) throw new AssertionRejected('sub must be the client_id');
    } else if (!isNonEmptyString(sub) || sub.length > 256) {
      throw new AssertionRejected('sub must name the user the client acts for');
    }
    // RFC 7523 §3 item 3; rfc7523bis: an array audience must hold nothing but accepted values.
    const accepted = this.audiencesFor(expected.endpoint);
    const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
    if (audiences.length === 0 || !audiences.every((a) => typeof a === 'string' && accepted.includes(a))) {
      throw new AssertionRejected(`aud must be the token endpoint URL ${this.issuer}/token`);
    }
    if (!isTime(exp)) throw new AssertionRejected('exp is required');
    if (exp <= now - ASSERTION_CLOCK_SKEW_SECONDS) throw new AssertionRejected('the assertion has expired (exp)');
    if (exp > now + MAX_ASSERTION_LIFETIME_SECONDS + ASSERTION_CLOCK_SKEW_SECONDS) {
      throw new AssertionRejected(`exp is more than ${MAX_ASSERTION_LIFETIME_SECONDS} seconds in the future`);
    }
    if (nbf !== undefined && (!isTime(nbf) || nbf > now + ASSERTION_CLOCK_SKEW_SECONDS)) throw new AssertionRejected('the assertion is not valid yet (nbf)');
    if (iat !== undefined && (!isTime(iat) || iat > now + ASSERTION_CLOCK_SKEW_SECONDS)) throw new AssertionRejected('iat is in the future');
    if (!isNonEmptyString(jti) || jti.length > MAX_JTI_LENGTH) throw new AssertionRejected(`jti is required (at most ${MAX_JTI_LENGTH} characters)`);
    return sub as string;
  }

  private importKey(jwk: Record<string, unknown>, alg: string): Promise<CryptoKey> {
    let byAlg = this.imported.get(jwk);
    if (!byAlg) this.imported.set(jwk, (byAlg = new Map()));
    let key = byAlg.get(alg);
    if (!key) {
      key = importPublicJwk(jwk, alg).catch((err: unknown) => {
        byAlg.delete(alg);
        const reason = err instanceof InvalidJwt ? err.message : 'its type or size does not fit the algorithm';
        throw new AssertionRejected(`the key named by kid cannot be used with ${alg}: ${reason}`);
      });
      byAlg.set(alg, key);
    }
    return key;
  }
}

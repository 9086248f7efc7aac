import { decodeJwt, type CryptoKey } from 'jose';
import type { ClientRecord, UdapClientIdentity } from '#contracts';
import { AssertionReplayStore } from '../messaging/assertion-replay.store.js';
import { headerOf, importPublicJwk, InvalidJwt, typMatches, verifiedPayload, type JwsHeader } from '../keys/compact-jws.js';
import { AssertionRejected, AssertionRequestMalformed } from './assertion-rejected.js';
import { ClientKeyResolver, ClientKeyUnavailable } from './client-key.resolver.js';
import type { ClientSource } from './client-authenticator.js';
import type { UdapClientCertificates } from './udap-client-certificates.js';

/** Algorithms accepted for client assertions (SMART requires RS384 and ES384, UDAP RS256; `none` and HMAC never). */
export const CLIENT_ASSERTION_ALGS: readonly string[] = ['RS256', 'RS384', 'RS512', 'ES256', 'ES384', 'ES512'];
/** SMART Backend Services: `exp` no more than five minutes in the future. */
export const MAX_ASSERTION_LIFETIME_SECONDS = 300;
/** Clock skew allowed on `exp`, `nbf` and `iat`. */
export const ASSERTION_CLOCK_SKEW_SECONDS = 60;
const MAX_ASSERTION_LENGTH = 16_384;
/** A UDAP Authentication Token carries its certificate chain in `x5c`: larger. */
const MAX_X5C_ASSERTION_LENGTH = 65_536;
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
  /** The request's `udap` parameter, if any (UDAP Security 2.0 §4.2.2, §5.2.2: `1`, required at /token). */
  udap?: string;
}

export interface VerifiedAssertion {
  client: ClientRecord;
  /** `sub`: the client itself, or the user of an authorization grant. */
  subject: string;
  claims: Record<string, unknown>;
  /** Present when a UDAP client authenticated with its certificate: that certificate's SHA-256 (hex). */
  udapCertificateSha256?: string;
}

const isNonEmptyString = (v: unknown): v is string => typeof v === 'string' && v !== '';
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/**
 * Verifies JWT assertions signed with a client's registered key (RFC 7523
 * §3, SMART App Launch 2.2 client-confidential-asymmetric and Backend
 * Services): algorithm, `kid`, `jku`, signature, `iss`/`sub`, `aud`, `exp`
 * (present, at most five minutes ahead), `nbf`/`iat`, and `jti` (present,
 * accepted once, across every replica). A client registered through UDAP has
 * no registered key: its assertions are UDAP Authentication Tokens whose key
 * is the `x5c` certificate, trusted as {@link UdapClientCertificates} says.
 */
export class ClientAssertionVerifier {
  /** Imported keys, per JWK object (a client's records are replaced on change) and algorithm. */
  private readonly imported = new WeakMap<object, Map<string, Promise<CryptoKey>>>();

  constructor(
    private readonly clients: ClientSource,
    private readonly keys: ClientKeyResolver,
    private readonly replays: AssertionReplayStore,
    private readonly issuer: string,
    private readonly udapCertificates?: UdapClientCertificates,
  ) {}

  /** Accepted `aud` values: the endpoint's URL, the token endpoint's, and the issuer. */
  audiencesFor(endpoint: string): string[] {
    return [...new Set([`${this.issuer}${endpoint}`, `${this.issuer}/token`, this.issuer])];
  }

  /** @throws AssertionRejected; store outages reject with other errors. */
  async verify(assertion: string, expected: AssertionExpectations): Promise<VerifiedAssertion> {
    if (typeof assertion !== 'string' || assertion.length > MAX_X5C_ASSERTION_LENGTH) throw new AssertionRejected('the assertion is not a JWT of acceptable size');
    let header: JwsHeader;
    let unverified;
    try {
      header = headerOf(assertion);
      unverified = decodeJwt(assertion) as Record<string, unknown>;
    } catch {
      throw new AssertionRejected('the assertion is not a well-formed signed JWT');
    }
    if (header.x5c === undefined && assertion.length > MAX_ASSERTION_LENGTH) throw new AssertionRejected('the assertion is not a JWT of acceptable size');
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
    if (metadata.token_endpoint_auth_signing_alg !== undefined && header.alg !== metadata.token_endpoint_auth_signing_alg) {
      throw new AssertionRejected(`alg must be ${metadata.token_endpoint_auth_signing_alg}, as registered in token_endpoint_auth_signing_alg`);
    }
    if (client.udap) return this.verifyUdap(assertion, header, client, client.udap, expected);

    if (!metadata.jwks && !metadata.jwks_uri) throw new AssertionRejected('the client has registered no keys (jwks or jwks_uri)');
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
    await this.spendJti(client, claims);
    return { client, subject, claims };
  }

  /**
   * A UDAP Authentication Token (UDAP Security 2.0 §4.2, §5.2; UDAP JWT-Based
   * Client Authentication §6), in the order of the checks' cost: `udap=1` at
   * /token, the signature by the `x5c` leaf, the claims (as for every
   * assertion: `iss` = `sub` = client_id, `aud`, `exp` at most five minutes
   * ahead, `jti`), the certificate (SAN, path to the client's anchor,
   * validity, CRLs), and last the `jti`.
   */
  private async verifyUdap(assertion: string, header: JwsHeader, client: ClientRecord, identity: UdapClientIdentity, expected: AssertionExpectations): Promise<VerifiedAssertion> {
    if (expected.udap !== undefined && expected.udap !== '1') throw new AssertionRequestMalformed('udap must be 1');
    if (expected.use === 'client_authentication' && expected.endpoint === '/token' && expected.udap === undefined) {
      throw new AssertionRequestMalformed('udap=1 is required with a UDAP Authentication Token (UDAP Security 2.0 §4.2.2, §5.2.2)');
    }
    if (!this.udapCertificates) throw new AssertionRejected('UDAP client authentication is not available here');
    if (header.x5c === undefined) throw new AssertionRejected('this client registered through UDAP: its Authentication Token carries its certificate in x5c');
    if (header.jku !== undefined) throw new AssertionRejected('jku is not accepted: a UDAP Authentication Token carries its certificate in x5c');
    const signed = await this.udapCertificates.read(assertion, CLIENT_ASSERTION_ALGS);
    const subject = this.checkClaims(signed.payload, client.client_id, expected);
    await this.udapCertificates.trust(identity, signed);
    await this.spendJti(client, signed.payload);
    return { client, subject, claims: signed.payload, udapCertificateSha256: signed.leaf.sha256 };
  }

  /** RFC 7523 §3 item 7: the jti, checked last so that an assertion failing any other check uses none up. */
  private async spendJti(client: ClientRecord, claims: Record<string, unknown>): Promise<void> {
    const used = `${client.client_id}:${claims.jti as string}`;
    if (!(await this.replays.firstUse(used, (claims.exp as number) + ASSERTION_CLOCK_SKEW_SECONDS))) {
      throw new AssertionRejected('jti has already been used');
    }
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

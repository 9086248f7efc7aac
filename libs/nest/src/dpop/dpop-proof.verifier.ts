import { Logger } from '@nestjs/common';
import { calculateJwkThumbprint, decodeProtectedHeader, importJWK, type CryptoKey } from 'jose';
import { InvalidJwt, verifiedPayload } from '../keys/compact-jws.js';
import { AssertionReplayStore } from '../messaging/assertion-replay.store.js';
import { InvalidDpopProof, TemporarilyUnavailable, UseDpopNonce } from '#oauth';
import type { DpopNonces } from './dpop-nonce.js';
import { DPOP_IAT_MAX_AGE_SECONDS } from './dpop-signing-algs.js';
import { DpopProofRejected } from './dpop-proof.rejected.js';
import { checkProofClaims, type ProofTarget } from './proof-claims.rule.js';
import { checkProofHeader } from './proof-header.rule.js';

const MAX_PROOF_LENGTH = 8192;

/** A proof that passed every check: the RFC 7638 thumbprint of its key (`cnf.jkt`, RFC 9449 §6.1). */
export interface VerifiedProof {
  jkt: string;
}

/**
 * RFC 9449 §4.3: checks the DPoP proofs of a request in the order of the
 * section, and spends the proof's `jti` last (across every replica, in the
 * store client-assertion `jti`s use), so a proof that fails a check cannot
 * use one up. No proof: `undefined`.
 */
export class DpopProofVerifier {
  private readonly logger = new Logger('DpopProofVerifier');

  /** `nonces`: the server requires a nonce in every proof (RFC 9449 §8, DPOP_NONCE_REQUIRED); null when it does not. */
  constructor(
    private readonly replays: AssertionReplayStore,
    readonly nonces: DpopNonces | null = null,
  ) {}

  /** @throws InvalidDpopProof, or TemporarilyUnavailable when the replay store cannot be reached. */
  async verify(proofs: readonly string[] | undefined, target: ProofTarget): Promise<VerifiedProof | undefined> {
    if (proofs === undefined || proofs.length === 0) return undefined;
    try {
      return await this.check(proofs, target);
    } catch (err: unknown) {
      if (err instanceof DpopProofRejected) throw new InvalidDpopProof(err.message);
      if (err instanceof UseDpopNonce) throw err;
      this.logger.error(`a DPoP proof could not be checked: ${(err as Error).message}`);
      throw new TemporarilyUnavailable('the DPoP proof could not be checked; try again');
    }
  }

  private async check(proofs: readonly string[], target: ProofTarget): Promise<VerifiedProof> {
    // §4.3 item 1: exactly one DPoP header.
    if (proofs.length !== 1) throw new DpopProofRejected('exactly one DPoP header is allowed');
    const proof = proofs[0]!;
    // §4.3 item 2: a well-formed JWT.
    if (proof.length > MAX_PROOF_LENGTH || proof.split('.').length !== 3) throw new DpopProofRejected('the DPoP proof is not a signed JWT');
    let header: Record<string, unknown>;
    try {
      header = decodeProtectedHeader(proof) as Record<string, unknown>;
    } catch {
      throw new DpopProofRejected('the DPoP proof has no readable header');
    }
    // §4.3 items 4, 5, 7.
    const { alg, jwk } = checkProofHeader(header);
    // §4.3 item 6: the signature verifies with the key in the header (and the payload is a JSON object).
    let claims: Record<string, unknown>;
    try {
      // PS256 too (RFC 9449 lists it; the suite's own JWS_ALGORITHMS do not), so jose's import rather than importPublicJwk.
      claims = await verifiedPayload(proof, alg, (await importJWK({ ...jwk, alg }, alg)) as CryptoKey);
    } catch (err: unknown) {
      throw new DpopProofRejected(err instanceof InvalidJwt && err.message !== 'signature verification failed' ? `the DPoP proof: ${err.message}` : 'the signature does not verify with the jwk in the header');
    }
    // §4.3 items 3, 8, 9, 11.
    const jti = checkProofClaims(claims, target);
    // §4.3 item 10, §8: the server nonce, before the jti is spent (the client retries with a new proof).
    if (this.nonces && !this.nonces.accepts((claims as { nonce?: unknown }).nonce)) {
      throw new UseDpopNonce(this.nonces.current(), 'a DPoP proof with the server nonce (DPoP-Nonce) is required');
    }
    const jkt = await calculateJwkThumbprint(jwk, 'sha256');
    // §11.1: a jti is accepted once (per key), for as long as its iat is acceptable.
    const iat = (claims as { iat: number }).iat;
    if (!(await this.replays.firstUse(`dpop:${jkt}:${jti}`, iat + DPOP_IAT_MAX_AGE_SECONDS * 2))) {
      throw new DpopProofRejected('the DPoP proof has been used before (jti)');
    }
    return { jkt };
  }
}

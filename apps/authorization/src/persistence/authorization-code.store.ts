import { Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { ExpiringRows } from '#nest';
import { AuthorizationCodeEntity } from './entities/authorization-code.entity.js';
import { returningRows } from './returning.js';

/** A code as issued: its SHA-256 and what it is bound to. */
export type NewAuthorizationCode = Omit<AuthorizationCodeEntity, 'redeemedAt'>;

/** A code just marked redeemed: what its redemption is checked against. */
export type RedeemedCode = Omit<AuthorizationCodeEntity, 'codeHash' | 'redeemedAt'>;

interface CodeRow {
  grant_id: string;
  client_id: string;
  redirect_uri: string;
  redirect_uri_sent: boolean;
  code_challenge: string;
  nonce: string | null;
  dpop_jkt: string | null;
  auth_time: Date;
  expires_at: Date;
}

/** The `authorization_code` table (codes by SHA-256 only). */
@Injectable()
export class AuthorizationCodeStore {
  async insert(manager: EntityManager, code: NewAuthorizationCode): Promise<void> {
    await manager.getRepository(AuthorizationCodeEntity).insert({ ...code, redeemedAt: null });
  }

  /** Marks the code redeemed if it was not (RFC 6749 §4.1.2: single use, atomically); null when unknown or already redeemed. */
  async redeem(manager: EntityManager, codeHash: string): Promise<RedeemedCode | null> {
    const [row] = returningRows<CodeRow>(
      await manager.query(
        `UPDATE authorization_code SET redeemed_at = now() WHERE code_hash = $1 AND redeemed_at IS NULL
          RETURNING grant_id, client_id, redirect_uri, redirect_uri_sent, code_challenge, nonce, dpop_jkt, auth_time, expires_at`,
        [codeHash],
      ),
    );
    if (!row) return null;
    return {
      grantId: row.grant_id,
      clientId: row.client_id,
      redirectUri: row.redirect_uri,
      redirectUriSent: row.redirect_uri_sent,
      codeChallenge: row.code_challenge,
      nonce: row.nonce,
      dpopJkt: row.dpop_jkt,
      authTime: new Date(row.auth_time),
      expiresAt: new Date(row.expires_at),
    };
  }

  /** The grant of a code that was issued (and so, when {@link redeem} found nothing, already redeemed); null for a code never issued. */
  async grantOf(manager: EntityManager, codeHash: string): Promise<string | null> {
    const code = await manager.getRepository(AuthorizationCodeEntity).findOneBy({ codeHash });
    return code?.grantId ?? null;
  }

  /** For the janitor: codes are kept a day past expiry, so a late replay is still recognised (and revokes its grant). */
  expiredRows(): ExpiringRows {
    return { table: 'authorization_code', key: 'code_hash', pastHorizon: `expires_at < now() - interval '1 day'` };
  }
}

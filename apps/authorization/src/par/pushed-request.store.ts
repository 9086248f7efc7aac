import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { ExpiringRows } from '#nest';
import type { ResolvedLaunch } from '../launch/launch-binding.js';
import type { PushedAuthorizationRequestEntity } from '../persistence/entities/pushed-authorization-request.entity.js';
import { returningRows } from '../persistence/returning.js';

/** A pushed request taken for its one use at /authorize. */
export interface TakenPushedRequest {
  params: Record<string, string>;
  launch: ResolvedLaunch | null;
}

/** The `pushed_authorization_request` table (RFC 9126): by the hash of the `request_uri`'s random part only. */
@Injectable()
export class PushedRequestStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(row: Omit<PushedAuthorizationRequestEntity, 'createdAt'>): Promise<void> {
    await this.dataSource.query(`INSERT INTO pushed_authorization_request (id_hash, client_id, params, launch, expires_at) VALUES ($1, $2, $3, $4, $5)`, [
      row.idHash,
      row.clientId,
      JSON.stringify(row.params),
      row.launch === null ? null : JSON.stringify(row.launch),
      row.expiresAt,
    ]);
  }

  /**
   * Takes the request for its one use (RFC 9126 §4: single use, only by the client that pushed it, before it
   * expires), atomically: two /authorize racing with one `request_uri` get it once. A request another client
   * names is not spent, so the client it belongs to can still use it.
   */
  async take(idHash: string, clientId: string): Promise<TakenPushedRequest | null> {
    const [row] = returningRows<{ params: Record<string, string>; launch: ResolvedLaunch | null }>(
      await this.dataSource.query(
        `DELETE FROM pushed_authorization_request WHERE id_hash = $1 AND client_id = $2 AND expires_at > now() RETURNING params, launch`,
        [idHash, clientId],
      ),
    );
    return row ? { params: row.params, launch: row.launch } : null;
  }

  /** For the janitor: an expired request can never be used. */
  expiredRows(): ExpiringRows {
    return { table: 'pushed_authorization_request', key: 'id_hash', pastHorizon: `expires_at <= now()` };
  }
}

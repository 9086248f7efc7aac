import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { LaunchContext } from '#contracts';
import { GrantEntity } from './entities/grant.entity.js';
import { returningRows } from './returning.js';

/** A grant as created. */
export type NewGrantRow = Pick<GrantEntity, 'id' | 'clientId' | 'userId' | 'scope' | 'context' | 'launch' | 'sessionHash'>;

/** The user a grant was given by, as its tokens need them. */
export interface GrantUser {
  id: string;
  displayName: string;
  /** Relative FHIR reference (`Patient/123`), when the user has one. */
  fhirUser: string | null;
  disabled: boolean;
}

interface GrantRow {
  id: string;
  client_id: string;
  user_id: string;
  scope: string;
  context: LaunchContext | null;
  launch: GrantEntity['launch'];
  session_hash: string | null;
  created_at: Date;
  last_used_at: Date | null;
  revoked_at: Date | null;
  revoke_reason: string | null;
  grant_user: GrantUser | null;
}

const grantOf = (row: GrantRow): GrantEntity =>
  Object.assign(new GrantEntity(), {
    id: row.id,
    clientId: row.client_id,
    userId: row.user_id,
    scope: row.scope,
    context: row.context ?? {},
    launch: row.launch,
    sessionHash: row.session_hash,
    createdAt: new Date(row.created_at),
    lastUsedAt: row.last_used_at === null ? null : new Date(row.last_used_at),
    revokedAt: row.revoked_at === null ? null : new Date(row.revoked_at),
    revokeReason: row.revoke_reason,
  });

/** The `authorization_grant` table. */
@Injectable()
export class GrantStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  async insert(manager: EntityManager, grant: NewGrantRow): Promise<void> {
    await manager.getRepository(GrantEntity).insert({ ...grant, context: grant.context as never, lastUsedAt: null, revokedAt: null, revokeReason: null });
  }

  /** `manager`: inside a transaction, its connection. */
  find(grantId: string, manager: EntityManager = this.dataSource.manager): Promise<GrantEntity | null> {
    return manager.getRepository(GrantEntity).findOneBy({ id: grantId });
  }

  /**
   * The grant being used at /token, marked used now, with its user (null when
   * gone), in one statement; null when the grant is gone or revoked.
   */
  async use(manager: EntityManager, grantId: string): Promise<{ grant: GrantEntity; user: GrantUser | null } | null> {
    const [row] = returningRows<GrantRow>(
      await manager.query(
        `UPDATE authorization_grant g SET last_used_at = now() WHERE g.id = $1 AND g.revoked_at IS NULL
          RETURNING g.*, (SELECT json_build_object('id', u.id, 'displayName', u.display_name, 'fhirUser', u.fhir_user, 'disabled', u.disabled)
                            FROM app_user u WHERE u.id = g.user_id) AS grant_user`,
        [grantId],
      ),
    );
    return row ? { grant: grantOf(row), user: row.grant_user } : null;
  }

  /** Marks the grant revoked if it was not; what the `grant.revoked` event says, or null when unknown or already revoked. */
  async revoke(manager: EntityManager, grantId: string, reason: string): Promise<{ clientId: string; userId: string; revokedAt: Date } | null> {
    const [row] = returningRows<{ client_id: string; user_id: string; revoked_at: Date }>(
      await manager.query(
        `UPDATE authorization_grant SET revoked_at = now(), revoke_reason = $2 WHERE id = $1 AND revoked_at IS NULL RETURNING client_id, user_id, revoked_at`,
        [grantId, reason],
      ),
    );
    return row ? { clientId: row.client_id, userId: row.user_id, revokedAt: new Date(row.revoked_at) } : null;
  }

  /** Ids of the client's grants not revoked. */
  async liveIdsOf(clientId: string): Promise<string[]> {
    const rows: Array<{ id: string }> = await this.dataSource.query(`SELECT id FROM authorization_grant WHERE client_id = $1 AND revoked_at IS NULL`, [clientId]);
    return rows.map((r) => r.id);
  }

  /** How many grants in force each of these clients has (clients with none are absent). */
  async liveCounts(clientIds: string[]): Promise<Record<string, number>> {
    const rows: Array<{ client_id: string; n: string }> = await this.dataSource.query(
      `SELECT client_id, count(*) AS n FROM authorization_grant WHERE client_id = ANY($1) AND revoked_at IS NULL GROUP BY client_id`,
      [clientIds],
    );
    return Object.fromEntries(rows.map((r) => [r.client_id, Number(r.n)]));
  }

  /** Grants, newest first, optionally of one user, client and/or patient (admin API, `/account`). */
  list(filter: { userId?: string; clientId?: string; patient?: string; limit: number; offset: number }): Promise<GrantEntity[]> {
    const query = this.dataSource.getRepository(GrantEntity).createQueryBuilder('g').orderBy('g.created_at', 'DESC').take(filter.limit).skip(filter.offset);
    if (filter.userId) query.andWhere('g.user_id = :userId', { userId: filter.userId });
    if (filter.clientId) query.andWhere('g.client_id = :clientId', { clientId: filter.clientId });
    if (filter.patient) query.andWhere("g.context->>'patient' = :patient", { patient: filter.patient });
    return query.getMany();
  }
}

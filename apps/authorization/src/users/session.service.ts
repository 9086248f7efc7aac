import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import type { ExpiringRows } from '#nest';
import { generateOpaqueToken, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { SessionEntity } from '../persistence/entities/session.entity.js';

export const SESSION_COOKIE = 'smart_session';

export interface LiveSession {
  idHash: string;
  userId: string;
  authenticatedAt: Date;
}

/** Login sessions: the browser holds a 256-bit token, the table its SHA-256. */
@Injectable()
export class SessionService {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AuthorizationConfig,
  ) {}

  /** `authenticatedAt`: when the person proved who they are, if not now (an EHR's stated `auth_time`). The session lives SESSION_TTL_SECONDS from now. */
  async create(userId: string, authenticatedAt: Date = new Date()): Promise<{ token: string; session: LiveSession }> {
    const token = generateOpaqueToken();
    const row: SessionEntity = {
      idHash: sha256Hex(token),
      userId,
      authenticatedAt,
      expiresAt: new Date(Date.now() + this.config.SESSION_TTL_SECONDS * 1000),
      endedAt: null,
    };
    await this.dataSource.getRepository(SessionEntity).insert(row);
    return { token, session: { idHash: row.idHash, userId, authenticatedAt } };
  }

  /** The live session of a cookie value, or null. */
  async find(token: string | undefined): Promise<LiveSession | null> {
    if (!token || token.length > 128) return null;
    return this.findByHash(sha256Hex(token));
  }

  /** `manager`: inside a transaction, its connection (the embedded database has only one). */
  async findByHash(idHash: string, manager: EntityManager = this.dataSource.manager): Promise<LiveSession | null> {
    const row = await manager.getRepository(SessionEntity).findOneBy({ idHash });
    if (!row || row.endedAt || row.expiresAt.getTime() <= Date.now()) return null;
    return { idHash: row.idHash, userId: row.userId, authenticatedAt: row.authenticatedAt };
  }

  async end(idHash: string): Promise<void> {
    await this.dataSource.query(`UPDATE login_session SET ended_at = now() WHERE id_hash = $1 AND ended_at IS NULL`, [idHash]);
  }

  async endAllOf(userId: string): Promise<void> {
    await this.dataSource.query(`UPDATE login_session SET ended_at = now() WHERE user_id = $1 AND ended_at IS NULL`, [userId]);
  }

  /** For the janitor: a session is kept a day past its expiry. */
  expiredRows(): ExpiringRows {
    return { table: 'login_session', key: 'id_hash', pastHorizon: `expires_at < now() - interval '1 day'` };
  }
}

import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource, EntityManager } from 'typeorm';
import { ScopeSet } from '#oauth';

/** Remembered consents: what a person approved for a client, until revoked. */
@Injectable()
export class ConsentStore {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** True when a remembered consent covers every scope of `requested`. */
  async covers(userId: string, clientId: string, requested: string): Promise<boolean> {
    const rows: Array<{ scope: string }> = await this.dataSource.query(`SELECT scope FROM consent WHERE user_id = $1 AND client_id = $2`, [userId, clientId]);
    if (!rows[0]) return false;
    const granted = ScopeSet.parse(rows[0].scope).values();
    return ScopeSet.parse(requested).values().every((want) => granted.some((g) => g.covers(want)));
  }

  async remember(userId: string, clientId: string, scope: string, manager: EntityManager = this.dataSource.manager): Promise<void> {
    await manager.query(
      `INSERT INTO consent (user_id, client_id, scope, granted_at) VALUES ($1, $2, $3, now())
       ON CONFLICT (user_id, client_id) DO UPDATE SET scope = EXCLUDED.scope, granted_at = now()`,
      [userId, clientId, scope],
    );
  }

  async forgetClient(clientId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM consent WHERE client_id = $1`, [clientId]);
  }

  async forget(userId: string, clientId: string): Promise<void> {
    await this.dataSource.query(`DELETE FROM consent WHERE user_id = $1 AND client_id = $2`, [userId, clientId]);
  }
}

import { Column, Entity } from 'typeorm';
import type { LaunchContext } from '#contracts';
import { ClientIdColumn, IdColumn, Sha256Column, TimestampColumn } from '#nest';

/** One completed authorization: its codes, refresh tokens and access tokens all die with it. */
@Entity({ name: 'authorization_grant' })
export class GrantEntity {
  @IdColumn({ primary: true })
  id: string;

  @ClientIdColumn()
  clientId: string;

  @IdColumn()
  userId: string;

  @Column({ type: 'text' })
  scope: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  context: LaunchContext;

  @Column({ type: 'varchar', length: 16 })
  launch: 'standalone' | 'ehr' | 'none';

  /** For `online_access`: the login session the refresh tokens live and die with. */
  @Sha256Column({ nullable: true })
  sessionHash: string | null;

  @TimestampColumn({ defaultNow: true })
  createdAt: Date;

  /** When its code or a refresh token was last exchanged at /token. */
  @TimestampColumn({ nullable: true })
  lastUsedAt: Date | null;

  @TimestampColumn({ nullable: true })
  revokedAt: Date | null;

  @Column({ type: 'varchar', length: 32, nullable: true })
  revokeReason: string | null;
}

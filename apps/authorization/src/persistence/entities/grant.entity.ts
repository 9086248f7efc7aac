import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LaunchContext } from '#contracts';

/** One completed authorization: its codes, refresh tokens and access tokens all die with it. */
@Entity({ name: 'authorization_grant' })
export class GrantEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  @Column({ name: 'client_id', type: 'varchar', length: 128 })
  clientId: string;

  @Column({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @Column({ type: 'text' })
  scope: string;

  @Column({ type: 'jsonb', default: () => "'{}'" })
  context: LaunchContext;

  @Column({ type: 'varchar', length: 16 })
  launch: 'standalone' | 'ehr' | 'none';

  /** For `online_access`: the login session the refresh tokens live and die with. */
  @Column({ name: 'session_hash', type: 'varchar', length: 64, nullable: true })
  sessionHash: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  /** When its code or a refresh token was last exchanged at /token. */
  @Column({ name: 'last_used_at', type: 'timestamptz', nullable: true })
  lastUsedAt: Date | null;

  @Column({ name: 'revoked_at', type: 'timestamptz', nullable: true })
  revokedAt: Date | null;

  @Column({ name: 'revoke_reason', type: 'varchar', length: 32, nullable: true })
  revokeReason: string | null;
}

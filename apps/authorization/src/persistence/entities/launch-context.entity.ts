import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LaunchContext } from '#contracts';

/** An EHR launch: opaque id (stored as SHA-256) or a launch JWT's `iss`+`jti`; single use. */
@Entity({ name: 'launch_context' })
export class LaunchContextEntity {
  @PrimaryColumn({ name: 'id_hash', type: 'varchar', length: 64 })
  idHash: string;

  /** The EHR client that created it. */
  @Column({ name: 'created_by', type: 'varchar', length: 128 })
  createdBy: string;

  @Column({ type: 'jsonb' })
  context: LaunchContext;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}

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

  /** What goes into tokens. */
  @Column({ type: 'jsonb' })
  context: LaunchContext;

  /** The user it was made for (id or username), if the EHR named one: only they may open it. */
  @Column({ name: 'bound_user', type: 'varchar', length: 128, nullable: true })
  boundUser: string | null;

  /** The fhirUser (relative) it was made for, if the EHR named one. */
  @Column({ name: 'bound_fhir_user', type: 'varchar', length: 256, nullable: true })
  boundFhirUser: string | null;

  /** The only client that may use it, if the EHR named one. */
  @Column({ name: 'bound_client_id', type: 'varchar', length: 128, nullable: true })
  boundClientId: string | null;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  @Column({ name: 'used_at', type: 'timestamptz', nullable: true })
  usedAt: Date | null;
}

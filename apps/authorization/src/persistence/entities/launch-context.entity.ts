import { Column, Entity } from 'typeorm';
import type { LaunchContext } from '#contracts';
import { ClientIdColumn, Sha256Column, TimestampColumn } from '#nest';
import { SingleUseRecordEntity } from './single-use-record.entity.js';

/** An EHR launch: opaque id (stored as SHA-256) or a launch JWT's `iss`+`jti`; single use. */
@Entity({ name: 'launch_context' })
export class LaunchContextEntity extends SingleUseRecordEntity {
  /** The EHR client that created it. */
  @ClientIdColumn()
  createdBy: string;

  /** What goes into tokens. */
  @Column({ type: 'jsonb' })
  context: LaunchContext;

  /** The user it was made for (id or username), if the EHR named one: only they may open it. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  boundUser: string | null;

  /** The fhirUser (relative) it was made for, if the EHR named one. */
  @Column({ type: 'varchar', length: 256, nullable: true })
  boundFhirUser: string | null;

  /** The only client that may use it, if the EHR named one. */
  @ClientIdColumn({ nullable: true })
  boundClientId: string | null;

  /**
   * The session an EHR's signed launch JWT opened at the launcher (launch/ehr-sign-in.ts): /authorize signs the
   * practitioner in with it for this launch. Null for every other launch.
   */
  @Sha256Column({ nullable: true })
  sessionHash: string | null;

  @TimestampColumn({ nullable: true })
  usedAt: Date | null;
}

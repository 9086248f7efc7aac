import { Column, Entity } from 'typeorm';
import { IdColumn, TimestampColumn } from '#nest';

/** A patient a practitioner may open (shown in the patient picker). */
export interface PatientEntry {
  id: string;
  name: string;
  birthDate?: string;
}

/** A person of the built-in user directory. Passwords only as scrypt hashes. */
@Entity({ name: 'app_user' })
export class UserEntity {
  @IdColumn({ primary: true })
  id: string;

  @Column({ type: 'varchar', length: 128, unique: true })
  username: string;

  @Column({ type: 'varchar', length: 256 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 256 })
  displayName: string;

  /** Relative FHIR reference: `Patient/123`, `Practitioner/456`. */
  @Column({ type: 'varchar', length: 256, nullable: true })
  fhirUser: string | null;

  @Column({ type: 'jsonb', default: () => "'[]'" })
  patients: PatientEntry[];

  @Column({ type: 'boolean', default: false })
  disabled: boolean;

  /** May use the grant administration page. */
  @Column({ type: 'boolean', default: false })
  admin: boolean;

  @TimestampColumn({ defaultNow: true })
  createdAt: Date;

  @TimestampColumn({ defaultNow: true })
  updatedAt: Date;
}

import { Entity } from 'typeorm';
import { IdColumn, Sha256Column, TimestampColumn } from '#nest';

/** A browser's login session; the cookie holds the token, the table its SHA-256. */
@Entity({ name: 'login_session' })
export class SessionEntity {
  @Sha256Column({ primary: true })
  idHash: string;

  @IdColumn()
  userId: string;

  @TimestampColumn()
  authenticatedAt: Date;

  @TimestampColumn()
  expiresAt: Date;

  @TimestampColumn({ nullable: true })
  endedAt: Date | null;
}

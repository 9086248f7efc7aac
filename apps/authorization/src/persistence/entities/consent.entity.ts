import { Column, Entity } from 'typeorm';
import { ClientIdColumn, IdColumn, TimestampColumn } from '#nest';

/** What a person approved for a client, remembered until revoked. */
@Entity({ name: 'consent' })
export class ConsentEntity {
  @IdColumn({ primary: true })
  userId: string;

  @ClientIdColumn({ primary: true })
  clientId: string;

  @Column({ type: 'text' })
  scope: string;

  @TimestampColumn({ defaultNow: true })
  grantedAt: Date;
}

import { Column, Entity } from 'typeorm';
import { TimestampColumn } from '#nest';
import { UserClientEntity } from './user-client.entity.js';

/** What a person approved for a client, remembered until revoked. */
@Entity({ name: 'consent' })
export class ConsentEntity extends UserClientEntity {
  @Column({ type: 'text' })
  scope: string;

  @TimestampColumn({ defaultNow: true })
  grantedAt: Date;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/** What a person approved for a client, remembered until revoked. */
@Entity({ name: 'consent' })
export class ConsentEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 128 })
  clientId: string;

  @Column({ type: 'text' })
  scope: string;

  @Column({ name: 'granted_at', type: 'timestamptz', default: () => 'now()' })
  grantedAt: Date;
}

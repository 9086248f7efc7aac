import { Column, Entity } from 'typeorm';
import { IdColumn, TimestampColumn } from '#nest';

export type KeyState = 'next' | 'active' | 'retired';

/** A signing key; the private JWK only ever as an AES-256-GCM envelope. */
@Entity({ name: 'signing_key' })
export class SigningKeyEntity {
  @IdColumn({ primary: true })
  kid: string;

  @Column({ type: 'varchar', length: 10 })
  alg: string;

  @Column({ type: 'varchar', length: 10 })
  state: KeyState;

  @Column({ type: 'jsonb' })
  publicJwk: Record<string, unknown>;

  @Column({ type: 'text' })
  encryptedPrivateJwk: string;

  @Column({ type: 'varchar', length: 16 })
  kekId: string;

  @TimestampColumn({ defaultNow: true })
  createdAt: Date;

  @TimestampColumn({ nullable: true })
  activatedAt: Date | null;

  @TimestampColumn({ nullable: true })
  retiredAt: Date | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

export type KeyState = 'next' | 'active' | 'retired';

/** A signing key; the private JWK only ever as an AES-256-GCM envelope. */
@Entity({ name: 'signing_key' })
export class SigningKeyEntity {
  @PrimaryColumn({ type: 'varchar', length: 64 })
  kid: string;

  @Column({ type: 'varchar', length: 10 })
  alg: string;

  @Column({ type: 'varchar', length: 10 })
  state: KeyState;

  @Column({ name: 'public_jwk', type: 'jsonb' })
  publicJwk: Record<string, unknown>;

  @Column({ name: 'encrypted_private_jwk', type: 'text' })
  encryptedPrivateJwk: string;

  @Column({ name: 'kek_id', type: 'varchar', length: 16 })
  kekId: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;

  @Column({ name: 'activated_at', type: 'timestamptz', nullable: true })
  activatedAt: Date | null;

  @Column({ name: 'retired_at', type: 'timestamptz', nullable: true })
  retiredAt: Date | null;
}

import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A client allowed to act for a user with the JWT bearer authorization
 * grant (RFC 7523 §2.1): its assertions may name the user as `sub`.
 */
@Entity({ name: 'jwt_bearer_subject' })
export class JwtBearerSubjectEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId: string;

  @PrimaryColumn({ name: 'client_id', type: 'varchar', length: 128 })
  clientId: string;

  @Column({ name: 'created_at', type: 'timestamptz', default: () => 'now()' })
  createdAt: Date;
}

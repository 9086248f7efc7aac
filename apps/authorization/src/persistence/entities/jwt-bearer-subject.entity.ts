import { Entity } from 'typeorm';
import { ClientIdColumn, IdColumn, TimestampColumn } from '#nest';

/**
 * A client allowed to act for a user with the JWT bearer authorization
 * grant (RFC 7523 §2.1): its assertions may name the user as `sub`.
 */
@Entity({ name: 'jwt_bearer_subject' })
export class JwtBearerSubjectEntity {
  @IdColumn({ primary: true })
  userId: string;

  @ClientIdColumn({ primary: true })
  clientId: string;

  @TimestampColumn({ defaultNow: true })
  createdAt: Date;
}

import { Entity } from 'typeorm';
import { TimestampColumn } from '#nest';
import { UserClientEntity } from './user-client.entity.js';

/**
 * A client allowed to act for a user with the JWT bearer authorization
 * grant (RFC 7523 §2.1): its assertions may name the user as `sub`.
 */
@Entity({ name: 'jwt_bearer_subject' })
export class JwtBearerSubjectEntity extends UserClientEntity {
  @TimestampColumn({ defaultNow: true })
  createdAt: Date;
}

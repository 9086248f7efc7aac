import { Column, Entity, PrimaryColumn } from 'typeorm';
import { TimestampColumn } from '#nest';

/** Failed logins per username (`user:<name>`) or address (`addr:<ip>`) in the current window; shared by all replicas. */
@Entity({ name: 'login_throttle' })
export class LoginThrottleEntity {
  @PrimaryColumn({ type: 'varchar', length: 200 })
  key: string;

  @Column({ type: 'integer' })
  failures: number;

  @TimestampColumn()
  windowStartedAt: Date;
}

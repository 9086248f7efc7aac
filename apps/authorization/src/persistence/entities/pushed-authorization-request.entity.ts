import { Column, Entity } from 'typeorm';
import { ClientIdColumn } from '#nest';
import type { ResolvedLaunch } from '../../launch/launch-binding.js';
import { SingleUseRecordEntity } from './single-use-record.entity.js';

/**
 * A pushed authorization request (RFC 9126): found by the SHA-256 of its `request_uri`'s random part (never the
 * value itself), bound to the client that pushed it, used once, until `expiresAt`.
 */
@Entity({ name: 'pushed_authorization_request' })
export class PushedAuthorizationRequestEntity extends SingleUseRecordEntity {
  /** The client that pushed it: the only one that may use it at /authorize (RFC 9126 §4). */
  @ClientIdColumn()
  clientId: string;

  /** The authorization request parameters as pushed and validated (client credentials left out). */
  @Column({ type: 'jsonb' })
  params: Record<string, string>;

  /** The EHR launch the push named, resolved and spent when it was pushed (null without one). */
  @Column({ type: 'jsonb', nullable: true })
  launch: ResolvedLaunch | null;
}

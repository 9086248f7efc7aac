import { Column, Entity } from 'typeorm';
import type { LaunchContext } from '#contracts';
import { ClientIdColumn, IdColumn, Sha256Column, TimestampColumn } from '#nest';
import type { AuthorizationRequest } from '../../flow/authorization-request.js';
import type { InteractionState } from '../../flow/interaction-state.js';
import type { LaunchBinding } from '../../launch/launch-binding.js';

/** One authorization request in progress: login, patient choice and consent happen against it. */
@Entity({ name: 'interaction' })
export class InteractionEntity {
  /** Public, random, in the page URLs. */
  @IdColumn({ primary: true })
  id: string;

  /** SHA-256 of the secret in the browser's interaction cookie: only that browser may continue. */
  @Sha256Column()
  bindingHash: string;

  /** Anti-CSRF token of the forms of this interaction. */
  @Column({ type: 'varchar', length: 64 })
  csrf: string;

  @ClientIdColumn()
  clientId: string;

  @Column({ type: 'jsonb' })
  request: AuthorizationRequest;

  @IdColumn({ nullable: true })
  userId: string | null;

  @Sha256Column({ nullable: true })
  sessionHash: string | null;

  @TimestampColumn({ nullable: true })
  authTime: Date | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  patient: string | null;

  /** EHR launch context resolved from the `launch` parameter. */
  @Column({ type: 'jsonb', nullable: true })
  launch: LaunchContext | null;

  /** Whom that launch was made for (checked after sign-in); null without a launch. */
  @Column({ type: 'jsonb', nullable: true })
  launchBinding: LaunchBinding | null;

  /** The EHR client that made that launch (for the audit trail). */
  @ClientIdColumn({ nullable: true })
  launchedBy: string | null;

  /** SHA-256 of the `state` of the pending upstream login (OIDC Core §3.1.2.1): how its callback finds this interaction. */
  @Sha256Column({ nullable: true })
  upstreamStateHash: string | null;

  /** PKCE verifier of the pending upstream login (RFC 7636 §4.1); kept here, never in the browser. */
  @Column({ type: 'varchar', length: 128, nullable: true })
  upstreamCodeVerifier: string | null;

  /** `nonce` of the pending upstream login, checked against its ID token (OIDC Core §3.1.3.7). */
  @Column({ type: 'varchar', length: 128, nullable: true })
  upstreamNonce: string | null;

  @TimestampColumn()
  expiresAt: Date;

  /** Where it stands (flow/interaction-state.ts); changed only by a named transition (InteractionStore). */
  @Column({ type: 'varchar', length: 16, default: 'started' })
  state: InteractionState;

  /** When it reached `completed` or `failed` (also set by replicas from before `state`). */
  @TimestampColumn({ nullable: true })
  completedAt: Date | null;
}

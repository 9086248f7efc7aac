import { Column, Entity, PrimaryColumn } from 'typeorm';
import type { LaunchContext } from '#contracts';
import type { AuthorizationRequest } from '../../flow/authorization-request.js';
import type { InteractionState } from '../../flow/interaction-state.js';
import type { LaunchBinding } from '../../launch/launch-binding.js';

/** One authorization request in progress: login, patient choice and consent happen against it. */
@Entity({ name: 'interaction' })
export class InteractionEntity {
  /** Public, random, in the page URLs. */
  @PrimaryColumn({ type: 'varchar', length: 64 })
  id: string;

  /** SHA-256 of the secret in the browser's interaction cookie: only that browser may continue. */
  @Column({ name: 'binding_hash', type: 'varchar', length: 64 })
  bindingHash: string;

  /** Anti-CSRF token of the forms of this interaction. */
  @Column({ type: 'varchar', length: 64 })
  csrf: string;

  @Column({ name: 'client_id', type: 'varchar', length: 128 })
  clientId: string;

  @Column({ type: 'jsonb' })
  request: AuthorizationRequest;

  @Column({ name: 'user_id', type: 'varchar', length: 64, nullable: true })
  userId: string | null;

  @Column({ name: 'session_hash', type: 'varchar', length: 64, nullable: true })
  sessionHash: string | null;

  @Column({ name: 'auth_time', type: 'timestamptz', nullable: true })
  authTime: Date | null;

  @Column({ type: 'varchar', length: 128, nullable: true })
  patient: string | null;

  /** EHR launch context resolved from the `launch` parameter. */
  @Column({ type: 'jsonb', nullable: true })
  launch: LaunchContext | null;

  /** Whom that launch was made for (checked after sign-in); null without a launch. */
  @Column({ name: 'launch_binding', type: 'jsonb', nullable: true })
  launchBinding: LaunchBinding | null;

  /** The EHR client that made that launch (for the audit trail). */
  @Column({ name: 'launched_by', type: 'varchar', length: 128, nullable: true })
  launchedBy: string | null;

  /** SHA-256 of the `state` of the pending upstream login (OIDC Core §3.1.2.1): how its callback finds this interaction. */
  @Column({ name: 'upstream_state_hash', type: 'varchar', length: 64, nullable: true })
  upstreamStateHash: string | null;

  /** PKCE verifier of the pending upstream login (RFC 7636 §4.1); kept here, never in the browser. */
  @Column({ name: 'upstream_code_verifier', type: 'varchar', length: 128, nullable: true })
  upstreamCodeVerifier: string | null;

  /** `nonce` of the pending upstream login, checked against its ID token (OIDC Core §3.1.3.7). */
  @Column({ name: 'upstream_nonce', type: 'varchar', length: 128, nullable: true })
  upstreamNonce: string | null;

  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt: Date;

  /** Where it stands (flow/interaction-state.ts); changed only by a named transition (InteractionStore). */
  @Column({ type: 'varchar', length: 16, default: 'started' })
  state: InteractionState;

  /** When it reached `completed` or `failed` (also set by replicas from before `state`). */
  @Column({ name: 'completed_at', type: 'timestamptz', nullable: true })
  completedAt: Date | null;
}

import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { LaunchContext } from '#contracts';
import { inTransaction } from '#nest';
import { generateOpaqueToken, sha256Hex } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { AuthorizationCodeStore } from '../persistence/authorization-code.store.js';
import type { GrantEntity } from '../persistence/entities/grant.entity.js';
import { GrantStore } from '../persistence/grant.store.js';
import { UserStore } from '../users/user.store.js';
import { EventRecorder } from './event-recorder.js';

export interface NewGrant {
  clientId: string;
  userId: string;
  scope: string;
  context: LaunchContext;
  launch: GrantEntity['launch'];
  /** The login session, kept for `online_access` refresh tokens. */
  sessionHash: string | null;
  /** The user's `fhirUser` (null: none), when the caller has the user at hand; read otherwise. */
  fhirUser?: string | null;
}

/** What the code is bound to (RFC 6749 §4.1.3, RFC 7636 §4.4, OIDC Core §3.1.3.6). */
export interface CodeBinding {
  redirectUri: string;
  redirectUriSent: boolean;
  codeChallenge: string;
  nonce?: string;
  /** RFC 9449 §10: `dpop_jkt` of the authorization request. */
  dpopJkt?: string;
  authTime: Date;
}

/**
 * The end of an authorization: the grant and its authorization code (RFC 6749
 * §4.1.2: short-lived, single use, stored as a SHA-256 only) in one
 * transaction with `grant.created`.
 */
@Injectable()
export class CodeIssuance {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly config: AuthorizationConfig,
    private readonly grants: GrantStore,
    private readonly codes: AuthorizationCodeStore,
    private readonly users: UserStore,
    private readonly events: EventRecorder,
  ) {}

  /** Stores the grant and its authorization code in one transaction; returns the code. */
  async createWithCode(grant: NewGrant, binding: CodeBinding, requestId?: string): Promise<{ code: string; grantId: string }> {
    const code = generateOpaqueToken();
    const grantId = randomUUID();
    const { fhirUser: known, ...row } = grant;
    const fhirUser = (known === undefined ? (await this.users.byId(grant.userId))?.fhirUser : known) ?? undefined;
    const event = await inTransaction(this.dataSource, async (manager) => {
      await this.grants.insert(manager, { id: grantId, ...row });
      await this.codes.insert(manager, {
        codeHash: sha256Hex(code),
        grantId,
        clientId: grant.clientId,
        redirectUri: binding.redirectUri,
        redirectUriSent: binding.redirectUriSent,
        codeChallenge: binding.codeChallenge,
        nonce: binding.nonce ?? null,
        dpopJkt: binding.dpopJkt ?? null,
        authTime: binding.authTime,
        expiresAt: new Date(Date.now() + this.config.AUTHORIZATION_CODE_TTL_SECONDS * 1000),
      });
      return this.events.add(
        manager,
        'grant.created',
        {
          grant_id: grantId,
          client_id: grant.clientId,
          user_id: grant.userId,
          scope: grant.scope,
          launch: grant.launch,
          ...(fhirUser ? { fhirUser } : {}),
          ...(grant.context.patient ? { patient: grant.context.patient } : {}),
        },
        requestId,
      );
    });
    this.events.soon(event);
    return { code, grantId };
  }
}

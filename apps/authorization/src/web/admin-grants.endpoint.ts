import { Injectable } from '@nestjs/common';
import type { WebRequest, WebResponse } from '#contracts';
import { OAuthError } from '#oauth';
import { ConsentStore } from '../flow/consent.store.js';
import { GrantRevocation } from '../grants/grant-revocation.js';
import { GrantStore } from '../persistence/grant.store.js';
import type { GrantEntity } from '../persistence/entities/grant.entity.js';
import { BearerTokens } from '#nest';
import { boundedInt, singleValue } from './query-params.js';
import { jsonResponse } from './web-response.js';

const NOT_FOUND = new OAuthError('not_found', 404, 'no such grant');

function grantResource(grant: GrantEntity): Record<string, unknown> {
  return {
    id: grant.id,
    client_id: grant.clientId,
    user_id: grant.userId,
    scope: grant.scope,
    launch: grant.launch,
    ...(grant.context?.patient ? { patient: grant.context.patient } : {}),
    created_at: grant.createdAt.toISOString(),
    ...(grant.lastUsedAt ? { last_used_at: grant.lastUsedAt.toISOString() } : {}),
    ...(grant.revokedAt ? { revoked_at: grant.revokedAt.toISOString(), revoke_reason: grant.revokeReason } : {}),
  };
}

/**
 * What people granted to applications (bearer token with scope `admin`):
 * GET /admin/grants?user_id=&client_id=&patient=, GET /admin/grants/:id, and
 * DELETE /admin/grants/:id, which revokes the grant (every token of it
 * inactive) and forgets the remembered consent, so the app must ask again;
 * POST /admin/clients/:client_id/revoke-all does that for every grant of a client.
 */
@Injectable()
export class AdminGrantsEndpoint {
  constructor(
    private readonly bearer: BearerTokens,
    private readonly grants: GrantStore,
    private readonly revocation: GrantRevocation,
    private readonly consents: ConsentStore,
  ) {}

  /** POST /admin/clients/:client_id/revoke-all: every grant of the client revoked, its remembered consents forgotten. */
  async revokeAll(req: WebRequest, clientId: string): Promise<WebResponse> {
    const admin = await this.bearer.requireScope(req, ['admin']);
    const revoked = await this.revocation.revokeAllOf(clientId, `client:${admin.client_id}`, req.requestId);
    await this.consents.forgetClient(clientId);
    return jsonResponse(200, { client_id: clientId, revoked_grants: revoked });
  }

  async handle(req: WebRequest, id: string | undefined): Promise<WebResponse> {
    const admin = await this.bearer.requireScope(req, ['admin']);
    if (id === undefined) {
      const limit = boundedInt(req.query.limit, 100, 1, 1000);
      const offset = boundedInt(req.query.offset, 0, 0, 1_000_000);
      const grants = await this.grants.list({
        userId: singleValue('user_id', req.query.user_id),
        clientId: singleValue('client_id', req.query.client_id),
        patient: singleValue('patient', req.query.patient),
        limit,
        offset,
      });
      return jsonResponse(200, { grants: grants.map(grantResource), limit, offset });
    }
    const grant = await this.grants.find(id);
    if (!grant) throw NOT_FOUND;
    if (req.method === 'DELETE') {
      await this.revocation.revoke(grant.id, 'admin', req.requestId, `client:${admin.client_id}`);
      await this.consents.forget(grant.userId, grant.clientId);
      return { status: 204, headers: { 'cache-control': 'no-store' } };
    }
    return jsonResponse(200, grantResource(grant));
  }
}

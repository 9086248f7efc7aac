import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import type { DataSource } from 'typeorm';
import type { JwtBearerSubject, JwtBearerSubjectRequest } from '#contracts';
import { inTransaction, ClientDirectory } from '#nest';
import { InvalidGrant, InvalidRequest, ServerError } from '#oauth';
import { AuthorizationConfig } from '../config/authorization.config.js';
import { JwtBearerSubjectEntity } from '../persistence/entities/jwt-bearer-subject.entity.js';
import { UserStore } from './user.store.js';

/**
 * Which clients may act for which users with the JWT bearer authorization
 * grant (RFC 7523 §2.1): a per-user allow-list of client ids, managed
 * through the admin API and consulted by the token service.
 */
@Injectable()
export class JwtBearerSubjects {
  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly users: UserStore,
    private readonly clients: ClientDirectory,
    private readonly config: AuthorizationConfig,
  ) {}

  /** The client ids allowed to act for `userId`, sorted. */
  async clientsOf(userId: string): Promise<string[]> {
    const rows = await this.dataSource.getRepository(JwtBearerSubjectEntity).find({ where: { userId }, order: { clientId: 'ASC' } });
    return rows.map((r) => r.clientId);
  }

  /** Replaces the allow-list of `userId`; every client must be registered. */
  async replace(userId: string, clientIds: string[]): Promise<string[]> {
    const wanted = [...new Set(clientIds)].sort();
    for (const clientId of wanted) {
      if (!(await this.clients.get(clientId))) throw new InvalidRequest(`client_ids: ${clientId} is not a registered client`);
    }
    await inTransaction(this.dataSource, async (tx) => {
      await tx.query(`DELETE FROM jwt_bearer_subject WHERE user_id = $1`, [userId]);
      for (const clientId of wanted) await tx.query(`INSERT INTO jwt_bearer_subject (user_id, client_id) VALUES ($1, $2)`, [userId, clientId]);
    });
    return wanted;
  }

  /** `authorization.v1.jwt-bearer.subject`: the user, when the client may act for them; `invalid_grant` otherwise. */
  async resolve(request: JwtBearerSubjectRequest): Promise<JwtBearerSubject> {
    const r = request as Partial<JwtBearerSubjectRequest> | null;
    if (typeof r?.client_id !== 'string' || typeof r.sub !== 'string') throw new ServerError('malformed jwt-bearer subject request');
    // Same answer for an unknown, disabled or not allowed user: no user enumeration through the token endpoint.
    const refused = new InvalidGrant('the assertion\'s sub is not a user this client may act for');
    if (!/^[A-Za-z0-9-]{1,64}$/.test(r.sub)) throw refused;
    const allowed = await this.dataSource.getRepository(JwtBearerSubjectEntity).existsBy({ userId: r.sub, clientId: r.client_id });
    if (!allowed) throw refused;
    const user = await this.users.byId(r.sub);
    if (!user || user.disabled) throw refused;
    return { sub: user.id, ...(user.fhirUser ? { fhirUser: `${this.config.FHIR_BASE_URL.replace(/\/+$/, '')}/${user.fhirUser}` } : {}) };
  }
}

import { Injectable } from '@nestjs/common';
import type { WebRequest, WebResponse } from '#contracts';
import { OAuthError } from '#oauth';
import { JwtBearerSubjects } from '../users/jwt-bearer-subjects.service.js';
import { CreateUserDto, JwtBearerClientsDto, UpdateUserDto } from '../users/user.dto.js';
import { UserDirectory } from '../users/user-directory.service.js';
import { userResource } from '../users/user-views.js';
import { BearerTokens } from '#nest';
import { dtoOf } from './dto-body.js';
import { boundedInt } from './query-params.js';
import { jsonResponse } from './web-response.js';

const NOT_FOUND = new OAuthError('not_found', 404, 'no such user');

/**
 * The user directory's admin API (bearer token with scope `admin`):
 * GET/POST /admin/users, GET/PATCH/PUT/DELETE /admin/users/:id. DELETE
 * disables the account (audit facts keep referring to it) and ends its sessions.
 * GET/PUT /admin/users/:id/jwt-bearer-clients: the clients that may act for
 * the user with the JWT bearer grant (RFC 7523 §2.1), as `{"client_ids": [...]}`.
 */
@Injectable()
export class AdminUsersEndpoint {
  constructor(
    private readonly bearer: BearerTokens,
    private readonly users: UserDirectory,
    private readonly jwtBearer: JwtBearerSubjects,
  ) {}

  async jwtBearerClients(req: WebRequest, id: string): Promise<WebResponse> {
    await this.bearer.requireScope(req, ['admin']);
    if (!(await this.users.byId(id))) throw NOT_FOUND;
    const clientIds = req.method === 'PUT' ? await this.jwtBearer.replace(id, (await dtoOf(JwtBearerClientsDto, req)).client_ids) : await this.jwtBearer.clientsOf(id);
    return jsonResponse(200, { user_id: id, client_ids: clientIds });
  }

  async handle(req: WebRequest, id: string | undefined): Promise<WebResponse> {
    await this.bearer.requireScope(req, ['admin']);
    if (id === undefined) {
      if (req.method === 'GET') {
        const limit = boundedInt(req.query.limit, 100, 1, 1000);
        const offset = boundedInt(req.query.offset, 0, 0, 1_000_000);
        return jsonResponse(200, { users: (await this.users.list(limit, offset)).map(userResource), limit, offset });
      }
      const user = await this.users.create(await dtoOf(CreateUserDto, req));
      return jsonResponse(201, userResource(user), { location: `/admin/users/${user.id}` });
    }
    if (req.method === 'GET') {
      const user = await this.users.byId(id);
      if (!user) throw NOT_FOUND;
      return jsonResponse(200, userResource(user));
    }
    const update = req.method === 'DELETE' ? Object.assign(new UpdateUserDto(), { disabled: true }) : await dtoOf(UpdateUserDto, req);
    const user = await this.users.update(id, update);
    if (!user) throw NOT_FOUND;
    return jsonResponse(200, userResource(user));
  }
}

/**
 * `revoked_token` rows as the introspection service writes them at RFC 7009
 * revocation: the access token's `jti` (16 random bytes, base64url), its
 * client, `access_token`, its expiry and when it was revoked. Three in five
 * are backend services' client_credentials tokens (5 minutes), the rest
 * apps' access tokens (an hour). Most were revoked long ago and have
 * expired; `plan.liveRevokedTokens` (the first ones) were revoked within
 * their token's life that is not over: the set the introspection service
 * loads at start. Written in the order they were revoked.
 */
import { CLIENT_BLOCK, USER_FACING_PER_BLOCK } from './history-plan.js';
import { written, type SeedContext } from './seed-step.js';

const BACKEND_TTL_S = 300;
const APP_TTL_S = 3600;

/**
 * Writes the revocations that expired long ago (`historical`: before the
 * audit trail, which records them), or the live ones (`live`, revoked up to
 * `liveAt`: the seed writes them last, so that they are still live when the
 * introspection service starts again).
 */
export async function seedRevokedTokens({ db, plan }: SeedContext, which: 'historical' | 'live', liveAt = new Date()): Promise<number> {
  const [from, to] = which === 'live' ? [0, plan.liveRevokedTokens] : [plan.liveRevokedTokens, plan.revokedTokens];
  const blocks = plan.clients / CLIENT_BLOCK;
  const backends = CLIENT_BLOCK - USER_FACING_PER_BLOCK;
  return written(
    await db.query(
      `INSERT INTO revoked_token (jti, client_id, token_type, expires_at, revoked_at)
       SELECT pg_temp.jti(r), pg_temp.client_id(c.i), 'access_token', t.iat + make_interval(secs => c.ttl), t.revoked_at
         FROM generate_series($1::bigint, $5::bigint - 1) AS r
         CROSS JOIN LATERAL (SELECT pg_temp.u('revoked-backend', r) < 0.6 AS backend,
                                    ${CLIENT_BLOCK} * floor(${blocks} * pg_temp.u('revoked-client', r))::bigint AS first OFFSET 0) k
         CROSS JOIN LATERAL (SELECT CASE WHEN k.backend THEN k.first + ${USER_FACING_PER_BLOCK} + floor(${backends} * pg_temp.u('revoked-position', r))::bigint
                                         ELSE k.first + floor(${USER_FACING_PER_BLOCK} * pg_temp.u('revoked-position', r))::bigint END AS i,
                                    CASE WHEN k.backend THEN ${BACKEND_TTL_S} ELSE ${APP_TTL_S} END AS ttl OFFSET 0) c
         CROSS JOIN LATERAL (SELECT CASE WHEN r < $2
                                         THEN $4::timestamptz - make_interval(secs => 0.95 * c.ttl * pg_temp.u('revoked-iat', r))
                                         ELSE pg_temp.client_created(c.i) + ($3::timestamptz - interval '2 hours' - pg_temp.client_created(c.i)) * pg_temp.u('revoked-iat', r)
                                    END AS iat OFFSET 0) i
         CROSS JOIN LATERAL (SELECT i.iat, CASE WHEN r < $2 THEN i.iat + ($4::timestamptz - i.iat) * pg_temp.u('revoked-at', r)
                                                ELSE i.iat + make_interval(secs => 0.9 * c.ttl * pg_temp.u('revoked-at', r)) END AS revoked_at OFFSET 0) t
        ORDER BY t.revoked_at`,
      [from, plan.liveRevokedTokens, plan.now, liveAt, to],
    ),
  );
}

/**
 * `refresh_token` rows as code redemption and rotation write them: for each
 * grant, the token its code was exchanged for and one per rotation, every
 * `d` seconds from the grant's start (history_grant); each the SHA-256 of a
 * token in the checksum format (`SeededValues.refreshToken(g, j)` is its
 * text), the grant's scope and sign-in time, `expires_at` the refresh-token
 * lifetime after it was issued, `used_at` when the next one replaced it
 * (rotated), the last of each grant unused (live, or expired for a grant
 * its app stopped using). Written in order of issue, a month of history per
 * statement, as the service would have appended them.
 */
import { ranges, written, type SeedContext } from './seed-step.js';

/** Writes every grant's refresh tokens; returns the rows written. */
export async function seedRefreshTokens({ db, plan }: SeedContext): Promise<number> {
  const end = plan.now.getTime();
  const start = end - plan.days * 86_400_000;
  let rows = 0;
  // Windows of time: each grant's tokens in [from, to), by the same arithmetic on both sides of a boundary, so each token once.
  for (const [from, to] of ranges(start, end + 1, Math.ceil(plan.days / 30))) {
    rows += written(
      await db.query(
        `INSERT INTO refresh_token (token_hash, grant_id, client_id, scope, auth_time, created_at, expires_at, dpop_jkt, used_at, successor_sealed)
         SELECT pg_temp.sha256_hex(pg_temp.refresh_token(hg.g, j)), hg.id, hg.client_id, hg.scope, hg.t0, x.issued,
                x.issued + make_interval(secs => ${plan.refreshTokenTtlSeconds}), NULL,
                CASE WHEN j < hg.n - 1 THEN hg.t0 + make_interval(secs => (j + 1) * hg.d) END, NULL
           FROM history_grant hg
           CROSS JOIN LATERAL generate_series(greatest(0, ceil(extract(epoch FROM $1::timestamptz - hg.t0) / hg.d))::int,
                                              least(hg.n - 1, ceil(extract(epoch FROM $2::timestamptz - hg.t0) / hg.d)::int - 1)) AS j
           CROSS JOIN LATERAL (SELECT hg.t0 + make_interval(secs => j * hg.d) AS issued) x
          WHERE hg.t0 < $2::timestamptz AND hg.last_used >= $1::timestamptz
          ORDER BY x.issued`,
        [new Date(from), new Date(to)],
      ),
    );
  }
  return rows;
}

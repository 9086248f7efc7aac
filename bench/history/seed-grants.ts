/**
 * `authorization_grant` rows as code issuance writes them (a random UUID, the
 * granted scope, the launch context with `need_patient_banner` and
 * `smart_style_url`, `standalone` or `ehr`; `offline_access` grants keep no
 * session), later marked used (`last_used_at`, the last code or refresh
 * exchange) and some revoked (5 %, with the reasons the services give), and
 * the remembered `consent` of each person and app. Grants go to the apps
 * people use (a few popular apps take most: the pick is skewed toward the
 * oldest), patients' grants to patient apps with their own record,
 * practitioners' to EHR-launched apps with a patient of their list; each
 * starts after both its app and its person existed.
 *
 * `history_grant` (an unlogged table of the seed, dropped at its end) keeps
 * each grant's number and its refresh timeline (`n` tokens, one every `d`
 * seconds from `t0`, as many as fit before the end of the history) for the
 * refresh tokens and the audit trail.
 */
import { CLIENT_BLOCK, MAX_TOKENS_PER_GRANT, USER_BLOCK, USER_FACING_PER_BLOCK } from './history-plan.js';
import { FIRST_EHR_POSITION } from './seed-clients.js';
import { PATIENTS_PER_PRACTITIONER } from './seed-users.js';
import { ranges, written, type SeedContext } from './seed-step.js';

const STANDALONE_SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';
const EHR_SCOPE = 'launch openid fhirUser offline_access patient/*.rs';
/** Refresh intervals run from 6 hours to 7 days (log-uniform: an app used daily refreshes daily). */
const SHORTEST_INTERVAL_S = 6 * 3600;
const LONGEST_INTERVAL_S = 7 * 86_400;

/** Makes `history_grant` (numbers, timelines) and writes the grants, oldest first. */
export async function seedGrants({ db, plan }: SeedContext): Promise<number> {
  await db.query(`CREATE UNLOGGED TABLE history_grant (
    g bigint PRIMARY KEY, id text NOT NULL, client_id text NOT NULL, user_id text NOT NULL, fhir_user text NOT NULL, patient text NOT NULL,
    scope text NOT NULL, launch text NOT NULL, context jsonb NOT NULL, t0 timestamptz NOT NULL, n int NOT NULL, d float8 NOT NULL,
    last_used timestamptz NOT NULL, revoked_at timestamptz, reason text)`);
  const userFacing = (plan.clients / CLIENT_BLOCK) * USER_FACING_PER_BLOCK;
  const blocks = plan.users / USER_BLOCK;
  for (const [lo, hi] of ranges(0, plan.grants, 10)) {
    await db.query(
      `INSERT INTO history_grant
       SELECT g, pg_temp.uuid_of('grant', g), pg_temp.client_id(c.i), pg_temp.user_id(p.user_i), p.fhir_user, p.patient, s.scope, s.launch,
              jsonb_build_object('patient', p.patient, 'need_patient_banner', NOT c.ehr, 'smart_style_url', $4::text)
                || CASE WHEN c.ehr AND pg_temp.u('grant-encounter', g) < 0.5 THEN jsonb_build_object('encounter', 'enc-' || substr(encode(pg_temp.h('encounter', g), 'hex'), 1, 12))
                        ELSE '{}'::jsonb END,
              t.t0, r.n, r.d, t.t0 + make_interval(secs => (r.n - 1) * r.d), v.revoked_at, v.reason
         FROM generate_series($1::bigint, $2::bigint - 1) AS g
         CROSS JOIN LATERAL (SELECT floor(${userFacing} * pg_temp.u('grant-client', g) ^ 3)::bigint AS k OFFSET 0) pick
         CROSS JOIN LATERAL (SELECT ${CLIENT_BLOCK} * (pick.k / ${USER_FACING_PER_BLOCK}) + pick.k % ${USER_FACING_PER_BLOCK} AS i,
                                    pick.k % ${USER_FACING_PER_BLOCK} >= ${FIRST_EHR_POSITION} AS ehr OFFSET 0) c
         CROSS JOIN LATERAL (SELECT ${USER_BLOCK} * floor(${blocks} * pg_temp.u('grant-user', g))::bigint AS first OFFSET 0) b
         CROSS JOIN LATERAL (SELECT CASE WHEN c.ehr THEN b.first ELSE b.first + 1 + floor(${USER_BLOCK - 1} * pg_temp.u('grant-person', g))::bigint END AS user_i OFFSET 0) pu
         CROSS JOIN LATERAL (SELECT pu.user_i,
                                    CASE WHEN c.ehr THEN 'Practitioner/' || pg_temp.practitioner_id(pu.user_i) ELSE 'Patient/' || pg_temp.patient_id(pu.user_i) END AS fhir_user,
                                    pg_temp.patient_id(CASE WHEN c.ehr THEN pu.user_i + 1 + floor(${PATIENTS_PER_PRACTITIONER} * pg_temp.u('grant-patient', g))::bigint
                                                            ELSE pu.user_i END) AS patient OFFSET 0) p
         CROSS JOIN LATERAL (SELECT CASE WHEN c.ehr THEN '${EHR_SCOPE}' ELSE '${STANDALONE_SCOPE}' END AS scope,
                                    CASE WHEN c.ehr THEN 'ehr' ELSE 'standalone' END AS launch OFFSET 0) s
         CROSS JOIN LATERAL (SELECT greatest(pg_temp.client_created(c.i), pg_temp.user_created(pu.user_i)) AS earliest OFFSET 0) e
         CROSS JOIN LATERAL (SELECT e.earliest + ($3::timestamptz - interval '1 minute' - e.earliest) * pg_temp.u('grant-time', g) AS t0 OFFSET 0) t
         CROSS JOIN LATERAL (SELECT 1 + floor(${MAX_TOKENS_PER_GRANT} * pg_temp.u('grant-tokens', g))::int AS n,
                                    ${SHORTEST_INTERVAL_S} * exp(ln(${LONGEST_INTERVAL_S / SHORTEST_INTERVAL_S}) * pg_temp.u('grant-interval', g)) AS d OFFSET 0) r0
         CROSS JOIN LATERAL (SELECT least(r0.n, floor(extract(epoch FROM $3::timestamptz - interval '1 minute' - t.t0) / r0.d)::int + 1) AS n, r0.d OFFSET 0) r
         CROSS JOIN LATERAL (SELECT pg_temp.u('grant-revoked', g) AS x OFFSET 0) rx
         CROSS JOIN LATERAL (SELECT CASE WHEN rx.x < 0.05 THEN t.t0 + make_interval(secs => (r.n - 1) * r.d)
                                           + least(make_interval(secs => r.d), $3::timestamptz - t.t0 - make_interval(secs => (r.n - 1) * r.d)) * pg_temp.u('grant-revoked-at', g) END AS revoked_at,
                                    CASE WHEN rx.x < 0.025 THEN 'user' WHEN rx.x < 0.04 THEN 'client_request' WHEN rx.x < 0.045 THEN 'admin'
                                         WHEN rx.x < 0.05 THEN 'refresh_token_reuse' END AS reason OFFSET 0) v`,
      [lo, hi, plan.now, `${plan.issuer}/smart-style.json`],
    );
  }
  return written(
    await db.query(
      `INSERT INTO authorization_grant (id, client_id, user_id, scope, context, launch, session_hash, created_at, last_used_at, revoked_at, revoke_reason)
       SELECT id, client_id, user_id, scope, context, launch, NULL, t0, last_used, revoked_at, reason FROM history_grant ORDER BY t0`,
    ),
  );
}

/** The remembered consent of each person and app: what stayed ticked at the latest (ConsentStore.remember keeps the latest), oldest first. */
export async function seedConsents({ db }: SeedContext): Promise<number> {
  return written(
    await db.query(
      `INSERT INTO consent (user_id, client_id, scope, granted_at)
       SELECT user_id, client_id, scope, t0
         FROM (SELECT DISTINCT ON (user_id, client_id) user_id, client_id, scope, t0 FROM history_grant ORDER BY user_id, client_id, t0 DESC) latest
        ORDER BY t0`,
    ),
  );
}

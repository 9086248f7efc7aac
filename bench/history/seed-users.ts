/**
 * `app_user` rows as the user directory writes them (`UserDirectory.create`):
 * a random UUID, a lower-case username, an scrypt hash in the hasher's
 * format, a FHIR reference, the patients a practitioner may open. Of each
 * block of ten people the first is a practitioner (with the five patients
 * after them on their list), the others patients. scrypt costs tens of
 * milliseconds a hash, so the hashes come from a pool of eight passwords,
 * each hashed once with a salt of its own (the row's size and format are a
 * real one's; `SeededValues.password(k)` is the password of pool entry k).
 */
import { hashPassword } from '../../apps/authorization/src/users/password-hasher.js';
import { USER_BLOCK } from './history-plan.js';
import type { SeededValues } from './seeded-values.js';
import { written, type SeedContext } from './seed-step.js';

/** Password hashes made for the seed; user `i` has entry `i % PASSWORD_POOL`. */
export const PASSWORD_POOL = 8;
/** Patients on a practitioner's list: the next this many people of their block. */
export const PATIENTS_PER_PRACTITIONER = 5;

/** Writes `plan.users` people, oldest first. */
export async function seedUsers({ db, plan }: SeedContext, values: SeededValues): Promise<number> {
  const hashes = await Promise.all(Array.from({ length: PASSWORD_POOL }, (_, k) => hashPassword(values.password(k))));
  await db.query(`CREATE TEMP TABLE history_password (k int PRIMARY KEY, hash text NOT NULL)`);
  await db.query(`INSERT INTO history_password SELECT k - 1, hash FROM unnest($1::text[]) WITH ORDINALITY AS p(hash, k)`, [hashes]);
  const result = await db.query(
    `INSERT INTO app_user (id, username, password_hash, display_name, fhir_user, patients, disabled, admin, created_at, updated_at)
     SELECT pg_temp.user_id(i),
            CASE WHEN practitioner THEN 'dr' ELSE 'person' END || i || '.' || substr(encode(pg_temp.h('username', i), 'hex'), 1, 6) || '@example.org',
            p.hash,
            CASE WHEN practitioner THEN 'Dr. Practitioner ' ELSE 'Person ' END || i,
            CASE WHEN practitioner THEN 'Practitioner/' || pg_temp.practitioner_id(i) ELSE 'Patient/' || pg_temp.patient_id(i) END,
            CASE WHEN practitioner
                 THEN (SELECT jsonb_agg(jsonb_build_object('id', pg_temp.patient_id(i + k), 'name', 'Person ' || (i + k)) ORDER BY k)
                         FROM generate_series(1, ${PATIENTS_PER_PRACTITIONER}) AS k)
                 ELSE '[]'::jsonb END,
            pg_temp.u('user-disabled', i) < 0.005, false, created, created
       FROM generate_series(0, $1::bigint - 1) AS i
       JOIN history_password p ON p.k = i % ${PASSWORD_POOL}
       CROSS JOIN LATERAL (SELECT i % ${USER_BLOCK} = 0 AS practitioner, pg_temp.user_created(i) AS created) w
      ORDER BY i`,
    [plan.users],
  );
  return written(result);
}

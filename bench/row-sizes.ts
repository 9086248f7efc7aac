/**
 * `node dist/bench/row-sizes.js` (issue #20): bytes per row of the tables
 * that grow with users, measured on a real PostgreSQL (DATABASE_URL's
 * server, a scratch database made by every service's migrations and dropped
 * afterwards). For BENCH_USERS (default 1,000) people it does what a SMART
 * patient app's sign-in and use do, through the service's own code where
 * the rows are written: a user (an scrypt hash), a login session, a
 * remembered consent, an `offline_access` grant with its code redeemed for
 * a refresh token rotated BENCH_ROTATIONS (default 4) times (the spent
 * tokens stay, as within the reuse-detection horizon), and the audit events
 * of all that in the audit trail (login, consent, grant, the events the
 * authorization service wrote in its outbox, a `token.issued` per access
 * token). Then, per table after VACUUM: rows and bytes per row of the
 * heap, its TOAST and its indexes (the free-space and visibility maps, a few
 * pages per table whatever its size, left out). The grant and the spent
 * refresh tokens were updated as in use (`last_used_at`, `used_at`), so their
 * heap holds what such updates leave. A few minutes on two cores.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import type { DataSource } from 'typeorm';
import type { AuthorizedGrant, ClientRecord, EventEnvelope } from '#contracts';
import { EventBus } from '#nest';
import { uniqueId } from '#oauth';
import { scratchServerDatabase } from '#testing';
import { AuditTrailStore } from '../apps/audit/src/persistence/audit-trail.store.js';
import { ConsentStore } from '../apps/authorization/src/flow/consent.store.js';
import { APP, grantRules } from '../apps/authorization/src/grants/grant-rules.fixtures.js';
import { RefreshTokenFormat } from '../apps/authorization/src/grants/refresh-token-format.js';
import { authorizationDataSource } from '../apps/authorization/src/persistence/authorization-database.fixtures.js';
import { UserEntity } from '../apps/authorization/src/persistence/entities/user.entity.js';
import { hashPassword } from '../apps/authorization/src/users/password-hasher.js';
import { runMigrations } from '../apps/suite/src/run-migrations.js';

const USERS = Number(process.env.BENCH_USERS ?? 1000);
const ROTATIONS = Number(process.env.BENCH_ROTATIONS ?? 4);
const SCOPE = 'launch/patient openid fhirUser offline_access patient/*.rs';
const TABLES = ['app_user', 'login_session', 'consent', 'authorization_grant', 'authorization_code', 'refresh_token', 'audit_event', 'authorization_outbox'];

/** The envelope a service would publish for this fact. */
function event(type: Parameters<typeof EventBus.envelope>[0], data: Record<string, unknown>, source: string): EventEnvelope {
  return EventBus.envelope(type, data as never, { source, requestId: randomBytes(8).toString('hex') });
}

async function sizes(dataSource: DataSource): Promise<void> {
  await dataSource.query('VACUUM ANALYZE');
  console.log(`${USERS} users, ${ROTATIONS} rotations each (PostgreSQL ${((await dataSource.query('SHOW server_version')) as Array<{ server_version: string }>)[0]!.server_version})`);
  console.log('table | rows | bytes/row: heap | TOAST | indexes | all three');
  for (const table of TABLES) {
    const [row] = (await dataSource.query(
      `SELECT count(*)::int AS n, pg_relation_size($1::regclass) AS heap, pg_indexes_size($1::regclass) AS indexes,
        (SELECT COALESCE(pg_total_relation_size(NULLIF(reltoastrelid, 0)), 0) FROM pg_class WHERE oid = $1::regclass) AS toast
       FROM ${table}`,
      [table],
    )) as Array<{ n: number; heap: string; toast: string; indexes: string }>;
    const per = (bytes: number) => (row!.n ? (bytes / row!.n).toFixed(0) : '-');
    const [heap, toast, indexes] = [Number(row!.heap), Number(row!.toast), Number(row!.indexes)];
    console.log(`${table} | ${row!.n} | ${per(heap)} | ${per(toast)} | ${per(indexes)} | ${per(heap + toast + indexes)}`);
  }
}

async function main(): Promise<void> {
  const scratch = await scratchServerDatabase('rowsizes', process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres');
  await runMigrations(scratch.url);
  const dataSource = await authorizationDataSource(scratch.url, [], 4);
  try {
    const format = new RefreshTokenFormat(dataSource);
    await format.onModuleInit();
    const client: ClientRecord = { ...APP, client_id: uniqueId(16) };
    const rules = grantRules(dataSource, format, {}, client);
    const consents = new ConsentStore(dataSource);
    const audit = new AuditTrailStore(dataSource);
    const passwordHash = await hashPassword('correct horse battery staple');
    const events: EventEnvelope[] = [];
    for (let i = 0; i < USERS; i++) {
      const userId = randomUUID();
      const patient = `pt-${randomBytes(6).toString('hex')}`;
      await dataSource.getRepository(UserEntity).insert({ id: userId, username: `person${i}@example.org`, passwordHash, displayName: `Person ${i}`, fhirUser: `Patient/${patient}`, patients: [], disabled: false, admin: false });
      await rules.sessions.create(userId);
      await consents.remember(userId, client.client_id, SCOPE);
      events.push(event('login.succeeded', { user_id: userId, client_id: client.client_id, method: 'password', remote_address: '203.0.113.7' }, 'authorization'));
      events.push(event('consent.granted', { user_id: userId, client_id: client.client_id, requested_scope: SCOPE, granted_scope: SCOPE }, 'authorization'));
      let grant: AuthorizedGrant = await rules.redeem((await rules.codeFor(SCOPE, null, userId, patient)).code);
      for (let r = 0; r <= ROTATIONS; r++) {
        const now = Math.floor(Date.now() / 1000);
        const issued = { jti: uniqueId(16), client_id: client.client_id, sub: userId, grant_type: r ? 'refresh_token' : 'authorization_code', scope: SCOPE, aud: 'https://fhir.example/r4', iat: now, exp: now + 3600, kid: uniqueId(8), grant_id: grant.grant_id, patient };
        events.push(event('token.issued', issued, 'token'));
        if (r < ROTATIONS) grant = (await rules.rotation.refresh({ refresh_token: grant.refresh_token!, client_id: client.client_id })) as AuthorizedGrant;
      }
    }
    const outbox = (await dataSource.query(`SELECT envelope FROM authorization_outbox`)) as Array<{ envelope: EventEnvelope }>;
    events.push(...outbox.map((row) => row.envelope));
    for (let i = 0; i < events.length; i += 500) await audit.append(events.slice(i, i + 500));
    await sizes(dataSource);
  } finally {
    await dataSource.destroy();
    await scratch.drop();
  }
}

await main();

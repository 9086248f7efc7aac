/**
 * `audit_event` rows: the trail as the audit service keeps it, appended
 * through its own store (`AuditTrailStore.append`: the advisory lock, the
 * hash chain from the last row, the columns lifted out of each envelope), so
 * the chain goes on from whatever the trail held and verifies, and the next
 * real event appends after the seeded ones.
 *
 * The events are those of the seeded history, in the order they happened,
 * over its latest stretch (a trail exported and started again that long ago,
 * see docs/operations.md): each grant's sign-in (`login.succeeded`,
 * `consent.granted`, `grant.created`, the code's `token.issued`), each
 * rotation (`token.refreshed` and its `token.issued`), revocations of tokens
 * and grants, registrations of clients; then backend services'
 * `client_credentials` tokens (the other 30 %) spread over the same stretch.
 * The stretch is chosen so that the history's own events make 70 % of
 * `plan.auditEvents`. Envelopes are typed by the event catalogue
 * (`EventData`), with the sources, request ids and data the services give.
 *
 * `received_at` is when the seed appended the event (the store's default):
 * the trail refuses UPDATE, and only the admin API shows that column.
 */
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import type { EventData, EventEnvelope, EventType, GrantCreatedData, GrantRevokedData } from '#contracts';
import { SnakeCaseNamingStrategy } from '#nest';
import { uniqueId } from '#oauth';
import { AuditTrailStore } from '../../apps/audit/src/persistence/audit-trail.store.js';
import { AuditEventEntity } from '../../apps/audit/src/persistence/entities/audit-event.entity.js';
import { clientEventData } from '../../apps/registration/src/clients/client-information.js';
import { ClientEntity } from '../../apps/registration/src/persistence/entities/client.entity.js';
import { CLIENT_BLOCK, USER_FACING_PER_BLOCK } from './history-plan.js';
import type { SeededValues } from './seeded-values.js';
import type { SeedContext } from './seed-step.js';

/** What a staged event is; each has one envelope builder below. */
const KIND = {
  login: 1,
  consent: 2,
  grantCreated: 3,
  codeExchanged: 4,
  refreshed: 5,
  refreshExchanged: 6,
  tokenRevoked: 7,
  clientRegistered: 8,
  grantRevoked: 9,
  clientCredentials: 10,
} as const;
type Kind = (typeof KIND)[keyof typeof KIND];

/** The history's own share of the trail; backend services' client_credentials tokens make the rest. */
const HISTORY_SHARE = 0.7;
/** Events per append (one multi-row insert each, as the audit consumer's batches). */
const BATCH = 2000;
const APP_TOKEN_TTL_S = 3600;
const BACKEND_TOKEN_TTL_S = 300;

interface StagedEvent {
  n: string;
  t: Date;
  kind: Kind;
  grant_id: string | null;
  client_id: string;
  user_id: string | null;
  patient: string | null;
  scope: string | null;
  detail: string | null;
  fhir_user: string | null;
  launch: string | null;
  expires_at: Date | null;
}

/** What building an envelope needs beside its row. */
interface Envelopes {
  fhirBaseUrl: string;
  values: SeededValues;
  /** The clients of this batch's `client.registered` events. */
  clients: Map<string, ClientEntity>;
}

function envelope<T extends EventType>(type: T, source: string, at: Date, data: EventData[T]): EventEnvelope<T> {
  return { id: randomUUID(), type, version: 1, occurred_at: at.toISOString(), source, request_id: randomUUID(), data };
}

const epoch = (at: Date) => Math.floor(at.getTime() / 1000);
/** The access-token key in use that month (a JWK thumbprint's shape: keys rotate monthly). */
const kidOf = (e: Envelopes, at: Date) => e.values.hash('kid', Math.floor(at.getTime() / (30 * 86_400_000))).toString('base64url');
const need = <V>(value: V | null, what: string): V => {
  if (value === null) throw new Error(`a staged event lacks its ${what}`);
  return value;
};

function appToken(row: StagedEvent, e: Envelopes, grantType: 'authorization_code' | 'refresh_token'): EventEnvelope {
  const iat = epoch(row.t);
  return envelope('token.issued', 'token', row.t, {
    jti: uniqueId(16),
    client_id: row.client_id,
    sub: need(row.user_id, 'user'),
    grant_type: grantType,
    scope: need(row.scope, 'scope'),
    aud: e.fhirBaseUrl,
    iat,
    exp: iat + APP_TOKEN_TTL_S,
    kid: kidOf(e, row.t),
    grant_id: need(row.grant_id, 'grant'),
    patient: need(row.patient, 'patient'),
  });
}

const BUILDERS: Record<Kind, (row: StagedEvent, e: Envelopes) => EventEnvelope> = {
  [KIND.login]: (row, e) =>
    envelope('login.succeeded', 'authorization', row.t, {
      client_id: row.client_id,
      method: 'password',
      remote_address: `203.0.113.${1 + Math.floor(e.values.uniform('address', Number(row.n)) * 254)}`,
      user_id: need(row.user_id, 'user'),
    }),
  [KIND.consent]: (row) =>
    envelope('consent.granted', 'authorization', row.t, { client_id: row.client_id, user_id: need(row.user_id, 'user'), requested_scope: need(row.scope, 'scope'), granted_scope: need(row.scope, 'scope') }),
  [KIND.grantCreated]: (row) =>
    envelope('grant.created', 'authorization', row.t, {
      grant_id: need(row.grant_id, 'grant'),
      client_id: row.client_id,
      user_id: need(row.user_id, 'user'),
      scope: need(row.scope, 'scope'),
      launch: need(row.launch, 'launch') as GrantCreatedData['launch'],
      fhirUser: need(row.fhir_user, 'fhirUser'),
      patient: need(row.patient, 'patient'),
    }),
  [KIND.codeExchanged]: (row, e) => appToken(row, e, 'authorization_code'),
  [KIND.refreshed]: (row) =>
    envelope('token.refreshed', 'authorization', row.t, {
      grant_id: need(row.grant_id, 'grant'),
      client_id: row.client_id,
      user_id: need(row.user_id, 'user'),
      scope: need(row.scope, 'scope'),
      patient: need(row.patient, 'patient'),
    }),
  [KIND.refreshExchanged]: (row, e) => appToken(row, e, 'refresh_token'),
  [KIND.tokenRevoked]: (row) =>
    envelope('token.revoked', 'introspection', row.t, {
      jti: need(row.detail, 'jti'),
      client_id: row.client_id,
      token_type: 'access_token',
      exp: epoch(need(row.expires_at, 'expiry')),
      reason: 'client_request',
    }),
  [KIND.clientRegistered]: (row, e) => {
    const client = e.clients.get(row.client_id);
    if (!client) throw new Error(`client ${row.client_id} of a client.registered event is not in the table`);
    return envelope('client.registered', 'registration', row.t, clientEventData(client));
  },
  [KIND.grantRevoked]: (row) =>
    envelope('grant.revoked', 'authorization', row.t, {
      grant_id: need(row.grant_id, 'grant'),
      client_id: row.client_id,
      user_id: need(row.user_id, 'user'),
      reason: need(row.detail, 'reason') as GrantRevokedData['reason'],
      // grant-revocation.ts announcedRevokedAt: a minute past the revocation.
      revoked_at: Math.ceil(row.t.getTime() / 1000) + 60,
    }),
  [KIND.clientCredentials]: (row, e) => {
    const iat = epoch(row.t);
    return envelope('token.issued', 'token', row.t, {
      jti: uniqueId(16),
      client_id: row.client_id,
      sub: row.client_id,
      grant_type: 'client_credentials',
      scope: need(row.scope, 'scope'),
      aud: e.fhirBaseUrl,
      iat,
      exp: iat + BACKEND_TOKEN_TTL_S,
      kid: kidOf(e, row.t),
    });
  },
};

/**
 * How many events of the history happened since `since` (seeded revocations
 * only: the suite's own, of the last hour, have their events already).
 */
async function historyEventsSince({ db, plan }: SeedContext, since: Date): Promise<number> {
  const [row] = (
    await db.query(
      `SELECT (SELECT 4 * count(*) FROM history_grant WHERE t0 >= $1)
            + (SELECT 2 * coalesce(sum(greatest(0, n - greatest(1, ceil(extract(epoch FROM $1::timestamptz - t0) / d))::int)), 0) FROM history_grant WHERE last_used >= $1)
            + (SELECT count(*) FROM revoked_token WHERE revoked_at >= $1 AND revoked_at < $2::timestamptz - interval '1 hour')
            + (SELECT count(*) FROM generate_series(0, $3::bigint - 1) AS i WHERE pg_temp.client_created(i) >= $1)
            + (SELECT count(*) FROM history_grant WHERE revoked_at >= $1) AS n`,
      [since, plan.now, plan.clients],
    )
  ).rows as Array<{ n: string }>;
  return Number(row!.n);
}

/** The start of the latest stretch of history whose events make about `target` (bisection to the hour). */
async function stretchFor(context: SeedContext, target: number): Promise<Date> {
  const end = context.plan.now.getTime();
  let [early, late] = [end - context.plan.days * 86_400_000, end];
  if ((await historyEventsSince(context, new Date(early))) <= target) return new Date(early);
  while (late - early > 3_600_000) {
    const middle = Math.floor((early + late) / 2);
    if ((await historyEventsSince(context, new Date(middle))) > target) early = middle;
    else late = middle;
  }
  return new Date(late);
}

/** `history_event_ordered`: the trail to append, numbered in the order the events happened. */
async function stage(context: SeedContext, since: Date): Promise<number> {
  const { db, plan } = context;
  await db.query(`CREATE UNLOGGED TABLE history_event (t timestamptz NOT NULL, kind smallint NOT NULL, grant_id text, client_id text NOT NULL, user_id text,
    patient text, scope text, detail text, fhir_user text, launch text, expires_at timestamptz)`);
  const columns = 't, kind, grant_id, client_id, user_id, patient, scope, detail, fhir_user, launch, expires_at';
  await db.query(
    `INSERT INTO history_event (${columns})
     SELECT hg.t0 + make_interval(secs => k.offset_s), k.kind, hg.id, hg.client_id, hg.user_id, hg.patient, hg.scope, NULL, hg.fhir_user, hg.launch, NULL
       FROM history_grant hg
       CROSS JOIN (VALUES (${KIND.login}, -20.0), (${KIND.consent}, -5.0), (${KIND.grantCreated}, 0.0), (${KIND.codeExchanged}, 0.3)) AS k(kind, offset_s)
      WHERE hg.t0 >= $1`,
    [since],
  );
  await db.query(
    `INSERT INTO history_event (${columns})
     SELECT hg.t0 + make_interval(secs => j * hg.d + k.offset_s), k.kind, hg.id, hg.client_id, hg.user_id, hg.patient, hg.scope, NULL, NULL, NULL, NULL
       FROM history_grant hg
       CROSS JOIN LATERAL generate_series(greatest(1, ceil(extract(epoch FROM $1::timestamptz - hg.t0) / hg.d))::int, hg.n - 1) AS j
       CROSS JOIN (VALUES (${KIND.refreshed}, 0.0), (${KIND.refreshExchanged}, 0.1)) AS k(kind, offset_s)
      WHERE hg.last_used >= $1`,
    [since],
  );
  await db.query(
    `INSERT INTO history_event (${columns})
     SELECT revoked_at, ${KIND.tokenRevoked}, NULL, client_id, NULL, NULL, NULL, jti, NULL, NULL, expires_at
       FROM revoked_token WHERE revoked_at >= $1 AND revoked_at < $2::timestamptz - interval '1 hour'`,
    [since, plan.now],
  );
  await db.query(
    `INSERT INTO history_event (${columns})
     SELECT pg_temp.client_created(i), ${KIND.clientRegistered}, NULL, pg_temp.client_id(i), NULL, NULL, NULL, NULL, NULL, NULL, NULL
       FROM generate_series(0, $2::bigint - 1) AS i WHERE pg_temp.client_created(i) >= $1`,
    [since, plan.clients],
  );
  await db.query(
    `INSERT INTO history_event (${columns})
     SELECT revoked_at, ${KIND.grantRevoked}, id, client_id, user_id, patient, NULL, reason, NULL, NULL, NULL FROM history_grant WHERE revoked_at >= $1`,
    [since],
  );
  const history = Number((await db.query(`SELECT count(*) AS n FROM history_event`)).rows[0].n);
  if (history > plan.auditEvents) {
    // Keep the latest (the bisection stops within an hour of the target; at small scales an hour is much).
    await db.query(`DELETE FROM history_event WHERE ctid IN (SELECT ctid FROM history_event ORDER BY t LIMIT $1)`, [history - plan.auditEvents]);
  }
  // Backend services' tokens: approved backends (the first of each block's backends), each after it registered.
  const backends = await db.query(
    `INSERT INTO history_event (${columns})
     SELECT start.at + ($2::timestamptz - start.at) * pg_temp.u('cc-time', f), ${KIND.clientCredentials}, NULL, pg_temp.client_id(c.i), NULL, NULL, 'system/*.rs', NULL, NULL, NULL, NULL
       FROM generate_series(0, $3::bigint - 1) AS f
       CROSS JOIN LATERAL (SELECT ${CLIENT_BLOCK} * floor($4::bigint * pg_temp.u('cc-client', f))::bigint + ${USER_FACING_PER_BLOCK} + floor(2 * pg_temp.u('cc-position', f))::bigint AS i OFFSET 0) c
       CROSS JOIN LATERAL (SELECT greatest($1::timestamptz, pg_temp.client_created(c.i)) AS at OFFSET 0) start`,
    [since, plan.now, Math.max(0, plan.auditEvents - Math.min(history, plan.auditEvents)), plan.clients / CLIENT_BLOCK],
  );
  await db.query(`CREATE UNLOGGED TABLE history_event_ordered AS SELECT row_number() OVER (ORDER BY t, kind) AS n, ${columns} FROM history_event`);
  await db.query(`ALTER TABLE history_event_ordered ADD PRIMARY KEY (n)`);
  await db.query(`DROP TABLE history_event`);
  return Math.min(history, plan.auditEvents) + (backends.rowCount ?? 0);
}

/** The audit trail store on the suite's database (its own small pool). */
export async function auditTrailOf(databaseUrl: string): Promise<{ store: AuditTrailStore; close: () => Promise<void> }> {
  const dataSource = new DataSource({ type: 'postgres', url: databaseUrl, entities: [AuditEventEntity], namingStrategy: new SnakeCaseNamingStrategy(), extra: { max: 2 } });
  await dataSource.initialize();
  return { store: new AuditTrailStore(dataSource), close: () => dataSource.destroy() };
}

/** Envelopes of a batch of staged rows (the clients it registers read from the table). */
async function envelopesOf({ db, plan }: SeedContext, values: SeededValues, rows: StagedEvent[]): Promise<EventEnvelope[]> {
  const registered = rows.filter((r) => r.kind === KIND.clientRegistered).map((r) => r.client_id);
  const clients = new Map<string, ClientEntity>();
  if (registered.length) {
    const found = (await db.query(`SELECT * FROM client WHERE client_id = ANY($1)`, [registered])).rows as Array<Record<string, unknown>>;
    for (const c of found) clients.set(String(c.client_id), clientAsRegistered(c));
  }
  const e: Envelopes = { fhirBaseUrl: plan.fhirBaseUrl, values, clients };
  return rows.map((row) => BUILDERS[row.kind](row, e));
}

/** A `client` row as the registration service had it when it registered the client (revision 1, enabled). */
function clientAsRegistered(row: Record<string, unknown>): ClientEntity {
  return Object.assign(new ClientEntity(), {
    clientId: row.client_id,
    metadata: row.metadata,
    revision: 1,
    managed: row.managed,
    trust: row.trust,
    approvedPrivileges: row.approved_privileges,
    rejectedPrivileges: row.rejected_privileges,
    approvalStatus: row.approval_status,
    disabledAt: null,
  });
}

/** Stages and appends the trail; returns the events appended. */
export async function seedAuditTrail(context: SeedContext, values: SeededValues, databaseUrl: string, log: (line: string) => void): Promise<number> {
  const started = performance.now();
  const since = await stretchFor(context, Math.round(context.plan.auditEvents * HISTORY_SHARE));
  const staged = await stage(context, since);
  log(`audit_event: ${staged.toLocaleString('en-US')} events since ${since.toISOString()} staged in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  const trail = await auditTrailOf(databaseUrl);
  let appended = 0;
  try {
    const read = (after: string) =>
      context.db.query(`SELECT * FROM history_event_ordered WHERE n > $1 ORDER BY n LIMIT ${BATCH}`, [after]).then((r) => r.rows as StagedEvent[]);
    let next = read('0');
    for (;;) {
      const rows = await next;
      if (rows.length === 0) break;
      const envelopes = await envelopesOf(context, values, rows);
      next = read(rows[rows.length - 1]!.n);
      await trail.store.append(envelopes);
      appended += envelopes.length;
      if (appended % 500_000 < BATCH) log(`audit_event: ${appended.toLocaleString('en-US')} appended`);
    }
  } finally {
    await trail.close();
    await context.db.query(`DROP TABLE IF EXISTS history_event_ordered`);
  }
  return appended;
}

/** `token.revoked` of the revocations just written (the live ones, the seed's last rows), appended after the trail. */
export async function auditRevocations(context: SeedContext, databaseUrl: string, jtis: string[]): Promise<number> {
  const rows = (await context.db.query(`SELECT jti, client_id, expires_at, revoked_at FROM revoked_token WHERE jti = ANY($1) ORDER BY revoked_at`, [jtis])).rows as Array<{
    jti: string;
    client_id: string;
    expires_at: Date;
    revoked_at: Date;
  }>;
  const trail = await auditTrailOf(databaseUrl);
  try {
    for (let i = 0; i < rows.length; i += BATCH) {
      await trail.store.append(
        rows.slice(i, i + BATCH).map((r) =>
          envelope('token.revoked', 'introspection', r.revoked_at, { jti: r.jti, client_id: r.client_id, token_type: 'access_token', exp: epoch(r.expires_at), reason: 'client_request' }),
        ),
      );
    }
  } finally {
    await trail.close();
  }
  return rows.length;
}

/**
 * The growth benchmark's history (bench/history, issue #20) is what the
 * services would have written: seeded at a tiny scale into a database made
 * by every service's migrations, its rows are read through the services' own
 * code. A seeded client is found and authenticated through the client
 * directory; a person signs in with their password; grants name people and
 * apps that exist and patients they may open; every refresh-token row is the
 * hash of a token in the checksum format, and the refresh rules find the
 * rotated ones reused, the expired ones expired and the live ones good; the
 * live revocations are in the set the introspection service loads at start;
 * the audit trail holds storable envelopes, its chain verifies, and the next
 * event appends to it. A wrong format in the seed fails one of these.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { launchContextClaimsOf, type ClientRecord } from '#contracts';
import { ClientAuthenticator, ClientDirectory, EventBus, InProcessEventBus, Outbox, SnakeCaseNamingStrategy, type ServiceBus } from '#nest';
import { InvalidGrant, ScopeSet, secretMatchesHash, sha256Hex } from '#oauth';
import { ReconnectingEventBus } from '#testing';
import { AuditTrailStore } from '../../apps/audit/src/persistence/audit-trail.store.js';
import { AuditEventEntity } from '../../apps/audit/src/persistence/entities/audit-event.entity.js';
import { envelopeProblem } from '../../apps/audit/src/trail/envelope-check.js';
import { grantRules } from '../../apps/authorization/src/grants/grant-rules.fixtures.js';
import { presentedTokenState } from '../../apps/authorization/src/grants/refresh-rotation.js';
import { RefreshTokenFormat } from '../../apps/authorization/src/grants/refresh-token-format.js';
import { AUTHORIZATION_ENTITIES } from '../../apps/authorization/src/persistence/entities/index.js';
import { GrantStore } from '../../apps/authorization/src/persistence/grant.store.js';
import { RefreshTokenStore } from '../../apps/authorization/src/persistence/refresh-token.store.js';
import { verifyPassword } from '../../apps/authorization/src/users/password-hasher.js';
import { UserStore } from '../../apps/authorization/src/users/user.store.js';
import { RevokedGrantEntity } from '../../apps/introspection/src/persistence/entities/revoked-grant.entity.js';
import { RevokedTokenEntity } from '../../apps/introspection/src/persistence/entities/revoked-token.entity.js';
import { RevocationStore } from '../../apps/introspection/src/persistence/revocation.store.js';
import { RevokedGrantStore } from '../../apps/introspection/src/persistence/revoked-grant.store.js';
import { TokenStateService } from '../../apps/introspection/src/tokens/token-state.service.js';
import { clientRecord } from '../../apps/registration/src/clients/client-information.js';
import { validateRegistration } from '../../apps/registration/src/clients/registration-policy.js';
import { RegistrationService } from '../../apps/registration/src/clients/registration.service.js';
import { ClientStore } from '../../apps/registration/src/persistence/client.store.js';
import { ClientEntity } from '../../apps/registration/src/persistence/entities/client.entity.js';
import { runMigrations } from '../../apps/suite/src/run-migrations.js';
import { CLIENT_BLOCK, historyPlan, MAX_TOKENS_PER_GRANT, USER_BLOCK } from '../../bench/history/history-plan.js';
import { seedHistory, type HistorySeedReport } from '../../bench/history/history-seed.js';
import { CLIENT_KINDS } from '../../bench/history/seed-clients.js';
import { SeededValues } from '../../bench/history/seeded-values.js';
import { PASSWORD_POOL, PATIENTS_PER_PRACTITIONER } from '../../bench/history/seed-users.js';
import { scratchDatabase } from './support/scratch-database.js';

Logger.overrideLogger(false);

/** A client of each kind: its number is the kind's first position in the block. */
const firstOfKind = (name: string): number => {
  let position = 0;
  for (const kind of CLIENT_KINDS) {
    if (kind.name === name) return position;
    position += kind.perBlock;
  }
  throw new Error(`no client kind ${name}`);
};

describe('the growth benchmark history: rows the services read as their own (issue #20)', { skip: !process.env.DATABASE_URL && 'the seed needs a PostgreSQL server (DATABASE_URL)' }, () => {
  let db: { url: string; drop: () => Promise<void> };
  let dataSource: DataSource;
  let report: HistorySeedReport;
  let values: SeededValues;
  const plan = historyPlan(0.001, { issuer: 'https://auth.example.org', fhirBaseUrl: 'https://fhir.example.org/r4' });
  const count = async (sql: string, parameters: unknown[] = []) => Number(((await dataSource.query(sql, parameters)) as Array<{ n: string }>)[0]!.n);

  before(async () => {
    db = await scratchDatabase('historyseed');
    await runMigrations(db.url);
    report = await seedHistory(db.url, plan);
    values = new SeededValues(report.secrets);
    dataSource = new DataSource({
      type: 'postgres',
      url: db.url,
      entities: [...AUTHORIZATION_ENTITIES, ClientEntity, RevokedTokenEntity, RevokedGrantEntity, AuditEventEntity],
      namingStrategy: new SnakeCaseNamingStrategy(),
      extra: { max: 3 },
    });
    await dataSource.initialize();
  });
  after(async () => {
    await dataSource?.destroy();
    await db?.drop();
  });

  it('writes the plan: its clients, people, grants, about ten refresh tokens a grant, revocations (some live) and audit events', async () => {
    assert.equal(await count(`SELECT count(*) AS n FROM client`), plan.clients);
    assert.equal(await count(`SELECT count(*) AS n FROM app_user`), plan.users);
    assert.equal(await count(`SELECT count(*) AS n FROM authorization_grant`), plan.grants);
    const tokens = await count(`SELECT count(*) AS n FROM refresh_token`);
    assert.ok(tokens >= plan.grants * 8 && tokens <= plan.grants * 12, `${tokens} refresh tokens for ${plan.grants} grants`);
    const [rotated, expired] = [await count(`SELECT count(*) AS n FROM refresh_token WHERE used_at IS NOT NULL`), await count(`SELECT count(*) AS n FROM refresh_token WHERE expires_at < now()`)];
    assert.ok(rotated > tokens * 0.8, 'most refresh tokens are rotated');
    assert.ok(expired > tokens * 0.5, 'most refresh tokens have expired');
    assert.equal(await count(`SELECT count(*) AS n FROM revoked_token`), plan.revokedTokens);
    assert.equal(await count(`SELECT count(*) AS n FROM revoked_token WHERE expires_at > now()`), plan.liveRevokedTokens);
    assert.equal(await count(`SELECT count(*) AS n FROM audit_event`), plan.auditEvents + plan.liveRevokedTokens);
    assert.ok((await count(`SELECT count(*) AS n FROM consent`)) > 0);
    assert.equal(await count(`SELECT count(*) AS n FROM pg_class WHERE relname LIKE 'history\\_%' AND relpersistence <> 't'`), 0, 'the working tables are dropped');
  });

  it('a seeded client is found by the client directory (registration.v1.client.lookup) and authenticates with its secret; its metadata is what registration validates', async () => {
    const store = new ClientStore(dataSource);
    const registration = new RegistrationService(store, undefined as never, undefined as never, undefined as never, null);
    const bus = { request: async (_route: unknown, payload: { clientId: string }) => registration.lookup(payload.clientId) } as unknown as ServiceBus;
    const directory = new ClientDirectory(bus, new InProcessEventBus());
    const authenticator = ClientAuthenticator.with(directory);
    const disabled = new Set(((await dataSource.query(`SELECT client_id FROM client WHERE disabled_at IS NOT NULL`)) as Array<{ client_id: string }>).map((r) => r.client_id));
    /** The first enabled client of a kind (1 % are disabled). */
    const enabled = (kind: string) => {
      for (let i = firstOfKind(kind); i < plan.clients; i += CLIENT_BLOCK) if (!disabled.has(values.clientId(i))) return i;
      throw new Error(`no enabled ${kind}`);
    };
    for (const kind of ['patient app', 'EHR-launched app', 'backend service']) {
      const i = enabled(kind);
      const client = await authenticator.authenticate({ method: 'client_secret_basic', clientId: values.clientId(i), clientSecret: values.clientSecret(i) });
      assert.equal(client.client_id, values.clientId(i), kind);
      assert.deepEqual(validateRegistration(client.metadata).metadata, client.metadata, `${kind}: the stored metadata is validated metadata`);
      assert.equal(client.privileges_pending, undefined, `${kind}: nothing pending`);
      const row = (await store.find(values.clientId(i)))!;
      assert.ok(secretMatchesHash(values.registrationAccessToken(i), row.registrationTokenHash), `${kind}: the registration access token hash`);
    }
    const publicApp = await directory.get(values.clientId(enabled('public patient app')));
    assert.equal(publicApp?.metadata.token_endpoint_auth_method, 'none');
    assert.equal(publicApp?.client_secret_hash, undefined);
    const pending = await directory.get(values.clientId(enabled('backend service awaiting approval')));
    assert.deepEqual(pending?.privileges_pending, { scope: ['system/Patient.rs'], grant_types: [] });
    await assert.rejects(authenticator.authenticate({ method: 'client_secret_basic', clientId: values.clientId(enabled('patient app')), clientSecret: values.clientSecret(1) }), /invalid|secret/i);
    for (const clientId of disabled) assert.equal(await directory.get(clientId), null, 'a disabled client is unknown to the token path');
    directory.onModuleDestroy();
  });

  it('a seeded person signs in with their password; a practitioner lists five patients who are people of the directory', async () => {
    const users = new UserStore(dataSource);
    const patient = (await users.byId(values.userId(1)))!;
    assert.ok(await verifyPassword(values.password(1 % PASSWORD_POOL), patient.passwordHash), 'the scrypt hash verifies');
    assert.equal(patient.fhirUser, `Patient/${values.patientId(1)}`);
    assert.equal((await users.byUsername(patient.username))?.id, patient.id);
    const practitioner = (await users.byId(values.userId(USER_BLOCK)))!;
    assert.match(practitioner.fhirUser ?? '', /^Practitioner\//);
    assert.deepEqual(
      practitioner.patients.map((p) => p.id),
      Array.from({ length: PATIENTS_PER_PRACTITIONER }, (_, k) => values.patientId(USER_BLOCK + 1 + k)),
    );
  });

  it('a grant names a person and an app that exist, a scope that parses and a patient that person may open', async () => {
    const grants = new GrantStore(dataSource);
    const users = new UserStore(dataSource);
    const clients = new ClientStore(dataSource);
    let ehr = 0;
    for (let g = 0; g < 40; g++) {
      const grant = (await grants.find(values.grantId(g)))!;
      assert.ok(grant, `grant ${g}`);
      const user = (await users.byId(grant.userId))!;
      const client = (await clients.find(grant.clientId))!;
      assert.ok(user && client, `grant ${g}: its person and app exist`);
      assert.ok(client.createdAt <= grant.createdAt && user.createdAt <= grant.createdAt, `grant ${g} starts after its person and app`);
      assert.ok(ScopeSet.parse(grant.scope).has('offline_access'));
      const patient = launchContextClaimsOf(grant.context).patient!;
      if (grant.launch === 'ehr') {
        ehr++;
        assert.ok(user.patients.some((p) => p.id === patient), `grant ${g}: the patient is on the practitioner's list`);
      } else {
        assert.equal(grant.launch, 'standalone');
        assert.equal(user.fhirUser, `Patient/${patient}`, `grant ${g}: a patient's own record`);
      }
      assert.equal(grant.context.smart_style_url, `${plan.issuer}/smart-style.json`);
    }
    assert.ok(ehr > 0, 'some grants are EHR launches');
  });

  it('every refresh-token row is the SHA-256 of a token in the checksum format; the refresh rules find rotated ones reused, expired ones expired, live ones good', async () => {
    const format = new RefreshTokenFormat(dataSource);
    await format.onModuleInit();
    const texts = new Map<string, { g: number; j: number; text: string }>();
    for (let g = 0; g < plan.grants; g++) {
      for (let j = 0; j < MAX_TOKENS_PER_GRANT; j++) {
        const text = values.refreshToken(g, j);
        texts.set(sha256Hex(text), { g, j, text });
      }
    }
    const rows = (await dataSource.query(`SELECT token_hash, used_at, expires_at FROM refresh_token`)) as Array<{ token_hash: string; used_at: Date | null; expires_at: Date }>;
    assert.equal(rows.filter((r) => !texts.has(r.token_hash)).length, 0, 'a row that is no seeded token text');
    assert.ok([...texts.values()].slice(0, 50).every((t) => format.mayBeIssued(t.text)), 'the texts carry the deployment checksum');
    const tokens = new RefreshTokenStore(dataSource);
    const stateOf = async (text: string) => {
      const row = await tokens.find(sha256Hex(text));
      return presentedTokenState(row, row!.clientId, Date.now(), 0);
    };
    const pick = (where: (r: (typeof rows)[number]) => boolean) => texts.get(rows.find(where)!.token_hash)!;
    const rotated = pick((r) => r.used_at !== null);
    const expired = pick((r) => r.used_at === null && r.expires_at.getTime() < Date.now());
    assert.equal(await stateOf(rotated.text), 'reused');
    assert.equal(await stateOf(expired.text), 'expired');

    // Through the refresh rules themselves, as the client of the grant would present them.
    const clientOf = async (text: string): Promise<ClientRecord> => clientRecord((await new ClientStore(dataSource).find((await tokens.find(sha256Hex(text)))!.clientId))!);
    const grants = new GrantStore(dataSource);
    const live = (await dataSource.query(
      `SELECT t.token_hash FROM refresh_token t JOIN authorization_grant g ON g.id = t.grant_id JOIN app_user u ON u.id = g.user_id
        WHERE t.used_at IS NULL AND t.expires_at > now() AND g.revoked_at IS NULL AND NOT u.disabled LIMIT 1`,
    )) as Array<{ token_hash: string }>;
    const good = texts.get(live[0]!.token_hash)!;
    const client = await clientOf(good.text);
    const rules = grantRules(dataSource, format, {}, client);
    const rotation = await rules.rotation.refresh({ refresh_token: good.text, client_id: client.client_id });
    assert.ok('refresh_token' in rotation && typeof rotation.refresh_token === 'string', 'a live seeded token rotates');
    await assert.rejects(rules.rotation.refresh({ refresh_token: expired.text, client_id: (await clientOf(expired.text)).client_id }), InvalidGrant);
    const reusedGrant = (await tokens.find(sha256Hex(rotated.text)))!.grantId;
    const wasLive = (await grants.find(reusedGrant))!.revokedAt === null;
    const reuseRules = grantRules(dataSource, format, {}, await clientOf(rotated.text));
    await assert.rejects(reuseRules.rotation.refresh({ refresh_token: rotated.text, client_id: (await clientOf(rotated.text)).client_id }), InvalidGrant);
    if (wasLive) assert.equal((await grants.find(reusedGrant))!.revokeReason, 'refresh_token_reuse', 'reuse of a rotated seeded token revokes its grant');
  });

  it('the live revocations are in the revoked-token set the introspection service loads at start, the expired ones are not', async () => {
    const store = new RevocationStore(dataSource, new Outbox(dataSource, new InProcessEventBus(), 'introspection'));
    const state = new TokenStateService(store, new RevokedGrantStore(dataSource), new ReconnectingEventBus());
    await state.onApplicationBootstrap();
    try {
      assert.equal(state.isMet(), true);
      for (let r = 0; r < plan.liveRevokedTokens; r++) assert.ok(state.revoked.has(values.jti(r)), `live revocation ${r}`);
      assert.equal(state.revoked.has(values.jti(plan.liveRevokedTokens)), false);
      assert.equal(state.revoked.size, plan.liveRevokedTokens);
    } finally {
      state.onModuleDestroy();
    }
  });

  it('the audit trail holds storable envelopes, its hash chain verifies over the seeded rows, and the next event appends to it', async () => {
    const rows = (await dataSource.query(`SELECT data, client_id, user_id, patient FROM audit_event ORDER BY seq`)) as Array<{ data: unknown; client_id: string | null }>;
    assert.deepEqual(rows.map((r) => envelopeProblem(r.data)).filter((p) => p !== null), []);
    const types = new Set(rows.map((r) => (r.data as { type: string }).type));
    for (const type of ['login.succeeded', 'consent.granted', 'grant.created', 'token.issued', 'token.refreshed', 'token.revoked', 'client.registered']) assert.ok(types.has(type), type);
    assert.ok(rows.every((r) => r.client_id !== null), 'every event names its client');
    const trail = new AuditTrailStore(dataSource);
    const verified = await trail.verify(1000);
    assert.deepEqual(verified, { valid: true, checked: rows.length });
    await trail.append([EventBus.envelope('login.failed', { method: 'password', reason: 'invalid_credentials', remote_address: '198.51.100.7' }, { source: 'authorization' })]);
    assert.deepEqual(await trail.verify(1000), { valid: true, checked: rows.length + 1 });
  });
});

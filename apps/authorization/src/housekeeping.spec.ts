import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Logger } from '@nestjs/common';
import type { DataSource } from 'typeorm';
import type { AuthorizedGrant } from '#contracts';
import { loadConfig, purgeStatement, type Janitor } from '#nest';
import { InvalidGrant, sha256Hex } from '#oauth';
import { AuthorizationConfig, reuseDetectionSeconds } from './config/authorization.config.js';
import { grantRules } from './grants/grant-rules.fixtures.js';
import { RefreshTokenFormat } from './grants/refresh-token-format.js';
import { authorizationJanitorOn } from './housekeeping.fixtures.js';
import { scratchAuthorizationDatabase } from './persistence/authorization-database.fixtures.js';
import { UserEntity } from './persistence/entities/user.entity.js';

const DAY = 86_400;
/** The reuse-detection horizon of these specs: a week. */
const HORIZON = 7 * DAY;

/** A row of each table, its key and when it expires (or was used, or its window started): SQL for `$1` = key, `$2` = seconds from now. */
const INSERTS: Record<string, string> = {
  interaction: `INSERT INTO interaction (id, binding_hash, csrf, client_id, request, expires_at) VALUES ($1, 'b', 'c', 'app', '{}', now() + make_interval(secs => $2))`,
  authorization_code: `INSERT INTO authorization_code (code_hash, grant_id, client_id, redirect_uri, redirect_uri_sent, code_challenge, auth_time, expires_at)
    VALUES ($1, 'g', 'app', 'https://app.example/cb', true, 'c', now(), now() + make_interval(secs => $2))`,
  refresh_token: `INSERT INTO refresh_token (token_hash, grant_id, client_id, scope, auth_time, expires_at) VALUES ($1, 'g', 'app', 'offline_access', now(), now() + make_interval(secs => $2))`,
  rotated_refresh_token: `INSERT INTO refresh_token (token_hash, grant_id, client_id, scope, auth_time, expires_at, used_at)
    VALUES ($1, 'g', 'app', 'offline_access', now(), now() + interval '80 days', now() + make_interval(secs => $2))`,
  launch_context: `INSERT INTO launch_context (id_hash, created_by, context, expires_at) VALUES ($1, 'ehr', '{}', now() + make_interval(secs => $2))`,
  login_throttle: `INSERT INTO login_throttle (key, failures, window_started_at) VALUES ($1, 3, now() + make_interval(secs => $2))`,
  login_session: `INSERT INTO login_session (id_hash, user_id, authenticated_at, expires_at) VALUES ($1, 'u1', now(), now() + make_interval(secs => $2))`,
  pushed_authorization_request: `INSERT INTO pushed_authorization_request (id_hash, client_id, params, expires_at) VALUES ($1, 'app', '{}', now() + make_interval(secs => $2))`,
};

/** Per kind of row: seconds from now (of `expires_at`, `used_at` or `window_started_at`) of rows past their horizon, and of rows just inside it. */
const HORIZONS: Array<[kind: string, table: string, key: string, gone: number[], kept: number[]]> = [
  ['interaction (an hour past expiry)', 'interaction', 'id', [-3660, -DAY], [-3540, 600]],
  ['authorization code (a day past expiry)', 'authorization_code', 'code_hash', [-DAY - 60], [-DAY + 60, 30]],
  ['refresh token (expired)', 'refresh_token', 'token_hash', [-60], [60, 92 * DAY]],
  ['rotated refresh token (reuse-detection horizon)', 'rotated_refresh_token', 'token_hash', [-HORIZON - 60], [-HORIZON + 60, -10]],
  ['launch context (a day past expiry)', 'launch_context', 'id_hash', [-DAY - 60], [-DAY + 60, 300]],
  ['throttle window (ended)', 'login_throttle', 'key', [-960], [-840, 0]],
  ['login session (a day past expiry)', 'login_session', 'id_hash', [-DAY - 60], [-DAY + 60, 3600]],
  ['pushed request (expired)', 'pushed_authorization_request', 'id_hash', [-1], [60]],
];

Logger.overrideLogger(false);
describe('authorization janitor: every expiring table, on both sides of its horizon (PostgreSQL)', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let dataSource: DataSource;
  let url: string;
  let drop: () => Promise<void>;
  let format: RefreshTokenFormat;

  const configured = (settings: Record<string, string>) => loadConfig(AuthorizationConfig, { DATABASE_URL: url, FHIR_BASE_URL: 'https://fhir.example/r4', ...settings });
  /** The service's janitor (its own wiring, settings and stores) on the scratch database. */
  const janitor = async (settings: Record<string, string>): Promise<Janitor> => authorizationJanitorOn(dataSource, configured(settings));

  before(async () => {
    ({ dataSource, url, drop } = await scratchAuthorizationDatabase('housekeeping'));
    format = new RefreshTokenFormat(dataSource);
    await format.onModuleInit();
    await dataSource.getRepository(UserEntity).insert({ id: 'u1', username: 'pat', passwordHash: 'x', displayName: 'Pat', fhirUser: 'Patient/p1', patients: [], disabled: false, admin: false });
  });
  after(async () => {
    await drop?.();
  });

  it('deletes only the rows past their horizon, in every table, and keeps every live one', async () => {
    const keys = (kind: string, side: string, offsets: number[]) => offsets.map((offset, i) => ({ key: `${kind}-${side}-${i}`, offset }));
    for (const [, kind, , gone, kept] of HORIZONS) {
      for (const { key, offset } of [...keys(kind, 'gone', gone), ...keys(kind, 'kept', kept)]) await dataSource.query(INSERTS[kind]!, [key, offset]);
    }
    const report = await (await janitor({ REFRESH_REUSE_DETECTION_SECONDS: String(HORIZON) })).round();
    assert.equal(report.ran, true);
    assert.equal(report.failure, undefined);
    for (const [name, kind, key, gone, kept] of HORIZONS) {
      const table = kind === 'rotated_refresh_token' ? 'refresh_token' : kind;
      const left = (await dataSource.query(`SELECT ${key} AS k FROM ${table} WHERE ${key} LIKE $1 ORDER BY ${key}`, [`${kind}-%`])) as Array<{ k: string }>;
      assert.deepEqual(left.map((r) => r.k), keys(kind, 'kept', kept).map((k) => k.key), name);
      assert.ok(report.deleted[kind === 'rotated_refresh_token' ? 'refresh_token_rotated' : kind]! >= gone.length, name);
    }
  });

  it('every purge statement is served by an index: no sequential scan even where one would be cheap', async () => {
    const { tasks } = await janitor({ REFRESH_REUSE_DETECTION_SECONDS: String(HORIZON) });
    await dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off'); // with no index to use, the plan would still scan
      for (const rows of tasks) {
        const { sql, parameters } = purgeStatement(rows, 5000);
        const plan = JSON.stringify(await manager.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters));
        assert.doesNotMatch(plan, /Seq Scan/, rows.table);
      }
    });
  });

  it('without REFRESH_REUSE_DETECTION_SECONDS a rotated token is kept until it would have expired (detection as strong as without a janitor)', async () => {
    const config = loadConfig(AuthorizationConfig, { DATABASE_URL: url });
    assert.equal(reuseDetectionSeconds(config), config.REFRESH_TOKEN_TTL_SECONDS);
    await dataSource.query(INSERTS.rotated_refresh_token!, ['default-horizon-rotated', -80 * DAY]);
    await (await janitor({})).round();
    assert.equal((await dataSource.query(`SELECT 1 FROM refresh_token WHERE token_hash = 'default-horizon-rotated'`)).length, 1);
  });

  describe('a rotated refresh token presented again (RFC 9700 §4.14.2)', () => {
    const rotated = async () => {
      const rules = grantRules(dataSource, format);
      const first = await rules.redeem((await rules.codeFor('openid offline_access')).code);
      const second = (await rules.rotation.refresh({ refresh_token: first.refresh_token!, client_id: 'app' })) as AuthorizedGrant;
      return { rules, first, second, revoked: async () => (await rules.grants.find(first.grant_id))?.revokedAt instanceof Date };
    };

    it('inside the reuse-detection horizon: its row is kept, and the replay revokes the grant', async () => {
      const { rules, first, revoked } = await rotated();
      await (await janitor({ REFRESH_REUSE_DETECTION_SECONDS: '3600' })).round();
      await assert.rejects(rules.rotation.refresh({ refresh_token: first.refresh_token!, client_id: 'app' }), /already used; the whole grant is revoked/);
      assert.equal(await revoked(), true);
    });

    it('past the horizon: its row is gone, the replay is still refused with invalid_grant, and the grant lives on', async () => {
      const { rules, first, second, revoked } = await rotated();
      await dataSource.query(`UPDATE refresh_token SET used_at = now() - interval '2 hours' WHERE token_hash = $1`, [sha256Hex(first.refresh_token!)]);
      const report = await (await janitor({ REFRESH_REUSE_DETECTION_SECONDS: '3600' })).round();
      assert.ok(report.deleted.refresh_token_rotated! >= 1);
      assert.equal(await rules.tokens.find(sha256Hex(first.refresh_token!)), null);
      await assert.rejects(rules.rotation.refresh({ refresh_token: first.refresh_token!, client_id: 'app' }), (err: unknown) => err instanceof InvalidGrant && /invalid, expired or revoked/.test(err.message));
      assert.equal(await revoked(), false);
      const third = (await rules.rotation.refresh({ refresh_token: second.refresh_token!, client_id: 'app' })) as AuthorizedGrant;
      assert.equal(typeof third.refresh_token, 'string', 'the live token still rotates');
    });
  });
});

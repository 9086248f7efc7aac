import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource } from 'typeorm';
import { InProcessEventBus, Outbox, purgeStatement, SnakeCaseNamingStrategy } from '#nest';
import { scratchJanitor, scratchServerDatabase } from '#testing';
import { RevokedGrantEntity } from './entities/revoked-grant.entity.js';
import { RevokedTokenEntity } from './entities/revoked-token.entity.js';
import { INTROSPECTION_MIGRATIONS } from './migrations/index.js';
import { RevocationStore } from './revocation.store.js';
import { RevokedGrantStore } from './revoked-grant.store.js';

/** Seconds from now of `expires_at` (tokens) or `keep_until` (grants): rows past the horizon, and rows the janitor keeps. */
const GONE = [-360, -86_400];
const KEPT = [-240, -1, 3600];

describe('introspection janitor: revocations kept as long as they can matter (PostgreSQL)', { skip: !process.env.DATABASE_URL && 'needs DATABASE_URL' }, () => {
  let dataSource: DataSource;
  let url: string;
  let drop: () => Promise<void>;
  let tokens: RevocationStore;
  let grants: RevokedGrantStore;

  before(async () => {
    ({ url, drop } = await scratchServerDatabase('revocations', process.env.DATABASE_URL!));
    dataSource = new DataSource({
      type: 'postgres',
      url,
      entities: [RevokedTokenEntity, RevokedGrantEntity],
      namingStrategy: new SnakeCaseNamingStrategy(),
      migrations: INTROSPECTION_MIGRATIONS,
      migrationsTableName: 'introspection_migrations',
      extra: { max: 2 },
    });
    await dataSource.initialize();
    await dataSource.runMigrations({ transaction: 'each' });
    tokens = new RevocationStore(dataSource, new Outbox(dataSource, new InProcessEventBus(), 'introspection'));
    grants = new RevokedGrantStore(dataSource);
  });
  after(async () => {
    await dataSource?.destroy();
    await drop?.();
  });

  it('deletes token revocations five minutes after their token expired and grant revocations five minutes after keep_until, nothing the catch-up still loads', async () => {
    const at = (seconds: number) => new Date(Date.now() + seconds * 1000);
    for (const [side, offsets] of [['gone', GONE], ['kept', KEPT]] as const) {
      for (const [i, offset] of offsets.entries()) {
        await dataSource.query(`INSERT INTO revoked_token (jti, client_id, token_type, expires_at) VALUES ($1, 'app', 'access_token', $2)`, [`${side}-${i}`, at(offset)]);
        await grants.add(`${side}-${i}`, 'app', at(offset - 3660), at(offset));
      }
    }
    const loadedBefore = { tokens: (await tokens.live()).map((r) => r.jti), grants: (await grants.live()).map((r) => r.grantId) };
    const report = await scratchJanitor(url, [tokens.expiredRows(), grants.expiredRows()]).round();
    assert.deepEqual(report.deleted, { revoked_token: GONE.length, revoked_grant: GONE.length });
    const keptKeys = KEPT.map((_, i) => `kept-${i}`);
    assert.deepEqual(((await dataSource.query(`SELECT jti FROM revoked_token ORDER BY jti`)) as Array<{ jti: string }>).map((r) => r.jti), keptKeys);
    assert.deepEqual(((await dataSource.query(`SELECT grant_id FROM revoked_grant ORDER BY grant_id`)) as Array<{ grant_id: string }>).map((r) => r.grant_id), keptKeys);
    for (const jti of loadedBefore.tokens) assert.ok(keptKeys.includes(jti), `${jti}: loaded by the catch-up, so kept`);
    for (const grantId of loadedBefore.grants) assert.ok(keptKeys.includes(grantId), `${grantId}: loaded by the catch-up, so kept`);
  });

  it('every purge statement is served by an index (no sequential scan even where one would be cheap)', async () => {
    await dataSource.transaction(async (manager) => {
      await manager.query('SET LOCAL enable_seqscan = off');
      for (const rows of [tokens.expiredRows(), grants.expiredRows()]) {
        const { sql, parameters } = purgeStatement(rows, 5000);
        assert.doesNotMatch(JSON.stringify(await manager.query(`EXPLAIN (FORMAT JSON) ${sql}`, parameters)), /Seq Scan/, rows.table);
      }
    });
  });
});

import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DataSource, type MigrationInterface } from 'typeorm';
import { generateOpaqueToken, mayBeIssuedRefreshToken, RefreshTokenChecksum, sha256Hex } from '#oauth';
import { AUTHORIZATION_MIGRATIONS } from '../../apps/authorization/src/persistence/migrations/index.js';
import { RefreshTokenChecksum1765300000000 } from '../../apps/authorization/src/persistence/migrations/1765300000000-RefreshTokenChecksum.js';
import { scratchDatabase } from './support/scratch-database.js';

const BEFORE_CHECKSUM = AUTHORIZATION_MIGRATIONS.slice(0, AUTHORIZATION_MIGRATIONS.indexOf(RefreshTokenChecksum1765300000000));

async function migrated(url: string, migrations: Array<new () => MigrationInterface>): Promise<void> {
  const source = new DataSource({ type: 'postgres', url, migrations, migrationsTableName: 'authorization_migrations', extra: { max: 1 } });
  await source.initialize();
  try {
    await source.runMigrations({ transaction: 'each' });
  } finally {
    await source.destroy();
  }
}

async function format(url: string): Promise<{ checksum: RefreshTokenChecksum; legacyUntil: number | null }> {
  const source = new DataSource({ type: 'postgres', url, extra: { max: 1 } });
  await source.initialize();
  try {
    const [row] = (await source.query(`SELECT encode(checksum_key, 'base64') AS key, legacy_until FROM refresh_token_format`)) as Array<{ key: string; legacy_until: Date | null }>;
    return { checksum: new RefreshTokenChecksum(Buffer.from(row!.key, 'base64')), legacyUntil: row!.legacy_until?.getTime() ?? null };
  } finally {
    await source.destroy();
  }
}

/**
 * Issue #14, refresh tokens with a checksum: the migration that introduces it
 * on a real PostgreSQL, for a new deployment and for an upgraded one whose
 * refresh tokens (issued without a checksum) must keep working until they expire.
 */
describe('refresh-token format migration', () => {
  const drops: Array<() => Promise<void>> = [];
  after(async () => {
    for (const drop of drops) await drop();
  });

  it('a new deployment gets its own key and no legacy horizon: a token without the checksum is never looked up', async () => {
    const first = await scratchDatabase('rtformat');
    const second = await scratchDatabase('rtformat');
    drops.push(first.drop, second.drop);
    await migrated(first.url, AUTHORIZATION_MIGRATIONS);
    await migrated(second.url, AUTHORIZATION_MIGRATIONS);
    const a = await format(first.url);
    const b = await format(second.url);
    assert.equal(a.legacyUntil, null);
    assert.equal(b.checksum.carries(a.checksum.issue()), false, 'each deployment makes its own key');
    assert.equal(mayBeIssuedRefreshToken(generateOpaqueToken(32), a.checksum, a.legacyUntil), false);
    assert.equal(mayBeIssuedRefreshToken(a.checksum.issue(), a.checksum, a.legacyUntil), true);
  });

  it('an upgraded deployment keeps looking its older tokens up until the last of them expires', async () => {
    const db = await scratchDatabase('rtformat');
    drops.push(db.drop);
    await migrated(db.url, BEFORE_CHECKSUM);
    const source = new DataSource({ type: 'postgres', url: db.url, extra: { max: 1 } });
    await source.initialize();
    const live = new Date(Math.floor(Date.now() / 1000) * 1000 + 86_400_000);
    const expired = new Date(Date.now() - 60_000);
    const older = generateOpaqueToken(32);
    try {
      for (const [token, expiresAt, usedAt] of [[older, live, null], [generateOpaqueToken(32), new Date(live.getTime() - 3_600_000), new Date()], [generateOpaqueToken(32), expired, null]] as const) {
        await source.query(`INSERT INTO refresh_token (token_hash, grant_id, client_id, scope, auth_time, expires_at, used_at) VALUES ($1, 'g', 'c', 'offline_access', now(), $2, $3)`, [sha256Hex(token), expiresAt, usedAt]);
      }
    } finally {
      await source.destroy();
    }
    await migrated(db.url, AUTHORIZATION_MIGRATIONS);
    const { checksum, legacyUntil } = await format(db.url);
    assert.equal(legacyUntil, live.getTime(), 'the latest expiry of the tokens still in force');
    assert.equal(mayBeIssuedRefreshToken(older, checksum, legacyUntil), true, 'an older token is still looked up');
    assert.equal(mayBeIssuedRefreshToken(older, checksum, legacyUntil, live.getTime() + 1), false, 'and no longer once it has expired');
    // Running the migrations again (another replica, a retried job) changes nothing.
    await migrated(db.url, AUTHORIZATION_MIGRATIONS);
    assert.equal((await format(db.url)).checksum.carries(checksum.issue()), true);
  });
});

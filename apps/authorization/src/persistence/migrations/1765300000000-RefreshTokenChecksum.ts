import { randomBytes } from 'node:crypto';
import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The key of the refresh tokens' checksum (issue #14, `RefreshTokenChecksum`),
 * made once per deployment, and `legacy_until`: the latest expiry of the
 * refresh tokens issued before (they carry no checksum and are looked up
 * until then; null when there were none, as in a new deployment). One row;
 * migrations running at once in several replicas create it once.
 */
export class RefreshTokenChecksum1765300000000 implements MigrationInterface {
  name = 'RefreshTokenChecksum1765300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`CREATE TABLE refresh_token_format (
      id smallint PRIMARY KEY DEFAULT 1 CHECK (id = 1),
      checksum_key bytea NOT NULL CHECK (octet_length(checksum_key) = 32),
      legacy_until timestamptz NULL,
      created_at timestamptz NOT NULL DEFAULT now()
    )`);
    await q.query(
      `INSERT INTO refresh_token_format (id, checksum_key, legacy_until)
       SELECT 1, decode($1, 'hex'), (SELECT max(expires_at) FROM refresh_token WHERE expires_at > now())
       ON CONFLICT (id) DO NOTHING`,
      [randomBytes(32).toString('hex')],
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE refresh_token_format`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRevokedGrant1764080000000 implements MigrationInterface {
  name = 'CreateRevokedGrant1764080000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE revoked_grant (
        grant_id varchar(128) PRIMARY KEY,
        client_id varchar(128) NOT NULL,
        revoked_at timestamptz NOT NULL,
        keep_until timestamptz NOT NULL
      )`);
    await q.query(`CREATE INDEX revoked_grant_keep_until_idx ON revoked_grant (keep_until)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE revoked_grant`);
  }
}

import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateRevokedToken1764050200000 implements MigrationInterface {
  name = 'CreateRevokedToken1764050200000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE revoked_token (
        jti varchar(64) PRIMARY KEY,
        client_id varchar(128) NOT NULL,
        token_type varchar(16) NOT NULL,
        expires_at timestamptz NOT NULL,
        revoked_at timestamptz NOT NULL DEFAULT now()
      )`);
    await q.query(`CREATE INDEX revoked_token_expires_idx ON revoked_token (expires_at)`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE revoked_token`);
  }
}

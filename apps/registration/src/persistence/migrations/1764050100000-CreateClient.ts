import type { MigrationInterface, QueryRunner } from 'typeorm';

export class CreateClient1764050100000 implements MigrationInterface {
  name = 'CreateClient1764050100000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE client (
        client_id varchar(128) PRIMARY KEY,
        metadata jsonb NOT NULL,
        client_secret_hash char(64) NULL,
        client_secret_expires_at bigint NOT NULL DEFAULT 0,
        registration_token_hash char(64) NOT NULL,
        client_id_issued_at bigint NOT NULL,
        revision int NOT NULL,
        managed boolean NOT NULL DEFAULT false,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
      )`);
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query(`DROP TABLE client`);
  }
}
